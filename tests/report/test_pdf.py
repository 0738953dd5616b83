"""report.pdf: written from a real run's result.json and findings, read back
as a reader would (PDFium renders the pages and extracts their text)."""

from __future__ import annotations

import dataclasses
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pypdfium2 as pdfium
import pytest

from privacylib.audit.result import RESULT, file_integrity, open_result, read_findings
from privacylib.errors import PrivacyLibError
from privacylib.masking.leakguard import Leak, RawValues, Scanner, scan_folder
from privacylib.masking.leakguard.documents import PdfUnreadable, pdf_lines
from privacylib.masking.leakguard.scanner import Collector
from privacylib.masking.masker import mask_text
from privacylib.report.pdf import write_pdf

from conftest import gb11643

ID_NUMBER = "11010519491231002" + gb11643("11010519491231002")
MOBILE = "13912345678"


@pytest.fixture(scope="module")
def run(shared_runs) -> Path:
    return shared_runs.out("october") / "2026-10"


def _pdf_folder(run: Path, folder: Path) -> Path:
    """A folder holding the run's result.json, for a PDF written beside it
    (the run folder itself is signed: a file added there fails verify)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(run / RESULT, folder / RESULT)
    return folder


@pytest.fixture(scope="module")
def pdfs(run, tmp_path_factory) -> dict[str, tuple[Path, float]]:
    """report.pdf in each language, with the seconds it took to write."""
    result, findings = open_result(run), read_findings(run, columns=None)
    made = {}
    for lang in ("zh", "en"):
        folder = _pdf_folder(run, tmp_path_factory.mktemp(lang))
        start = time.perf_counter()
        path = write_pdf(result, findings, folder, lang, run_id="run-0001")
        made[lang] = (path, time.perf_counter() - start)
    return made


def _pages(path: Path) -> list[tuple[str, np.ndarray]]:
    """(text, grey pixels) of each page, rendered at 72 dpi."""
    document = pdfium.PdfDocument(str(path))
    try:
        return [(page.get_textpage().get_text_range(),
                 np.asarray(page.render(scale=1).to_pil().convert("L")))
                for page in document]
    finally:
        document.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_rendered_pages_show_the_cover_and_the_headline_counts(pdfs, run, lang):
    result = open_result(run)
    pages = _pages(pdfs[lang][0])
    assert len(pages) >= 4
    for n, (_, pixels) in enumerate(pages, start=1):
        # Ink on every page: text was drawn, not only a white sheet.
        assert (pixels < 128).sum() > 500, f"page {n} is blank"
    cover = pages[0][0]
    title = {"zh": "客户隐私保护合规审计报告", "en": "Customer privacy compliance audit"}[lang]
    r = result.run
    for expected in (title, r.period, r.local_start, r.local_end, r.timezone, "run-0001",
                     {"zh": "中文", "en": "English"}[lang],
                     {"zh": "个人信息已脱敏", "en": "Personal identifiers are masked"}[lang]):
        assert expected in cover, expected
    headline = pages[1][0]
    v = result.verdict
    outcome_row = " ".join(str(v.outcomes.get(o, 0)) for o in
                           ("fail", "pass", "no_data", "skipped", "error"))
    assert f"{outcome_row} {len(result.controls)}" in headline
    failed = [v.failed_by_severity.get(s, 0) for s in ("critical", "high", "medium", "low")]
    assert " ".join(map(str, [*failed, sum(failed)])) in headline
    # The sample's planted findings, as the engine test knows them.
    assert "36 0 0 0 0 36" in headline and "9 13 12 2 36" in headline


def test_chinese_round_trips_through_the_pdf(pdfs):
    zh = "\n".join(text for text, _ in _pages(pdfs["zh"][0]))
    assert "客户隐私保护合规审计报告" in zh and "收集目的明确" in zh and "未通过" in zh
    assert "细则 二(一)1；个人信息保护法 第 6、17" in zh  # C01's legal references (wrapped)
    en = "\n".join(text for text, _ in _pages(pdfs["en"][0]))
    # English pages set Chinese runs (a seed clause, a reason) in the CID font.
    assert "Every collected field has a declared purpose" in en
    assert "Operating rules II(1)1; PIPL Art. 6, 17" in en


def test_the_findings_read_in_words_not_codes(pdfs):
    # Reasons go through the pages' sentence(): the data's words for its codes,
    # one language's markers, no SQL null.
    for lang, pattern in (("zh", r"空/none|从未/never|\bnull\b|（[a-z]+，[a-z]+）"),
                          ("en", r"空/none|从未/never|\bnull\b|did \w+ on")):
        text = "\n".join(t for t, _ in _pages(pdfs[lang][0]))
        assert not re.findall(pattern, text), (lang, re.findall(pattern, text)[:5])


def test_the_cover_and_every_footer_carry_the_result_seal(pdfs):
    for path, _ in pdfs.values():
        seal = file_integrity(path.parent / RESULT)
        pages = [text for text, _ in _pages(path)]
        assert seal.startswith("sha256-") and pages[0].count(seal) >= 2  # cover, footer
        assert all(seal in text for text in pages)


def test_the_sample_pdf_is_small(pdfs):
    # The time is printed for whoever reads the log; speed is for the benchmarks.
    for lang, (path, seconds) in pdfs.items():
        print(f"report.pdf ({lang}): {seconds:.3f} s, {path.stat().st_size} bytes")
        assert path.stat().st_size < 2_000_000


def _with_identifiers(findings: pd.DataFrame) -> pd.DataFrame:
    """The sample's findings with an ID number and a mobile in a subject and a
    reason of the first failing control, as a careless export might hold."""
    planted = findings.copy()
    first = planted.sort_values(["severity", "control_id"]).index[0]
    control = planted.at[first, "control_id"]
    rows = planted.index[planted["control_id"] == control]
    planted.loc[rows[0], "subject_id"] = ID_NUMBER
    planted.loc[rows[0], "reason"] = f"客户 {ID_NUMBER} 手机 {MOBILE}"
    return planted


def _hits(path: Path) -> list[Leak]:
    """The leak guard's search over the PDF's text as pdf_lines reads it."""
    leaks: list[Leak] = []
    out = Collector(Scanner(RawValues()), path.name, leaks)
    out.where = lambda p: f"page {p[0]}, line {p[1]}"
    for page, line, text in pdf_lines(path):
        out.add(text, (page, line))
    out.flush()
    return leaks


def test_identifiers_appear_as_the_masked_findings_give_them(run, tmp_path):
    result, findings = open_result(run), read_findings(run, columns=None)
    raw = _with_identifiers(findings)
    masked = raw.assign(subject_id=raw["subject_id"].map(mask_text),
                        reason=raw["reason"].map(mask_text))
    shown = write_pdf(result, masked, _pdf_folder(run, tmp_path / "masked"), "zh")
    text = "\n".join(line for _, _, line in pdf_lines(shown))
    assert mask_text(ID_NUMBER) in text and mask_text(MOBILE) in text
    assert ID_NUMBER not in text and MOBILE not in text
    assert _hits(shown) == []
    # The same page from unmasked findings: the guard's search, fed by
    # pdf_lines, finds both (reading the file's bytes finds neither: the
    # page streams are compressed).
    leaked = write_pdf(result, raw, _pdf_folder(run, tmp_path / "raw"), "zh")
    kinds = {leak.kind for leak in _hits(leaked)}
    assert {"resident_id", "mobile"} <= kinds, kinds
    assert ID_NUMBER.encode() not in leaked.read_bytes()


def test_the_leak_guard_reads_report_pdf(run, tmp_path):
    result, findings = open_result(run), read_findings(run, columns=None)
    folder = _pdf_folder(run, tmp_path / "raw")
    write_pdf(result, _with_identifiers(findings), folder, "zh")
    (folder / RESULT).unlink()
    assert {leak.kind for leak in scan_folder(folder, RawValues())} >= {"resident_id", "mobile"}


def test_the_leak_guard_clears_a_masked_report_pdf(pdfs):
    for path, _ in pdfs.values():
        folder = path.parent
        assert [leak.line() for leak in scan_folder(folder, RawValues())] == []


def test_a_pdf_pdfium_cannot_open_is_refused(tmp_path):
    fake = tmp_path / "report.pdf"
    fake.write_text(f"not a PDF {ID_NUMBER}", encoding="utf-8")
    with pytest.raises(PdfUnreadable):
        list(pdf_lines(fake))


def test_a_pdf_is_not_written_from_another_result(run, tmp_path):
    result, findings = open_result(run), read_findings(run)
    folder = _pdf_folder(run, tmp_path / "other")
    (folder / RESULT).write_text((folder / RESULT).read_text(encoding="utf-8") + " ",
                                 encoding="utf-8")
    with pytest.raises(PrivacyLibError, match="not the result"):
        write_pdf(result, findings, folder, "en")
    assert not (folder / "report.pdf").exists()


@pytest.mark.slow
def test_a_million_findings_of_one_control_make_a_short_pdf(run, tmp_path):
    """S07 (a whole system logging no purpose) with a million findings: the
    PDF shows its digest and says where the rest is, in seconds."""
    result, findings = open_result(run), read_findings(run, columns=None)
    n = 1_000_000
    base = findings[findings["control_id"] == "S07"].iloc[[0]]
    big = base.iloc[np.zeros(n, dtype=int)].reset_index(drop=True)
    numbers = pd.Series(np.arange(n)).astype(str).str.zfill(7)
    big["subject_id"] = "EV" + numbers
    big["finding_key"] = "k" + numbers
    big["actor_id"] = "E" + (pd.Series(np.arange(n)) % 7).astype(str)
    frame = pd.concat([findings[findings["control_id"] != "S07"], big], ignore_index=True)
    controls = tuple(dataclasses.replace(c, findings=n) if c.id == "S07" else c
                     for c in result.controls)
    bigger = dataclasses.replace(result, controls=controls)
    start = time.perf_counter()
    path = write_pdf(bigger, frame, tmp_path, "en")  # no result.json here: sealed as given
    seconds = time.perf_counter() - start
    # Printed, not asserted: speed is the benchmarks' business, not a test's.
    print(f"report.pdf for {len(frame)} findings: {seconds:.2f} s, {path.stat().st_size} bytes")
    pages = _pages(path)
    assert len(pages) < 15
    text = "\n".join(t for t, _ in pages)
    assert "1000000 in all, 5 shown; the full list is in findings.csv" in text
    assert "Actor: E0 (142858)" in text  # the largest group first
