"""The analyst's own questions: ad hoc SQL over an audit's data, masked like the report.

`audit.sql("SELECT …", params)` (audit/run.py) and the `%%sql` cell magic
(audit/magic.py) both come here. Two promises:

Masked by default, at the source. The session queries a copy of the loaded
tables whose identifiers were masked while copying (audit/snapshot.py):
customer ids are the report's pseudonyms (joins on customer_id still work),
ID numbers, mobiles, e-mails, cards and names are masked as the report masks
them, inside free text too. Whatever a query computes (string_agg, reverse,
hex, a mobile times ten), it computes from masked values. A raw customer id
given as a parameter is bound as its pseudonym, so `customer_id = $c` still
finds the customer. Every cell of the result then goes through the masker
too (the second net: a column of no known kind, a name typed into a query),
and so do column names (`SELECT 1 AS "13812345678"`). Unmasked results need
a reason and are recorded in the audit store, like the explorer's unmasked
views (trail/access.py); they run on a second, raw copy, made only when the
first unmasked query is asked (most sessions never hold raw values on disk).
An audit run unmasked (--no-mask, recorded then) has one raw copy.

Read-only. Nothing typed here can change the audit's data or its store, or
reach outside it. Three walls, each enough against most attacks:
1. the statement is parsed by DuckDB and refused unless it is exactly one
   SELECT (WITH …, FROM …, VALUES, DESCRIBE, SHOW and SUMMARIZE are SELECTs to
   DuckDB); COPY, ATTACH, INSTALL, LOAD, SET, PRAGMA, CREATE, INSERT, EXPORT,
   CALL, EXPLAIN and a second statement are refused by name (QueryRefused);
2. it runs on a snapshot of the loaded tables, a private database file opened
   read-only, not on the audit's connection: DuckDB itself refuses every write
   (the folder of a kernel killed before it could remove it is removed by the
   next session: snapshot.sweep);
3. that connection has external access disabled (no file, no URL, no
   extension: read_csv('/etc/passwd'), glob(), COPY … TO, ATTACH are
   permission errors), Python replacement scans off (a DataFrame of the
   kernel is not a table), and its configuration locked, so no SET can undo it.
Values are bound parameters (`$name` or `?`), never pasted into the text.
"""

from __future__ import annotations

import json
import re
import shutil
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from privacylib.audit import snapshot
from privacylib.errors import UsageError
from privacylib.masking.masker import AMBIGUOUS_NAME_HEADERS, CUSTOMER_KEYS, Masker, dataset_of
from privacylib.trail.access import record_view

# The statement types that only read: DuckDB parses WITH, FROM-first, VALUES,
# DESCRIBE, SHOW and SUMMARIZE into SELECT.
ALLOWED = frozenset({duckdb.StatementType.SELECT})
ALLOWED_WORDS = "one SELECT (WITH …, FROM …, VALUES, DESCRIBE, SHOW or SUMMARIZE)"
# A result is masked cell by cell in Python: past this, aggregate or LIMIT.
MAX_ROWS = 100_000
# What Masker.pseudonym makes: the masked snapshot's customer ids already are.
PSEUDONYM = re.compile(r"CU-[0-9a-f]{12}")
Params = Mapping[str, Any] | Sequence[Any] | None


class QueryRefused(UsageError):
    """A statement that could change data or reach outside the audit: refused unrun."""


class QueryFailed(UsageError):
    """DuckDB could not parse or run the query (its message masked)."""


