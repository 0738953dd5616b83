"""Where an audit's controls run: DuckDB, or Spark (privacylib/spark), which
gives the same AuditResult, so every stage after the controls is the same;
and, with --spark-reads, the datasets Spark reads itself (spark/reads.py),
which DuckDB holds empty: the tables an analyst's question names are told
(`tables_named`) so that a question over one of them is refused, not answered
"nothing".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from privacylib.config.params import AuditConfig
from privacylib.config.period import Period
from privacylib.controls.catalog import Control
from privacylib.controls.engine import AuditResult, Scope, run_controls
from privacylib.intake.ingest import LoadResult
from privacylib.vocab import Engine

if TYPE_CHECKING:
    from privacylib.spark.reads import SparkRead


def read_with_spark(config: AuditConfig, loaded: LoadResult) -> SparkRead:
    from privacylib.spark.reads import read_into
    from privacylib.spark.session import said_if_lost, spark_session

    with said_if_lost(config.spark_master):
        return read_into(loaded, spark_session(config.spark_master), config.spark_tables)


def run_on_engine(config: AuditConfig, loaded: LoadResult, period: Period,
                  catalog: tuple[Control, ...], spark_read: SparkRead | None) -> AuditResult:
    """The controls on the configured engine: DuckDB, or Spark (privacylib/spark),
    which gives the same AuditResult, so everything after is the same."""
    scope = Scope.parse(config.scope)
    if config.engine != Engine.SPARK:
        return run_controls(loaded, period, scope=scope, controls=catalog)
    from privacylib.spark.engine import run_controls_spark
    from privacylib.spark.session import said_if_lost, spark_session

    with said_if_lost(config.spark_master):
        if spark_read is None:
            return run_controls_spark(loaded, period, spark_session(config.spark_master),
                                      scope=scope, controls=catalog)
        result = run_controls_spark(loaded, period, spark_read.spark, scope=scope,
                                    controls=catalog, frames=spark_read.frames)
        spark_read.keep_scoped()
        return result


def session_version(config: AuditConfig) -> str:
    """The Spark version of the session the controls ran in ("" on DuckDB,
    whose version the manifest takes from the installed package)."""
    if config.engine != Engine.SPARK:
        return ""
    from privacylib.spark.session import said_if_lost, spark_session

    with said_if_lost(config.spark_master):
        return str(spark_session(config.spark_master).version)


def tables_named(con: duckdb.DuckDBPyConnection, query: str) -> set[str]:
    """The tables a query names, as DuckDB's parser reads them."""
    try:
        return set(con.get_table_names(query))  # unqualified: main.x, scoped.x are x
    except duckdb.Error:  # a query DuckDB cannot parse fails in the session, as it would
        return set()
