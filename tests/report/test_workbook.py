"""workbook.xlsx as an auditor's working paper: its cover, the controls sheet,
a sheet per failed control with the rule and legal references, print setup,
one language throughout, and a control with a million findings."""

from __future__ import annotations

import dataclasses
import re
import resource
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from privacylib.audit.result import file_integrity, open_result
from privacylib.audit.run import Audit
from privacylib.masking.masker import Masker, unmasked
from privacylib.report.files import write_report_files
from privacylib.report.sheetstyle import MAX_WIDTH, MIN_WIDTH
from privacylib.report.workbook import SHEET_CAP, write_workbook
from privacylib.vocab import Outcome

SAMPLE = Path(__file__).parents[2] / "data" / "sample"
# A file name or a file:line source is not a code to translate.
FILE = re.compile(r"\S+\.(csv|gz|jsonl|parquet|xlsx|json)(:\d+)?")
SNAKE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
NULLS = re.compile(r"\b(None|NaT|nan|NaN|True|False|null)\b")
ENGLISH_WORDS = re.compile(r"\b(pass|fail|failed|skipped|error|no data|critical|high|medium|"
                           r"low|open|excepted|new|never|none)\b")


@pytest.fixture(scope="module")
def audited(sample_audit) -> Audit:
    return sample_audit


def written(audit: Audit, lang: str, masker: Masker, folder: Path,
            run_id: str | None = "run-7") -> openpyxl.Workbook:
    audit = dataclasses.replace(audit, config=dataclasses.replace(audit.config, lang=lang),
                                masker=masker)
    write_report_files(audit, folder, run_id=run_id)
    return openpyxl.load_workbook(folder / "workbook.xlsx")


def cover_fields(book: openpyxl.Workbook) -> dict[str, str]:
    return {r[0]: r[1] for r in book.worksheets[0].iter_rows(min_row=3, values_only=True)
            if r[0]}


def test_the_cover_states_period_scope_run_seal_and_masking(audited, tmp_path):
    book = written(audited, "zh", Masker(b"k"), tmp_path)
    cover = cover_fields(book)
    assert book.worksheets[0]["A1"].value == "客户隐私保护合规审计报告"
    assert cover["审计期间"] == "2026-10: 2026-10-01 00:00 至 2026-11-01 00:00（Asia/Shanghai）"
    assert cover["范围"] == "全部" and cover["运行编号"] == "run-7"
    assert cover["结果封印（result.json 的 SHA-256）"] == file_integrity(tmp_path / "result.json")
    assert cover["个人信息脱敏"].startswith("已脱敏") and cover["语言"] == "中文"
    assert cover["控制结果统计"] == "未通过 36，通过 0，无数据 0，跳过 0，错误 0"
    failed = open_result(tmp_path).verdict.failed_by_severity
    assert cover["未通过控制（按严重程度）"] == "，".join(
        f"{word} {failed[s]}" for word, s in (("严重", "critical"), ("高", "high"),
                                             ("中", "medium"), ("低", "low")))
    assert "如何阅读" in cover


def test_an_unmasked_english_workbook_says_so_and_why(audited, tmp_path):
    book = written(audited, "en", unmasked(), tmp_path, run_id=None)
    cover = cover_fields(book)
    assert cover["Masking of personal data"].startswith("OFF: this run used --no-mask")
    assert cover["Run id"] == "see manifest.json in this report folder (signed runs only)"
    assert cover["Scope"] == "whole company" and cover["Language"] == "English"
    # Printed, every page says it holds personal data.
    assert all("--no-mask" in s.oddFooter.left.text for s in book.worksheets)


def test_controls_sheet_and_one_sheet_per_failed_control(audited, tmp_path):
    book = written(audited, "zh", Masker(b"k"), tmp_path)
    result = open_result(tmp_path)
    failed = [c for c in result.controls if c.outcome == Outcome.FAIL]
    assert len(book.sheetnames) == 2 + len(failed)
    controls = list(book["控制结果"].iter_rows(values_only=True))
    assert controls[0] == ("控制", "类别", "严重程度", "名称", "结果", "检查对象数", "发现数",
                           "说明", "规则", "法律依据", "整改建议")
    assert len(controls) == 1 + len(result.controls)
    c03 = next(r for r in controls if r[0] == "C03")
    assert c03[1:5] == ("收集", "严重", "先同意后使用", "未通过")
    assert c03[9] == "细则 二(一)3；个人信息保护法 第 13、14 条"
    for c in failed:
        sheet = book[next(n for n in book.sheetnames if n.startswith(c.id + " "))]
        top = {r[0]: r[1] for r in sheet.iter_rows(min_row=3, max_row=5, values_only=True)}
        assert set(top) == {"规则", "法律依据", "整改建议"}
        assert top["法律依据"].startswith("细则 ") and "个人信息保护法 第 " in top["法律依据"]
        head = int(sheet.print_title_rows.split(":")[0].lstrip("$"))
        titles = [cell.value for cell in sheet[head]]
        assert titles[:4] == ["对象", "发现编号", "说明", "状态"]
        assert {"责任人", "已采取措施", "整改期限", "整改状态"} <= set(titles)
        assert sheet.max_row - head == c.findings
        assert sheet.freeze_panes == f"B{head + 1}"
        assert sheet.auto_filter.ref.startswith(f"A{head}:")
    c03 = book["C03 先同意后使用"]
    head = [cell.value for cell in c03[7]]
    # Evidence is spread over columns, one per key, with a record's source.
    assert {"事件 · 操作人", "事件 · 时间", "事件 · 来源文件与行"} <= set(head)
    row = dict(zip(head, [cell.value for cell in c03[8]], strict=True))
    # The purpose a reason quotes reads as the data's own word for it (purposes.csv).
    assert "以「营销推广」目的访问客户数据" in row["说明"]
    assert row["事件 · 操作"] == "读取" and re.fullmatch(r"access_log/.+\.csv\.gz:\d+",
                                                         row["事件 · 来源文件与行"])
    status = [v for v in c03.data_validations.dataValidation if v.type == "list"]
    assert status and "已整改" in status[0].formula1


