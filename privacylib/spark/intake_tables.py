"""A dataset Spark reads from a table of its catalog (--spark-reads
access_log=lake.events), read through the table's data files.

The table's files are typed by the same loader as a folder's (spark/intake.py),
so a table is read only where its files hold exactly its rows and columns:
- Parquet tables (and Hive tables stored as Parquet), and JSON tables (whose
  files are JSON Lines);
- not CSV tables: their files have no header row, and the loader knows a
  column by its header;
- not Delta, Iceberg or other table formats: which rows are live is kept
  beside the files (deletion vectors, delete files), so the files alone would
  count removed rows; nor views, whose rows are a query's;
- not a partition column the dataset needs: its value is in the folder's
  name, not in the file;
- not a Parquet table whose Spark TIMESTAMP (an instant) is a timestamp of
  the dataset, unless the dataset's zone is UTC (mapping.yaml `timezone`):
  its files may hold it as UTC wall time without a zone (INT96), which the
  loader would read in the policy's zone, hours off.
Every file is named `<table>/<path under the table's location>` in rejects
and evidence, the files in sorted order, and a row's line is its place in
its file: the same table gives the same rows, lines and findings. What the
table was is recorded per file by content (spark/intake.py: its SHA-256 as
the task read it), in result.json and the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from privacylib.config.mapping import DatasetMapping
from privacylib.config.policy import Policy
from privacylib.contract import Dataset, Kind
from privacylib.errors import DataError
from privacylib.intake.headers import resolve
from privacylib.intake.readers import SourceFile
from privacylib.intake.timestamps import is_utc
from privacylib.spark.intake_files import file_key, path_key

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# A table's provider -> the loader's format of its files.
PROVIDERS = {"parquet": "parquet", "json": "jsonl"}
_WHY_NOT = {
    "csv": "a CSV table's files have no header row, which the loader reads columns by",
    "delta": "which of a Delta table's rows are live is kept beside its files",
    "iceberg": "which of an Iceberg table's rows are live is kept beside its files",
}

_INSTEAD = ("write the rows to a Parquet table (or folder) and read that, or leave out "
            "--spark-reads to have DuckDB load the data folder's copy")


@dataclass(frozen=True)
class TableFiles:
    """A table's data files, as the loader names them and as Spark reads them."""

    table: str
    format: str
    files: list[SourceFile]
    addresses: list[str]
    # Partition columns left out: their values are in folder names (extras only).
    partitions: list[str]


def table_files(spark: SparkSession, table: str, ds: Dataset, m: DatasetMapping,
                policy_zone: str | None = None) -> TableFiles:
    """The files of `table` for `ds`, or a DataError saying why it cannot be
    read (`policy_zone`: where the dataset's times without a zone are, unless
    the mapping gives its own)."""
    details = _describe(spark, table, ds)
    if not details:
        _refuse(table, ds, "Spark describes no table details of it (a temporary view?)")
    if details.get("type", "").upper() == "VIEW":
        _refuse(table, ds, "it is a view: its rows are a query's, not its files'")
    fmt = _format(details)
    if fmt is None:
        provider = details.get("provider", "unknown")
        why = _WHY_NOT.get(provider.lower(), f"its files are {provider}, which the loader "
                                             "does not read")
        _refuse(table, ds, why)
    if m.source_name is not None:
        _refuse(table, ds, f"mapping.yaml gives {ds.name} the source {m.source_name}, a "
                           "native log's format, but a table's files are its own format")
    columns = spark.catalog.listColumns(table)
    partitions = [c.name for c in columns if c.isPartition]
    needed = {n.lower() for n in [*ds.column_names, *m.source_names()]}
    lost = [p for p in partitions if p.lower() in needed]
    if lost:
        _refuse(table, ds, f"its partition column(s) {', '.join(lost)} are in its folders' "
                           "names, not in its files")
    if fmt == "parquet":
        _check_instants(table, ds, m, [c for c in columns if not c.isPartition],
                        m.timezone or policy_zone or Policy().timezone)
    # The session keeps a table's file listing from its first use: files the
    # lake gained or lost since would be silently missed, or fail to open.
    spark.catalog.refreshTable(table)
    keys = sorted(file_key(a) for a in spark.table(table).inputFiles())
    named = _own_name(table, details)
    names = [f"{named}/{_under(k, details.get('location', ''))}" for k in keys]
    files = [SourceFile(PurePosixPath(n), n, fmt) for n in names]  # type: ignore[arg-type]
    return TableFiles(named, fmt, files, keys, partitions)


