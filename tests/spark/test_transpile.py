"""The control files as Spark SQL: each rewrite of transpile.py, and why.

No Spark session here (sqlglot only): fast, and run without Java.
"""

from __future__ import annotations

import re

import pytest

pytest.importorskip("sqlglot")

from privacylib.controls.catalog import load_catalog
from privacylib.controls.macros import macro_names
from privacylib.spark.macros import SPARK_MACROS, expand_macros
from privacylib.spark.transpile import to_spark
from privacylib.spark.variants import VARIANTS_DIR, variants


def test_every_macro_has_a_spark_body() -> None:
    assert set(macro_names()) <= set(SPARK_MACROS), "macros.sql has a macro Spark does not know"


@pytest.mark.parametrize("control", load_catalog(), ids=lambda c: c.id)
def test_every_control_transpiles_with_its_parameters_bound_not_pasted(control) -> None:
    query, count = to_spark(control.sql), to_spark(control.population.count_sql)
    for sql, names in ((query, control.parameters), (count, control.population.parameters)):
        assert set(re.findall(r":([a-z_]+)\b", sql)) >= names
        assert "$" not in sql and "MATERIALIZED" not in sql
    # No DuckDB-only word is left for Spark to trip on (or, worse, to read otherwise).
    for word in (*(f"{m}(" for m in macro_names()), "TIMEZONE(", "UNIX_TIMESTAMP(", " FOR "):
        assert not re.search(rf"(?<!\w){re.escape(word.upper())}", query.upper()), word


def test_macros_expand_with_their_arguments_in_parentheses() -> None:
    import sqlglot

    tree = sqlglot.parse_one("SELECT in_last_days(t.x, $as_of, a + 1) FROM t", read="duckdb")
    sql = expand_macros(tree).sql("spark")
    # n = a + 1 must stay one number: 24 * (a + 1), not 24 * a + 1.
    assert "24 * (((a + 1)))" in sql.replace("`", "") and ":as_of" in sql


@pytest.mark.parametrize(("duckdb", "spark", "why"), [
    ("isodow(x)", "EXTRACT(DAYOFWEEK_ISO FROM", "Monday 1..Sunday 7 (sqlglot's formula is off)"),
    ("list(e ORDER BY e.ts)[1:200]", "SLICE(", "the first 200, in order"),
    ("list(e ORDER BY e.ts)", "ARRAY_SORT(COLLECT_LIST(STRUCT(", "collect_list has no order"),
    ("list(e ORDER BY e.ts)", "CASE WHEN COUNT(*) = 0 THEN NULL", "DuckDB's list of nothing"),
    ("epoch(x)", "CAST(UNIX_MICROS(", "seconds with their fraction"),
    ("epoch(x) // 86400", "/ 86400", "DuckDB's // on a DOUBLE divides"),
    ("CAST(x AS TIME) < $s", "DATE_FORMAT(", "Spark has no TIME to compare"),
    ("len(l.events)", "SIZE(", "a list's length, not a text's"),
    ("[c.w FOR c IN k.cs IF c.g <= x]", "TRANSFORM(FILTER(", "a comprehension"),
    ("TIMESTAMPTZ '-infinity'", "0001-01-01", "Spark has no infinite instant"),
    ("to_json({'a': x})", "'ignoreNullFields', 'false'", "DuckDB keeps null fields"),
])
def test_a_duckdb_word_spark_would_read_otherwise_is_rewritten(duckdb: str, spark: str,
                                                              why: str) -> None:
    sql = to_spark(f"SELECT {duckdb} AS v FROM t AS e").replace("`", "")
    assert spark in sql.upper() if spark.isupper() else spark in sql, why


def test_a_table_alias_as_a_value_is_the_whole_row() -> None:
    sql = to_spark("SELECT to_json({'event': a}) AS v FROM access_log a").replace("`", "")
    assert "STRUCT(a.*) AS event" in sql


def test_every_variant_says_why_and_is_for_a_control() -> None:
    ids = {c.id for c in load_catalog()}
    for control_id, (why, sql) in variants().items():
        assert control_id in ids, f"{VARIANTS_DIR}/{control_id}.sql is no control's variant"
        assert len(why) > 40 and "subject_id" in sql and "evidence" in sql, control_id
