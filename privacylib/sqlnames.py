"""SQL names: a table or column name made safe to write into a DuckDB statement.

Values always go to DuckDB as parameters; names cannot, so they are quoted
here, as are the few literals a statement takes no parameter for (the path
of an ATTACH).
"""

from __future__ import annotations


def quote_ident(name: str) -> str:
    """A DuckDB identifier, whatever characters the name holds."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A DuckDB string literal of `text`, for a statement that takes no parameter."""
    return "'" + text.replace("'", "''") + "'"
