"""The leak guard (masking/leakguard/): every file type searched, masks left alone, and
a run or validation whose writer skipped masking is failed, not published."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook
from stdnum import luhn
from stdnum.cn import ric

from privacylib.controls.engine import finding_key
from privacylib.masking import leakguard
from privacylib.masking.leakguard import (
    LEAKS_FILE,
    VALUES_ENV,
    LeakFound,
    RawValues,
    guard_folder,
    guard_run,
    raw_values,
    scan_folder,
    values_file,
    worth_searching,
)

from conftest import SAMPLE, sample_identifiers

# Planted raw identifiers: each passes the check that makes it real.
ID_NUMBER = "11010519491231002" + ric.calc_check_digit("11010519491231002" + "0")  # wants 18
CARD = "622202123456789012" + luhn.calc_check_digit("622202123456789012")
TICKET = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)  # Luhn fails: a ticket, not a card
MOBILE = "13912345678"
EMAIL = "ouyang.nana88@example.com"
CUSTOMER = "C0099001"
NAME = "欧阳娜娜"
ODD_ID = "ID-4401 77X"  # an identifier column's value the recogniser does not know
RAW = RawValues(frozenset({NAME, "Li Lei"}), {CUSTOMER: "customer_id",
                                              ODD_ID: "raw value of customers.身份证号"})
SECRETS = (ID_NUMBER, CARD, MOBILE, EMAIL, CUSTOMER, NAME, ODD_ID)
# What masking writes, and other text a run writes on purpose: never a hit.
HARMLESS = ["110105********0021", "139****5678", "o***@example.com", "**************3456",
            "CU-0d4890580cf6", "CU-b13912345678", "6d9eff0bc33f895e", "欧***", TICKET,
            "2026-10-21 10:00:00", "10.99.0.8", "E0001", "EV9000001134"]


def found(leaks: list[leakguard.Leak]) -> set[tuple[str, str, str]]:
    return {(leak.file, leak.location, leak.kind) for leak in leaks}


def assert_nothing_raw(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_raw_identifiers_are_valid_and_the_ticket_is_not_a_card():
    assert ric.is_valid(ID_NUMBER) and luhn.is_valid(CARD) and not luhn.is_valid(TICKET)


def test_which_raw_values_are_searched():
    assert worth_searching("C123", customer_id=True) and not worth_searching("C123")
    assert not worth_searching("100234", customer_id=True)  # as often a count
    assert worth_searching("100234567", customer_id=True) and worth_searching(ODD_ID)
    assert worth_searching(ID_NUMBER)  # a token: one set lookup, whoever else finds it
    # Left to the recogniser (not a token), masked at the source, or no identifier.
    for value in (EMAIL, "138 1234 5678", "138****5678", "未知号码", "unknown"):
        assert not worth_searching(value), value


def test_csv_cells_by_row_and_column(tmp_path):
    lines = ["subject_id,reason,ticket",
             f"CU-0d4890580cf6,客户 {NAME} 的身份证 {ID_NUMBER},{TICKET}",
             f"{CUSTOMER},\"{' '.join(HARMLESS)}\",\"{CARD[:4]} {CARD[4:8]} {CARD[8:12]} "
             f"{CARD[12:16]} {CARD[16:]}\""]
    (tmp_path / "findings.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    leaks = scan_folder(tmp_path, RAW)
    assert found(leaks) == {
        ("findings.csv", "row 2, column reason", "name"),
        ("findings.csv", "row 2, column reason", "resident_id"),
        ("findings.csv", "row 3, column subject_id", "customer_id"),
        ("findings.csv", "row 3, column ticket", "bank_card")}
    excerpts = " ".join(leak.excerpt for leak in leaks)
    assert f"«{ID_NUMBER[:6]}********{ID_NUMBER[-4:]}»" in excerpts and "«欧***»" in excerpts
    assert_nothing_raw(excerpts)


def test_masks_digests_and_tickets_are_no_hits(tmp_path):
    (tmp_path / "ok.csv").write_text("value\n" + "\n".join(HARMLESS) + "\n", encoding="utf-8")
    (tmp_path / "ok.txt").write_text(" ".join(HARMLESS), encoding="utf-8")
    assert scan_folder(tmp_path, RAW) == []


def test_a_finding_key_that_looks_like_a_card_is_no_hit_when_it_is_the_runs(tmp_path):
    # 16 hex digits of a hash: about one key in 16,000 is all digits and passes
    # the card checksum, so a run with thousands of findings would often fail.
    key = finding_key("S07", "acct-3415")
    assert key.isdigit() and luhn.is_valid(key)
    (tmp_path / "findings.csv").write_text(f"finding_key,note\n{key},{CARD}\n",
                                           encoding="utf-8")
    assert {leak.location for leak in scan_folder(tmp_path, RAW)} == {
        "row 2, column finding_key", "row 2, column note"}
    assert found(scan_folder(tmp_path, RAW, frozenset({key}))) == {
        ("findings.csv", "row 2, column note", "bank_card")}


def test_parquet_values_by_column_and_row(tmp_path):
    table = pa.table({
        "subject_id": ["CU-0d4890580cf6", None, "a", CUSTOMER],
        "evidence": [json.dumps({"mobile": "139****5678"}), "x", f"call {MOBILE}", ""],
        "phone_as_number": pa.array([1, 2, int(MOBILE), None], pa.int64()),
        "card_as_float": pa.array([0.5, float(TICKET), 3.0, float(MOBILE)], pa.float64()),
        "tags": pa.array([[], ["x"], [NAME], None], pa.list_(pa.string())),
    })
    pq.write_table(table, tmp_path / "findings.parquet", row_group_size=2)
    assert found(scan_folder(tmp_path, RAW)) == {
        ("findings.parquet", "column subject_id, row 4", "customer_id"),
        ("findings.parquet", "column evidence, row 3", "mobile"),
        ("findings.parquet", "column phone_as_number, row 3", "mobile"),
        ("findings.parquet", "column card_as_float, row 4", "mobile"),
        ("findings.parquet", "column tags, row 3", "name")}


def test_workbook_cells_and_the_rest_of_the_package(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "C05 consent"
    sheet.append(["subject_id", "evidence"])
    sheet.append(["CU-0d4890580cf6", "139****5678"])
    sheet.append([CUSTOMER, f"mail {EMAIL}"])
    sheet.append([int(MOBILE), TICKET])
    book.properties.creator = NAME  # the author is personal data too
    book.save(tmp_path / "workbook.xlsx")
    leaks = scan_folder(tmp_path, RAW)
    assert found(leaks) == {
        ("workbook.xlsx", "sheet C05 consent, cell A3", "customer_id"),
        ("workbook.xlsx", "sheet C05 consent, cell B3", "email"),
        ("workbook.xlsx", "sheet C05 consent, cell A4", "mobile"),
        ("workbook.xlsx", next(x.location for x in leaks if x.kind == "name"), "name")}
    assert next(x.location for x in leaks if x.kind == "name").startswith("docProps/core.xml")


def test_workbook_numbers_formulas_and_sheets_written_in_streaming_mode(tmp_path):
    # Read from the package's XML (no openpyxl): a whole number, a formula
    # read as its text, inline strings (how our writer streams them) and a
    # second sheet found by its title; fractions and booleans are no text.
    book = Workbook(write_only=True)
    first, second = book.create_sheet("ids"), book.create_sheet("more")
    first.append(["id", "note"])
    first.append([int(MOBILE), f'=CONCATENATE("mail ", "{EMAIL}")'])
    second.append([1.5, True, "CU-0d4890580cf6", CUSTOMER])
    book.save(tmp_path / "workbook.xlsx")
    assert found(scan_folder(tmp_path, RAW)) == {
        ("workbook.xlsx", "sheet ids, cell A2", "mobile"),
        ("workbook.xlsx", "sheet ids, cell B2", "email"),
        ("workbook.xlsx", "sheet more, cell D1", "customer_id")}


def test_notebook_sources_and_outputs_by_json_path(tmp_path):
    picture = base64.b64encode(b"\x89PNG" + MOBILE.encode() * 20).decode()
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Audit"),
        nbformat.v4.new_code_cell("nb.show(audit)", outputs=[
            nbformat.v4.new_output("display_data", data={
                "text/markdown": "电话 139\\-1234\\-5678",  # md_text escapes punctuation
                "text/plain": "<IPython.core.display.Markdown object>"}),
            nbformat.v4.new_output("display_data", data={
                "text/html": f"<td>{NAME}</td>", "image/png": picture}),
            nbformat.v4.new_output("stream", name="stdout", text="CU-0d4890580cf6\n")])])
    nbformat.write(notebook, tmp_path / "report.ipynb")
    assert found(scan_folder(tmp_path, RAW)) == {
        ("report.ipynb", "cells[1].outputs[0].data.text/markdown[0]", "mobile"),
        ("report.ipynb", "cells[1].outputs[1].data.text/html[0]", "name")}


def test_html_text_attributes_and_inlined_pictures(tmp_path):
    svg = (f'<svg><path d="M0.5 13.912345678 L1 2" transform="translate(1.6667 1.8131)"/>'
           f"<text>{CUSTOMER}</text></svg>")
    page = ("<html><head><style>.i{background:url(data:image/svg+xml;base64,"
            + base64.b64encode(svg.encode()).decode() + ")}</style></head>\n"
            f'<body><p title="{MOBILE}">ok</p>\n<p>{ODD_ID} &amp; 139****5678</p>\n'
            '<svg><path d="M1 13912345678"/></svg></body></html>')
    (tmp_path / "summary.html").write_text(page, encoding="utf-8")
    assert found(scan_folder(tmp_path, RAW)) == {
        ("summary.html", "line 1, text, in an SVG picture", "customer_id"),
        ("summary.html", "line 2, <p title>", "mobile"),
        ("summary.html", "line 3, text", "raw value of customers.身份证号")}


def test_json_and_any_other_file_and_file_names(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"scope": f"customer={CUSTOMER}",
                                                   "duration": 0.6222021234567890,
                                                   "n": int(MOBILE)}), encoding="utf-8")
    (tmp_path / "notes.txt").write_text(f"ok\nLi Lei wrote {EMAIL}\n", encoding="utf-8")
    (tmp_path / f"{CUSTOMER}.md").write_text("nothing", encoding="utf-8")
    leaks = scan_folder(tmp_path, RAW)
    assert found(leaks) == {
        ("run.json", "scope", "customer_id"), ("run.json", "n", "mobile"),
        ("notes.txt", "line 2", "name"), ("notes.txt", "line 2", "email"),
        ("(file names)", "C*******.md", "customer_id")}
    assert_nothing_raw("\n".join(leak.line() for leak in leaks))


def test_a_leaking_folder_fails_with_leaks_txt_and_no_raw_value(tmp_path):
    folder, failed = tmp_path / ".run.tmp", tmp_path / "run.FAILED"
    (folder / "rejects").mkdir(parents=True)
    (folder / "rejects" / "customers.csv").write_text(
        f"customer_id,姓名,手机号\n{CUSTOMER},{NAME},{MOBILE}\n", encoding="utf-8")
    with pytest.raises(LeakFound) as caught:
        guard_folder(folder, RAW, failed)
    assert caught.value.exit_code == 1 and "3 unmasked" in str(caught.value)
    assert str(failed / LEAKS_FILE) in str(caught.value)
    report = (failed / LEAKS_FILE).read_text(encoding="utf-8")
    for column in ("customer_id", "姓名", "手机号"):
        assert f"rejects/customers.csv\trow 2, column {column}\t" in report
    assert_nothing_raw(report + str(caught.value))
    assert sorted(p.name for p in failed.iterdir()) == ["FAILED", LEAKS_FILE]
    (folder / "rejects" / "customers.csv").write_text("customer_id\nCU-0d4890580cf6\n")
    guard_folder(folder, RAW, failed)  # clean now: the old failure goes
    assert not failed.exists()


def test_the_values_file_is_private_and_goes_and_unmasked_runs_are_not_guarded(tmp_path):
    with values_file(True) as path:
        assert os.environ[VALUES_ENV] == str(path) and not path.is_relative_to(tmp_path)
        assert path.stat().st_mode & 0o777 == 0o600
        with pytest.raises(LeakFound, match="handed no identifier values"):
            guard_run(tmp_path, path, tmp_path / "x.FAILED")  # nothing written: fail closed
        RAW.dump(path)
        assert RawValues.read(path) == RAW
        guard_run(tmp_path, path, tmp_path / "x.FAILED")
        assert not path.exists()  # read, then removed before the scan
    assert VALUES_ENV not in os.environ
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = Path(tempfile.gettempdir()) / f"privacy-audit-values-{dead}-x.json"
    stale.write_text("{}")
    with values_file(True):
        assert not stale.exists()  # a killed run's file is swept
    with values_file(False) as path:
        assert path is None and VALUES_ENV not in os.environ
    (tmp_path / "a.csv").write_text(f"x\n{MOBILE}\n")
    guard_run(tmp_path, None, tmp_path / "x.FAILED")  # --no-mask: not guarded


@pytest.fixture(scope="module")
def sample_loaded():
    from privacylib.config.mapping import load_mapping
    from privacylib.intake.ingest import load

    data = SAMPLE / "exports"
    return load(data, mapping=load_mapping(None, data), progress=False)


def test_raw_values_of_the_sample(sample_loaded):
    raw = raw_values(sample_loaded.con)
    assert raw.values["C0000001"] == "customer_id"
    assert raw.values["440103197404081547"] == "raw value of customers.身份证号"
    assert len(raw.names) > 2000 and not any("*" in n for n in raw.names)
    # Well-formed e-mails and mobiles are the recogniser's: not listed again.
    assert not [v for v in raw.values if "@" in v or (len(v) == 11 and v.startswith("1"))]


def audit(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "privacylib.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


# Loaded by every Python process that has this folder on its path, the notebook
# kernel too: one writer (rejects/ and data_quality.csv) skips the masker.
BYPASS = '''
import privacylib.report.outputs as outputs
from privacylib.masking.masker import unmasked

_write_quality = outputs.write_quality


def write_quality(result, folder, masker):
    _write_quality(result, folder, unmasked())


outputs.write_quality = write_quality
'''


def test_a_run_whose_writer_skips_the_masker_fails_and_is_not_published(tmp_path):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(BYPASS, encoding="utf-8")
    proc = audit("run", "--data", SAMPLE / "exports", "--period", "2026-10", "--out",
                 tmp_path / "runs", env={"PYTHONPATH": str(hook)})
    assert proc.returncode == 1, proc.stderr
    assert "leak guard" in proc.stderr and LEAKS_FILE in proc.stderr
    runs = tmp_path / "runs"
    assert not (runs / "2026-10").exists()
    assert not [p for p in runs.iterdir() if p.name.startswith(".2026-10.tmp")]
    report = (runs / "2026-10.FAILED" / LEAKS_FILE).read_text(encoding="utf-8")
    assert "rejects/employees.csv\trow 2, column 手机号\tmobile\t" in report
    assert "rejects/consents.csv\trow 2, column customer_id\tcustomer_id\t" in report
    assert {line.split("\t")[0] for line in report.splitlines()[5:]} == {
        "rejects/access_log.csv", "rejects/consents.csv", "rejects/employees.csv"}
    secrets = sample_identifiers()
    assert not [s for s in secrets if s in report]


def test_the_sample_run_passes_the_guard(shared_runs, sample_loaded):
    out = shared_runs.out("october")  # published: the guard let it through
    assert (out / "2026-10" / "manifest.sig").exists()
    assert not (out / "2026-10.FAILED").exists()
    assert scan_folder(out / "2026-10", raw_values(sample_loaded.con)) == []


def test_validate_is_guarded(tmp_path, monkeypatch):
    from privacylib import cli
    from privacylib.cli import validate
    from privacylib.masking.masker import unmasked
    from privacylib.report import outputs

    args = ["validate", "--data", str(SAMPLE / "exports"), "--out"]
    assert cli.main([*args, str(tmp_path / "ok")]) in (0, 3)
    assert (tmp_path / "ok" / "data_quality.csv").exists()
    assert not (tmp_path / "ok.FAILED").exists()
    monkeypatch.setattr(validate, "write_quality",
                        lambda result, folder, masker: outputs.write_quality(
                            result, folder, unmasked()))
    assert cli.main([*args, str(tmp_path / "leaky")]) == 1
    assert not (tmp_path / "leaky").exists()
    report = (tmp_path / "leaky.FAILED" / LEAKS_FILE).read_text(encoding="utf-8")
    assert report.startswith("This validation was not published")
    assert "rejects/employees.csv\trow 2, column 身份证号\tresident_id\t" in report
    assert not [s for s in sample_identifiers() if s in report]
