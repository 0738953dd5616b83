"""A control's DuckDB SQL as Spark SQL: sqlglot, the macros, and the few
DuckDB words sqlglot does not carry over faithfully.

The .sql files stay the one source of each control. sqlglot (read duckdb,
write spark) does most of it; the rewrites below fix what it would change the
meaning of, each for a reason a test shows (tests/spark/test_transpile.py):

- a table alias used as a value (`to_json({'event': a})`, `list(e ...)`,
  `any_value(s)`) is the whole row in DuckDB: `struct(a.*)` in Spark;
- `list(x ORDER BY k)` keeps its order: sqlglot drops it (collect_list has
  none), so the list is collected as structs of (k..., x), sorted, unwrapped;
- `x[1:n]` is a slice of the first n: `slice(x, 1, n)`;
- `epoch(t)` is seconds with their fraction (unix_timestamp drops it);
- `//` on DuckDB's DOUBLE (epoch differences, the only use) divides;
- `isodow` is Monday=1..Sunday=7 (sqlglot's dayofweek formula is off by one);
- `len(list)` is size; a list comprehension is filter + transform;
- `CAST(t AS TIME)`: Spark has no time of day to compare, so the time as
  'HH:mm:ss.SSSSSS' text, compared with the business hours bound as that text;
- `AS MATERIALIZED` is a DuckDB planning hint: dropped;
- to_json writes instants as DuckDB does ('2026-10-05 10:00:00+08').

Where this is not enough for a control, a Spark variant of it is in
privacylib/spark/variants/<ID>.sql (see variants.py), with the reason.
"""

from __future__ import annotations

import re
from functools import cache

import sqlglot
from sqlglot import exp

from privacylib.spark.macros import expand_macros

# DuckDB's to_json writes a TIMESTAMPTZ in the session zone as '2026-10-05 10:00:00+08'.
JSON_OPTIONS = "map('timestampFormat', 'yyyy-MM-dd HH:mm:ssx', 'ignoreNullFields', 'false')"
TIME_TEXT = "HH:mm:ss.SSSSSS"
# DuckDB's TIMESTAMPTZ '-infinity': before every instant a log can hold.
EARLIEST = "TIMESTAMP '0001-01-01 00:00:00+00:00'"


def _aliases(tree: exp.Expression) -> set[str]:
    """Names of tables, subqueries and CTEs as aliased or named in the query."""
    names = {t.alias_or_name for t in tree.find_all(exp.Table)}
    names |= {s.alias for s in tree.find_all(exp.Subquery) if s.alias}
    return names | {c.alias for c in tree.find_all(exp.CTE)}


def _row(alias: str) -> exp.Expression:
    return sqlglot.parse_one(f"struct(`{alias}`.*)", read="spark")


def _ordered_list(node: exp.ArrayAgg) -> exp.Expression:
    """list(x ORDER BY k1, k2 DESC): collect (k1, k2, x) structs, sort them
    with DuckDB's order (nulls last unless said otherwise), keep x."""
    order: exp.Order = node.this
    fields = [exp.alias_(o.this.copy(), f"k{n}") for n, o in enumerate(order.expressions)]
    value = order.this
    distinct = isinstance(value, exp.Distinct)
    if distinct:  # list(DISTINCT x ORDER BY x): sorted, then the repeats dropped
        value = value.expressions[0]
    fields.append(exp.alias_(value.copy(), "v"))
    collected = exp.func("collect_list", exp.Struct(expressions=fields))
    compare = "0"
    for n, o in reversed(list(enumerate(order.expressions))):
        less, more = ("1", "-1") if o.args.get("desc") else ("-1", "1")
        null_l, null_r = ("-1", "1") if o.args.get("nulls_first") else ("1", "-1")
        compare = (f"CASE WHEN lt.k{n} IS NULL AND rt.k{n} IS NULL THEN {compare} "
                   f"WHEN lt.k{n} IS NULL THEN {null_l} WHEN rt.k{n} IS NULL THEN {null_r} "
                   f"WHEN lt.k{n} < rt.k{n} THEN {less} WHEN lt.k{n} > rt.k{n} THEN {more} "
                   f"ELSE {compare} END")
    template = sqlglot.parse_one(f"transform(array_sort(LIST, (lt, rt) -> {compare}), st -> st.v)",
                                 read="spark")
    out = template.transform(
        lambda n: collected if isinstance(n, exp.Column) and n.name == "LIST" else n)
    return _or_null(exp.func("array_distinct", out) if distinct else out)


def _or_null(items: exp.Expression) -> exp.Expression:
    """DuckDB's list() of no rows is NULL (collect_list's is [])."""
    return sqlglot.parse_one("CASE WHEN count(*) = 0 THEN NULL ELSE ITEMS END",
                             read="spark").transform(
        lambda n: items if isinstance(n, exp.Column) and n.name == "ITEMS" else n)


