"""workbook.xlsx: the auditor's working paper.

A cover (period, scope, run id, the seal of result.json, masking, outcome
counts, how to read it), a sheet of every control with its rule, legal
references and remediation, and a sheet per failed control: its rule on top,
then its findings with empty owner columns for the auditor and the evidence
spread over readable columns. A sheet holds at most SHEET_CAP findings (Excel
stops at 1,048,576 rows, and nobody reads a million); a control with more
shows its digest on top and says where the rest is. Every value goes through
report/cells.py: text is never a formula. Everything is in the run's language.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from privacylib.audit.digest import TOP_GROUPS, digest
from privacylib.audit.result import RunResult
from privacylib.controls.catalog import SEVERITIES, SEVERITY_ORDER, Control
from privacylib.report.cells import DANGEROUS, visible
from privacylib.report.i18n import words
from privacylib.report.sheetwords import WORDS, header, legal, readable, value_text
from privacylib.vocab import Outcome

# Findings listed on one control's sheet; findings.csv/.parquet hold them all.
SHEET_CAP = 10_000
# Column widths, in characters (a CJK character counts two).
MIN_WIDTH, MAX_WIDTH = 8, 50
# Failed controls first, then the ones that gave no conclusion, passes last.
OUTCOME_ORDER = (Outcome.FAIL, Outcome.ERROR, Outcome.NO_DATA, Outcome.SKIPPED, Outcome.PASS)
OUTCOME_COLOURS = {Outcome.PASS: "C6EFCE", Outcome.FAIL: "FFC7CE", Outcome.SKIPPED: "EDEDED",
                   Outcome.NO_DATA: "EDEDED", Outcome.ERROR: "FFEB9C"}
HEAD_FILL = PatternFill("solid", fgColor="305496")
WRAP = Alignment(vertical="top", wrap_text=True)
NOTE_FILL = PatternFill("solid", fgColor="FFF2CC")
_SOURCE = ("_source_file", "_source_line")


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
        _print_setup(sheet, result)
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


def append_row(sheet: Worksheet, values: Iterable[object]) -> None:
    """cells.append_row's rule (text is a string cell, quote-prefixed when
    dangerous, never a formula) at a constant cost per row: cells.append_row
    finds its row through `sheet.max_row` and `sheet[row]`, which scan every
    cell of the sheet, so 10,000 rows took minutes."""
    values = [visible(v) if isinstance(v, str) else v for v in values]
    sheet.append(values)
    row = sheet._current_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            cell = sheet.cell(row, column)
            cell.data_type = "s"
            if value.startswith(DANGEROUS):
                cell.quotePrefix = True


def _sheet_name(text: str) -> str:
    for bad in "[]:*?/\\":
        text = text.replace(bad, " ")
    return text[:31].strip()


def _display_len(value: Any) -> int:
    text = str(value)
    return len(text) + sum(1 for ch in text if ord(ch) > 0x2E80)


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
    _widths(sheet, {1: 24, 2: 90})
    _wrap(sheet, 3)


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
    _table(sheet, head, rows)
    for row, c in zip(sheet.iter_rows(min_row=2), ordered, strict=True):
        row[4].fill = PatternFill("solid", fgColor=OUTCOME_COLOURS[c.outcome])
        if c.id in sheet_names:  # the id leads to the control's own sheet
            row[0].hyperlink = f"#'{sheet_names[c.id]}'!A1"
            row[0].font = Font(color="0563C1", underline="single")
    _widths(sheet, {1: 8, 2: 10, 3: 10, 4: 28, 5: 10, 6: 10, 7: 10, 8: 36, 9: 50, 10: 30,
                    11: 50})
    _wrap(sheet, 2)


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
    head, table = _finding_rows(shown, lang, names)
    top = _table(sheet, head, table)
    owner = head.index(s["fix_status"]) + 1
    _owner_validation(sheet, lang, owner, top, max(len(table), 1))
    sheet.freeze_panes = f"B{top + 1}"  # the subject stays in view too
    _fit(sheet, head, table)
    _wrap(sheet, top + 1)
    # The rule and remediation span the table's width, so they read as paragraphs.
    span = max(len(head), 4)
    for r in text_rows:
        sheet.merge_cells(start_row=r, start_column=2, end_row=r, end_column=span)
        sheet.cell(r, 2).alignment = Alignment(wrap_text=True, vertical="top")
        width = sum(sheet.column_dimensions[get_column_letter(c)].width or 10
                    for c in range(2, span + 1))
        lines = _display_len(sheet.cell(r, 2).value or "") // max(int(width), 1) + 1
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
    flat = [_flatten(json.loads(e), lang, names) for e in shown["evidence"]]
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
    table = []
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
        table.append(line)
    return head, table


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _flatten(evidence: Any, lang: str, names: dict[str, str]) -> dict[tuple[str, ...], Any]:
    """One cell per evidence key path; a record's source as `file:line`;
    a list as one summarising cell."""
    out: dict[tuple[str, ...], Any] = {}

    def walk(value: Any, path: tuple[str, ...]) -> None:
        if isinstance(value, dict):
            for k in sorted(value):
                if k not in _SOURCE:
                    walk(value[k], (*path, k))
            if value.get("_source_file"):
                out[(*path, "_source")] = f"{value['_source_file']}:{value.get('_source_line')}"
        elif isinstance(value, list):
            out[path] = _summary(path[-1] if path else None, value, lang, names)
        else:
            out[path] = value_text(path[-1] if path else None, value, lang, names)

    walk(evidence, ())
    return out


def _summary(key: str | None, items: list[Any], lang: str, names: dict[str, str]) -> str:
    """A list in one cell: its first few items, and how many there are."""
    s = WORDS[lang]
    if not items:
        return ""

    def one(item: Any) -> str:
        if isinstance(item, dict | list):
            values = _flatten(item, lang, names)
            return " / ".join(str(v) for p, v in values.items()
                              if v not in ("", None) and p[-1:] != ("_source",))[:200]
        return str(value_text(key, item, lang, names))

    sep = "；" if lang == "zh" else "; "
    limit = 3 if isinstance(items[0], dict) else 10
    text = sep.join(one(i) for i in items[:limit])
    if len(items) > limit:
        text += sep + s["more"].format(n=len(items))
    elif isinstance(items[0], dict) and len(items) > 1:
        text = s["items"].format(n=len(items)) + ("：" if lang == "zh" else ": ") + text
    return text


def _exceptions(sheet: Worksheet, exceptions: pd.DataFrame, lang: str) -> None:
    w = words(lang)
    columns = ["source", "control_id", "subject_id", "state", "findings", "reason",
               "requested_by", "approved_by", "expires_on", "problem"]
    labels = {"control_id": w["control"], "subject_id": w["subject"], "findings": w["findings"]}
    head = [labels.get(c) or w.get(c, c) for c in columns]
    rows = [[w.get(str(r["state"]), r["state"]) if c == "state" else r.get(c)
             for c in columns] for r in exceptions.to_dict("records")]
    _table(sheet, head, rows)
    _fit(sheet, head, rows)
    _wrap(sheet, 2)


def _table(sheet: Worksheet, head: list[str], rows: Iterable[list[Any]]) -> int:
    """A header row below what the sheet holds, the rows under it, a filter
    over them; return the header's row."""
    append_row(sheet, head)
    top = sheet._current_row
    for cell in sheet[top]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        append_row(sheet, row)
    last = get_column_letter(max(len(head), 1))
    sheet.auto_filter.ref = f"A{top}:{last}{max(sheet.max_row, top)}"
    sheet.freeze_panes = f"A{top + 1}"
    sheet.print_title_rows = f"{top}:{top}"
    return top


