"""Outputs that are safe to open (#20, #11): hostile values planted in the data,
an exception file and the scope reach every output file of a real run, and
none of them becomes a formula, markup, or a crash."""

from __future__ import annotations

import csv
import gzip
import html
import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from privacylib.audit.run import AuditConfig
from privacylib.report.cells import DANGEROUS, csv_value, safe_frame
from privacylib.report.i18n import words
from privacylib.report.markup import md_text
from privacylib.run.runner import execute

from conftest import SAMPLE, write_csv

# The system the hostile rows are logged under, and the run's scope: a scope
# that matches rows, so that it is a valid one.
SYSTEM = '<img src=x onerror="window.pwned=1">'
SCOPE = f"system={SYSTEM}"
MARKUP = '<img src=x onerror="window.pwned=2">'
HYPERLINK, CMD = '=HYPERLINK("http://x")', "=cmd|' /C calc'!A0"
# (event_id, actor_id) of accesses by no registered employee: each is a finding of
# S08 whose subject is the event and whose reason begins with the actor.
ACCESSES = [(HYPERLINK, CMD), ("@SUM(1)", "-2+3"), ("+1+1", "\tE9999"),
            ("EV\x01CTRL", "E\x01X"), (MARKUP, MARKUP)]
# Shares without a contract (findings of H02), with an extra column.
SHARES = [(HYPERLINK, "@SUM(1)"), ("-2+3", CMD), ("\tSH-TAB", "a\x01b"), (MARKUP, MARKUP)]
EXCEPTION_HEADER = ["control_id", "subject_id", "reason", "compensating_control",
                    "requested_by", "approved_by", "expires_on"]


def hostile_folder(root: Path) -> tuple[Path, Path]:
    """The sample company with hostile rows added; and an exceptions file."""
    data = root / "data"
    shutil.copytree(SAMPLE / "exports", data)
    day = data / "access_log" / "2026-10-15.csv.gz"
    lines = gzip.decompress(day.read_bytes()).decode("utf-8")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for event, actor in ACCESSES:
        writer.writerow([event, "2026-10-15 10:00:00", actor, "C0000090", SYSTEM, "contact",
                         "read", "service", "", 1, "success", "10.0.0.1"])
    writer.writerow(["=HYPERLINK(\"http://rejected\")", "not-a-time", CMD, "C0000090", SYSTEM,
                     "contact", "read", "service", "", 1, "success", "10.0.0.1"])
    day.write_bytes(gzip.compress((lines + buf.getvalue()).encode("utf-8"), mtime=0))

    with (data / "sharing.csv").open(encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    rows = [[*r, ""] for r in rows]
    for share, note in SHARES:
        rows.append([share, "C0000060", "@SUM(1)", "CN", "contact", "logistics",
                     "2026-10-17 17:00:00", "", "", note])
    rows.append([CMD, "C0000060", "x", "CN", "contact", "logistics", "bad-time", "", "", CMD])
    write_csv(data / "sharing.csv", [*header, "note"], rows)

    exceptions = write_csv(root / "exceptions.csv", EXCEPTION_HEADER, [
        ["S08", "+1+1", MARKUP, "-2+3", CMD, "@SUM(1)", "2027-12-31"],
        ["H02", "-2+3", "=1+1", "", HYPERLINK, "\tboss", "2027-12-31"],
    ])
    return data, exceptions


@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory) -> Path:
    """One real run over the hostile folder, shared by the browser test."""
    root = tmp_path_factory.mktemp("hostile")
    data, exceptions = hostile_folder(root)
    config = AuditConfig(data=str(data), period="2026-10", scope=SCOPE,
                         exceptions=str(exceptions))
    return execute(config, root / "runs")