def _grouped_subqueries(select: exp.Expression) -> exp.Expression:
    """In a grouped SELECT, a scalar subquery correlated on the group's key
    (A01's last training) is one value per group: DuckDB takes it as it is,
    Spark wants it in an aggregate, so it is wrapped in any_value()."""
    if not isinstance(select, exp.Select) or not select.args.get("group"):
        return select
    for projection in select.expressions:
        for sub in list(projection.find_all(exp.Subquery)):
            if sub.find_ancestor(exp.Select) is select and not sub.find_ancestor(exp.AggFunc):
                sub.replace(exp.AnyValue(this=sub.copy()))
    return select


def _rewrite(node: exp.Expression) -> exp.Expression:
    """One node of DuckDB meaning as Spark's (a pass replaces a node whole:
    its children are not visited again, so each kind has its own pass)."""
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1 and isinstance(
            node.expressions[0], exp.Slice):
        piece = node.expressions[0]
        return exp.func("slice", node.this, piece.this, _count(piece))
    if isinstance(node, exp.TimeToUnix):
        micros = exp.Cast(this=exp.func("unix_micros", node.this),
                          to=exp.DataType.build("double"))
        return exp.Paren(this=exp.Div(this=micros, expression=exp.Literal.number(1000000)))
    if isinstance(node, exp.DayOfWeekIso):
        return sqlglot.parse_one("extract(DAYOFWEEK_ISO FROM X)", read="spark").transform(
            lambda n: node.this if isinstance(n, exp.Column) and n.name == "X" else n)
    if isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.TIME:
        return exp.func("date_format", node.this, exp.Literal.string(TIME_TEXT))
    if isinstance(node, exp.Array) and len(node.expressions) == 1 and isinstance(
            node.expressions[0], exp.Comprehension):
        return _comprehension(node.expressions[0])
    if isinstance(node, exp.Cast) and node.this.is_string and node.this.name == "-infinity":
        # Spark has no infinite instant; S06 compares `since` with instants only.
        return sqlglot.parse_one(EARLIEST, read="spark")
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        node.set("materialized", None)
    return node


def _passes(tree: exp.Expression) -> exp.Expression:
    rows = _aliases(tree)
    tree = tree.transform(lambda n: _row(n.name) if isinstance(n, exp.Column)
                          and not n.table and n.name in rows else n)
    tree = tree.transform(lambda n: (_ordered_list(n) if isinstance(n.this, exp.Order)
                                     else _or_null(n)) if isinstance(n, exp.ArrayAgg) else n)
    tree = tree.transform(_grouped_subqueries)
    tree = tree.transform(lambda n: exp.Div(this=n.this, expression=n.expression)
                          if isinstance(n, exp.IntDiv) else n)
    tree = tree.transform(_rewrite)
    return tree.transform(_json_options)


def _count(piece: exp.Slice) -> exp.Expression:
    """The length of the 1-based inclusive slice [a:b]: b - a + 1."""
    start, end = piece.this, piece.expression
    if isinstance(start, exp.Literal) and isinstance(end, exp.Literal):
        return exp.Literal.number(int(end.this) - int(start.this) + 1)
    return exp.Add(this=exp.Sub(this=end.copy(), expression=start.copy()),
                   expression=exp.Literal.number(1))


def _comprehension(node: exp.Comprehension) -> exp.Expression:
    """[f(c) FOR c IN xs IF p(c)] as transform(filter(xs, c -> p(c)), c -> f(c))."""
    var = node.expression.name
    items: exp.Expression = node.args["iterator"].copy()

    def local(e: exp.Expression) -> exp.Expression:
        # Inside the lambda, c.field is a field of the lambda's variable.
        return e.copy().transform(lambda n: exp.Dot(this=exp.to_identifier(var),
                                                    expression=exp.to_identifier(n.name))
                                  if isinstance(n, exp.Column) and n.table == var else n)

    if node.args.get("condition") is not None:
        items = exp.func("filter", items, exp.Lambda(this=local(node.args["condition"]),
                                                     expressions=[exp.to_identifier(var)]))
    return exp.func("transform", items, exp.Lambda(this=local(node.this),
                                                   expressions=[exp.to_identifier(var)]))


def _json_options(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.JSONFormat) or (
            isinstance(node, exp.Anonymous) and str(node.this).lower() == "to_json"):
        args = [node.this] if isinstance(node, exp.JSONFormat) else list(node.expressions)
        options = sqlglot.parse_one(JSON_OPTIONS, read="spark")
        return exp.Anonymous(this="to_json", expressions=[a.copy() for a in args[:1]] + [options])
    return node


@cache
def to_spark(sql: str) -> str:
    """The control query (or population count) `sql`, DuckDB dialect, as
    Spark SQL with `:name` parameter markers."""
    # `len` is a list's length in the controls (text uses `length`).
    sql = re.sub(r"\blen\(", "array_length(", sql)
    tree = sqlglot.parse_one(sql, read="duckdb")
    tree = expand_macros(tree)
    return _passes(tree).sql(dialect="spark", identify=True)
