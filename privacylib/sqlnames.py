"""SQL names: a table or column name made safe to write into a DuckDB statement.

Values always go to DuckDB as parameters; names cannot, so they are quoted here.
"""

from __future__ import annotations


def quote_ident(name: str) -> str:
    """A DuckDB identifier, whatever characters the name holds."""
    return '"' + name.replace('"', '""') + '"'