@dataclass
class SqlSession:
    """Ad hoc SQL over one audit's data: masked, read-only, recorded when unmasked."""

    # The snapshot queried: masked, unless the masker is off (then raw).
    con: duckdb.DuckDBPyConnection
    masker: Masker
    # Where unmasked results are recorded, and the run they are views of.
    store: str | None = None
    run_id: str | None = None
    # The private folder of the snapshots, and what a raw one is copied from.
    folder: Path | None = None
    source: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)
    tz: str = "UTC"
    # Raw customer ids of the data: a parameter that is one is bound as its pseudonym.
    customer_ids: frozenset[str] = field(default=frozenset(), repr=False)
    # Every connection opened, closed with the session (or when it is collected).
    _open: list[duckdb.DuckDBPyConnection] = field(default_factory=list, repr=False)
    _raw: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)
    _finalizer: weakref.finalize | None = field(default=None, repr=False)

    @classmethod
    def over(cls, source: duckdb.DuckDBPyConnection, masker: Masker, *, tz: str,
             store: str | None = None, run_id: str | None = None) -> SqlSession:
        """A session over a snapshot of `source`'s loaded tables, taken now:
        masked while copying unless `masker` is off."""
        folder = snapshot.private_folder()
        opened: list[duckdb.DuckDBPyConnection] = []
        try:
            path = folder / ("masked.duckdb" if masker.enabled else "raw.duckdb")
            ids = snapshot.copy(source, path, masker if masker.enabled else None)
            opened.append(snapshot.open_read_only(path, tz))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        session = cls(opened[0], masker, store, run_id, folder, source, tz, frozenset(ids),
                      opened)
        # Also at exit (weakref.finalize runs then); a killed kernel's folder
        # is removed by the next session (snapshot.sweep).
        session._finalizer = weakref.finalize(session, _close, opened, folder)
        return session

    def query(self, sql: str, params: Params = None, *, unmasked: bool = False,
              reason: str = "", max_rows: int = MAX_ROWS) -> pd.DataFrame:
        """The result of one read-only statement, masked unless `unmasked`
        (which needs a `reason`, recorded in the store with the query)."""
        raw = unmasked and self.masker.enabled
        if raw:  # refused before anything runs
            if not reason.strip():
                raise UsageError("unmasked results need a reason",
                                 hint='audit.sql(..., unmasked=True, reason="why"); it is '
                                      "recorded with your user name")
            if not self.store:
                raise UsageError("unmasked results need an audit store to record them in",
                                 hint="give the audit a store (the `store` parameter)")
        con = self._raw_snapshot() if raw else self.con
        cursor = self._execute(con, sql, params if raw else self._bound(params))
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchmany(max_rows + 1)
        if len(rows) > max_rows:
            raise UsageError(f"the query returns more than {max_rows:,} rows",
                             hint="aggregate, or add a LIMIT")
        if raw:
            record_view(self.store, run_id=self.run_id, kind="ad hoc sql",
                        subject=_described(sql, params), reason=reason)
        if unmasked or not self.masker.enabled:
            return pd.DataFrame(rows, columns=names)
        return mask_rows(self.masker, names, rows)

    def _raw_snapshot(self) -> duckdb.DuckDBPyConnection:
        """The raw copy, made at the first unmasked query (a reason given)."""
        if self._raw is None:
            if self.source is None or self.folder is None:
                raise UsageError("this ad hoc SQL session has no raw data to show",
                                 hint="run the query masked")
            path = self.folder / "raw.duckdb"
            try:
                snapshot.copy(self.source, path, None)
            except duckdb.Error as exc:  # the audit's connection closed meanwhile
                path.unlink(missing_ok=True)
                raise UsageError(f"the audit's data can no longer be copied: {exc}",
                                 hint="run the audit again") from None
            self._raw = snapshot.open_read_only(path, self.tz)
            self._open.append(self._raw)
        return self._raw

    def _bound(self, params: Params) -> Params:
        """Raw customer ids among the parameters, as their pseudonyms: the
        masked snapshot holds those (a list's items too)."""
        def swap(value: Any) -> Any:
            if isinstance(value, str) and value in self.customer_ids:
                return self.masker.pseudonym(value)
            return [swap(v) for v in value] if isinstance(value, list | tuple) else value

        if not params or not self.customer_ids:
            return params
        if isinstance(params, Mapping):
            return {k: swap(v) for k, v in params.items()}
        return [swap(v) for v in params]

    def _execute(self, con: duckdb.DuckDBPyConnection, sql: str,
                 params: Params) -> duckdb.DuckDBPyConnection:
        try:
            statements = con.extract_statements(sql)
            for statement in statements:
                statement.type  # noqa: B018 - raises ValueError for a type Python cannot name
        except duckdb.Error as exc:
            raise QueryFailed(f"the query is not valid SQL: {self._masked(exc)}") from None
        except ValueError:  # a statement type the Python API has no name for (UPDATE EXTENSIONS)
            raise QueryRefused("a statement of an unknown type (not SELECT) is refused",
                               statement="unknown", hint=f"write {ALLOWED_WORDS}") from None
        refuse_unless_read_only(statements)
        try:
            return con.execute(sql, params if params is not None else [])
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
        if self._finalizer is not None:
            self._finalizer()  # runs once: not again when collected or at exit
        else:
            _close(self._open, self.folder)


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
        header = (column or "").strip().lower()
        if header in CUSTOMER_KEYS and PSEUDONYM.fullmatch(value):
            return value  # pseudonymised in the snapshot: once is the report's
        if header in AMBIGUOUS_NAME_HEADERS and (
                dataset_of(frozenset(row or ())) is None):
            # A `name` of no known dataset (SHOW TABLES, a join): every person's
            # name the data holds is masked wherever it is (masker.names), and
            # a table's or a system's name stays readable.
            return masker.text(value)
        return masker.value(column, value, row)
    if isinstance(value, dict):
        # A STRUCT's keys are its field names; a MAP's are data (map([手机号], [1])).
        return {mask_cell(masker, None, k): mask_cell(masker, k if isinstance(k, str) else None,
                                                      v, value) for k, v in value.items()}
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


def _close(opened: list[duckdb.DuckDBPyConnection], folder: Path | None) -> None:
    for con in opened:
        con.close()
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
