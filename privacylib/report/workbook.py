"""workbook.xlsx: the auditor's working paper.

A cover (period, scope, run id, the seal of result.json, masking, outcome
counts, how to read it), a sheet of every control with its rule, legal
references and remediation, and a sheet per failed control: its rule on top,
then its findings with empty owner columns for the auditor and the evidence
spread over readable columns. A sheet holds at most SHEET_CAP findings (Excel
stops at 1,048,576 rows, and nobody reads a million); a control with more
shows its digest on top and says where the rest is. Every value goes through
report/cells.py (sheetstyle.append_row): text is never a formula. Everything is in
the run's language (sheetwords.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from privacylib.audit.digest import TOP_GROUPS, digest
from privacylib.audit.result import RunResult
from privacylib.controls.catalog import SEVERITIES, SEVERITY_ORDER, Control
from privacylib.report.i18n import words
from privacylib.report.sheetstyle import (
    NOTE_FILL,
    append_row,
    display_len,
    fit,
    owner_validation,
    print_setup,
    table,
    widths,
    wrap,
)
from privacylib.report.sheetwords import WORDS, flatten, header, legal, readable
from privacylib.vocab import Outcome

# Findings listed on one control's sheet; findings.csv/.parquet hold them all.
SHEET_CAP = 10_000
# Failed controls first, then the ones that gave no conclusion, passes last.
OUTCOME_ORDER = (Outcome.FAIL, Outcome.ERROR, Outcome.NO_DATA, Outcome.SKIPPED, Outcome.PASS)
OUTCOME_COLOURS = {Outcome.PASS: "C6EFCE", Outcome.FAIL: "FFC7CE", Outcome.SKIPPED: "EDEDED",
                   Outcome.NO_DATA: "EDEDED", Outcome.ERROR: "FFEB9C"}


def write_workbook(result: RunResult, catalog: dict[str, Control], findings: pd.DataFrame,
                   exceptions: pd.DataFrame, path: Path, *, seal: str, run_id: str | None,
                   names: dict[str, str] | None = None,
                   policy: dict[str, Any] | None = None) -> None:
    """The workbook of a run whose result.json has the SHA-256 `seal`; findings
    and exceptions as the Audit gives them (masked when the run is); names:
    the data's own descriptions of its codes (purposes, categories); policy:
    the settings the rules name, as the run used them."""
    lang = result.run.lang
    book = Workbook()
    cover = book.active
    cover.title = words(lang)["summary"]
    ordered = sorted(result.controls, key=lambda c: (OUTCOME_ORDER.index(c.outcome),
                                                     SEVERITY_ORDER[c.severity], c.id))
    failed = [c for c in ordered if c.outcome == Outcome.FAIL]
    sheet_names = {c.id: _sheet_name(f"{c.id} {c.title}") for c in failed}
    _cover(cover, result, seal, run_id)
    texts = _Texts(catalog, lang, policy or {})
    _controls(book.create_sheet(WORDS[lang]["controls_sheet"]), ordered, texts, sheet_names)
    by_control = dict(tuple(findings.groupby("control_id", sort=False))) if len(findings) else {}
    for c in failed:
        rows = by_control.get(c.id, findings.iloc[0:0])
        _control_sheet(book.create_sheet(sheet_names[c.id]), c, texts, rows, names or {})
    if len(exceptions):
        _exceptions(book.create_sheet(_sheet_name(words(lang)["exceptions"])), exceptions, lang)
    for sheet in book.worksheets:
        print_setup(sheet, result)
    book.save(path)


@dataclass(frozen=True)
class _Texts:
    """A control's rule, legal references and remediation, as a reader sees them."""

    catalog: dict[str, Control]
    lang: str
    policy: dict[str, Any]

    def of(self, control_id: str) -> tuple[str, str, str]:
        k, lang = self.catalog[control_id], self.lang
        return (readable(k.rule(lang), lang, self.policy), legal(k.seed, k.pipl, lang),
                readable(k.remediation(lang), lang, self.policy))


def _sheet_name(text: str) -> str:
    for bad in "[]:*?/\\":
        text = text.replace(bad, " ")
    return text[:31].strip()


