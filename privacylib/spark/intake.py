"""A large dataset (the access log) read by Spark from the data folder.

Spark reads the dataset's files as bytes (binaryFile), so any storage Spark
reads serves; each task types its files with privacylib's own loader, in
DuckDB (spark/intake_task.py): one parser, the same typing, rejects, source
file and line. What spans files is done in Spark (spark/intake_merge.py):
the duplicate-key rule, the union of extra columns, and the dataset's
DatasetLoad, with rows read = loaded + rejected + filtered checked.

The files are found as the loader finds them (intake/sources.py `discover`):
a file named after the dataset, or a folder of files; in a local folder, or
in one that Spark lists (hdfs://, s3a://…: spark/intake_files.py); or they
are a catalog table's files (spark/intake_tables.py). The result is the
loaded table and its rejects as Spark DataFrames typed as DuckDB's
`<dataset>` and `<dataset>__rejects`, and the DatasetLoad.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from privacylib.config.mapping import DatasetMapping, Mapping, load_mapping
from privacylib.config.policy import Policy
from privacylib.contract import BY_NAME, Dataset, Kind
from privacylib.errors import DataError, UsageError
from privacylib.intake.ingest import DatasetLoad, _filter_note
from privacylib.intake.presets import source_gaps
from privacylib.intake.readers import SourceFile
from privacylib.spark.intake_files import (
    glob_escaped,
    is_uri,
    listed_files,
    listing,
    local_files,
    path_key,
    remote_mapping,
)
from privacylib.spark.intake_merge import Merged, dataset_checks, merge_duplicates
from privacylib.spark.intake_tables import table_files
from privacylib.spark.intake_task import (
    ARROW_TYPES,
    TaskPlan,
    load_files,
    output_columns,
    typed_columns,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


@dataclass
class SparkDataset:
    """A dataset read by Spark: DuckDB's two tables as DataFrames, and its load."""

    table: DataFrame
    rejects: DataFrame
    load: DatasetLoad
    # What the tasks gave and the duplicates found, kept (persisted) while
    # the two DataFrames are used.
    cached: list[DataFrame] = field(default_factory=list)
    # Each file as the tasks read it: {"path", "sha256", "size"}, in order.
    inputs: list[dict] = field(default_factory=list)

    def unpersist(self) -> None:
        for frame in self.cached:
            frame.unpersist()


def read_dataset(spark: SparkSession, data_dir: str | Path, dataset: str = "access_log", *,
                 mapping: Mapping | None = None, policy: Policy | None = None,
                 table: str | None = None) -> SparkDataset:
    """Read one dataset of `data_dir` with Spark, typed by privacylib's loader;
    or, with `table`, from that table of Spark's catalog (intake_tables.py)."""
    ds = BY_NAME.get(dataset)
    if ds is None:
        raise UsageError(f"{dataset} is no dataset of the data contract")
    _check_key(ds)
    policy = policy or Policy()
    listed = listing(spark, str(data_dir)) if is_uri(data_dir) and table is None else None
    if listed is None:
        mapping = mapping if mapping is not None else load_mapping(None, data_dir)
    else:
        mapping = remote_mapping(listed, str(data_dir), mapping)
    m = mapping.for_dataset(dataset)
    fmt, left_out = None, []
    try:
        if table is not None:
            found = table_files(spark, table, ds, m, policy.timezone)
            table = found.table  # as the catalog spells it: the same warning however typed
            files, addresses, fmt = found.files, found.addresses, found.format
            left_out = found.partitions
        elif listed is None:
            files, addresses = local_files(Path(data_dir), dataset, m.source_name)
        else:
            files, addresses = listed_files(listed, str(data_dir), dataset, m.source_name)
    except DataError as exc:
        return _empty(spark, ds, DatasetLoad(dataset, "error", error=str(exc)))
    if not files:
        return _empty(spark, ds, DatasetLoad(dataset, "absent"))
    # Where the loader would say a file is, in a load error's text: its path
    # here, as DuckDB's load says it; elsewhere, its address.
    shown = [str(f.path) for f in files] if listed is None and table is None else addresses
    parts = _read_parts(spark, ds, m, policy, files, addresses, shown, fmt)
    stats = {r["_source_file"]: json.loads(r["_stats"]) for r in
             parts.where("_kind = 'file'").select("_source_file", "_stats").collect()}
    missing = [f.name for f in files if f.name not in stats]
    if missing:  # a bug, or a storage that hid a file: never a quiet gap
        parts.unpersist()
        raise DataError(f"dataset {dataset}: Spark did not read {', '.join(missing[:5])}",
                        dataset=dataset, file=missing[0])
    per_file = [stats[f.name] for f in files]
    failed = [s for s in per_file if s["status"] != "loaded"]
    if failed:
        parts.unpersist()
        return _empty(spark, ds, DatasetLoad(dataset, "error", files=[f.name for f in files],
                                             format=files[0].format, error=failed[0]["error"]))
    extras = list(dict.fromkeys(e for s in per_file for e in s["extra_columns"]))
    merged = merge_duplicates(ds, m, parts, extras)
    result = _dataset_load(ds, m, files, per_file, merged)
    result.warnings += dataset_checks(merged.table, ds, result)
    if left_out:
        result.warnings.append(
            f"table {table}: partition column(s) {', '.join(left_out)} not read (their values "
            "are in its folders' names, not in its files)")
    inputs = [{"path": f.name, "sha256": s["sha256"], "size": s["size"]}
              for f, s in zip(files, per_file, strict=True)]
    return SparkDataset(merged.table, merged.rejects, result, [parts, *merged.cached], inputs)


