"""The DuckDB session the controls run in, set up and put back.

The controls rely on three things of their session, and nothing else may rely
on them afterwards:

- the shared macros (macros.sql): installed, and left installed: they are pure
  functions, TEMP to this connection; code outside the controls that wants them
  calls `install_macros` itself rather than counting on a run having happened;
- TimeZone = the policy's zone: the evidence JSON (`to_json` of TIMESTAMPTZ
  values) shows times in the policy's zone. Everything a control computes in
  local time goes through the macros with $tz and does not depend on it;
- schema = `scoped`: the controls name datasets unqualified (`FROM access_log`)
  and read the audit's scope (engine.prepare_scope).

On leaving, TimeZone and the search path are what they were before. The
`scoped` schema itself stays: the audit's access-by-hour table (audit/run.py)
and the explorer's actor list (explore/widgets.py) read `scoped.access_log`,
qualified, after the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from privacylib.controls.macros import install_macros

# The schema of views the controls read: every dataset, the access log scoped.
AUDIT_SCHEMA = "scoped"


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
    return str(con.execute("SELECT current_setting($name)", {"name": name}).fetchall()[0][0])


@contextmanager
def session_for_controls(con: duckdb.DuckDBPyConnection,
                         tz: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """Within: the macros installed, TimeZone = tz, unqualified names read `scoped`.

    The engine runs its controls inside this; the zone name was checked when
    the policy was loaded. TimeZone and search path are restored on exit, even
    when a control failed.
    """
    install_macros(con)
    before = {name: _setting(con, name) for name in ("TimeZone", "search_path")}
    try:
        con.execute("SET TimeZone = $tz", {"tz": tz})
        con.execute("SET search_path = $path", {"path": AUDIT_SCHEMA})
        yield con
    finally:
        con.execute("SET search_path = $path", {"path": before["search_path"]})
        con.execute("SET TimeZone = $tz", {"tz": before["TimeZone"]})