def _cover(sheet: Worksheet, result: RunResult, seal: str, run_id: str | None) -> None:
    r, lang = result.run, result.run.lang
    w, s = words(lang), WORDS[lang]
    v = result.verdict
    outcomes = "，" if lang == "zh" else ", "
    rows: list[tuple[str, str]] = [
        (w["period"], f"{r.period}: " + s["period_fmt"].format(
            start=r.local_start, end=r.local_end, tz=r.timezone)),
        (w["scope"], r.scope or w["all"]),
        (s["run_id"], run_id or s["no_run_id"]),
        (s["seal"], seal),
        (s["masking"], s["masked_on"] if r.masked else s["masked_off"]),
        (s["language"], s["lang_name"]),
        (s["outcome_counts"], outcomes.join(f"{w[o]} {v.outcomes.get(o, 0)}" for o in Outcome)),
        (s["failed_by_severity"], outcomes.join(
            f"{w[x]} {v.failed_by_severity.get(x, 0)}" for x in SEVERITIES)),
        (s["open_by_severity"], outcomes.join(
            f"{w[x]} {v.open_by_severity.get(x, 0)}" for x in SEVERITIES)),
        (s["completeness"], s["incomplete"].format(n=len(v.incomplete)) if v.incomplete
         else s["complete"]),
        (s["how_to_read"], s["how"]),
    ]
    append_row(sheet, [w["title"]])
    sheet["A1"].font = Font(bold=True, size=16)
    append_row(sheet, [])
    for label, value in rows:
        append_row(sheet, [label, value])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    if not r.masked:
        sheet.cell(7, 2).font = Font(bold=True, color="C00000")
    widths(sheet, {1: 34, 2: 90})
    wrap(sheet, 3)


def _controls(sheet: Worksheet, ordered: Sequence[Any], texts: _Texts,
              sheet_names: dict[str, str]) -> None:
    lang = texts.lang
    w, s = words(lang), WORDS[lang]
    head = [w["control"], w["family"], w["severity"], w["title_col"], w["outcome"],
            w["checked"], w["findings"], w["reason"], w["rule"], s["legal"], w["remediation"]]
    rows = []
    for c in ordered:
        rows.append([c.id, w[c.family], w[c.severity], c.title, w[c.outcome], c.checked,
                     c.findings, c.reason, *texts.of(c.id)])
    table(sheet, head, rows)
    for row, c in zip(sheet.iter_rows(min_row=2), ordered, strict=True):
        row[4].fill = PatternFill("solid", fgColor=OUTCOME_COLOURS[c.outcome])
        if c.id in sheet_names:  # the id leads to the control's own sheet
            row[0].hyperlink = f"#'{sheet_names[c.id]}'!A1"
            row[0].font = Font(color="0563C1", underline="single")
    widths(sheet, {1: 8, 2: 10, 3: 10, 4: 24, 5: 10, 6: 10, 7: 10, 8: 30, 9: 44, 10: 24,
                    11: 50})
    wrap(sheet, 2)


def _control_sheet(sheet: Worksheet, control: Any, texts: _Texts, rows: pd.DataFrame,
                   names: dict[str, str]) -> None:
    lang = texts.lang
    w, s = words(lang), WORDS[lang]
    total = len(rows)
    shown = rows.sort_values(["subject_id", "finding_key"], kind="stable").head(SHEET_CAP)
    note = (s["capped"].format(shown=len(shown), total=total, cid=control.id)
            if total > SHEET_CAP else s["all_shown"].format(total=total))
    append_row(sheet, [note])
    sheet["A1"].font = Font(bold=True)
    sheet["A1"].fill = NOTE_FILL if total > SHEET_CAP else PatternFill()
    append_row(sheet, [f"{control.id} {control.title}",
                       f"{w[control.severity]} · {w[control.family]}"])
    sheet["A2"].font = Font(bold=True, size=13)
    for label, text in zip((w["rule"], s["legal"], w["remediation"]), texts.of(control.id),
                           strict=True):
        append_row(sheet, [label, text])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    text_rows = range(3, sheet.max_row + 1)
    append_row(sheet, [])
    if total > SHEET_CAP:
        _digest(sheet, rows, control.id, lang)
    head, lines = _finding_rows(shown, lang, names)
    top = table(sheet, head, lines)
    owner = head.index(s["fix_status"]) + 1
    owner_validation(sheet, lang, owner, top, max(len(lines), 1))
    sheet.freeze_panes = f"B{top + 1}"  # the subject stays in view too
    fit(sheet, head, lines)
    # Room for the auditor's words: owner, action taken, due date, status.
    widths(sheet, dict(zip(range(owner - 3, owner + 1), (14, 32, 12, 12), strict=True)))
    wrap(sheet, top)
    # On paper: the findings and the owner columns; the evidence columns stay on
    # screen and in findings.csv (thirty columns on one A4 width cannot be read).
    sheet.print_area = f"A1:{get_column_letter(owner)}{sheet.max_row}"
    # The rule and remediation span the table's width, so they read as paragraphs.
    span = max(len(head), 4)
    for r in text_rows:
        sheet.merge_cells(start_row=r, start_column=2, end_row=r, end_column=span)
        sheet.cell(r, 2).alignment = Alignment(wrap_text=True, vertical="top")
        width = sum(sheet.column_dimensions[get_column_letter(c)].width or 10
                    for c in range(2, span + 1))
        lines = display_len(sheet.cell(r, 2).value or "") // max(int(width), 1) + 1
        sheet.row_dimensions[r].height = 15 * min(lines, 12)


