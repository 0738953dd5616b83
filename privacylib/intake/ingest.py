"""Loading a data folder into DuckDB: every dataset of the contract.

For each dataset, in the contract's order:
  1. discover its files (a file named after it, or a folder of files);
  2. open each file raw and match its header to the contract;
  3. read every file, typed, into a staging table (one streaming pass each);
  4. split the staging table into the loaded table and its rejects
     (unreadable values, empty or repeated keys, malformed lines).
A dataset that cannot be loaded is recorded as `error` and the others go on;
`rows read = rows loaded + rows rejected + rows filtered` holds for every
dataset (filtered: by a keep/drop rule of mapping.yaml).
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
from tqdm.auto import tqdm

from privacylib.config.mapping import DatasetMapping, Mapping, load_mapping
from privacylib.config.policy import Policy
from privacylib.contract import DATASETS, Dataset
from privacylib.errors import DataError, UsageError
from privacylib.intake.connection import connect
from privacylib.intake.headers import Resolution, resolve
from privacylib.intake.idquality import check_identifiers
from privacylib.intake.literal import literal_files, unlinked
from privacylib.intake.plausibility import measure_time_ranges
from privacylib.intake.presets import source_gaps
from privacylib.intake.readers import READERS, FileLines, RawSource, Scope, SourceFile
from privacylib.intake.readers.csv import each_file
from privacylib.intake.rejects import BOOKKEEPING, enum_warnings, finalize, fix_lines
from privacylib.intake.schema import stage_columns, typed_select
from privacylib.intake.sources import discover
from privacylib.intake.staging import insert_per_file, insert_scan
from privacylib.sqlnames import quote_ident

__all__ = ["DatasetLoad", "LoadResult", "connect", "load"]  # connect: its old home
# What DuckDB raises for a bad file (as opposed to a bug in our SQL, which must surface).
_DATA_ERRORS = (duckdb.InvalidInputException, duckdb.ConversionException, duckdb.IOException)


@dataclass
class DatasetLoad:
    """What happened to one dataset; one row of data_quality.csv."""

    dataset: str
    # loaded, absent or error.
    status: str
    files: list[str] = field(default_factory=list)
    format: str = ""
    encodings: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    # Rows a keep/drop rule of the mapping left out, per rule ("keep (eventName)": n).
    filtered: dict[str, int] = field(default_factory=dict)
    # Optional contract columns the source did not have (loaded as nulls).
    missing_columns: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    # Things worth a look that do not stop the load (unknown enumeration values…).
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    # Earliest and latest value of the dataset's main timestamp among loaded
    # rows (None when it has none): tells a wrong year or period at a glance.
    earliest: datetime | None = None
    latest: datetime | None = None
    # Warnings about the time range against the audited period (set by the
    # engine, which knows the period): a log of another year or month.
    period_warnings: list[str] = field(default_factory=list)

    @property
    def rows_filtered(self) -> int:
        return sum(self.filtered.values())

    @property
    def all_rejected(self) -> bool:
        """Rows were read and none could be used: every control reading it is blind."""
        return self.status == "loaded" and self.rows_read > 0 and self.rows_loaded == 0


@dataclass
class LoadResult:
    con: duckdb.DuckDBPyConnection
    data_dir: Path
    policy: Policy
    mapping: Mapping
    datasets: dict[str, DatasetLoad]

    @property
    def ok(self) -> bool:
        return all(d.status != "error" for d in self.datasets.values())

    def present(self, name: str) -> bool:
        return self.datasets[name].status == "loaded"




# Inputs up to this size load into memory: a small company's many short
# statements run about a quarter faster there than in a database file, whose
# compression only pays off for a large log (docs/benchmarks.md).
IN_MEMORY_BYTES = 32 * 1024 * 1024


def _input_bytes(found: dict[str, list[SourceFile]]) -> int:
    size = 0
    for files in found.values():
        for f in files:
            with contextlib.suppress(OSError):  # a vanished file is the reader's to report
                size += f.path.stat().st_size
    return size


def _discover(data_dir: Path, mapping: Mapping,
              ) -> tuple[dict[str, list[SourceFile]], dict[str, DatasetLoad]]:
    """Every dataset's files; and the datasets whose files cannot be told (error)."""
    found: dict[str, list[SourceFile]] = {}
    errors: dict[str, DatasetLoad] = {}
    for ds in DATASETS:
        try:
            found[ds.name] = discover(data_dir, ds.name, mapping.for_dataset(ds.name).source_name)
        except DataError as exc:
            found[ds.name] = []
            errors[ds.name] = DatasetLoad(ds.name, "error", error=str(exc))
    return found, errors