def test_the_rule_itself():
    assert [csv_value(v) for v in ("=1", "+1", "-1", "@A", "\tx", "\rx", "a=1", "", 5, -2.5)] \
        == ["'=1", "'+1", "'-1", "'@A", "'\tx", "'\rx", "a=1", "", 5, -2.5]
    frame = safe_frame(pd.DataFrame({"=x": ["=1", "ok"], "n": [-1, 2]}))
    assert list(frame.columns) == ["'=x", "n"] and frame["n"].tolist() == [-1, 2]
    # Markdown as report.html renders it: exactly the text, no element made.
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    text = "# <b>*x*</b> [a](javascript:1) http://x.com $x$ _y_ a&b 2026-10"
    assert markdown2html_mistune(md_text(text)) == f"<p>{html.escape(text, quote=False)}</p>\n"


def test_no_sheet_holds_a_formula(hostile_run):
    with zipfile.ZipFile(hostile_run / "workbook.xlsx") as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        assert len(sheets) > 3
        for name in sheets:
            xml = book.read(name).decode("utf-8")
            assert not re.search(r"<f[ >]", xml), name
    book = openpyxl.load_workbook(hostile_run / "workbook.xlsx")
    cells = [c for s in book.worksheets for row in s.iter_rows() for c in row]
    texts = {c.value for c in cells if c.data_type == "s"}
    # The payloads are there, as text; the control character is shown, escaped.
    assert {HYPERLINK, "@SUM(1)", "+1+1", CMD} <= texts
    assert any("E\\x01X" in str(v) for v in texts)
    assert all(c.quotePrefix for c in cells if isinstance(c.value, str)
               and c.value.startswith(DANGEROUS))
    summary = book[book.sheetnames[1]]  # the controls sheet, after the cover
    header = [c.value for c in summary[1]]
    counts = [row[header.index(words("zh")["findings"])] for row in summary.iter_rows(min_row=2)]
    assert counts and all(c.data_type == "n" and isinstance(c.value, int) for c in counts)


def test_no_csv_cell_begins_unescaped(hostile_run):
    files = sorted(hostile_run.rglob("*.csv"))
    names = {p.relative_to(hostile_run).as_posix() for p in files}
    assert {"findings.csv", "controls.csv", "exceptions.csv", "resolved.csv",
            "data_quality.csv", "rejects/access_log.csv", "rejects/sharing.csv"} <= names
    escaped = {}
    for path in files:
        with path.open(encoding="utf-8", newline="") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        bad = [c for c in cells if c.startswith(DANGEROUS)]
        assert bad == [], (path.name, bad[:5])
        escaped[path.name] = [c for c in cells if c[:1] == "'" and c[1:].startswith(DANGEROUS)]
    for name in ("findings.csv", "exceptions.csv", "access_log.csv", "sharing.csv"):
        assert escaped[name], name  # the payloads did reach these files
    assert f"'{HYPERLINK}" in escaped["findings.csv"] and f"'{CMD}" in escaped["exceptions.csv"]


def test_findings_parquet_keeps_the_original_values(hostile_run):
    findings = pd.read_parquet(hostile_run / "findings.parquet")
    subjects = set(findings["subject_id"])
    assert {HYPERLINK, "@SUM(1)", "+1+1", "EV\x01CTRL", MARKUP, "-2+3"} <= subjects
    assert CMD in set(findings["exception_requested_by"].dropna())
    assert findings[findings["subject_id"] == "@SUM(1)"]["reason"].iloc[0].startswith("-2+3")
    controls = pd.read_csv(hostile_run / "controls.csv")
    assert pd.api.types.is_integer_dtype(controls["findings"])


def test_html_pages_hold_no_script_and_escape_the_payloads(hostile_run):
    for name in ("report.html", "summary.html"):
        page = (hostile_run / name).read_text(encoding="utf-8")
        assert "<script" not in page and "cdnjs" not in page, name
        assert 'http-equiv="Content-Security-Policy"' in page, name
        assert "<img src=x" not in page, name
        assert "&lt;img src=x onerror=" in page, name  # the scope, as text
