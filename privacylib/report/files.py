"""The files of a report folder that are not the notebook: tables for
machines (CSV, Parquet), a workbook for auditors who live in Excel, the
code-free summary page for managers (summary.py), run.json, what the run
was, and result.json, what it found (audit/result.py), which the runner,
manifest and store read. Everything personal is masked by the audit's
Masker (see masking/masker.py); `--no-mask` output says so on every page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from privacylib.audit.result import RunResult, findings_file, from_audit, write_result
from privacylib.audit.run import Audit
from privacylib.controls.engine import AuditResult
from privacylib.report.cells import append_row, write_csv
from privacylib.report.i18n import words
from privacylib.report.outputs import write_quality
from privacylib.report.summary import summary_html
from privacylib.vocab import Outcome

OUTCOME_COLOURS = {Outcome.PASS: "C6EFCE", Outcome.FAIL: "FFC7CE", Outcome.SKIPPED: "EDEDED",
                   Outcome.NO_DATA: "EDEDED", Outcome.ERROR: "FFEB9C"}


def write_report_files(audit: Audit, folder: Path) -> RunResult:
    """findings.csv/.parquet, controls.csv, exceptions.csv, resolved.csv,
    data_quality.csv, rejects/, workbook.xlsx, summary.html, run.json and
    result.json; return the result written."""
    lang, masker = audit.config.lang, audit.masker
    controls, findings = audit.controls(), audit.findings()
    exceptions = audit.exceptions_table()  # masked by the Audit, like the findings
    write_csv(controls.drop(columns=["seconds"]), folder / "controls.csv")
    write_csv(findings, folder / "findings.csv")
    findings.to_parquet(folder / "findings.parquet", index=False)  # the original text
    result = from_audit(audit, findings_file(folder / "findings.parquet"))
    write_csv(exceptions, folder / "exceptions.csv")
    write_csv(audit.resolved(), folder / "resolved.csv")
    write_quality(audit.loaded, folder, masker)
    write_workbook(audit.result, controls, findings, exceptions, folder / "workbook.xlsx", lang)
    (folder / "summary.html").write_text(summary_html(audit, result), encoding="utf-8")
    (folder / "run.json").write_text(
        json.dumps(result.run_record(), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8")
    write_result(folder, result)
    return result


def _sheet(book: Workbook, title: str, frame: pd.DataFrame, w: dict[str, str]) -> None:
    sheet = book.create_sheet(title[:31])
    append_row(sheet, [w.get(c, c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        append_row(sheet, row)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="305496")
    for i, column in enumerate(frame.columns, start=1):
        longest = max([len(str(v)) for v in frame[column].head(200)] + [len(column)])
        sheet.column_dimensions[get_column_letter(i)].width = min(max(10, longest + 2), 80)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)


def write_workbook(result: AuditResult, controls: pd.DataFrame, findings: pd.DataFrame,
                   exceptions: pd.DataFrame, path: Path, lang: str) -> None:
    """A summary sheet, one sheet per failing control with its findings, then
    the exceptions when there are any."""
    w = words(lang)
    book = Workbook()
    book.remove(book.active)
    # A control that did not run has no `checked` count: an empty cell, not <NA>.
    summary = controls.drop(columns=["seconds"]).astype(object)
    summary = summary.where(summary.notna(), None)
    _sheet(book, w["summary"], summary, w)
    colour_column = list(summary.columns).index("outcome") + 1
    for row in book[w["summary"][:31]].iter_rows(min_row=2):
        cell = row[colour_column - 1]
        cell.fill = PatternFill("solid", fgColor=OUTCOME_COLOURS.get(str(cell.value), "FFFFFF"))
    for r in result.results:
        if r.outcome == Outcome.FAIL:
            rows = findings[findings["control_id"] == r.control.id]
            _sheet(book, f"{r.control.id} {r.control.slug}",
                   rows[["subject_id", "severity", "reason", "finding_key", "status",
                         "history", "exception_approved_by", "exception_expires_on",
                         "evidence"]], w)
    if len(exceptions):
        _sheet(book, w["exceptions"], exceptions, w)
    book.save(path)