def loads_in_memory(data_dir: str | Path, mapping: Mapping) -> bool:
    """Whether `load` keeps this data folder in memory (not in a database file)."""
    return _input_bytes(_discover(Path(data_dir), mapping)[0]) <= IN_MEMORY_BYTES


def load(data_dir: str | Path, *, policy: Policy | None = None, mapping: Mapping | None = None,
         con: duckdb.DuckDBPyConnection | None = None, progress: bool | None = None,
         skip: frozenset[str] = frozenset()) -> LoadResult:
    """Load every dataset of the contract found in `data_dir` into DuckDB.

    `skip`: datasets another engine reads (spark/intake.py); here they are
    empty tables and an `error` DatasetLoad, until the caller puts that
    engine's load in its place (never a quiet, empty "loaded")."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise UsageError(f"data folder {data_dir} does not exist or is not a folder",
                         hint="pass the folder that holds access_log.csv, consents.csv, …")
    policy = policy or Policy()
    mapping = mapping if mapping is not None else load_mapping(None, data_dir)
    found, results = _discover(data_dir, mapping)
    total = sum(len(f) for f in found.values())
    if not total and not results:  # an audit of nothing must not look complete
        files = sorted(p.name for p in data_dir.iterdir() if not p.name.startswith("."))
        raise DataError(
            f"no dataset of the data contract was found in {data_dir}"
            + (f" (it holds: {', '.join(files[:10])}{', …' if len(files) > 10 else ''})"
               if files else " (it is empty)"), file=str(data_dir),
            hint="name each file or folder after its dataset (access_log.csv, consents.csv, "
                 "access_log/…: see docs/data-contract.md)")
    kept = {name: files for name, files in found.items() if name not in skip}
    con = con or connect(":memory:" if _input_bytes(kept) <= IN_MEMORY_BYTES else None)
    with tempfile.TemporaryDirectory(prefix="privacylib-") as tmp, \
            tqdm(total=total, unit="file", desc="loading", leave=False,
                 disable=None if progress is None else not progress) as bar:
        for ds in DATASETS:
            if ds.name in skip:
                results[ds.name] = DatasetLoad(ds.name, "error",
                                               error="left to another engine, not read")
            if ds.name in results:
                _create_empty(con, ds)
                continue
            results[ds.name] = _load_dataset(con, ds, found[ds.name], mapping.for_dataset(ds.name),
                                             policy, Path(tmp), bar)
    measure_time_ranges(con, results)
    check_identifiers(con, results)
    return LoadResult(con, data_dir, policy, mapping, results)


def _create_empty(con: duckdb.DuckDBPyConnection, ds: Dataset) -> None:
    """Absent datasets still exist as empty tables, so SQL can name them."""
    cols = [c for c in stage_columns(ds, [])
            if c[0] not in BOOKKEEPING]
    ddl = ", ".join(f"{quote_ident(n)} {t}" for n, t in cols)
    con.execute(f"CREATE OR REPLACE TABLE {quote_ident(ds.name)} ({ddl})")
    rej = ", ".join(f"{quote_ident(n)} VARCHAR" for n in
                    ("_source_file", "_source_line", "_reject_column", "_reject_reason",
                     *ds.column_names, "_raw_line"))
    con.execute(f"CREATE OR REPLACE TABLE {quote_ident(ds.name + '__rejects')} ({rej})")


def _raw_sources(scope: Scope, ds: Dataset, files: list[SourceFile]) -> list[RawSource]:
    """Group a dataset's files into scans: files with the same columns are read together."""
    try:
        return READERS[files[0].format].read(scope, files)
    except _DATA_ERRORS as exc:
        raise DataError(f"dataset {ds.name} cannot be read: {exc}", dataset=ds.name,
                        hint="check that each file is complete and in the format its name says",
                        ) from exc


