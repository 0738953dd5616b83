"""%%sql parameters are recognised outside DuckDB's literals only: text in
'…', E'…', $$…$$ and $tag$…$tag$ is left exactly as typed, and DuckDB reads
the rewritten query as the analyst meant it."""

from __future__ import annotations

import duckdb
import pytest

from privacylib.audit.magic import parameters

# (cell, the names it binds): each `{a}`, `$b`, `:c` below is inside a literal,
# a quoted name or a comment; `{x}`, `$y` are parameters.
CASES = [
    ("SELECT $$ {a} $b :c it's $$ AS t, {x}", ["x"]),
    ("SELECT $tag$ {a} $$ $b $tag$ AS t, $y", ["y"]),
    ("SELECT $q$ {a} $q$ AS t, $tag$ $b $tag$ AS u, {x}", ["x"]),
    ("SELECT E'it\\'s {a} $b :c' AS t, {x}", ["x"]),
    ("SELECT e'\\\\' AS t, {x}, E'{a}''$b' AS u", ["x"]),
    ("SELECT '{a} $b :c' AS t, 'it''s {a}' AS u, \"{a}\", $y FROM (SELECT 1 AS \"{a}\")",
     ["y"]),
    ("SELECT 'x' LIKE'%{a}%' AS t, {x}", ["x"]),  # LIKE' is no E-string
    ("SELECT 1 AS price$usd, $y", ["y"]),  # a $ inside a name
    ("SELECT {x} -- {a} $b\n/* $b {a} */ , $y", ["x", "y"]),
    ("SELECT {'k': {x}} AS s, $y::INTEGER AS n", ["x", "y"]),
]


@pytest.mark.parametrize(("cell", "names"), CASES, ids=[c[0][:40] for c in CASES])
def test_only_parameters_outside_literals_are_bound(cell: str, names: list[str]) -> None:
    query, bound = parameters(cell)
    assert bound == names
    assert query == cell.replace("{x}", "$x")  # every literal exactly as typed
    con = duckdb.connect()
    values = {"x": 1, "y": 2}
    found = con.execute(query, {n: values[n] for n in bound}).fetchall()
    expected = con.execute(cell.replace("{x}", "1").replace("$y", "2")).fetchall()
    assert found == expected


def test_an_unterminated_literal_or_comment_binds_nothing_after_it() -> None:
    for cell in ("SELECT '{a} $b", "SELECT $$ {a}", "SELECT E'\\' {a}", "SELECT /* {a}"):
        query, bound = parameters(cell)
        assert (query, bound) == (cell, [])
