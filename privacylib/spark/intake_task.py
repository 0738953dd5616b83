"""Inside a Spark task: a dataset's files typed by privacylib's own loader.

Spark hands a task the bytes of some of a dataset's files (binaryFile). Each
file is written to a task-local data folder that holds only that file, at
the place it has in the real data folder, and loaded there with the same
mapping and policy by intake/ingest.py (`_load_dataset`): the same typing,
rejects, line numbers and in-file duplicate rule, one file at a time. What
the task yields is one Arrow schema for three kinds of row (`_kind`): the
loaded rows, the rejects (contract values as text, `r__<column>`) and one
`file` row with the file's counts (JSON in `_stats`). Extra columns travel
as a map: which a file has is known only once it is read.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType

import duckdb
import pyarrow as pa
from tqdm.auto import tqdm

from privacylib.config.mapping import DatasetMapping
from privacylib.config.policy import Policy
from privacylib.contract import BY_NAME, Dataset
from privacylib.intake.connection import connect
from privacylib.intake.ingest import DatasetLoad, _filter_note, _load_dataset
from privacylib.intake.presets import source_gaps
from privacylib.intake.readers import SourceFile
from privacylib.intake.rejects import BOOKKEEPING, enum_warnings
from privacylib.intake.schema import stage_columns
from privacylib.intake.sources import discover
from privacylib.spark.intake_files import path_key
from privacylib.sqlnames import quote_ident, quote_literal

ARROW_TYPES = {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "BOOLEAN": pa.bool_(),
               "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"), "VARCHAR[]": pa.list_(pa.string())}
EXTRAS = pa.map_(pa.string(), pa.string())
# Rows handed back to Spark at a time: a daily file's rows in one Arrow batch
# (DuckDB's default is a million) ran a 1 GB local JVM out of heap at 10M events.
BATCH_ROWS = 20_000
# A task's row ids: the partition in the high bits, a running count below.
_ROWS_PER_PARTITION = 1 << 40


def _thaw(value: object) -> object:
    """A mapping's read-only dicts as plain ones (pickle refuses a mappingproxy)."""
    if isinstance(value, MappingProxyType | dict):
        return {"__proxy__": {k: _thaw(v) for k, v in value.items()}}
    return value


def _freeze(value: object) -> object:
    if isinstance(value, dict) and "__proxy__" in value:
        return MappingProxyType({k: _freeze(v) for k, v in value["__proxy__"].items()})
    return value


