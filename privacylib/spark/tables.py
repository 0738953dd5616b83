"""The typed tables, handed from DuckDB to Spark.

The load stays privacylib's (intake/ingest.py): the same discovery, typing,
rejects, duplicate-key rule, source file and line and reconciliation as a
DuckDB audit, so the data quality report and rejects/ are the same. Each
dataset the controls read is then given to Spark as Arrow (`scoped`: the
access log narrowed to the audit's scope), and registered as a temporary
view of its own name, which is the name the control queries read.

This hand-over holds each table once in the driver as Arrow: it suits logs
that DuckDB loads on one machine (tens of millions of events), not a data
lake's billions; those want Spark reading the folder itself (not built yet).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import duckdb

from privacylib.controls.session import AUDIT_SCHEMA
from privacylib.spark.session import frame
from privacylib.sqlnames import quote_ident

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def publish(spark: SparkSession, con: duckdb.DuckDBPyConnection,
            names: Iterable[str]) -> dict[str, int]:
    """Register each dataset of `names` as a Spark temporary view; the rows
    handed over, per dataset."""
    counts: dict[str, int] = {}
    for name in sorted(set(names)):
        query = f"SELECT * FROM {AUDIT_SCHEMA}.{quote_ident(name)}"
        table = con.sql(query).to_arrow_table()
        frame(spark, table).createOrReplaceTempView(name)
        counts[name] = table.num_rows
    return counts


def publish_prepared(spark: SparkSession, con: duckdb.DuckDBPyConnection,
                     names: Iterable[str]) -> None:
    """Register the tables the engine prepares for a run (TEMP tables of
    DuckDB's connection: the period's clock, the consent uses) as the Spark
    temporary views the controls read by those names."""
    for name in names:
        table = con.sql(f"SELECT * FROM temp.main.{quote_ident(name)}").to_arrow_table()
        frame(spark, table).createOrReplaceTempView(name)