def test_widths_and_print_setup(audited, tmp_path):
    book = written(audited, "zh", Masker(b"k"), tmp_path)
    for sheet in book.worksheets[1:]:
        widths = [d.width for d in sheet.column_dimensions.values() if d.width]
        assert widths and all(MIN_WIDTH <= w <= MAX_WIDTH for w in widths), sheet.title
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and int(setup.paperSize) == 9  # A4
        assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert re.fullmatch(r"\$\d+:\$\d+", sheet.print_title_rows)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_code_like_token_in_any_visible_cell(audited, tmp_path, lang):
    book = written(audited, lang, Masker(b"k"), tmp_path)
    bad = []
    for sheet in book.worksheets:
        texts = [sheet.title]
        head = int(sheet.print_title_rows.split(":")[0].lstrip("$")) if (
            sheet.print_title_rows) else 0
        for row in sheet.iter_rows():
            for cell in row:
                # A finding's subject id is an identifier to search findings.csv by.
                subject = cell.column == 1 and cell.row > head and sheet.title[:3].isalnum()
                if isinstance(cell.value, str) and not (subject and head > 1):
                    texts.append(cell.value)
        for text in texts:
            text = FILE.sub("", text)
            found = SNAKE.findall(text) + NULLS.findall(text)
            if lang == "zh":
                found += ENGLISH_WORDS.findall(text)
            bad += [(sheet.title, t, text[:60]) for t in found]
    assert not bad, sorted(set(bad))


def million(control_id: str, n: int = 1_000_000) -> pd.DataFrame:
    """n findings of one control, shaped as the Audit gives them."""
    i = np.arange(n)
    actors = np.char.add("E", (i % 37).astype(str))
    days = np.char.add("2026-10-", np.char.zfill(((i % 31) + 1).astype(str), 2))
    subjects = np.char.add("EV", np.char.zfill(i.astype(str), 10))
    evidence = [f'{{"event": {{"_source_file": "access_log.csv", "_source_line": {k}, '
                f'"action": "read", "actor_id": "{a}", "purpose": null, "system": "crm", '
                f'"ts": "{d} 10:00:00+08"}}}}' for k, a, d in zip(i, actors, days, strict=True)]
    return pd.DataFrame({
        "control_id": control_id, "subject_id": subjects, "severity": "high",
        "family": "storage", "title": "x", "reason": "访问日志缺少目的",
        "finding_key": np.char.add("k", i.astype(str)), "status": "open",
        "evidence": evidence, "actor_id": actors, "department": "", "system": "crm",
        "day": days, "history": ""})


def test_a_million_findings_are_capped_with_their_digest(audited, tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    write_report_files(audited, folder)
    result = open_result(folder)
    s07 = next(c for c in result.controls if c.id == "S07")
    result = dataclasses.replace(result, controls=tuple(
        dataclasses.replace(c, findings=1_000_000) if c.id == "S07" else c
        for c in result.controls))
    findings = million("S07")
    catalog = {r.control.id: r.control for r in audited.result.results}
    started = time.perf_counter()
    write_workbook(result, catalog, findings, pd.DataFrame(), tmp_path / "big.xlsx",
                   seal="sha256-x", run_id="r")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"1,000,000 findings: workbook in {seconds:.1f} s, peak RSS {peak_mb:.0f} MB, "
          f"{(tmp_path / 'big.xlsx').stat().st_size / 1e6:.1f} MB")
    assert peak_mb < 4096  # the time is printed: speed is the benchmarks' business
    book = openpyxl.load_workbook(tmp_path / "big.xlsx", read_only=True)
    sheet = book[next(n for n in book.sheetnames if n.startswith("S07 "))]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == (f"本表仅列出前 {SHEET_CAP} 项发现（共 1000000 项，按对象排序）；"
                          "全部发现见 findings.csv 与 findings.parquet（按控制编号 S07 筛选）")
    digest_at = next(n for n, r in enumerate(rows) if r[0] == "按操作人")
    assert rows[digest_at][:6] == ("按操作人", "发现数", "按系统", "发现数", "按日期", "发现数")
    # 1,000,000 over 37 actors: E0 … E26 have 27,028 findings each, the rest 27,027.
    assert rows[digest_at + 1][:4] == ("E0", 27028, "crm", 1_000_000)
    assert rows[digest_at + 1][4:6] == ("2026-10-01", 32259)
    head = next(n for n, r in enumerate(rows) if r[0] == "对象")
    assert len(rows) - head - 1 == SHEET_CAP
    assert rows[head + 1][0] == "EV0000000000" and rows[-1][0] == f"EV{SHEET_CAP - 1:010d}"
    assert s07.findings < SHEET_CAP  # the sample's own S07 sheet was not capped
