"""Excel workbooks (.xlsx), small by nature: one sheet read through openpyxl's
read-only mode, its cells as the text a CSV export would hold, handed to
DuckDB as an Arrow table registered under a view name (released after the load)."""

from __future__ import annotations

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
        # Read-only mode stops at the <dimension> the file states, and a
        # writer may state too little: read every row the sheet holds.
        ws.reset_dimensions()
        names, columns, lines = _sheet_rows(src, ws.iter_rows(values_only=True))
    except DataError:
        raise
    except Exception as exc:  # a broken sheet fails while it is read, not when opened
        raise DataError(f"{src.name} is not a readable .xlsx workbook: {exc}", file=src.name,
                        hint="open and save it again in Excel as .xlsx") from exc
    finally:
        book.close()
    table = pa.table({"_file_index": pa.array([0] * len(lines), pa.int64()),
                      "_source_line": pa.array(lines, pa.int64()),
                      **{f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)}})
    con.register(view, table)
    return RawSource([src], names, ["VARCHAR"] * len(names), f"SELECT * FROM {quote_ident(view)}",
                     {}, ["xlsx"])


def _sheet_rows(src: SourceFile, rows) -> tuple[list[str], list[list[str | None]], list[int]]:
    """The header's names, the columns' text and each row's number."""
    names = [_cell_text(h) or "" for h in next(rows, None) or ()]
    while names and not names[-1].strip():  # cells formatted past the last name
        names.pop()
    check_columns(src.name, len(names))
    columns: list[list[str | None]] = [[] for _ in names]
    lines: list[int] = []
    for number, row in enumerate(rows, start=2):
        if number > EXCEL_MAX_ROWS:
            raise DataError(f"{src.name} has rows past row {EXCEL_MAX_ROWS:,}, Excel's last",
                            file=src.name, hint="open and save it again in Excel as .xlsx")
        if not row or all(v is None for v in row):
            continue
        lines.append(number)
        for i in range(len(names)):
            columns[i].append(_cell_text(row[i]) if i < len(row) else None)
    return names, columns, lines


def _view(scope: Scope, i: int) -> str:
    return f"_xlsx_{scope.dataset}_{i}"


def read(scope: Scope, files: list[SourceFile]) -> list[RawSource]:
    return [read_excel(scope.con, src, scope.mapping.sheet, _view(scope, i))
            for i, src in enumerate(files)]


def release(scope: Scope, files: list[SourceFile]) -> None:
    for i in range(len(files)):
        scope.con.unregister(_view(scope, i))


EXCEL = Reader("excel", (".xlsx",), read, release=release)
