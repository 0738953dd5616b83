"""A Spark audit whose access log Spark reads itself (`--spark-reads access_log`).

DuckDB loads the other datasets (`load(skip=)`: the log there is an empty
table); Spark reads the log (spark/intake.py) and its DatasetLoad takes the
place of DuckDB's; the controls read Spark's DataFrame (`frames=`). What
reads the log after the controls gets what it needs from Spark, collected to
the driver, each bounded:
- its rejects, whole, as DuckDB's `<dataset>__rejects` (rejects/ and the leak
  guard read them there);
- the distinct values masking needs (customer ids, identifier and person-name
  columns) as masking's ELSEWHERE table: an id only the log holds is masked,
  and guarded, as in a DuckDB audit;
- the events per UTC minute of the period (access_by_hour).
What cannot read it (the explorer's drill-down, ad hoc SQL) says so
(audit/run.py `Audit.require_in_duckdb`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from privacylib.intake.ingest import LoadResult
from privacylib.masking.identifiers import kind_of
from privacylib.masking.masker import CUSTOMER_KEYS, ELSEWHERE, holds_person_name
from privacylib.spark.intake import SparkDataset, read_dataset
from privacylib.sqlnames import quote_ident

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class SparkRead:
    """The datasets Spark read for one audit, and its session."""

    spark: SparkSession
    datasets: dict[str, SparkDataset]
    # Each dataset as the controls read it (scoped), kept after the run.
    scoped: dict[str, DataFrame] = field(default_factory=dict)

    @property
    def frames(self) -> dict[str, DataFrame]:
        return {name: d.table for name, d in self.datasets.items()}

    def inputs(self) -> list[dict]:
        """Every file Spark read, hashed as its task read it: {"dataset",
        "path", "sha256", "size"} (result.json and the manifest record them)."""
        return [{"dataset": name, **f} for name, d in self.datasets.items() for f in d.inputs]

    def keep_scoped(self) -> None:
        """Each dataset's view as the controls read it, fixed now: a later
        view of the same name does not change it."""
        self.scoped = {name: self.spark.table(name) for name in self.datasets}

    def minute_counts(self, name: str, start: datetime, end: datetime) -> pa.Table:
        """Events per UTC minute (m: minutes since 1970) in [start, end) of
        the scoped dataset: at most one row a minute of the period (44,640 for
        a month), whatever the size of the log."""
        from pyspark.sql import functions as F

        micros = F.unix_micros(F.col("ts"))
        frame = self.scoped.get(name, self.datasets[name].table)
        counted = (frame.where((micros >= _micros(start)) & (micros < _micros(end)))
                   .groupBy(F.floor(micros / 60_000_000).cast("long").alias("m"))
                   .agg(F.count(F.lit(1)).alias("n")))
        return counted.toArrow()


def _micros(at: datetime) -> int:
    return (at - EPOCH) // timedelta(microseconds=1)


def read_into(loaded: LoadResult, spark: SparkSession,
              tables: dict[str, str | None]) -> SparkRead:
    """Read each dataset of `tables` with Spark, from the loaded data folder
    or the catalog table named, with the folder's policy and mapping; their
    DatasetLoads replace DuckDB's placeholders in `loaded`."""
    read: dict[str, SparkDataset] = {}
    for name, table in tables.items():
        got = read_dataset(spark, loaded.data_dir, name, mapping=loaded.mapping,
                           policy=loaded.policy, table=table)
        loaded.datasets[name] = got.load
        collect_rejects(loaded.con, name, got.rejects)
        collect_values(loaded.con, name, got.table)
        read[name] = got
    return SparkRead(spark, read)


def collect_rejects(con: duckdb.DuckDBPyConnection, name: str, rejects: DataFrame) -> None:
    """Spark's rejects as DuckDB's `<name>__rejects`, typed as the loader makes
    it. All of them: what bounds them is rejects/, which writes every
    rejected row into the run folder anyway (rare by nature: a log whose
    rows are mostly rejected is a broken export, not a large audit)."""
    _store(con, quote_ident(name + "__rejects"), rejects.toArrow())


def _store(con: duckdb.DuckDBPyConnection, target: str, table: pa.Table) -> None:
    """`table` (collected from Spark) as DuckDB's table `target` (quoted)."""
    con.register("privacylib_spark_collected", table)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {target} AS "
                    "SELECT * FROM privacylib_spark_collected")
    finally:
        con.unregister("privacylib_spark_collected")


def masking_columns(name: str, columns: list[str]) -> list[str]:
    """The columns of a dataset whose values masking and the leak guard read
    (masker.known_customer_ids, known_names; leakguard raw_values)."""
    return [c for c in columns if c.strip().lower() in CUSTOMER_KEYS or kind_of(c)
            or holds_person_name(c.strip().lower(), name)]


def collect_values(con: duckdb.DuckDBPyConnection, name: str, table: DataFrame) -> None:
    """The distinct values of `table`'s masking columns, one value a row (the
    other columns null), as ELSEWHERE.<name>. Bounded by the distinct values,
    not the events: about the company's customers (a DuckDB audit holds the
    same set in the driver, and the masker holds it as a Python set anyway)."""
    from pyspark.sql import functions as F

    columns = masking_columns(name, table.columns)
    if not columns:
        return
    parts = [table.select(*[(F.col(c) if c == one else F.lit(None)).cast("string").alias(c)
                            for c in columns]).where(F.col(one).isNotNull()).distinct()
             for one in columns]
    stacked = parts[0]
    for part in parts[1:]:
        stacked = stacked.unionByName(part)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {ELSEWHERE}")
    _store(con, f"{ELSEWHERE}.{quote_ident(name)}", stacked.toArrow())