def _check_key(ds: Dataset) -> None:
    """Duplicate keys are matched across files by their text in the rejects,
    which is the typed value itself only for text columns."""
    if any(ds.column(k).kind not in (Kind.TEXT, Kind.ENUM) for k in ds.key):
        raise UsageError(f"{ds.name} cannot be read by Spark yet: its key "
                         f"({', '.join(ds.key)}) is not text",
                         hint="load it with DuckDB (the default)")


def _read_parts(spark: SparkSession, ds: Dataset, m: DatasetMapping, policy: Policy,
                files: list[SourceFile], addresses: list[str], shown: list[str],
                fmt: str | None) -> DataFrame:
    """The tasks' rows (loaded, rejects, one per file), persisted: the
    counts are collected first, then the tables are made from the same rows.
    `addresses` are raw (undecoded), as binaryFile's `path` column gives
    them back to the tasks."""
    from pyspark import StorageLevel
    from pyspark.sql.pandas.types import from_arrow_schema

    keys = [path_key(a) for a in addresses]
    plan = TaskPlan.make(ds.name, m, policy,
                         {k: f.name for k, f in zip(keys, files, strict=True)}, fmt,
                         dict(zip(keys, shown, strict=True)))
    raw = spark.read.format("binaryFile").load([glob_escaped(a) for a in addresses])
    schema = from_arrow_schema(pa.schema(output_columns(ds)))
    # On disk, not in the JVM's heap: kept in memory, a 10M-event log's typed
    # rows ran a local 1 GB driver out of heap (java.lang.OutOfMemoryError).
    return raw.mapInArrow(partial(load_files, plan), schema).persist(
        StorageLevel.DISK_ONLY)


def _dataset_load(ds: Dataset, m: DatasetMapping, files: list[SourceFile], per_file: list[dict],
                  merged: Merged) -> DatasetLoad:
    """The files' counts summed, as the loader counts a whole folder."""
    filtered: dict[str, int] = {}
    for s in per_file:
        for rule, n in s["filtered"].items():
            filtered[rule] = filtered.get(rule, 0) + n
    result = DatasetLoad(
        ds.name, "loaded", files=[f.name for f in files], format=files[0].format,
        encodings=sorted({e for s in per_file for e in s["encodings"]}),
        rows_read=sum(s["rows_read"] for s in per_file),
        rows_loaded=sum(s["rows_loaded"] for s in per_file) - merged.duplicates,
        rows_rejected=sum(s["rows_rejected"] for s in per_file) + merged.duplicates,
        filtered=dict(sorted(filtered.items())),
        missing_columns=[c for c in ds.column_names
                         if all(c in s["missing_columns"] for s in per_file)],
        extra_columns=merged.extras)
    if result.rows_read != result.rows_loaded + result.rows_rejected + result.rows_filtered:
        raise AssertionError(f"{ds.name}: {result.rows_read} rows read but "
                             f"{result.rows_loaded} + {result.rows_rejected} + "
                             f"{result.rows_filtered} accounted")
    # The tables hold what the counts say (one pass over the kept rows each).
    held = (merged.table.count(), merged.rejects.count())
    if held != (result.rows_loaded, result.rows_rejected):
        raise AssertionError(f"{ds.name}: {held} rows in the tables, but the files counted "
                             f"{result.rows_loaded} loaded and {result.rows_rejected} rejected")
    result.warnings = [*source_gaps(m),
                       *dict.fromkeys(w for s in per_file for w in s["warnings"]),
                       *_filter_note(result)]
    return result


def _empty(spark: SparkSession, ds: Dataset, result: DatasetLoad) -> SparkDataset:
    """An absent or unreadable dataset: empty tables, as `_create_empty` makes them."""
    from pyspark.sql.pandas.types import from_arrow_schema

    table = pa.schema([(n, ARROW_TYPES[t]) for n, t in typed_columns(ds)])
    rejects = pa.schema([(n, pa.string()) for n in (
        "_source_file", "_source_line", "_reject_column", "_reject_reason",
        *ds.column_names, "_raw_line")])
    return SparkDataset(spark.createDataFrame([], from_arrow_schema(table)),
                        spark.createDataFrame([], from_arrow_schema(rejects)), result)
