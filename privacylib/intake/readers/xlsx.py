"""Excel workbooks (.xlsx), small by nature: one sheet read through openpyxl's
read-only mode, its cells as the text a CSV export would hold, handed to
DuckDB as an Arrow table registered under a view name (released after the load)."""

from __future__ import annotations

import re
import zlib
from datetime import date, datetime, time

import duckdb

from privacylib.errors import DataError
from privacylib.intake.limits import MAX_CELL_BYTES, check_columns
from privacylib.intake.readers.base import RawSource, Reader, Scope, SourceFile
from privacylib.sqlnames import quote_ident


def _cell_text(value: object) -> str | None:
    """An Excel cell as the text a CSV export would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


# Excel's own limit: a row number past it is no worksheet Excel wrote.
EXCEL_MAX_ROWS = 1_048_576


def _check_xlsx_parts(src: SourceFile) -> None:
    """Refuse a workbook whose sheets or shared strings hold one value or tag
    over MAX_CELL_BYTES, before openpyxl builds it whole in memory.

    A run of bytes without '<' is one text or one tag; the parts are read a
    chunk at a time, so this costs memory of one chunk, whatever the part."""
    import zipfile

    try:
        with zipfile.ZipFile(src.path) as book:
            for info in book.infolist():
                part = info.filename
                if not (part.startswith("xl/worksheets/") or part == "xl/sharedStrings.xml"):
                    continue
                with book.open(info) as fh:
                    pos = last = 0
                    while chunk := fh.read(1 << 20):
                        first = chunk.find(b"<")
                        if (pos + len(chunk) if first < 0 else pos + first) - last \
                                > MAX_CELL_BYTES:
                            raise DataError(
                                f"{src.name}: {part} holds a value or tag of more than "
                                f"{MAX_CELL_BYTES:,} bytes, over the loader's limit "
                                "(MAX_CELL_BYTES)", file=src.name,
                                hint="a cell of the contract holds a few words: check the "
                                     "workbook, or export the sheet as CSV")
                        if first >= 0:
                            last = pos + chunk.rfind(b"<")
                        pos += len(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{src.name} is not a readable .xlsx workbook: {exc}", file=src.name,
                        hint="open and save it again in Excel as .xlsx") from exc


def read_excel(con: duckdb.DuckDBPyConnection, src: SourceFile, sheet: str | None,
               view: str) -> RawSource:
    import openpyxl
    import pyarrow as pa

    _check_xlsx_parts(src)
    try:
        book = openpyxl.load_workbook(src.path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise DataError(f"{src.name} is not a readable .xlsx workbook: {exc}", file=src.name,
                        hint="open and save it again in Excel as .xlsx") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise DataError(f"{src.name} has no sheet '{sheet}'", file=src.name,
                            hint="sheets found: " + ", ".join(book.sheetnames))
        ws = book[sheet] if sheet else book.worksheets[0]
        part = ws._worksheet_path  # where its XML is, for what values_only cannot tell
        # Read-only mode stops at the <dimension> the file states, and a
        # writer may state too little: read every row the sheet holds.
        ws.reset_dimensions()
        merged, formulas = sheet_marks(src, part)
        unsaved = _unsaved_formulas(src, ws.title) if formulas else {}
        names, columns, lines, bad = _sheet_rows(src, ws.iter_rows(values_only=True),
                                                 merged, unsaved)
    except DataError:
        raise
    except Exception as exc:  # a broken sheet fails while it is read, not when opened
        raise DataError(f"{src.name} is not a readable .xlsx workbook: {exc}", file=src.name,
                        hint="open and save it again in Excel as .xlsx") from exc
    finally:
        book.close()
    table = pa.table({"_file_index": pa.array([0] * len(lines), pa.int64()),
                      "_source_line": pa.array(lines, pa.int64()),
                      **{f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)},
                      "_unsaved": pa.array(bad, pa.string())})
    con.register(view, table)
    raw = RawSource([src], names, ["VARCHAR"] * len(names), f"SELECT * FROM {quote_ident(view)}",
                    {}, ["xlsx"], bad_row_column="_unsaved", bad_row_reason=UNSAVED)
    if merged:
        shown = ", ".join(sorted({r for r, _ in merged.values()})[:5])
        raw.warnings.append(f"{src.name}: merged cells ({shown}{', …' if len(merged) > 5 else ''})"
                            ": each cell of a merged range is read as its first cell's value, "
                            "as Excel shows it")
    return raw


# Why a row with a formula cell whose value the file does not hold is a reject.
UNSAVED = ("a formula cell without its computed value (the workbook was written by a program, "
           "not saved by Excel): open and save it in Excel, then load it again")


def _sheet_rows(src: SourceFile, rows, merged: dict[tuple[int, int], tuple[str, tuple[int, int]]],
                unsaved: dict[int, str],
                ) -> tuple[list[str], list[list[str | None]], list[int], list[str | None]]:
    """The header's names, the columns' text, each row's number, and for a
    row holding a formula without its value, which cells (else None).

    MERGED: each cell of a merged range but its first, with the range and
    its first cell (row, column from 1): read as that cell's value."""
    names = [_cell_text(h) or "" for h in next(rows, None) or ()]
    while names and not names[-1].strip():  # cells formatted past the last name
        names.pop()
    check_columns(src.name, len(names))
    columns: list[list[str | None]] = [[] for _ in names]
    lines: list[int] = []
    bad: list[str | None] = []
    anchors: dict[tuple[int, int], object] = {}
    firsts = {first for _, first in merged.values()}
    for number, row in enumerate(rows, start=2):
        if number > EXCEL_MAX_ROWS:
            raise DataError(f"{src.name} has rows past row {EXCEL_MAX_ROWS:,}, Excel's last",
                            file=src.name, hint="open and save it again in Excel as .xlsx")
        values = list(row or ())
        if merged:
            values += [None] * (len(names) - len(values))
            for i, value in enumerate(values):
                if (number, i + 1) in firsts:
                    anchors[(number, i + 1)] = value
                elif (number, i + 1) in merged:
                    values[i] = anchors.get(merged[(number, i + 1)][1])
        if all(v is None for v in values):
            continue
        lines.append(number)
        for i in range(len(names)):
            columns[i].append(_cell_text(values[i]) if i < len(values) else None)
        bad.append(unsaved.get(number))
    return names, columns, lines, bad


