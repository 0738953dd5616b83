"""The shared macros of macros.sql, for Spark SQL.

DuckDB installs macros.sql on its connection; Spark has no macros that take
an instant and a zone name the way DuckDB's do, so the Spark engine expands
each call in the control's syntax tree (sqlglot) into the Spark expression
below before the query is written out as Spark SQL. Expansion is exactly what
DuckDB does with a macro (it is inlined before planning), so the parameters
the control passes ($tz, $period_start...) stay bound parameters.

Every macro of macros.sql has its Spark body here; `test_every_macro_has_a_
spark_body` fails when macros.sql gains one that this file does not know.

Instants are Spark TIMESTAMPs (an instant, shown in the session zone). The
local wall-clock time of an instant in zone `tz` is
`convert_timezone(current_timezone(), tz, CAST(ts AS TIMESTAMP_NTZ))`: the
cast takes the session zone's wall clock, convert_timezone moves it to `tz`;
it holds whatever the session zone is (the engine sets it to the policy's).
"""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import exp

# Spark bodies of the macros of macros.sql; the arguments are the macro's own names.
SPARK_MACROS: dict[str, tuple[tuple[str, ...], str]] = {
    "local_ts": (("ts", "tz"),
                 "convert_timezone(current_timezone(), tz, CAST(ts AS TIMESTAMP_NTZ))"),
    "local_day": (("ts", "tz"), "CAST(local_ts(ts, tz) AS DATE)"),
    "local_text": (("ts", "tz"), "date_format(local_ts(ts, tz), 'yyyy-MM-dd HH:mm:ss')"),
    "local_minute_text": (("ts", "tz"), "date_format(local_ts(ts, tz), 'yyyy-MM-dd HH:mm')"),
    "local_day_text": (("ts", "tz"), "date_format(local_ts(ts, tz), 'yyyy-MM-dd')"),
    "in_period": (("ts", "period_start", "period_end"),
                  "ts >= period_start AND ts < period_end"),
    # n hours as exactly n * 3600 seconds, fractions kept. Not make_dt_interval:
    # Spark normalises it to days, and adds days to an instant in the session
    # zone (a DST change makes a day 23 or 25 hours); an interval of seconds
    # alone is added exactly (tests/spark: the macros around New York's DST).
    "to_hours": (("n",), "make_interval(0, 0, 0, 0, 0, 0, CAST((n) * 3600 AS DECIMAL(18, 6)))"),
    "exact_days": (("n",), "to_hours(24 * (n))"),
    "in_last_days": (("ts", "as_of", "n"), "ts > as_of - exact_days(n) AND ts <= as_of"),
    "valid_at": (("ts", "valid_from", "valid_to"),
                 "(valid_from IS NULL OR valid_from <= ts) "
                 "AND (valid_to IS NULL OR ts < valid_to)"),
    "consent_active_at": (("ts", "granted_at", "withdrawn_at"),
                          "granted_at <= ts AND (withdrawn_at IS NULL OR ts < withdrawn_at)"),
    # The key of the period's clock (controls/clock.py), published to Spark as
    # it is in DuckDB; the cast truncates as DuckDB's // does (sqlglot writes
    # Spark's `div` back as `/`, a fraction).
    "period_minute": (("ts", "period_start"),
                      "CAST((unix_micros(ts) - unix_micros(period_start)) / 60000000 AS BIGINT)"),
    # The clock's offset is a DuckDB device against the cost of ICU per row;
    # Spark's own conversion is the same local time, so it is used as it is.
    "local_ts_by": (("ts", "utc_offset", "tz"), "local_ts(ts, tz)"),
    # DuckDB's timezone(tz, ts): the population counts call it directly.
    "timezone": (("tz", "ts"), "local_ts(ts, tz)"),
}


@cache
def _body(name: str) -> exp.Expression:
    return sqlglot.parse_one(SPARK_MACROS[name][1], read="spark")


def _call_name(node: exp.Expression) -> str | None:
    """The macro a node calls, if any: sqlglot reads unknown functions as Anonymous."""
    if isinstance(node, exp.Anonymous) and str(node.this).lower() in SPARK_MACROS:
        return str(node.this).lower()
    return None


def expand_macros(tree: exp.Expression) -> exp.Expression:
    """The tree with every macro call replaced by its Spark body, arguments
    substituted (in parentheses, as a macro's are); nested calls too."""
    def expand(node: exp.Expression) -> exp.Expression:
        name = _call_name(node)
        if name is None:
            return node
        params, _ = SPARK_MACROS[name]
        args = list(node.expressions)
        if len(args) != len(params):
            raise ValueError(f"{name}() takes {len(params)} arguments, not {len(args)}")
        values = dict(zip(params, args, strict=True))

        def substitute(inner: exp.Expression) -> exp.Expression:
            if isinstance(inner, exp.Column) and not inner.table and inner.name in values:
                return exp.Paren(this=values[inner.name].copy())
            return inner

        body = _body(name).copy().transform(substitute)
        return exp.Paren(this=expand_macros(body))

    return tree.transform(expand)
