"""The analyst's own questions: ad hoc SQL over an audit's data, masked like the report.

`audit.sql("SELECT …", params)` (audit/run.py) and the `%%sql` cell magic
(audit/magic.py) both come here. Two promises:

Masked by default. Every cell of every column goes through the audit's masker
(the report's recogniser and pseudonyms), not only the columns known to hold
identifiers: a SELECT can alias anything (`customer_id AS x`, a mobile
number inside a concatenated text, an ID number cast to an integer). Column
names are masked too (`SELECT 1 AS "13812345678"`). Unmasked results need a
reason and are recorded in the audit store, like the explorer's unmasked views
(trail/access.py); an audit run unmasked (--no-mask, recorded then) shows its
data unmasked here too.

Read-only. Nothing typed here can change the audit's data or its store, or
reach outside it. Three walls, each enough against most attacks:
1. the statement is parsed by DuckDB and refused unless it is exactly one
   SELECT (WITH …, FROM …, VALUES, DESCRIBE, SHOW and SUMMARIZE are SELECTs to
   DuckDB); COPY, ATTACH, INSTALL, LOAD, SET, PRAGMA, CREATE, INSERT, EXPORT,
   CALL, EXPLAIN and a second statement are refused by name (QueryRefused);
2. it runs on a snapshot of the loaded tables, a private database file opened
   read-only, not on the audit's connection: DuckDB itself refuses every write;
3. that connection has external access disabled (no file, no URL, no
   extension: read_csv('/etc/passwd'), glob(), COPY … TO, ATTACH are
   permission errors), Python replacement scans off (a DataFrame of the
   kernel is not a table), and its configuration locked, so no SET can undo it.
Values are bound parameters (`$name` or `?`), never pasted into the text.
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from privacylib.controls.macros import install_macros
from privacylib.errors import UsageError
from privacylib.masking.masker import AMBIGUOUS_NAME_HEADERS, Masker, dataset_of
from privacylib.sqlnames import quote_ident
from privacylib.trail.access import record_view

# The statement types that only read: DuckDB parses WITH, FROM-first, VALUES,
# DESCRIBE, SHOW and SUMMARIZE into SELECT.
ALLOWED = frozenset({duckdb.StatementType.SELECT})
ALLOWED_WORDS = "one SELECT (WITH …, FROM …, VALUES, DESCRIBE, SHOW or SUMMARIZE)"
# A result is masked cell by cell in Python: past this, aggregate or LIMIT.
MAX_ROWS = 100_000
Params = Mapping[str, Any] | Sequence[Any] | None


class QueryRefused(UsageError):
    """A statement that could change data or reach outside the audit: refused unrun."""


class QueryFailed(UsageError):
    """DuckDB could not parse or run the query (its message masked)."""


def _snapshot(source: duckdb.DuckDBPyConnection, folder: Path) -> Path:
    """The loaded tables (datasets and their rejects) copied into a private
    database file, closed: it is then opened read-only on its own."""
    path = folder / "snapshot.duckdb"
    database = source.execute("SELECT current_database()").fetchall()[0][0]
    tables = [t for (t,) in source.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' ORDER BY table_name").fetchall()]
    alias = "privacylib_adhoc_snapshot"
    # ATTACH takes no parameter; the path is our own temporary folder's, quoted.
    source.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS {alias}")
    try:
        for table in tables:
            name = quote_ident(table)
            source.execute(f"CREATE TABLE {alias}.main.{name} AS "
                           f"SELECT * FROM {quote_ident(database)}.main.{name}")
    finally:
        source.execute(f"DETACH {alias}")
    return path


def _read_only(path: Path, tz: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=True, config={
        "enable_external_access": False, "python_enable_replacements": False,
        "memory_limit": "1GB"})
    # Times shown in the policy's zone, as the findings' evidence shows them.
    con.execute("SET TimeZone = $tz", {"tz": tz})
    install_macros(con)  # TEMP macros (local_day, in_period…), as the controls have them
    con.execute("SET lock_configuration = true")
    return con


@dataclass
class SqlSession:
    """Ad hoc SQL over one audit's data: masked, read-only, recorded when unmasked."""

    con: duckdb.DuckDBPyConnection
    masker: Masker
    # Where unmasked results are recorded, and the run they are views of.
    store: str | None = None
    run_id: str | None = None

    @classmethod
    def over(cls, source: duckdb.DuckDBPyConnection, masker: Masker, *, tz: str,
             store: str | None = None, run_id: str | None = None) -> SqlSession:
        """A session over a snapshot of `source`'s loaded tables, taken now."""
        folder = Path(tempfile.mkdtemp(prefix="privacylib-sql-"))  # private: 0700
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        try:
            con = _read_only(_snapshot(source, folder), tz)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        session = cls(con, masker, store, run_id)
        weakref.finalize(session, _close, con, folder)
        return session

    def query(self, sql: str, params: Params = None, *, unmasked: bool = False,
              reason: str = "", max_rows: int = MAX_ROWS) -> pd.DataFrame:
        """The result of one read-only statement, masked unless `unmasked`
        (which needs a `reason`, recorded in the store with the query)."""
        if unmasked and self.masker.enabled:  # refused before anything runs
            if not reason.strip():
                raise UsageError("unmasked results need a reason",
                                 hint='audit.sql(..., unmasked=True, reason="why"); it is '
                                      "recorded with your user name")
            if not self.store:
                raise UsageError("unmasked results need an audit store to record them in",
                                 hint="give the audit a store (the `store` parameter)")
        cursor = self._execute(sql, params)
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchmany(max_rows + 1)
        if len(rows) > max_rows:
            raise UsageError(f"the query returns more than {max_rows:,} rows",
                             hint="aggregate, or add a LIMIT")
        if unmasked or not self.masker.enabled:
            if unmasked and self.masker.enabled:
                record_view(self.store, run_id=self.run_id, kind="ad hoc sql",
                            subject=_described(sql, params), reason=reason)
            return pd.DataFrame(rows, columns=names)
        return mask_rows(self.masker, names, rows)

    def _execute(self, sql: str, params: Params) -> duckdb.DuckDBPyConnection:
        try:
            statements = self.con.extract_statements(sql)
            for statement in statements:
                statement.type  # noqa: B018 - raises ValueError for a type Python cannot name
        except duckdb.Error as exc:
            raise QueryFailed(f"the query is not valid SQL: {self._masked(exc)}") from None
        except ValueError:  # a statement type the Python API has no name for (UPDATE EXTENSIONS)
            raise QueryRefused("a statement of an unknown type (not SELECT) is refused",
                               statement="unknown", hint=f"write {ALLOWED_WORDS}") from None
        refuse_unless_read_only(statements)
        try:
            return self.con.execute(sql, params if params is not None else [])
        except duckdb.PermissionException as exc:
            raise QueryRefused(f"the query reaches outside the audit's data: "
                               f"{self._masked(exc)}", statement="SELECT",
                               hint="only the loaded tables can be read here (SHOW TABLES)"
                               ) from None
        except duckdb.Error as exc:
            raise QueryFailed(f"the query failed: {self._masked(exc)}") from None

    def _masked(self, exc: Exception) -> str:
        # DuckDB quotes the failing value (a customer id that is no number…).
        text = " ".join(str(exc).split())[:500]
        return self.masker.text(text) if self.masker.enabled else text

    def close(self) -> None:
        self.con.close()


