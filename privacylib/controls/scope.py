"""The audit's scope: one department (its staff's accesses) or one system.

A scope narrows the access log, so the event controls, to what one team or
system did; every other dataset stays whole. The controls read a schema of
views (`scoped`, session.py) in which only the access log is narrowed. A scope
value the data does not know would narrow the audit to nothing, so it is a
usage error, not an empty audit.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from privacylib.contract import DATASETS
from privacylib.controls.session import AUDIT_SCHEMA
from privacylib.errors import UsageError, suggest
from privacylib.sqlnames import quote_ident

SCOPE_KEYS = ("department", "system")


class ScopeError(UsageError):
    """A scope value the data does not hold: the audit would look at nothing."""


@dataclass(frozen=True)
class Scope:
    # What to narrow by: department (the actor's) or system (the log's).
    key: str
    # The value, compared exactly.
    value: str

    @classmethod
    def parse(cls, text: str | None) -> Scope | None:
        if not text:
            return None
        key, sep, value = text.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in SCOPE_KEYS or not value:
            raise UsageError(f"scope '{text}' is not KEY=VALUE with KEY one of "
                             f"{', '.join(SCOPE_KEYS)}", hint="e.g. --scope department=客服中心")
        return cls(key, value)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


def prepare_scope(con: duckdb.DuckDBPyConnection, scope: Scope | None) -> None:
    """The schema the controls read: every dataset, the access log narrowed.
    It outlives the run: see session.py for who reads it afterwards."""
    con.execute(f"DROP SCHEMA IF EXISTS {AUDIT_SCHEMA} CASCADE")
    con.execute(f"CREATE SCHEMA {AUDIT_SCHEMA}")
    for ds in DATASETS:
        name = quote_ident(ds.name)
        con.execute(f"CREATE VIEW {AUDIT_SCHEMA}.{name} AS SELECT * FROM main.{name}")
    if scope is None:
        return
    _check_scope(con, scope)
    con.execute(f"DROP VIEW {AUDIT_SCHEMA}.access_log")
    con.execute(f"CREATE TABLE {AUDIT_SCHEMA}.access_log AS {narrowed(scope)}",
                {"value": scope.value})


def narrowed(scope: Scope) -> str:
    """The access log's rows in `scope`, as a SELECT over `main` with `$value`
    bound to the scope's value (spark/frames.py runs it in Spark too)."""
    where = ("a.system = $value" if scope.key == "system" else
             "a.actor_id IN (SELECT actor_id FROM main.employees WHERE department = $value)")
    return f"SELECT a.* FROM main.access_log a WHERE {where}"


def _check_scope(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """A value the data does not hold (a typo) would narrow the audit to
    nothing and every event control would look at nothing: refuse it."""
    if not con.execute("SELECT count(*) FROM main.access_log").fetchall()[0][0]:
        return  # no log to narrow: the event controls say so themselves
    known_sql = ("SELECT DISTINCT department FROM main.employees WHERE department IS NOT NULL"
                 if scope.key == "department" else
                 "SELECT DISTINCT system FROM main.access_log WHERE system IS NOT NULL")
    known = sorted(r[0] for r in con.execute(known_sql).fetchall())
    if scope.value in known:
        return
    where = "employees.department" if scope.key == "department" else "access_log.system"
    shown = ", ".join(known[:20]) + (", …" if len(known) > 20 else "")
    raise ScopeError(f"scope {scope} matches nothing: no {where} is '{scope.value}'",
                     hint=(suggest(scope.value, known) + f" (known: {shown})") if known
                     else f"the data has no {where} value at all")
