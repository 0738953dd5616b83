"""Reading one source file into DuckDB as raw columns, streaming.

Each reader gives a `RawFile`: the file's own column names and DuckDB types,
and a SELECT that yields `_source_line` and the columns as `c0`, `c1`, … in
header order. Text formats arrive as VARCHAR; Parquet keeps its native types.
Rows are never held in pandas: CSV, JSON Lines and Parquet are scanned by
DuckDB itself, Excel (small by nature) through openpyxl's read-only mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import duckdb

from .errors import DataError
from .sources import Format, SourceFile, detect_encoding, read_header, transcode

CSV_REJECTS = "_csv_rejects"
CSV_SCANS = "_csv_reject_scans"


def quote_ident(name: str) -> str:
    """A DuckDB identifier, whatever characters the name holds."""
    return '"' + name.replace('"', '""') + '"'


@dataclass
class RawFile:
    source: SourceFile
    # The file's column names (as written in it) and their DuckDB types.
    names: list[str]
    types: list[str]
    # SELECT yielding _source_line and c0..cN; params are bound by name.
    sql: str
    params: dict[str, Any] = field(default_factory=dict)
    # Encoding the file was read in, for the data-quality report.
    encoding: str = ""
    # Whether the reader stores structural rejects in CSV_REJECTS.
    csv_rejects: bool = False
    # A column of the SELECT that is not null when the whole row is unreadable
    # (a JSON line that is no object); it holds the raw text.
    bad_row_column: str | None = None


def _positional(names: list[str]) -> str:
    return ", ".join(f"{quote_ident(n)} AS c{i}" for i, n in enumerate(names))


def read_csv(con: duckdb.DuckDBPyConnection, src: SourceFile, encoding: str | None,
             workdir: Path) -> RawFile:
    encoding = encoding or detect_encoding(src.path)
    path = src.path
    if encoding.replace("_", "-").lower() not in ("utf-8", "utf8", "utf-8-sig"):
        target = workdir / f"{len(list(workdir.iterdir()))}.csv"
        path = transcode(src.path, encoding, target)
    delimiter = "\t" if src.format is Format.TSV else ","
    names = read_header(path, "utf-8", delimiter)
    if not names or all(not n.strip() for n in names):
        raise DataError(f"{src.name} has no header line", file=src.name,
                        hint="the first line of a CSV file must name its columns")
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names)))
    delim_sql = "E'\\t'" if delimiter == "\t" else "','"
    sql = (
        f"SELECT ordinality + 1 AS _source_line, * EXCLUDE (ordinality) FROM read_csv($path, "
        f"columns = {{{cols}}}, header = true, auto_detect = false, "
        f"delim = {delim_sql}, "
        "quote = '\"', escape = '\"', strict_mode = true, "
        f"store_rejects = true, rejects_table = '{CSV_REJECTS}', "
        f"rejects_scan = '{CSV_SCANS}') WITH ORDINALITY"
    )
    return RawFile(src, names, ["VARCHAR"] * len(names), sql, {"path": str(path)},
                   encoding, csv_rejects=True)


def read_parquet(con: duckdb.DuckDBPyConnection, src: SourceFile) -> RawFile:
    try:
        desc = con.execute("DESCRIBE SELECT * FROM read_parquet($path)",
                           {"path": str(src.path)}).fetchall()
    except duckdb.Error as exc:
        raise DataError(f"{src.name} is not a readable Parquet file: {exc}", file=src.name,
                        hint="export it again; the file may be truncated") from exc
    names, types = [r[0] for r in desc], [r[1] for r in desc]
    sql = (f"SELECT file_row_number + 1 AS _source_line, {_positional(names)} "
           "FROM read_parquet($path, file_row_number = true)")
    return RawFile(src, names, types, sql, {"path": str(src.path)}, "parquet")


JSON_LINES = ("SELECT ordinality AS _source_line, j FROM read_csv($path, "
              "columns = {'j': 'VARCHAR'}, header = false, auto_detect = false, "
              "delim = E'\\x1f', quote = '', escape = '') WITH ORDINALITY")


# CASE, unlike AND, never evaluates json_type on text that is not JSON.
_IS_OBJECT = "CASE WHEN json_valid(j) THEN json_type(j) = 'OBJECT' ELSE false END"


def read_jsonl(con: duckdb.DuckDBPyConnection, src: SourceFile) -> RawFile:
    """One JSON object a line. Keys become columns; a line that is not an
    object becomes a reject (column `_json`), blank lines are no rows."""
    keys = con.execute(
        f"SELECT DISTINCT unnest(json_keys(j)) AS k FROM ({JSON_LINES}) "
        f"WHERE {_IS_OBJECT} ORDER BY k",
        {"path": str(src.path)}).fetchall()
    names = [k[0] for k in keys]
    params: dict[str, Any] = {"path": str(src.path)}
    cols = []
    for i, name in enumerate(names):
        params[f"key{i}"] = "$." + '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        cols.append(f"CASE WHEN _ok THEN j ->> $key{i} END AS c{i}")
    cols.append("CASE WHEN NOT _ok THEN j END AS _json")
    sql = (f"SELECT _source_line, {', '.join(cols)} FROM (SELECT *, {_IS_OBJECT} AS _ok "
           f"FROM ({JSON_LINES}) WHERE j IS NOT NULL AND trim(j) <> '')")
    return RawFile(src, names, ["VARCHAR"] * len(names), sql, params, "utf-8",
                   bad_row_column="_json")


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


def read_excel(con: duckdb.DuckDBPyConnection, src: SourceFile, sheet: str | None,
               view: str) -> RawFile:
    import openpyxl
    import pyarrow as pa

    try:
        book = openpyxl.load_workbook(src.path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise DataError(f"{src.name} is not a readable .xlsx workbook: {exc}", file=src.name,
                        hint="open and save it again in Excel as .xlsx") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise DataError(f"{src.name} has no sheet '{sheet}'", file=src.name,
                            hint="sheets found: " + ", ".join(book.sheetnames))
        rows = (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)
        header = next(rows, None) or ()
        names = [_cell_text(h) or "" for h in header]
        columns: list[list[str | None]] = [[] for _ in names]
        lines: list[int] = []
        for number, row in enumerate(rows, start=2):
            if row is None or all(v is None for v in row):
                continue
            lines.append(number)
            for i in range(len(names)):
                columns[i].append(_cell_text(row[i]) if i < len(row) else None)
    finally:
        book.close()
    table = pa.table({"_source_line": pa.array(lines, pa.int64()),
                      **{f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)}})
    con.register(view, table)
    return RawFile(src, names, ["VARCHAR"] * len(names), f"SELECT * FROM {quote_ident(view)}",
                   {}, "xlsx")
