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

import codecs
import dataclasses
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import duckdb

from privacylib.errors import DataError
from privacylib.intake.sources import (
    MAX_CELL_BYTES,
    MAX_LINE_BYTES,
    Format,
    Prepared,
    SourceFile,
    check_columns,
    detect_encoding,
    prepare_lines,
    read_header,
)

CSV_REJECTS = "_csv_rejects"
CSV_SCANS = "_csv_reject_scans"


def quote_ident(name: str) -> str:
    """A DuckDB identifier, whatever characters the name holds."""
    return '"' + name.replace('"', '""') + '"'


@dataclass
class FileLines:
    """How one file's rows get their physical line after the insert.

    A scan numbers the rows it yields (header: line 1). Lines that yield no
    row (empty, malformed, refused) shift the rows after them; a quoted value
    spanning several lines shifts them further.
    """

    name: str
    # Lines, as DuckDB counts them, that gave no row.
    skipped: list[int] = field(default_factory=list)
    # (line as DuckDB counts it, physical line minus it) from there on.
    steps: list[tuple[int, int]] = field(default_factory=list)


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
    # CSV: the files of a group with one header, each prepared and inserted
    # on its own (see staging.insert_per_file).
    csv: list[CsvFile] = field(default_factory=list)
    # A column of the SELECT that is not null when the whole row is unreadable
    # (a JSON line that is no object); it holds the raw text.
    bad_row_column: str | None = None
    # Lines refused before the scan, (file, line, column, reason, text), and
    # the line shifts of the scanned files (JSON Lines; CSV finds them per file).
    rejects: list[tuple] = field(default_factory=list)
    lines: list[FileLines] = field(default_factory=list)


@dataclass(frozen=True)
class CsvFile:
    """A CSV file ready to be read: its encoding and header."""

    source: SourceFile
    encoding: str
    header: tuple[str, ...]

    @property
    def delimiter(self) -> str:
        return "\t" if self.source.format is Format.TSV else ","


def prepare_csv(src: SourceFile, encoding: str | None) -> CsvFile:
    encoding = (encoding or detect_encoding(src.path)).replace("_", "-").lower()
    if encoding in ("utf8", "utf-8-sig"):
        encoding = "utf-8"
    elif encoding in ("gbk", "gb2312"):
        encoding = "gb18030"  # a superset: reads both, and what the report shows
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise DataError(f"{src.name}: unknown encoding '{encoding}'", file=src.name,
                        hint="set encoding in mapping.yaml to utf-8 or gb18030") from exc
    delimiter = "\t" if src.format is Format.TSV else ","
    header = read_header(src.path, encoding, delimiter, src.name)
    if not header or all(not n.strip() for n in header):
        raise DataError(f"{src.name} has no header line", file=src.name,
                        hint="the first line of a CSV file must name its columns")
    check_columns(src.name, len(header))
    return CsvFile(src, encoding, tuple(header))


# A line of DuckDB's own measure may hold its line break.
_DUCKDB_LINE = MAX_LINE_BYTES + 2


def read_csv_group(group: list[CsvFile]) -> RawSource:
    """The scan of CSV files that share a header (to be read a file at a time)."""
    names = list(group[0].header)
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names)))
    delim = "E'\\t'" if group[0].source.format is Format.TSV else "','"
    # The line comes from the scan itself (the order rows reach a table is not
    # the file's: an insert of a parallel scan may reorder them), so a scan
    # may read one file only: see each_file. The header is line 1. Files are
    # prepared first (sources.prepare_lines): LF line breaks only.
    sql = (
        "SELECT file_index AS _file_index, ordinality + 1 AS _source_line, "
        f"* EXCLUDE (file_index, ordinality) FROM (SELECT file_index, * FROM read_csv($paths, "
        f"columns = {{{cols}}}, header = true, auto_detect = false, delim = {delim}, "
        "quote = '\"', escape = '\"', new_line = '\\n', strict_mode = true, "
        f"max_line_size = {_DUCKDB_LINE}, store_rejects = true, "
        f"rejects_table = '{CSV_REJECTS}', rejects_scan = '{CSV_SCANS}') WITH ORDINALITY)"
    )
    return RawSource([f.source for f in group], names, ["VARCHAR"] * len(names), sql,
                     {"paths": [str(f.source.path) for f in group]},
                     [f.encoding for f in group], csv=list(group))


def each_file(raw: RawSource) -> list[RawSource]:
    """A CSV group as one scan per file: the same SELECT over one path."""
    return [dataclasses.replace(raw, files=[f.source], params={**raw.params,
                                "paths": [str(f.source.path)]}, encodings=[f.encoding], csv=[f])
            for f in raw.csv]