@dataclass(frozen=True)
class TaskPlan:
    """What every task needs, pickled with the function: the dataset, its
    mapping and the policy, and each file's name (relative to the data
    folder, as rejects and evidence name it) by the path Spark reads."""

    dataset: str
    mapping_fields: dict
    policy: Policy
    # File address (intake_files.path_key of the raw path) -> name.
    names: dict[str, str]
    # The files' format when a table's provider says it (intake_tables.py);
    # None: told by the data folder's rules (suffix, mapping's source).
    format: str | None = None
    # File address -> the file as a load error says it (its path in a local
    # data folder, as DuckDB's load says it), in place of the task's copy.
    shown: dict[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def make(cls, dataset: str, mapping: DatasetMapping, policy: Policy,
             names: dict[str, str], fmt: str | None = None,
             shown: dict[str, str] | None = None) -> TaskPlan:
        fields = {f.name: _thaw(getattr(mapping, f.name)) for f in dataclasses.fields(mapping)}
        return cls(dataset, fields, policy, names, fmt, shown or {})

    @property
    def mapping(self) -> DatasetMapping:
        return DatasetMapping(**{k: _freeze(v) for k, v in self.mapping_fields.items()})


def typed_columns(ds: Dataset) -> list[tuple[str, str]]:
    """(name, DuckDB type) of the loaded table, without extras and bookkeeping."""
    return [c for c in stage_columns(ds, []) if c[0] not in BOOKKEEPING]


def output_columns(ds: Dataset) -> list[tuple[str, pa.DataType]]:
    """The tasks' one schema: kind, row id, source, typed values, extras,
    the reject's columns and text values, and a file's counts."""
    cols: list[tuple[str, pa.DataType]] = [("_kind", pa.string()), ("_rowid", pa.int64())]
    cols += [(n, ARROW_TYPES[t]) for n, t in typed_columns(ds)]
    cols += [("_extras", EXTRAS), ("_reject_column", pa.string()),
             ("_reject_reason", pa.string()), ("_raw_line", pa.string())]
    cols += [("r__" + c, pa.string()) for c in ds.column_names]
    cols += [("_stats", pa.string())]
    return cols


def load_files(plan: TaskPlan, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """mapInArrow's function over binaryFile batches (path, content, …)."""
    from pyspark import TaskContext

    ctx = TaskContext.get()
    next_id = (ctx.partitionId() if ctx else 0) * _ROWS_PER_PARTITION
    ds, m = BY_NAME[plan.dataset], plan.mapping
    schema = pa.schema(output_columns(ds))
    con = connect(":memory:")
    with tempfile.TemporaryDirectory(prefix="privacylib-spark-") as tmp:
        for batch in batches:
            paths = batch.column("path").to_pylist()
            for i, path in enumerate(paths):
                content = batch.column("content")[i].as_py()
                folder = Path(tmp) / f"f{next_id}"
                parts = _load_one(con, m, plan, ds, path_key(path), content, folder, next_id)
                for exprs, rows in parts:
                    next_id += rows
                    reader = con.sql(_padded(schema, exprs)).to_arrow_reader(BATCH_ROWS)
                    for chunk in reader:
                        yield chunk.cast(schema)
                next_id += 1
    con.close()


def _load_one(con: duckdb.DuckDBPyConnection, m: DatasetMapping, plan: TaskPlan, ds: Dataset,
              key: str, content: bytes, folder: Path, first_id: int,
              ) -> list[tuple[dict, int]]:
    """Load one file (by its address, path_key); the SELECTs (expressions by
    output column) that give its rows, each with the row ids it takes."""
    name = plan.names[key]
    data = folder / "data"
    # A table's file (its format known) keeps only its own name here: its
    # name in rejects is the table's, never a path to make.
    base = PurePosixPath(name).name
    target = data / name if plan.format is None else data / (
        base if base not in ("", ".", "..") else "file")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    digest = {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
    del content
    work = folder / "work"
    work.mkdir()
    if plan.format is None:
        files = discover(data, ds.name, m.source_name)
        assert [f.name for f in files] == [name], (files, name)  # the same place, the same name
    else:
        files = [SourceFile(target, name, plan.format)]
    with tqdm(disable=True) as bar:
        result = _load_dataset(con, ds, files, m, plan.policy, work, bar)
    target.unlink()
    _said_as_shown(result, str(target), plan.shown.get(key, name))
    stats = {**_stats(con, ds, m, result), **digest}
    file_row = {"_kind": "'file'", "_source_file": quote_literal(name),
                "_stats": quote_literal(json.dumps(stats))}
    if result.status != "loaded":
        return [(file_row, 0)]
    extras = _extras_map(result.extra_columns)
    table, rejects = quote_ident(ds.name), quote_ident(ds.name + "__rejects")
    row = {n: quote_ident(n) for n, _ in typed_columns(ds)}
    row |= {"_kind": "'row'", "_rowid": f"{first_id} + rowid", "_extras": extras}
    reject = {c: quote_ident(c) for c in ("_source_file", "_reject_column", "_reject_reason",
                                         "_raw_line")}
    reject |= {"r__" + c: f"CAST({quote_ident(c)} AS VARCHAR)" for c in ds.column_names}
    reject |= {"_kind": "'reject'", "_source_line": "CAST(_source_line AS BIGINT)",
               "_extras": extras}
    return [({**row, "FROM": table}, stats["rows_read"]), ({**reject, "FROM": rejects}, 0),
            (file_row, 0)]


def _said_as_shown(result: DatasetLoad, copy: str, shown: str) -> None:
    """The task's copy of the file named as the file is: a reader's message
    ("No magic bytes found at end of file '/tmp/privacylib-spark-…'") would
    differ on every run, and say a path nobody can open."""
    if result.error:
        result.error = result.error.replace(copy, shown)
    result.warnings = [w.replace(copy, shown) for w in result.warnings]


def _extras_map(extras: list[str]) -> str:
    if not extras:
        return "CAST(NULL AS MAP(VARCHAR, VARCHAR))"
    return "MAP {" + ", ".join(f"{quote_literal(e)}: CAST({quote_ident(e)} AS VARCHAR)"
                              for e in extras) + "}"


def _padded(schema: pa.Schema, exprs: dict[str, str]) -> str:
    """One SELECT in the output's column order, NULL where a kind of row has nothing."""
    cols = [f"{exprs.get(f.name, 'NULL')} AS {quote_ident(f.name)}" for f in schema]
    source = f" FROM {exprs['FROM']}" if "FROM" in exprs else ""
    return f"SELECT {', '.join(cols)}{source}"


def _stats(con: duckdb.DuckDBPyConnection, ds: Dataset, m: DatasetMapping,
           result: DatasetLoad) -> dict:
    """A file's DatasetLoad as JSON, its warnings only the header's: the
    others (the mapping's gaps, the filter note, unknown enumeration values)
    are the whole dataset's, made again once all files are in."""
    warnings = result.warnings
    if result.status == "loaded":
        head, tail = len(source_gaps(m)), len(_filter_note(result)) + len(enum_warnings(con, ds))
        warnings = warnings[head:len(warnings) - tail]
    return {"status": result.status, "error": result.error, "format": result.format,
            "encodings": result.encodings, "rows_read": result.rows_read,
            "rows_loaded": result.rows_loaded, "rows_rejected": result.rows_rejected,
            "filtered": result.filtered, "missing_columns": result.missing_columns,
            "extra_columns": result.extra_columns, "warnings": warnings}