def _owner_validation(sheet: Worksheet, lang: str, column: int, top: int, n: int) -> None:
    """A drop-down of remediation states, and a date for the due date beside it."""
    letter, due = get_column_letter(column), get_column_letter(column - 1)
    status = DataValidation(type="list", formula1=f'"{WORDS[lang]["fix_values"]}"',
                            allow_blank=True)
    status.add(f"{letter}{top + 1}:{letter}{top + n}")
    date = DataValidation(type="date", operator="greaterThan", formula1="36526",
                          allow_blank=True)  # after 2000-01-01
    date.add(f"{due}{top + 1}:{due}{top + n}")
    sheet.add_data_validation(status)
    sheet.add_data_validation(date)
    for row in range(top + 1, top + n + 1):
        sheet.cell(row, column - 1).number_format = "yyyy-mm-dd"
        for c in range(column - 3, column + 1):
            sheet.cell(row, c).fill = NOTE_FILL


def _fit(sheet: Worksheet, head: list[str], rows: list[list[Any]]) -> None:
    """Widths from the header and the first 200 rows, within MIN_WIDTH..MAX_WIDTH."""
    for i, title in enumerate(head):
        longest = max([_display_len(r[i]) for r in rows[:200] if r[i] is not None]
                      + [_display_len(title)])
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(
            max(MIN_WIDTH, longest + 2), MAX_WIDTH)


def _widths(sheet: Worksheet, widths: dict[int, int]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def _wrap(sheet: Worksheet, first: int) -> None:
    for row in sheet.iter_rows(min_row=first):
        for cell in row:
            cell.alignment = WRAP


def _print_setup(sheet: Worksheet, result: RunResult) -> None:
    """Landscape A4, as wide as one page, pages numbered, masking on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    s = WORDS[result.run.lang]
    sheet.oddFooter.left.text = s["masked_on"] if result.run.masked else s["masked_off"]
    sheet.oddFooter.center.text = "&A"
    sheet.oddFooter.right.text = "&P / &N"
