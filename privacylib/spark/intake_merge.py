"""Across a dataset's files, in Spark: what the loader does over the whole
folder once each file is typed (spark/intake_task.py).

- The duplicate-key rule (intake/rejects.py `_find_duplicates`): among the
  readable rows, in file-name then line order, the first row of a key is
  loaded and the later ones rejected, naming where the first came from. Each
  task has applied it inside its file; here a key loaded from several files
  keeps its first file's row, the others become rejects (their text written
  by the loader's own `_write_rejects`, in DuckDB), and a file's own
  duplicates of that key are told where the first row really is.
- Extra columns: united by name, null where a file lacks one.
- What the loader measures over the loaded table: unknown enumeration
  values, the main timestamp's range, identifier quality.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

import pyarrow as pa

from privacylib.contract import BY_NAME, Dataset, Kind
from privacylib.intake.connection import connect
from privacylib.intake.plausibility import MAIN_TIMESTAMP
from privacylib.intake.rejects import _write_rejects, enum_warning
from privacylib.masking.identifiers import check_values, kind_of

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

    from privacylib.config.mapping import DatasetMapping
    from privacylib.intake.ingest import DatasetLoad

DUPLICATE = "duplicate key: first loaded from "
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BROADCAST_ROWS = 200_000


@dataclass
class Merged:
    table: DataFrame
    rejects: DataFrame
    # Rows loaded by their file but rejected here: their key came in an earlier file.
    duplicates: int
    extras: list[str]
    # Kept (persisted) while the tables are used.
    cached: list[DataFrame] = field(default_factory=list)


def reject_columns(ds: Dataset, extras: list[str]) -> list[str]:
    """`<dataset>__rejects`'s columns, in its order."""
    return ["_source_file", "_source_line", "_reject_column", "_reject_reason",
            *ds.column_names, *extras, "_raw_line"]


def merge_duplicates(ds: Dataset, m: DatasetMapping, parts: DataFrame,
                     extras: list[str]) -> Merged:
    from pyspark.sql import functions as F

    typed = [c.name for c in ds.columns]
    spread = [F.col("_extras")[e].alias(e) for e in extras]
    rows = parts.where("_kind = 'row'").select(*typed, *spread, "_source_file",
                                               "_source_line", "_rowid")
    rejects = parts.where("_kind = 'reject'").select(
        "_source_file", "_source_line", "_reject_column", "_reject_reason",
        *[F.col("r__" + c).alias(c) for c in ds.column_names], *spread, "_raw_line")
    keep = [*typed, *extras, "_source_file", "_source_line"]
    key = list(ds.key)
    if not key or m.key_from_position:
        return Merged(rows.select(*keep), rejects, 0, extras)
    dupkeys = rows.groupBy(*key).count().where("count > 1").drop("count").persist()
    keys = dupkeys.count()
    if not keys:  # the usual case: no key in two files
        dupkeys.unpersist()
        return Merged(rows.select(*keep), rejects, 0, extras)
    # A few repeated keys (the usual trouble) join without a shuffle of the log.
    ranked = _ranked(rows, _small(dupkeys, keys), key).persist()
    later = ranked.where("_rn > 1")
    duplicates = later.count()
    dupkeys.unpersist()
    table = rows.join(_small(later.select("_rowid"), duplicates), "_rowid",
                      "left_anti").select(*keep)
    firsts = ranked.where("_rn = 1").select(*[F.col(k).alias("_k_" + k) for k in key],
                                            "_first_at")
    texts = _duplicate_rejects(ds, later, extras)
    return Merged(table, _retold(rejects, firsts, key, ds, extras).unionByName(texts),
                  duplicates, extras, [ranked])


def _small(frame: DataFrame, rows: int) -> DataFrame:
    """`frame`, sent whole to every task when it is small (Spark cannot tell
    the size of what was computed from the tasks' rows)."""
    from pyspark.sql import functions as F

    return F.broadcast(frame) if rows <= BROADCAST_ROWS else frame


def _same(left: DataFrame, right: DataFrame, key: list[str], prefix: str = "") -> Column:
    """Key equality where a null equals a null (IS NOT DISTINCT FROM)."""
    cond = None
    for k in key:
        one = left[k].eqNullSafe(right[prefix + k])
        cond = one if cond is None else cond & one
    return cond


def _ranked(rows: DataFrame, dupkeys: DataFrame, key: list[str]) -> DataFrame:
    """The rows of keys loaded from more than one file, ranked in file-name,
    line, row order, each with where its key's first row is."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    renamed = dupkeys.select(*[F.col(k).alias("_d_" + k) for k in key])
    cand = rows.join(renamed, _same(rows, renamed, key, "_d_")).drop(
        *["_d_" + k for k in key])
    w = Window.partitionBy(*key).orderBy("_source_file", "_source_line", "_rowid")
    at = F.concat(F.col("_source_file"), F.lit(":"), F.col("_source_line").cast("string"))
    return cand.withColumn("_rn", F.row_number().over(w)).withColumn(
        "_first_at", F.first(at).over(w))


def _retold(rejects: DataFrame, firsts: DataFrame, key: list[str], ds: Dataset,
            extras: list[str]) -> DataFrame:
    """A file's own duplicates of a key loaded first from an earlier file
    name that file's row (the task could only name its own)."""
    from pyspark.sql import functions as F

    is_dup = (F.col("_reject_column") == ", ".join(key)) & F.col("_reject_reason").startswith(
        DUPLICATE)
    joined = rejects.join(firsts, is_dup & _same(rejects, firsts, key, "_k_"), "left")
    reason = F.when(F.col("_first_at").isNotNull(), F.concat(F.lit(DUPLICATE),
                    F.col("_first_at"))).otherwise(F.col("_reject_reason"))
    return joined.withColumn("_reject_reason", reason).select(*reject_columns(ds, extras))