def _load_dataset(con: duckdb.DuckDBPyConnection, ds: Dataset, files: list[SourceFile],
                  m: DatasetMapping, policy: Policy, tmp: Path, bar: tqdm) -> DatasetLoad:
    _create_empty(con, ds)
    if not files:
        return DatasetLoad(ds.name, "absent")
    result = DatasetLoad(ds.name, "loaded", files=[f.name for f in files],
                         format=files[0].format)
    links: dict[str, str] = {}
    stage = quote_ident(f"_stage_{ds.name}")
    scope, reader = Scope(con, ds.name, m, tmp), READERS[files[0].format]
    try:
        files, links = literal_files(files, tmp)
        sources, resolutions = _match_headers(scope, ds, _raw_sources(scope, ds, files), m)
        extras = list(dict.fromkeys(e for r in resolutions for e in r.extras))
        ddl = ", ".join(f"{quote_ident(n)} {t}" for n, t in stage_columns(ds, extras))
        con.execute(f"CREATE OR REPLACE TABLE {stage} ({ddl})")
        # Lines rejected before or by the scan, and how rows get their line.
        malformed: list[tuple] = []
        numbering: list[FileLines] = []
        for raw, res in zip(sources, resolutions, strict=True):
            bar.set_postfix_str(f"{ds.name} ({len(raw.files)} file(s))", refresh=False)
            try:
                if raw.csv:
                    jobs = [(*typed_select(ds, one, res, extras, m, policy.timezone), one.csv[0])
                            for one in each_file(raw)]
                    found, lines = insert_per_file(con, stage, jobs, bar, tmp)
                    malformed += found
                    numbering += lines
                    continue
                sql, params = typed_select(ds, raw, res, extras, m, policy.timezone)
                insert_scan(con, stage, sql, params, bar, len(raw.files))
                malformed += raw.rejects
                numbering += raw.lines
            except _DATA_ERRORS as exc:
                raise DataError(f"dataset {ds.name} cannot be read: {exc}", dataset=ds.name,
                                hint="check the files' format; for CSV, the quoting") from exc
        fix_lines(con, stage, numbering)
        if m.key_from_position:  # the line is known only now
            key = quote_ident(ds.key[0])
            con.execute(f"UPDATE {stage} SET {key} = _source_file || ':' || _source_line")
        result.encodings = sorted({e for r in sources for e in r.encodings})
        found_cols = {c for r in resolutions for c in r.contract}
        result.missing_columns = [c for c in ds.column_names if c not in found_cols]
        result.extra_columns = extras
        result.rows_read, result.rows_loaded, result.rows_rejected, result.filtered = finalize(
            con, ds, stage, extras, malformed)
        result.warnings = [*source_gaps(m),
                           *dict.fromkeys(w for r in resolutions for w in r.warnings),
                           *(w for r in sources for w in r.warnings),
                           *_filter_note(result), *enum_warnings(con, ds)]
    except DataError as exc:
        con.execute(f"DROP TABLE IF EXISTS {stage}")
        _create_empty(con, ds)
        return DatasetLoad(ds.name, "error", files=result.files, format=result.format,
                           error=unlinked(str(exc), links))
    finally:
        if reader.release:
            reader.release(scope, files)
    return result


def _filter_note(result: DatasetLoad) -> list[str]:
    """data_quality.csv has no column for filtered rows: its warnings say them."""
    if not result.filtered:
        return []
    rules = ", ".join(f"{rule} {n:,}" for rule, n in result.filtered.items())
    return [f"filtered by mapping.yaml: {result.rows_filtered:,} row(s) ({rules}); rows read "
            f"{result.rows_read:,} = loaded {result.rows_loaded:,} + rejected "
            f"{result.rows_rejected:,} + filtered {result.rows_filtered:,}"]


def _match_headers(scope: Scope, ds: Dataset, sources: list[RawSource], m: DatasetMapping,
                   ) -> tuple[list[RawSource], list[Resolution]]:
    """Match every scan's header; report the problems of all files at once."""
    resolutions, problems = [], []
    for raw in sources:
        res = resolve(ds, raw.names, m)
        explain = READERS[raw.files[0].format].explain
        if res.problems and explain:
            # "required column missing (columns found: (none))" says nothing
            # useful about a file that is no file of its format (one JSON document).
            found = explain(scope, raw.files[0])
            if found:
                raise DataError(found[0], dataset=ds.name, file=raw.files[0].name,
                                hint=found[1])
        where = raw.files[0].name + (f" (and {len(raw.files) - 1} more with the same columns)"
                                     if len(raw.files) > 1 else "")
        problems += [f"{where}: {p}" for p in res.problems]
        resolutions.append(res)
    if problems:
        shown = "\n    ".join(problems[:10])
        more = f"\n    … and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise DataError(f"dataset {ds.name} cannot be loaded:\n    {shown}{more}",
                        dataset=ds.name)
    return sources, resolutions