def _digest(sheet: Worksheet, rows: pd.DataFrame, control_id: str, lang: str) -> None:
    """Counts by actor, system and day, side by side, above a capped table."""
    s = WORDS[lang]
    d = digest(rows, control_id)
    append_row(sheet, [s["digest"].format(top=TOP_GROUPS)])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    dims = list(d.groups)
    head: list[Any] = []
    for dim in dims:
        head += [s[f"by_{dim}"], s["count"]]
    append_row(sheet, head)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for i in range(max((len(g) for g in d.groups.values()), default=0)):
        line: list[Any] = []
        for dim in dims:
            group = d.groups[dim]
            line += list(group[i]) if i < len(group) else ["", ""]
        append_row(sheet, line)
    append_row(sheet, [])


def _finding_rows(shown: pd.DataFrame, lang: str, names: dict[str, str],
                  ) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows: the finding, the owner columns, then its evidence."""
    w, s = words(lang), WORDS[lang]
    history = {"new": w["h_new"], "open": w["h_open"]}
    flat = [flatten(json.loads(e), lang, names) for e in shown["evidence"]]
    # Columns in the order the evidence has them; a key empty in every row is left out.
    filled = {k for f in flat for k, v in f.items() if v not in ("", None)}
    keys = [k for k in dict.fromkeys(k for f in flat for k in f) if k in filled]
    extra: list[tuple[str, str]] = []
    if "department" in shown and shown["department"].astype(str).str.len().gt(0).any():
        extra.append((s["department"], "department"))
    excepted = "exception_approved_by" in shown and shown["exception_approved_by"].astype(
        str).str.len().gt(0).any()
    head = [w["subject"], w["finding_key"], w["reason"], w["status"], w["history"],
            *[label for label, _ in extra]]
    if excepted:
        head += [s["approved_by"], s["expires_on"]]
    head += [s["owner"], s["action"], s["due"], s["fix_status"]]
    head += [header(k, lang) for k in keys]
    lines = []
    for row, ev in zip(shown.to_dict("records"), flat, strict=True):
        line = [row["subject_id"], row["finding_key"],
                readable(row["reason"], lang, None, names),
                w.get(str(row["status"]), row["status"]),
                history.get(str(row.get("history") or ""), "")]
        line += [_text(row.get(col)) for _, col in extra]
        if excepted:
            line += [_text(row.get("exception_approved_by")),
                     _text(row.get("exception_expires_on"))]
        line += ["", "", None, ""]
        line += [ev.get(k, "") for k in keys]
        lines.append(line)
    return head, lines


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _exceptions(sheet: Worksheet, exceptions: pd.DataFrame, lang: str) -> None:
    w = words(lang)
    columns = ["source", "control_id", "subject_id", "state", "findings", "reason",
               "requested_by", "approved_by", "expires_on", "problem"]
    labels = {"control_id": w["control"], "subject_id": w["subject"], "findings": w["findings"]}
    head = [labels.get(c) or w.get(c, c) for c in columns]
    rows = [[w.get(str(r["state"]), r["state"]) if c == "state" else r.get(c)
             for c in columns] for r in exceptions.to_dict("records")]
    table(sheet, head, rows)
    fit(sheet, head, rows)
    wrap(sheet, 2)
