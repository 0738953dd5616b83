"""Reading source files into DuckDB as raw columns, streaming.

A reader gives a `RawSource`: one or more files of a dataset that share the
same columns, read by one SELECT yielding `_file_index` (position in
`files`), `_source_line` and the columns as `c0`, `c1`, … in header order.
Text formats arrive as VARCHAR; Parquet keeps its native types. Rows never
pass through pandas: CSV, JSON Lines and Parquet are scanned by DuckDB itself
(all files of a group in one parallel scan), Excel (small by nature) through
openpyxl's read-only mode.
"""

from __future__ import annotations

import dataclasses
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
class RawSource:
    # The files this SELECT reads, in order; `_file_index` points into it.
    files: list[SourceFile]
    # The files' column names (as written in them) and their DuckDB types.
    names: list[str]
    types: list[str]
    # SELECT yielding _file_index, _source_line and c0..cN; params bound by name.
    sql: str
    params: dict[str, Any] = field(default_factory=dict)
    # Encoding of each file, for the data-quality report.
    encodings: list[str] = field(default_factory=list)
    # CSV: a group of files with one header, read one file per scan
    # (each_file); malformed lines shift the lines after the insert.
    number_lines_after: bool = False
    # A column of the SELECT that is not null when the whole row is unreadable
    # (a JSON line that is no object); it holds the raw text.
    bad_row_column: str | None = None


@dataclass(frozen=True)
class CsvFile:
    """A CSV file made ready for DuckDB: where to read it, and its header."""

    source: SourceFile
    path: Path  # the file itself, or its UTF-8 copy
    encoding: str
    header: tuple[str, ...]


def prepare_csv(src: SourceFile, encoding: str | None, workdir: Path) -> CsvFile:
    encoding = encoding or detect_encoding(src.path)
    path = src.path
    if encoding.replace("_", "-").lower() not in ("utf-8", "utf8", "utf-8-sig"):
        path = transcode(src.path, encoding, workdir / f"{len(list(workdir.iterdir()))}.csv")
        encoding = "gb18030" if encoding.lower() in ("gbk", "gb2312", "gb18030") else encoding
    else:
        encoding = "utf-8"
    header = read_header(path, "utf-8", "\t" if src.format is Format.TSV else ",")
    if not header or all(not n.strip() for n in header):
        raise DataError(f"{src.name} has no header line", file=src.name,
                        hint="the first line of a CSV file must name its columns")
    return CsvFile(src, path, encoding, tuple(header))


def read_csv_group(group: list[CsvFile]) -> RawSource:
    """The scan of CSV files that share a header (to be read a file at a time)."""
    names = list(group[0].header)
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names)))
    delim = "E'\\t'" if group[0].source.format is Format.TSV else "','"
    # The line comes from the scan itself (the order rows reach a table is not
    # the file's: an insert of a parallel scan may reorder them), so a scan
    # may read one file only: see each_file. The header is line 1.
    sql = (
        "SELECT file_index AS _file_index, ordinality + 1 AS _source_line, "
        f"* EXCLUDE (file_index, ordinality) FROM (SELECT file_index, * FROM read_csv($paths, "
        f"columns = {{{cols}}}, header = true, auto_detect = false, delim = {delim}, "
        "quote = '\"', escape = '\"', strict_mode = true, store_rejects = true, "
        f"rejects_table = '{CSV_REJECTS}', rejects_scan = '{CSV_SCANS}') WITH ORDINALITY)"
    )
    return RawSource([f.source for f in group], names, ["VARCHAR"] * len(names), sql,
                     {"paths": [str(f.path) for f in group]}, [f.encoding for f in group],
                     number_lines_after=True)


def each_file(raw: RawSource) -> list[RawSource]:
    """A CSV group as one scan per file: the same SELECT over one path."""
    return [dataclasses.replace(raw, files=[f], params={**raw.params, "paths": [path]},
                                encodings=[enc])
            for f, path, enc in zip(raw.files, raw.params["paths"], raw.encodings, strict=True)]


def parquet_schema(con: duckdb.DuckDBPyConnection, src: SourceFile) -> tuple[tuple, tuple]:
    try:
        desc = con.execute("DESCRIBE SELECT * FROM read_parquet($path)",
                           {"path": str(src.path)}).fetchall()
    except duckdb.Error as exc:
        raise DataError(f"{src.name} is not a readable Parquet file: {exc}", file=src.name,
                        hint="export it again; the file may be truncated") from exc
    return tuple(r[0] for r in desc), tuple(r[1] for r in desc)


def read_parquet_group(files: list[SourceFile], names: list[str], types: list[str]) -> RawSource:
    cols = ", ".join(f"{quote_ident(n)} AS c{i}" for i, n in enumerate(names))
    sql = ("SELECT file_index AS _file_index, file_row_number + 1 AS _source_line, "
           f"{cols} FROM read_parquet($paths, file_row_number = true)")
    return RawSource(files, names, types, sql, {"paths": [str(f.path) for f in files]},
                     ["parquet"] * len(files))


JSON_LINES = ("SELECT ordinality AS _source_line, j FROM read_csv($path, "
              "columns = {'j': 'VARCHAR'}, header = false, auto_detect = false, "
              "delim = E'\\x1f', quote = '', escape = '') WITH ORDINALITY")
# CASE, unlike AND, never evaluates json_type on text that is not JSON.
_IS_OBJECT = "CASE WHEN json_valid(j) THEN json_type(j) = 'OBJECT' ELSE false END"


def read_jsonl(con: duckdb.DuckDBPyConnection, src: SourceFile) -> RawSource:
    """One JSON object a line. Keys become columns; a line that is not an
    object becomes a reject (column `_row`); blank lines are no rows."""
    keys = con.execute(
        f"SELECT DISTINCT unnest(json_keys(j)) AS k FROM ({JSON_LINES}) "
        f"WHERE {_IS_OBJECT} ORDER BY k", {"path": str(src.path)}).fetchall()
    names = [k[0] for k in keys]
    params: dict[str, Any] = {"path": str(src.path)}
    cols = []
    for i, name in enumerate(names):
        params[f"key{i}"] = "$." + '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        cols.append(f"CASE WHEN _ok THEN j ->> $key{i} END AS c{i}")
    cols.append("CASE WHEN NOT _ok THEN j END AS _json")
    sql = (f"SELECT 0 AS _file_index, _source_line, {', '.join(cols)} FROM (SELECT *, "
           f"{_IS_OBJECT} AS _ok FROM ({JSON_LINES}) WHERE j IS NOT NULL AND trim(j) <> '')")
    return RawSource([src], names, ["VARCHAR"] * len(names), sql, params, ["utf-8"],
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
               view: str) -> RawSource:
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
        names = [_cell_text(h) or "" for h in next(rows, None) or ()]
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
    table = pa.table({"_file_index": pa.array([0] * len(lines), pa.int64()),
                      "_source_line": pa.array(lines, pa.int64()),
                      **{f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)}})
    con.register(view, table)
    return RawSource([src], names, ["VARCHAR"] * len(names), f"SELECT * FROM {quote_ident(view)}",
                     {}, ["xlsx"])
