"""Datasets that Spark read itself (spark/intake.py), in a Spark audit.

The controls read each dataset as a temporary view of its name; a dataset
Spark read is that DataFrame, narrowed to the audit's scope in Spark, instead
of DuckDB's table handed over as Arrow. What the engine prepares from such a
dataset before the controls (the scope's check, the consent uses, the time
warnings) is prepared from the DataFrame too, by the engine's own functions:
they ask their DuckDB SQL of `SparkQueries`, which runs it in Spark.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp

from privacylib.controls.scope import Scope, _check_scope, narrowed
from privacylib.controls.uses import USES, prepare_uses
from privacylib.intake.plausibility import time_warnings
from privacylib.spark.transpile import to_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from privacylib.config.period import Period
    from privacylib.intake.ingest import LoadResult

# The unscoped dataset, for what reads `main.<dataset>` (the scope's check, times).
WHOLE = "{}__whole"


class SparkQueries:
    """Just enough of a DuckDB connection for the engine's preparation: one
    statement's DuckDB SQL run in Spark (`execute`, `fetchall`), a
    `CREATE … TEMP TABLE x AS SELECT` kept as the temporary view x.
    `main.x` names the dataset as loaded, `scoped.x` (or x) as scoped."""

    def __init__(self, spark: SparkSession, whole: set[str]) -> None:
        self.spark, self.whole = spark, whole
        self.rows: list[tuple] = []

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> SparkQueries:
        tree = sqlglot.parse_one(sql, read="duckdb")
        for table in tree.find_all(exp.Table):
            schema, name = table.db, table.name
            if schema == "main" and name in self.whole:
                name = WHOLE.format(name)
            table.replace(exp.to_table(name).as_(table.alias) if table.alias
                          else exp.to_table(name))
        made = tree if isinstance(tree, exp.Create) else None
        query = made.expression if made is not None else tree
        text = to_spark(query.sql(dialect="duckdb"))
        used = {k: v for k, v in (params or {}).items() if re.search(rf":{k}\b", text)}
        frame = self.spark.sql(text, args=used)
        if made is not None:
            frame.createOrReplaceTempView(made.this.name)
            self.rows = []
        else:
            self.rows = [tuple(r) for r in frame.collect()]
        return self

    def fetchall(self) -> list[tuple]:
        return self.rows


def publish_frames(spark: SparkSession, loaded: LoadResult, period: Period,
                   scope: Scope | None, frames: dict[str, DataFrame],
                   prepared: tuple[str, ...]) -> set[str]:
    """Register each DataFrame of `frames` as the controls' view of its
    dataset (after DuckDB's other datasets are published), and prepare from
    it what prepare_run prepared from DuckDB's. Returns the prepared tables
    now made in Spark (not to be handed over from DuckDB)."""
    if not frames:
        return set()
    queries = SparkQueries(spark, set(frames))
    for name, frame in frames.items():
        frame.createOrReplaceTempView(WHOLE.format(name))
        frame.createOrReplaceTempView(name)
    log = frames.get("access_log")
    if scope is not None and log is not None:
        _check_scope(queries, scope)  # type: ignore[arg-type]
        queries.execute(f"CREATE TEMP TABLE access_log AS {narrowed(scope)}",
                        {"value": scope.value})
    for name in frames:
        d = loaded.datasets[name]
        d.period_warnings = time_warnings(queries, name, d, period)  # type: ignore[arg-type]
    made = set()
    if USES in prepared and log is not None:
        prepare_uses(queries, period)  # type: ignore[arg-type]
        made.add(USES)
    return made
