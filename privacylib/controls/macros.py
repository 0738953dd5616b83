"""The SQL words the controls share (macros.sql), installed on a connection.

macros.sql is package data beside this module, so a built wheel carries it.
The macros are TEMP: they belong to the connection they are installed on and
are never written into a database file. Installing again replaces them, so it
is safe on a connection that already has them.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

import duckdb

_NAME = re.compile(r"CREATE OR REPLACE TEMP MACRO (\w+)\(")


@cache
def macros_sql() -> str:
    """The text of macros.sql, as shipped in the package."""
    return files("privacylib.controls").joinpath("macros.sql").read_text(encoding="utf-8")


def macro_names() -> tuple[str, ...]:
    """The macros macros.sql defines, in file order."""
    return tuple(_NAME.findall(macros_sql()))


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Define every shared macro on this connection (TEMP, replacing any earlier ones)."""
    con.execute(macros_sql())
