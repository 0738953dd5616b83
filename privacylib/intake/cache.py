"""A load kept for the runs of a batch that read the same data.

What `load` produces depends on the data folder's files, the policy and the
mapping: not on the period, the scope or the language. A batch of runs over
one data folder therefore loads it once (`write_load`), and each run's
kernel starts from that load (`open_load`) instead of reading every file again.

A kept load is a folder `<key>/` holding `loaded.duckdb` (the database as
`load` left it) and `load.json` (each dataset's DatasetLoad, the key, and the
database file's SHA-256). `key` is the SHA-256 of what the load depends on:
the data folder's path, every file of it with its hash (the manifest's
input entries), the policy's and the mapping's hashes, and the versions of
privacylib and DuckDB. It is written under a temporary name and renamed when
complete, so a killed batch never leaves a folder that looks complete.

A run is told of a kept load by VAR (JSON: folder and key), set by the
batch for that run alone, after the batch has hashed the run's inputs and
found they are the ones the load was made of (the manifest records the same
hashes). The kernel then checks the folder's key and the database file's
hash, and copies the file into its own private folder: the connection it
audits over is then a writable database like the one `load` returns
(the engine's scoped schema and macros, the SQL session's snapshot, the
leak guard and the explorer see what they see after a load), and no run
can change what the next one reads. Anything amiss, and the run loads afresh.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

import privacylib
from privacylib.digests import sha256_file
from privacylib.intake.connection import connect, forget_on_close
from privacylib.intake.ingest import DatasetLoad, LoadResult, load, loads_in_memory
from privacylib.intake.plausibility import measure_time_ranges
from privacylib.sqlnames import quote_literal

if TYPE_CHECKING:
    from privacylib.config.params import ResolvedConfig

# 1: the first layout of a kept load. Another number is not used.
FORMAT = 1
VAR = "PRIVACYLIB_SHARED_LOAD"
DATABASE, META = "loaded.duckdb", "load.json"
# One line per run that started from the kept load: how a batch (and its tests)
# know the runs used it rather than loading again.
OPENED = "opened"
# Recomputed from the database on opening (a min/max per dataset): their
# Python types (date or datetime) are then exactly what `load` gives.
_MEASURED = ("earliest", "latest", "period_warnings")
# The private copy this process made of a kept load (see _private_copy).
_COPIES: list[Path] = []


def load_key(data: str | Path, data_entries: list[dict[str, Any]], policy_sha256: str,
             mapping_sha256: str) -> str:
    """The key of a load: what it depends on, hashed. `data_entries` are the
    data folder's files as the manifest lists them (path, sha256, size)."""
    files = sorted((e["path"], e["sha256"], e["size"]) for e in data_entries)
    text = json.dumps({"format": FORMAT, "data": str(Path(data).resolve()), "files": files,
                       "policy": policy_sha256, "mapping": mapping_sha256,
                       "privacylib": privacylib.__version__, "duckdb": duckdb.__version__},
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def write_load(root: Path, key: str, resolved: ResolvedConfig) -> Path:
    """Load the data of `resolved` into ROOT/KEY/ and return that folder;
    errors of the load are raised (the runs then load, and report them, themselves)."""
    data = resolved.config.data
    final = root / key
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.tmp-", dir=root))
    try:
        # A small company loads faster in memory, as a run of its own would
        # load it (ingest.py), then is copied into the file in one statement.
        small = loads_in_memory(data, resolved.mapping)
        con = connect(":memory:" if small else tmp / DATABASE)
        try:
            loaded = load(data, policy=resolved.policy, mapping=resolved.mapping, con=con,
                          progress=False)
            if small:
                _copy_to_file(con, tmp / DATABASE)
            else:
                con.execute("CHECKPOINT")  # every row in the file itself, none in a WAL
        finally:
            con.close()
        datasets = {name: {k: v for k, v in dataclasses.asdict(d).items() if k not in _MEASURED}
                    for name, d in loaded.datasets.items()}
        meta = {"format": FORMAT, "key": key, "data": str(Path(data).resolve()),
                "policy_sha256": resolved.policy_sha256,
                "mapping_sha256": resolved.mapping_sha256,
                "database_sha256": sha256_file(tmp / DATABASE), "datasets": datasets}
        (tmp / META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _copy_to_file(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Every table of the in-memory database `con` into a new database file."""
    # ATTACH takes no parameter; the path is our own private folder's, quoted.
    con.execute(f"ATTACH {quote_literal(str(path))} AS kept")
    try:
        con.execute("COPY FROM DATABASE memory TO kept")
    finally:
        con.execute("DETACH kept")


def _read_meta(folder: Path, key: str, resolved: ResolvedConfig) -> dict[str, Any] | None:
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    want = {"format": FORMAT, "key": key, "data": str(Path(resolved.config.data).resolve()),
            "policy_sha256": resolved.policy_sha256, "mapping_sha256": resolved.mapping_sha256}
    if not isinstance(meta, dict) or any(meta.get(k) != v for k, v in want.items()):
        return None
    return meta


def _private_copy(source: Path, want_sha256: str) -> Path | None:
    """The database copied into a private folder (removed at exit), hashed on
    the way: None when its bytes are not the ones the kept load wrote."""
    # A batch worker's kernel serves one run after another (run/kernel.py):
    # the last run's copy is done with, and a large log's copy is large.
    while _COPIES:
        shutil.rmtree(_COPIES.pop(), ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix="privacylib-"))
    _COPIES.append(work)
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    target, digest = work / DATABASE, hashlib.sha256()
    try:
        with source.open("rb") as src, target.open("wb") as dst:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                dst.write(chunk)
    except OSError:
        shutil.rmtree(work, ignore_errors=True)
        return None
    if digest.hexdigest() != want_sha256:
        shutil.rmtree(work, ignore_errors=True)
        return None
    return target


def open_load(folder: str | Path, key: str, resolved: ResolvedConfig) -> LoadResult | None:
    """The kept load of FOLDER as `load` would have returned it for
    `resolved`; None when it is not complete, not of `key` and `resolved`'s
    policy and mapping, or damaged."""
    folder = Path(folder)
    meta = _read_meta(folder, key, resolved)
    if meta is None:
        return None
    database = _private_copy(folder / DATABASE, str(meta.get("database_sha256")))
    if database is None:
        return None
    try:
        datasets = {name: DatasetLoad(**fields) for name, fields in meta["datasets"].items()}
        con = connect(database)
        forget_on_close(con)  # the private copy, deleted by the next run or at exit
    except (TypeError, KeyError, AttributeError, duckdb.Error):
        return None
    measure_time_ranges(con, datasets)
    with contextlib.suppress(OSError), (folder / OPENED).open("a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()}\n")
    return LoadResult(con, Path(resolved.config.data), resolved.policy, resolved.mapping,
                      datasets)


def shared_load(resolved: ResolvedConfig) -> LoadResult | None:
    """In a run's kernel: the load the batch kept for this run (VAR), or None
    (not a batch run, or the kept load cannot be used: the run loads afresh)."""
    given = os.environ.get(VAR)
    if not given:
        return None
    try:
        told = json.loads(given)
        folder, key = str(told["folder"]), str(told["key"])
    except (ValueError, KeyError, TypeError):
        return None
    return open_load(folder, key, resolved)


@contextmanager
def told_of(folder: Path | None, key: str) -> Iterator[None]:
    """Within: a run started here (its kernel inherits the environment) is
    told of the kept load in `folder`; None tells it of none."""
    before = os.environ.pop(VAR, None)
    if folder is not None:
        os.environ[VAR] = json.dumps({"folder": str(folder), "key": key})
    try:
        yield
    finally:
        os.environ.pop(VAR, None)
        if before is not None:
            os.environ[VAR] = before
