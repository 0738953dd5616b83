"""Rejects and the reconciliation: every row read is loaded, rejected, or
filtered out by a keep/drop rule of the mapping (counted per rule).

A reject keeps its source file, line, the column(s) at fault, the reason and
its values as text, in the table `<dataset>__rejects`. Lines are the file's
physical lines, the header being line 1 (a JSON Lines file has no header,
Parquet and Excel count rows from 1); a CSV record whose quoted value spans
several lines is at the line where it starts.
"""

from __future__ import annotations

import bisect

import duckdb

from privacylib.contract import Column, Dataset, Kind
from privacylib.errors import DataError
from privacylib.intake.lines import Prepared, empty_lines, record_lines
from privacylib.intake.readers import FileLines
from privacylib.intake.readers.csv import CSV_REJECTS, CSV_SCANS
from privacylib.sqlnames import quote_ident

# Staging columns that are the loader's bookkeeping, not data.
BOOKKEEPING = ("_reject", "_filtered")


def count_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows of a table (already quoted). fetchall, since DuckDB keeps a
    half-read result open and refuses other work on the connection."""
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def malformed_lines(con: duckdb.DuckDBPyConnection, names: dict[str, str]) -> list[tuple]:
    """Lines DuckDB's CSV reader could not split into the header's columns.

    They never reach the staging table. `names` maps read paths to file names.
    Returns (file, line, column, reason, raw line) tuples.
    """
    found = con.execute(
        f"SELECT s.file_path, e.line, string_agg(DISTINCT e.error_type, ', ' ORDER BY "
        "e.error_type), string_agg(DISTINCT e.error_message, '; ' ORDER BY e.error_message), "
        f"any_value(e.csv_line) FROM {CSV_REJECTS} e JOIN {CSV_SCANS} s "
        "USING (scan_id, file_id) GROUP BY ALL ORDER BY ALL").fetchall()
    con.execute(f"DROP TABLE IF EXISTS {CSV_REJECTS}")
    con.execute(f"DROP TABLE IF EXISTS {CSV_SCANS}")
    hint = "; if the file is GB18030/GBK, set its encoding in mapping.yaml"
    return [(names[path], line, "_row", f"malformed line ({kind.lower()}): {msg}"
             + (hint if "ENCODING" in kind else ""), text)
            for path, line, kind, msg, text in found]


def account_lines(name: str, prepared: Prepared, rows: int, malformed: list[tuple],
                  delimiter: str) -> tuple[list[tuple], FileLines]:
    """Every line of a CSV file is a row, a reject or empty: check it, and say
    how the file's rows and rejects get their physical line.

    `rows` were inserted, `malformed` came from DuckDB (its line numbers count
    empty lines but not the breaks inside quoted values). A file whose quoted
    values hold line breaks is read once more, in Python, to find where each
    record starts; no other file pays for that.
    """
    bad = [m[1] for m in malformed]
    if prepared.quoted_breaks:
        records, empty, steps, lines = record_lines(prepared.path, delimiter, name)
    else:
        records, empty, steps, lines = prepared.lines, [], [], prepared.lines
        if records != 1 + rows + len(bad):
            empty = empty_lines(prepared.path, name)
    if records != 1 + rows + len(bad) + len(empty):
        # DuckDB lost records without a trace (it did for lines over its
        # buffer); never report a balance that does not hold.
        raise DataError(
            f"{name}: {records:,} records (the header included), but the CSV reader gave "
            f"{rows:,} rows, {len(bad):,} malformed and {len(empty):,} empty lines",
            file=name, hint="a quoted value may lack its closing quote, so that the reader "
                            "took many lines as one; check the file's quoting")
    starts = [line for line, _ in steps]

    def physical(line: int) -> int:
        at = bisect.bisect_right(starts, line) - 1
        return line + (steps[at][1] if at >= 0 else 0)

    def placed(file: str, line: int, column: str, reason: str, text: str) -> tuple:
        first, last = physical(line), (physical(line + 1) - 1 if line < records else lines)
        if last > first:  # an unclosed quote takes the lines after it into its value
            reason += f" (the record spans lines {first:,} to {last:,})"
        return file, first, column, reason, text

    placed_rows = [placed(*m) for m in malformed]
    refused = [(name, line, "_row", reason, text) for line, reason, text in prepared.rejects]
    return placed_rows + refused, FileLines(name, sorted({*bad, *empty}), steps)


def _temp_table(con: duckdb.DuckDBPyConnection, name: str, columns: list[str],
                values: list[tuple]) -> None:
    """A temp table of Python tuples in one statement (executemany inserts a
    row at a time: minutes for a file with hundreds of thousands of rejects)."""
    params = {c: [v[i] for v in values] for i, c in enumerate(columns)}
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT "
                + ", ".join(f"unnest(${c}) AS {c}" for c in columns), params)


def fix_lines(con: duckdb.DuckDBPyConnection, stage: str, files: list[FileLines]) -> None:
    """Give every staged row its physical line.

    A scan's row number, plus one for a header, counts neither the lines that
    gave no row (skipped: empty or malformed) nor the line breaks inside
    quoted values (steps): add both, in that order."""
    skipped = [(f.name, line) for f in files for line in f.skipped]
    if skipped:
        _temp_table(con, "_bad_lines", ["file", "line"], skipped)
        # The i-th skipped line of a file has (line - i - 1) rows before it
        # when the file has a header, (line - i) when not: the row numbered n
        # comes after it when k = line - i < n either way. k never decreases
        # with i, so the number of skipped lines before a row is the largest
        # i whose k is below n: an ASOF join, not a count per row (which took
        # minutes for a file with an empty line after every row).
        con.execute(
            f"UPDATE {stage} SET _source_line = {stage}._source_line + m.before FROM ("
            f"SELECT s._source_file AS file, s._source_line AS line, b.i AS before "
            f"FROM {stage} s ASOF JOIN (SELECT file, k, max(i) AS i FROM ("
            "SELECT file, line - row_number() OVER w AS k, row_number() OVER w AS i "
            "FROM _bad_lines WINDOW w AS (PARTITION BY file ORDER BY line)) GROUP BY ALL) b "
            "ON s._source_file = b.file AND s._source_line > b.k) m "
            f"WHERE {stage}._source_file = m.file AND {stage}._source_line = m.line")
        con.execute("DROP TABLE _bad_lines")
    steps = [(f.name, line, shift) for f in files for line, shift in f.steps]
    if steps:
        _temp_table(con, "_steps", ["file", "line", "shift"], steps)
        con.execute(
            f"UPDATE {stage} SET _source_line = {stage}._source_line + m.shift FROM ("
            f"SELECT s._source_file AS file, s._source_line AS line, t.shift FROM {stage} s "
            "ASOF JOIN _steps t ON s._source_file = t.file AND s._source_line >= t.line "
            f"WHERE t.shift <> 0) m WHERE {stage}._source_file = m.file "
            f"AND {stage}._source_line = m.line")
        con.execute("DROP TABLE _steps")


def _find_duplicates(con: duckdb.DuckDBPyConnection, ds: Dataset, stage: str) -> int:
    """Fill the temp table _dups with the readable rows whose key came before.

    Keys are compared among readable rows only, in file-name then line order.
    Rows are named by their rowid, not their line: a native record shares its
    line with the others of its document (a Kantara receipt gives one row per
    purpose), and naming rows by line took a line's good rows with its
    duplicate (and counted each duplicate once per row of its line).
    Only keys seen more than once are ranked, so the usual case (none) costs
    one hash aggregate. A null in a key that may be null
    (collection_fields.purpose) equals another null here.
    """
    key = ", ".join(quote_ident(k) for k in ds.key)
    same = " AND ".join(f"s.{quote_ident(k)} IS NOT DISTINCT FROM k.{quote_ident(k)}"
                        for k in ds.key)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _dupkeys AS SELECT {key} FROM {stage} "
                "WHERE _reject IS NULL GROUP BY ALL HAVING count(*) > 1")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _dups AS SELECT row_id, "
        "first_file || ':' || first_line AS first_at FROM ("
        "SELECT s.rowid AS row_id, row_number() OVER w AS rn, "
        "first_value(s._source_file) OVER w AS first_file, "
        "first_value(s._source_line) OVER w AS first_line "
        f"FROM {stage} s JOIN _dupkeys k ON {same} WHERE s._reject IS NULL "
        f"WINDOW w AS (PARTITION BY {', '.join('s.' + quote_ident(k) for k in ds.key)} "
        "ORDER BY s._source_file, s._source_line, s.rowid)) WHERE rn > 1")
    con.execute("DROP TABLE _dupkeys")
    return count_rows(con, "_dups")


def finalize(con: duckdb.DuckDBPyConnection, ds: Dataset, stage: str, extras: list[str],
             malformed: list[tuple]) -> tuple[int, int, int, dict[str, int]]:
    """Turn the staging table into `<dataset>` and `<dataset>__rejects`.

    Rows a keep/drop rule of the mapping filtered out are counted per rule
    and removed first. The first readable row of each key is loaded; later
    ones are rejected as duplicates. The staging table becomes the dataset's
    table in place (no copy of a large log). Returns (rows read, rows
    loaded, rows rejected, {rule: rows filtered}).
    """
    name, rejects = quote_ident(ds.name), quote_ident(ds.name + "__rejects")
    read = count_rows(con, stage) + len(malformed)
    filtered = dict(con.execute(f"SELECT _filtered, count(*) FROM {stage} WHERE _filtered "
                                "IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall())
    if filtered:
        con.execute(f"DELETE FROM {stage} WHERE _filtered IS NOT NULL")
    has_dups = bool(ds.key) and _find_duplicates(con, ds, stage) > 0
    _write_rejects(con, ds, stage, extras, malformed, has_dups)
    # Duplicates go first: _dups names them by rowid, which holds only while
    # nothing else is deleted from the table in between.
    if has_dups:
        con.execute(f"DELETE FROM {stage} WHERE rowid IN (SELECT row_id FROM _dups)")
    con.execute(f"DELETE FROM {stage} WHERE _reject IS NOT NULL")
    con.execute("DROP TABLE IF EXISTS _dups")
    internal = [c for c in _stage_column_names(con, stage) if c in BOOKKEEPING]
    for column in internal:
        con.execute(f"ALTER TABLE {stage} DROP COLUMN {quote_ident(column)}")
    con.execute(f"DROP TABLE IF EXISTS {name}")
    con.execute(f"ALTER TABLE {stage} RENAME TO {name}")
    loaded, rejected = count_rows(con, name), count_rows(con, rejects)
    if read != loaded + rejected + sum(filtered.values()):  # a bug: stop rather than mislead
        raise AssertionError(f"{ds.name}: {read} rows read but {loaded} + {rejected} + "
                             f"{sum(filtered.values())} accounted")
    return read, loaded, rejected, filtered


def _stage_column_names(con: duckdb.DuckDBPyConnection, stage: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {stage}").fetchall()]


def _write_rejects(con: duckdb.DuckDBPyConnection, ds: Dataset, stage: str, extras: list[str],
                   malformed: list[tuple], has_dups: bool) -> None:
    """All rejects of a dataset as text: unreadable, duplicate and malformed rows."""
    # Every column of the stage (s) named as such: an extra column may be
    # named as one of _dups' (first_at).
    text_cols = []
    for col in ds.columns:
        q = quote_ident(col.name)
        text_cols.append(
            f"s.{q}::VARCHAR AS {q}" if col.kind is Kind.TEXT
            else f"coalesce(json_extract_string(s._reject, '$.raw.{col.name}'), "
                 f"s.{q}::VARCHAR) AS {q}")
    values = ", ".join(text_cols + [f"s.{quote_ident(e)}" for e in extras])
    rejects = quote_ident(ds.name + "__rejects")
    parts = [f"SELECT s._source_file, s._source_line, "
             "json_extract_string(s._reject, '$.column') AS _reject_column, "
             "json_extract_string(s._reject, '$.reason') AS _reject_reason, "
             f"{values}, json_extract_string(s._reject, '$.raw_line') AS _raw_line "
             f"FROM {stage} s WHERE s._reject IS NOT NULL"]
    if has_dups:
        parts.append(
            f"SELECT s._source_file, s._source_line, '{', '.join(ds.key)}' AS _reject_column, "
            f"'duplicate key: first loaded from ' || d.first_at AS _reject_reason, {values}, "
            f"NULL::VARCHAR AS _raw_line FROM {stage} s JOIN _dups d ON s.rowid = d.row_id")
    con.execute(f"CREATE OR REPLACE TABLE {rejects} AS "
                + " UNION ALL BY NAME ".join(parts) + " ORDER BY _source_file, _source_line")
    if malformed:
        cols = ["_source_file", "_source_line", "_reject_column", "_reject_reason", "_raw_line"]
        _temp_table(con, "_malformed", cols, malformed)
        con.execute(f"INSERT INTO {rejects} BY NAME SELECT * FROM _malformed")
        con.execute("DROP TABLE _malformed")


def enum_warnings(con: duckdb.DuckDBPyConnection, ds: Dataset) -> list[str]:
    """Values of closed enumerations the contract does not name.

    They are loaded as they are (a control compares them as written); the
    warning tells the analyst to map them if they mean a contract value.
    """
    warnings = []
    for col in ds.columns:
        if col.kind is not Kind.ENUM or not (col.values or col.upper):
            continue
        q = quote_ident(col.name)
        cond = (f"NOT regexp_full_match({q}, '[A-Z]{{2}}')" if col.upper
                else f"{q} NOT IN (SELECT unnest($allowed))")
        found = con.execute(
            f"SELECT {q}, count(*) AS n FROM {quote_ident(ds.name)} WHERE {q} IS NOT NULL "
            f"AND {cond} GROUP BY 1 ORDER BY n DESC, 1 LIMIT 6",
            {} if col.upper else {"allowed": list(col.values)}).fetchall()
        if found:
            warnings.append(enum_warning(col, found))
    return warnings


def enum_warning(col: Column, found: list[tuple[str, int]]) -> str:
    """The warning of a closed enumeration's values outside the contract:
    `found`, the (value, count) of up to six, most frequent first."""
    shown = ", ".join(f"'{v}' ×{n}" for v, n in found[:5])
    expected = "a two-letter ISO 3166 code" if col.upper else ", ".join(col.values)
    return (f"{col.name}: values outside the contract ({shown}"
            f"{', …' if len(found) > 5 else ''}); expected {expected}. "
            f"Map them in mapping.yaml under values.{col.name} if they mean one")
