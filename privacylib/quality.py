"""Rejects and the reconciliation: every row read is either loaded or rejected.

A reject keeps its source file, line, the column(s) at fault, the reason and
its values as text, in the table `<dataset>__rejects`. Lines count the header
as line 1 (a JSON Lines file has no header); a quoted value spanning several
lines counts as one.
"""

from __future__ import annotations

import duckdb

from .contract import Dataset, Kind
from .readers import CSV_REJECTS, CSV_SCANS, quote_ident

REJECT_PREFIX = ("_source_file", "_source_line", "_reject_column", "_reject_reason")


def structural_rejects(con: duckdb.DuckDBPyConnection, stage: str, file: str) -> list[tuple]:
    """Lines DuckDB's CSV reader could not split into the header's columns.

    They never reach the staging table; the lines of the rows after them are
    shifted back into place here.
    """
    rows = con.execute(
        f"SELECT line, string_agg(DISTINCT error_type, ', ' ORDER BY error_type), "
        f"string_agg(DISTINCT error_message, '; ' ORDER BY error_message), any_value(csv_line) "
        f"FROM {CSV_REJECTS} GROUP BY line ORDER BY line").fetchall()
    if rows:
        con.execute(
            f"UPDATE {stage} SET _source_line = _source_line + (SELECT count(*) FROM ("
            f"SELECT line - row_number() OVER (ORDER BY line) AS k FROM "
            f"(SELECT DISTINCT line FROM {CSV_REJECTS})) b WHERE b.k <= {stage}._source_line - 1) "
            "WHERE _source_file = $file", {"file": file})
    con.execute(f"DROP TABLE IF EXISTS {CSV_REJECTS}")
    con.execute(f"DROP TABLE IF EXISTS {CSV_SCANS}")
    return [(file, line, "_row", f"malformed line ({kind.lower()}): {msg}", text)
            for line, kind, msg, text in rows]


def _find_duplicates(con: duckdb.DuckDBPyConnection, ds: Dataset, stage: str) -> int:
    """Fill the temp table _dups with the readable rows whose key came before.

    Only keys seen more than once are ranked, so the usual case (no
    duplicates) costs one hash aggregate. A null in a key that may be null
    (collection_fields.purpose) equals another null here.
    """
    key = ", ".join(quote_ident(k) for k in ds.key)
    same = " AND ".join(f"s.{quote_ident(k)} IS NOT DISTINCT FROM k.{quote_ident(k)}"
                        for k in ds.key)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _dupkeys AS SELECT {key} FROM {stage} "
                "WHERE _reject_reason IS NULL GROUP BY ALL HAVING count(*) > 1")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _dups AS SELECT _source_file, _source_line, "
        "first_file || ':' || first_line AS first_at FROM ("
        "SELECT s._source_file, s._source_line, row_number() OVER w AS rn, "
        "first_value(s._source_file) OVER w AS first_file, "
        "first_value(s._source_line) OVER w AS first_line "
        f"FROM {stage} s JOIN _dupkeys k ON {same} WHERE s._reject_reason IS NULL "
        f"WINDOW w AS (PARTITION BY {', '.join('s.' + quote_ident(k) for k in ds.key)} "
        "ORDER BY s._source_file, s._source_line)) WHERE rn > 1")
    con.execute("DROP TABLE _dupkeys")
    return con.execute("SELECT count(*) FROM _dups").fetchone()[0]


def finalize(con: duckdb.DuckDBPyConnection, ds: Dataset, stage: str, extras: list[str],
             malformed: list[tuple]) -> tuple[int, int, int]:
    """Split the staging table into `<dataset>` and `<dataset>__rejects`.

    Keys are compared among readable rows only, in file-name then line order;
    the first row with a key is loaded, later ones are rejected as duplicates.
    Returns (rows read, rows loaded, rows rejected).
    """
    name, rejects = quote_ident(ds.name), quote_ident(ds.name + "__rejects")
    kept = ", ".join(quote_ident(c) for c in (*ds.column_names, *extras,
                                              "_source_file", "_source_line"))
    dup_filter = ""
    has_dups = bool(ds.key) and _find_duplicates(con, ds, stage) > 0
    if has_dups:
        dup_filter = ("AND NOT EXISTS (SELECT 1 FROM _dups d WHERE d._source_file = s._source_file "
                      "AND d._source_line = s._source_line)")
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {kept} FROM {stage} s "
                f"WHERE _reject_reason IS NULL {dup_filter} ORDER BY _source_file, _source_line")
    _write_rejects(con, ds, stage, extras, malformed, has_dups)
    read = con.execute(f"SELECT count(*) FROM {stage}").fetchone()[0] + len(malformed)
    loaded = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
    rejected = con.execute(f"SELECT count(*) FROM {rejects}").fetchone()[0]
    con.execute(f"DROP TABLE {stage}")
    con.execute("DROP TABLE IF EXISTS _dups")
    assert read == loaded + rejected, f"{ds.name}: {read} read != {loaded} + {rejected}"
    return read, loaded, rejected


def _write_rejects(con: duckdb.DuckDBPyConnection, ds: Dataset, stage: str, extras: list[str],
                   malformed: list[tuple], has_dups: bool) -> None:
    """All rejects of a dataset as text: unreadable, duplicate and malformed rows."""
    text_cols = []
    for col in ds.columns:
        q = quote_ident(col.name)
        raw = f"_raw__{col.name}"
        text_cols.append(
            f"{q}::VARCHAR AS {q}" if col.kind is Kind.TEXT
            else f"coalesce({quote_ident(raw)}, {q}::VARCHAR) AS {q}")
    text_cols += [quote_ident(e) for e in extras]
    values = ", ".join(text_cols)
    rejects = quote_ident(ds.name + "__rejects")
    parts = [f"SELECT _source_file, _source_line, _reject_column, _reject_reason, {values}, "
             f"_raw_line FROM {stage} WHERE _reject_reason IS NOT NULL"]
    if has_dups:
        parts.append(
            f"SELECT s._source_file, s._source_line, '{', '.join(ds.key)}' AS _reject_column, "
            f"'duplicate key: first loaded from ' || d.first_at AS _reject_reason, {values}, "
            f"NULL::VARCHAR AS _raw_line FROM {stage} s JOIN _dups d "
            "USING (_source_file, _source_line)")
    con.execute(f"CREATE OR REPLACE TABLE {rejects} AS "
                + " UNION ALL BY NAME ".join(parts) + " ORDER BY _source_file, _source_line")
    if malformed:
        con.executemany(
            f"INSERT INTO {rejects} (_source_file, _source_line, _reject_column, _reject_reason, "
            "_raw_line) VALUES (?, ?, ?, ?, ?)", malformed)


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
        rows = con.execute(
            f"SELECT {q}, count(*) AS n FROM {quote_ident(ds.name)} WHERE {q} IS NOT NULL "
            f"AND {cond} GROUP BY 1 ORDER BY n DESC, 1 LIMIT 6",
            {} if col.upper else {"allowed": list(col.values)}).fetchall()
        if rows:
            shown = ", ".join(f"'{v}' ×{n}" for v, n in rows[:5])
            expected = "a two-letter ISO 3166 code" if col.upper else ", ".join(col.values)
            warnings.append(f"{col.name}: values outside the contract ({shown}"
                            f"{', …' if len(rows) > 5 else ''}); expected {expected}. "
                            f"Map them in mapping.yaml under values.{col.name} if they mean one")
    return warnings