def parquet_schema(con: duckdb.DuckDBPyConnection, src: SourceFile) -> tuple[tuple, tuple]:
    try:
        desc = con.execute("DESCRIBE SELECT * FROM read_parquet($path)",
                           {"path": str(src.path)}).fetchall()
    except duckdb.Error as exc:
        raise DataError(f"{src.name} is not a readable Parquet file: {exc}", file=src.name,
                        hint="export it again; the file may be truncated") from exc
    check_columns(src.name, len(desc))
    return tuple(r[0] for r in desc), tuple(r[1] for r in desc)


def read_parquet_group(files: list[SourceFile], names: list[str], types: list[str]) -> RawSource:
    cols = ", ".join(f"{quote_ident(n)} AS c{i}" for i, n in enumerate(names))
    sql = ("SELECT file_index AS _file_index, file_row_number + 1 AS _source_line, "
           f"{cols} FROM read_parquet($paths, file_row_number = true)")
    return RawSource(files, names, types, sql, {"paths": [str(f.path) for f in files]},
                     ["parquet"] * len(files))


JSON_LINES = ("SELECT ordinality AS _source_line, j FROM read_csv($path, "
              "columns = {'j': 'VARCHAR'}, header = false, auto_detect = false, "
              "delim = E'\\x1f', quote = '', escape = '', new_line = '\\n', "
              f"max_line_size = {_DUCKDB_LINE}) WITH ORDINALITY")
# CASE, unlike AND, never evaluates json_type on text that is not JSON.
_IS_OBJECT = "CASE WHEN json_valid(j) THEN json_type(j) = 'OBJECT' ELSE false END"


def read_jsonl(con: duckdb.DuckDBPyConnection, src: SourceFile, workdir: Path) -> RawSource:
    """One JSON object a line. Keys become columns; a line that is not an
    object becomes a reject (column `_row`); blank lines are no rows. The
    scan of one text column counts empty lines (as nulls), so its row number
    is the line, refused lines (emptied) included."""
    prepared = prepare_lines(src.path, "utf-8", workdir, quoting=False, json=True,
                             name=src.name)
    keys = con.execute(
        f"SELECT DISTINCT unnest(json_keys(j)) AS k FROM ({JSON_LINES}) "
        f"WHERE {_IS_OBJECT} ORDER BY k", {"path": str(prepared.path)}).fetchall()
    names = [k[0] for k in keys]
    check_columns(src.name, len(names))
    params: dict[str, Any] = {"path": str(prepared.path)}
    cols = []
    for i, name in enumerate(names):
        params[f"key{i}"] = "$." + '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        cols.append(f"CASE WHEN _ok THEN j ->> $key{i} END AS c{i}")
    cols.append("CASE WHEN NOT _ok THEN j END AS _json")
    sql = (f"SELECT 0 AS _file_index, _source_line, {', '.join(cols)} FROM (SELECT *, "
           f"{_IS_OBJECT} AS _ok FROM ({JSON_LINES}) WHERE j IS NOT NULL AND trim(j) <> '')")
    return RawSource([src], names, ["VARCHAR"] * len(names), sql, params, ["utf-8"],
                     bad_row_column="_json", rejects=_refused(src, prepared))


def _refused(src: SourceFile, prepared: Prepared) -> list[tuple]:
    return [(src.name, line, "_row", reason, text) for line, reason, text in prepared.rejects]


def explain_json_document(con: duckdb.DuckDBPyConnection, src: SourceFile,
                          workdir: Path) -> str | None:
    """Why a .jsonl file whose columns do not match is no JSON Lines file at
    all, when it is a JSON array or one JSON document; else None.

    Asked only when the columns do not match, so a good file pays nothing."""
    prepared = prepare_lines(src.path, "utf-8", workdir, quoting=False, json=True,
                             name=src.name)
    first, objects, lines, lists = con.execute(
        f"SELECT first(trim(j) ORDER BY _source_line) FILTER (WHERE trim(j) <> ''), "
        f"count(*) FILTER (WHERE {_IS_OBJECT}), count(*) FILTER (WHERE trim(j) <> ''), "
        "bool_or(CASE WHEN json_valid(j) AND json_type(j) = 'OBJECT' THEN list_contains("
        "json_type(j, '$.*[0]'), 'OBJECT') END) "
        f"FROM ({JSON_LINES})", {"path": str(prepared.path)}).fetchall()[0]
    if prepared.copied:
        prepared.path.unlink(missing_ok=True)
    if first is None:
        return None
    if first.startswith("["):
        return (f"{src.name} holds a JSON array, not one JSON object per line "
                f"(its first line starts with '[')")
    # {"Records": [{...}, ...]} on one line, or any document spread over many lines.
    if (objects == 0 and first.startswith("{")) or (objects == lines == 1 and lists):
        return (f"{src.name} holds a single JSON document ({lines:,} line(s)), not one "
                "JSON object per line")
    return None


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