_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
# Room kept between chunks for a tag cut in two.
_OVERLAP = 256


def sheet_marks(src: SourceFile, part: str,
                ) -> tuple[dict[tuple[int, int], tuple[str, tuple[int, int]]], bool]:
    """The sheet's merged cells (see _sheet_rows) and whether it holds a
    formula at all: read from its XML a chunk at a time."""
    import zipfile

    refs: set[tuple[bytes, ...]] = set()
    formulas, tail = False, b""
    with zipfile.ZipFile(src.path) as book, book.open(part) as fh:
        while chunk := fh.read(1 << 20):
            text = tail + chunk
            refs.update(_MERGE.findall(text))
            formulas = formulas or b"<f>" in text or b"<f " in text
            tail = text[-_OVERLAP:]
    merged = {}
    for a, r1, b, r2 in refs:
        c1, c2 = _column(a.decode()), _column(b.decode())
        name = f"{a.decode()}{int(r1)}:{b.decode()}{int(r2)}"
        for r in range(int(r1), int(r2) + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (int(r1), c1):
                    merged[(r, c)] = (name, (int(r1), c1))
    return merged, formulas


def _column(letters: str) -> int:
    """A column's number from 1 (A, …, Z, AA, …)."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _unsaved_formulas(src: SourceFile, title: str) -> dict[int, str]:
    """{row: "G3: =G2*2; …"}, the formula cells of each row whose value the
    file does not hold: openpyxl reads them as empty, which loaded as null (a
    record count then took its default of 1)."""
    import openpyxl

    found: dict[int, list[str]] = {}
    values = openpyxl.load_workbook(src.path, read_only=True, data_only=True)
    formulas = openpyxl.load_workbook(src.path, read_only=True, data_only=False)
    try:
        rows = zip(values[title].iter_rows(), formulas[title].iter_rows(), strict=False)
        for value_row, formula_row in rows:
            for value, formula in zip(value_row, formula_row, strict=False):
                text = getattr(formula, "value", None)
                if getattr(value, "value", None) is None and isinstance(text, str) \
                        and text.startswith("="):
                    found.setdefault(formula.row, []).append(f"{formula.coordinate}: {text}")
    finally:
        values.close()
        formulas.close()
    return {row: "; ".join(cells) for row, cells in found.items()}


def _view(scope: Scope, i: int) -> str:
    return f"_xlsx_{scope.dataset}_{i}"


def read(scope: Scope, files: list[SourceFile]) -> list[RawSource]:
    return [read_excel(scope.con, src, scope.mapping.sheet, _view(scope, i))
            for i, src in enumerate(files)]


def release(scope: Scope, files: list[SourceFile]) -> None:
    for i in range(len(files)):
        scope.con.unregister(_view(scope, i))


EXCEL = Reader("excel", (".xlsx",), read, release=release)