def refuse_unless_read_only(statements: Sequence[Any]) -> None:
    """QueryRefused, naming the statement type, unless this is one SELECT."""
    types = [s.type.name for s in statements]
    if len(statements) != 1:
        raise QueryRefused(f"{len(statements)} statements given ({', '.join(types) or 'none'})"
                           f"; one at a time", statements=types,
                           hint=f"write {ALLOWED_WORDS}")
    if statements[0].type not in ALLOWED:
        raise QueryRefused(f"{types[0]} statements are refused: ad hoc SQL only reads",
                           statement=types[0],
                           hint=f"write {ALLOWED_WORDS}; nothing here can change the "
                                "audit's data or its store")


def mask_rows(masker: Masker, names: list[str], rows: list[tuple]) -> pd.DataFrame:
    """Every cell through the masker, as its column and its content ask, and
    every column name."""
    # The row's columns tell a person's `name` from a system's (masker.dataset_of).
    row = dict.fromkeys(names)
    masked = [tuple(mask_cell(masker, names[i], v, row) for i, v in enumerate(values))
              for values in rows]
    return pd.DataFrame(masked, columns=[masker.text(n) for n in names])


def mask_cell(masker: Masker, column: str | None, value: Any, row: dict | None = None) -> Any:
    """One value, masked whatever its type: a mobile number or a customer id
    can come back as a number, inside a list or a struct."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        if (column or "").strip().lower() in AMBIGUOUS_NAME_HEADERS and (
                dataset_of(frozenset(row or ())) is None):
            # A `name` of no known dataset (SHOW TABLES, a join): every person's
            # name the data holds is masked wherever it is (masker.names), and
            # a table's or a system's name stays readable.
            return masker.text(value)
        return masker.value(column, value, row)
    if isinstance(value, dict):
        return {k: mask_cell(masker, k, v, value) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_cell(masker, column, v, row) for v in value]
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    masked = masker.value(column, text, row)
    # A number or a date that holds no identifier stays the value it is.
    return value if masked == text else masked


def _described(sql: str, params: Params) -> str:
    """What was looked at, for the record of unmasked views: the query and its values."""
    if not params:
        return sql.strip()
    values = dict(params) if isinstance(params, Mapping) else list(params)
    return f"{sql.strip()}\n-- parameters: {json.dumps(values, ensure_ascii=False, default=str)}"


def _close(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    con.close()
    shutil.rmtree(folder, ignore_errors=True)