def _duplicate_rejects(ds: Dataset, later: DataFrame, extras: list[str]) -> DataFrame:
    """The rejects of rows whose key was loaded from an earlier file, their
    values as text by the loader's own `_write_rejects` (DuckDB's text of a
    timestamp, a number, a list), in each partition."""
    from pyspark.sql.pandas.types import from_arrow_schema

    cols = reject_columns(ds, extras)
    schema = pa.schema([(c, pa.int64() if c == "_source_line" else pa.string())
                        for c in cols])
    fields = [c.name for c in ds.columns] + extras
    source = later.select(*fields, "_source_file", "_source_line", "_first_at")
    return source.mapInArrow(partial(_render, ds.name, extras, schema),
                             from_arrow_schema(schema))


def _render(name: str, extras: list[str], schema: pa.Schema,
            batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    ds, con = BY_NAME[name], connect(":memory:")
    for batch in batches:
        con.register("_batch", pa.Table.from_batches([batch]))
        con.execute("CREATE OR REPLACE TABLE _stage AS SELECT *, "
                    "CAST(NULL AS VARCHAR) AS _reject FROM _batch")
        con.execute("CREATE OR REPLACE TEMP TABLE _dups AS "
                    "SELECT rowid AS row_id, _first_at AS first_at FROM _stage")
        _write_rejects(con, ds, "_stage", extras, [], True)
        table = con.sql(f'SELECT * FROM "{name}__rejects"').to_arrow_table()
        con.unregister("_batch")
        yield from table.select(schema.names).cast(schema).to_batches()
    con.close()


def dataset_checks(table: DataFrame, ds: Dataset, result: DatasetLoad) -> list[str]:
    """What `load` measures over a loaded table: the main timestamp's range
    (set on `result`), then the warnings of enum_warnings and check_identifiers."""
    if not result.rows_loaded:
        return []
    _time_range(table, ds, result)
    return [*_enum_warnings(table, ds), *_identifier_warnings(table)]


def _time_range(table: DataFrame, ds: Dataset, result: DatasetLoad) -> None:
    from pyspark.sql import functions as F

    expr = MAIN_TIMESTAMP.get(ds.name)
    if expr is None:
        return
    ts = F.expr(expr)
    low, high = table.select(F.unix_micros(F.min(ts)), F.unix_micros(F.max(ts))).first()
    result.earliest, result.latest = (None if v is None else EPOCH + timedelta(microseconds=v)
                                      for v in (low, high))


def _enum_warnings(table: DataFrame, ds: Dataset) -> list[str]:
    """As intake/rejects.py enum_warnings words them, counted by Spark."""
    from pyspark.sql import functions as F

    warnings = []
    for col in ds.columns:
        if col.kind is not Kind.ENUM or not (col.values or col.upper):
            continue
        c = F.col(col.name)
        # \A and \z: Java's $ also matches before a final line break, RE2's does not.
        outside = ~c.rlike(r"\A[A-Z]{2}\z") if col.upper else ~c.isin(list(col.values))
        found = [(r[0], r[1]) for r in table.where(c.isNotNull() & outside).groupBy(c).count()
                 .orderBy(F.col("count").desc(), c.asc()).limit(6).collect()]
        if found:
            warnings.append(enum_warning(col, found))
    return warnings


def _identifier_warnings(table: DataFrame) -> list[str]:
    """As intake/idquality.py check_identifiers words them, the values
    checked by masking/identifiers.py in each partition."""
    warnings = []
    for column in table.columns:
        kind = kind_of(column)
        if kind is None:
            continue
        schema = "checked long, failed long, by_rule string"
        found = table.select(table[column].cast("string")).mapInArrow(
            partial(_check, kind), schema).collect()
        checked, failed = sum(r[0] for r in found), sum(r[1] for r in found)
        by_rule: dict[str, int] = {}
        for r in found:
            for rule, n in json.loads(r[2]).items():
                by_rule[rule] = by_rule.get(rule, 0) + n
        if failed:
            rules = ", ".join(f"{rule} {n}" for rule, n in sorted(by_rule.items()))
            warnings.append(f"{column}: {failed} of {checked} values are "
                            f"not a valid {kind.replace('_', ' ')} ({rules})")
    return warnings


def _check(kind: str, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    q = check_values((v for b in batches for v in b.column(0).to_pylist()), kind)
    yield pa.RecordBatch.from_pydict({"checked": [q.checked], "failed": [q.failed],
                                      "by_rule": [json.dumps(q.by_rule)]})
