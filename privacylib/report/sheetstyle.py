"""How the workbook's sheets look and print: rows written safely, header
rows, widths, wrapping, owner columns with drop-downs, A4 landscape pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from privacylib.audit.result import RunResult
from privacylib.report.cells import DANGEROUS, visible
from privacylib.report.sheetwords import WORDS

# Column widths, in characters (a CJK character counts two).
MIN_WIDTH, MAX_WIDTH = 8, 50
HEAD_FILL = PatternFill("solid", fgColor="305496")
NOTE_FILL = PatternFill("solid", fgColor="FFF2CC")
WRAP = Alignment(vertical="top", wrap_text=True)
# Points per line of the default 11-point text, and the most lines a row grows to.
LINE, MAX_LINES = 15, 12


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


def display_len(value: Any) -> int:
    text = str(value)
    return len(text) + sum(1 for ch in text if ord(ch) > 0x2E80)


def table(sheet: Worksheet, head: list[str], rows: Iterable[list[Any]]) -> int:
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


def owner_validation(sheet: Worksheet, lang: str, column: int, top: int, n: int) -> None:
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


def fit(sheet: Worksheet, head: list[str], rows: list[list[Any]]) -> None:
    """Widths from the header and the first 200 rows, within MIN_WIDTH..MAX_WIDTH."""
    for i, title in enumerate(head):
        longest = max([display_len(r[i]) for r in rows[:200] if r[i] is not None]
                      + [display_len(title)])
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(
            max(MIN_WIDTH, longest + 2), MAX_WIDTH)


def widths(sheet: Worksheet, widths: dict[int, int]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def wrap(sheet: Worksheet, first: int) -> None:
    """Wrapped, top-aligned text from row `first` on, in rows tall enough for
    it: neither Excel nor LibreOffice grows a row the file gives no height,
    so a long rule would show one line and print over its neighbours."""
    width: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=first):
        lines = 1
        for cell in row:
            cell.alignment = WRAP
            if isinstance(cell.value, str) and cell.value:
                if cell.column not in width:
                    dim = sheet.column_dimensions[get_column_letter(cell.column)]
                    width[cell.column] = max(int(dim.width or 10) - 1, 1)
                lines = max(lines, sum(display_len(part) // width[cell.column] + 1
                                       for part in cell.value.split("\n")))
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = LINE * min(lines, MAX_LINES)


def print_setup(sheet: Worksheet, result: RunResult) -> None:
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