def _under(key: str, location: str) -> str:
    """A file's path under the table's location. DESCRIBE shows the location
    decoded ('file:/a b%20c' is folder 'a b%20c'), the files' addresses are
    encoded: file_key would decode it twice, so the location is keyed raw, as
    it stands (path_key), and as an encoded address only if that is what the
    files lie under."""
    for spelled in (path_key(location), file_key(location)):
        base = spelled.rstrip("/") + "/"
        if location and key.startswith(base):
            return key[len(base):]
    return key  # outside its location (a partition placed elsewhere): its full address


def _own_name(table: str, details: dict[str, str]) -> str:
    """The name as given, each part spelled as the catalog spells it: the
    catalog matches names in any case, and the same table must give the same
    file names, whichever case a run's configuration wrote."""
    given = table.split(".")
    if len(given) > 3:
        return table
    own = [details.get(k, "") for k in ("catalog", "database", "table")][-len(given):]
    return ".".join(o if o.lower() == g.lower() else g for g, o in zip(given, own, strict=True))


def _check_instants(table: str, ds: Dataset, m: DatasetMapping, columns: list,
                    zone: str) -> None:
    """A Spark TIMESTAMP is an instant, which a Parquet file may hold as its
    UTC wall time without a zone (INT96, Spark's default): read as a naive
    value in the policy's zone, it would move by the zone's offset, silently.
    Read only where the dataset's zone is UTC (TIMESTAMP_NTZ is wall time,
    as a folder's naive values are)."""
    res = resolve(ds, [c.name for c in columns], m)
    moved = [c for c, pos in res.contract.items()
             if ds.column(c).kind is Kind.TIMESTAMP and columns[pos].dataType == "timestamp"]
    if moved and not is_utc(zone):
        _refuse(table, ds, f"its column(s) {', '.join(moved)} are Spark TIMESTAMPs, which its "
                           f"Parquet files may hold as UTC times without a zone, read in {zone}",
                hint=f"give {ds.name} `timezone: UTC` in mapping.yaml (its Spark TIMESTAMPs "
                     "are then read as the instants they are; its text times as UTC too)")


def _describe(spark: SparkSession, table: str, ds: Dataset) -> dict[str, str]:
    """DESCRIBE TABLE EXTENDED's table details (Type, Provider, Location…),
    keys lower-cased; the name is bound as an identifier, never pasted. The
    details follow their heading: the rows before it are the columns, which
    may well be named `type` or `location`."""
    from pyspark.errors import AnalysisException

    try:
        rows = spark.sql("DESCRIBE TABLE EXTENDED IDENTIFIER(:t)", args={"t": table}).collect()
    except AnalysisException as exc:
        raise DataError(f"dataset {ds.name}: Spark has no table {table} ({_first_line(exc)})",
                        dataset=ds.name, file=table,
                        hint="check the name (spark.catalog.listTables()) and the session's "
                             "catalog settings") from exc
    heading = next((i for i, r in enumerate(rows)
                    if str(r[0]).strip() == "# Detailed Table Information"), len(rows))
    return {str(r[0]).strip().lower(): str(r[1] or "").strip() for r in rows[heading + 1:]
            if r[0] and not str(r[0]).startswith("#")}


def _format(details: dict[str, str]) -> str | None:
    provider = details.get("provider", "").lower()
    if provider == "hive":  # a Hive table: its format is its input format's
        stored = details.get("inputformat", "").lower()
        return "parquet" if "parquet" in stored else None
    return PROVIDERS.get(provider)


def _refuse(table: str, ds: Dataset, why: str, hint: str = _INSTEAD) -> None:
    raise DataError(f"dataset {ds.name}: table {table} cannot be read: {why}",
                    dataset=ds.name, file=table, hint=hint)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
