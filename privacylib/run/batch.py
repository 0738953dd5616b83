"""`privacy-audit batch`: many audits from one YAML file, in parallel processes.

    defaults: {data: exports, lang: zh}        # shared by every run
    runs:                                      # a list of parameter sets,
      - {period: 2026-09}
    matrix:                                    # and/or every combination
      period: [2026-10, 2026-11]
      scope: [department=客服中心, system=crm]
    out: runs                                  # where run folders go
    workers: 2                                 # parallel processes
    store: runs/audit-store.duckdb             # the audit store (default: OUT/audit-store.duckdb)
    signing_key: keys/signing.key              # (default: as for `run`)
    fail_on: critical                          # exit 4 on open findings this grave
    controls_dir: controls                     # the company's own controls, for every run
    engine: spark                              # where the controls run (default duckdb)
    spark_master: spark://head:7077            # with engine spark (default local[2])
    spark_reads: access_log                    # with engine spark: what Spark reads itself

Paths are relative to the YAML file, and taken literally. The whole file is
checked before any run starts, and each run is resolved then, once
(batchfile.py): a run audits with the policy the batch was checked with.
One failing run does not stop the others; a worker process that dies (killed,
out of memory) stops the batch, and each run it leaves unfinished is reported
failed.

History is by period (runner.py): the runs of one scope run one after the
other, earliest period first, so each is recorded before the next compares
with it; scopes run in parallel. `workers: 1` and `workers: 4` give the same
history.

With `engine: spark` each worker process starts its own Spark driver: on
one machine (local[N]) keep `workers: 1`; a cluster master shares the work.

Data read by several runs is loaded once (intake/cache.py): before the runs
start, each distinct data folder, policy and mapping that two or more runs
share is loaded into a private temporary folder, removed when the batch
ends; each run hashes its inputs as a run does (the manifest's hashes) and
starts from the kept load only when those hashes are the ones it was made
of. Otherwise it loads the data itself.

SIGTERM or Ctrl-C stops the batch, its workers and their kernels; a batch
killed outright is seen gone by its workers, and its private folder removed
by the next batch (run/stopping.py). The workers' and their kernels'
temporary files (a kernel's copy of the data) are in that folder too.

Each worker process keeps one notebook kernel for all its runs (run/kernel.py
`ServingKernel`): a run after the first costs its own work, not a kernel's
start and the audit's imports. (Starting the kernels while the batch loads
its data gained nothing: on two cores the load slowed by as much.)
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import shutil
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from privacylib.audit.verdict import ExitCode, check_fail_on
from privacylib.config.params import ResolvedConfig
from privacylib.errors import PrivacyLibError
from privacylib.intake.cache import load_key, told_of, write_load
from privacylib.run.batchfile import Batch, load_batch, parameter_sets
from privacylib.run.kernel import KernelSupply
from privacylib.run.runner import NOTEBOOK, execute_run, folder_name, prepare_run, verdict
from privacylib.run.stopping import (
    on_stop,
    private_folder,
    stop_workers,
    stopped_by_signals,
    sweep_stale_folders,
    worker_start,
)
from privacylib.trail.manifest import RunRecord, file_entries

__all__ = ["Batch", "Outcome", "load_batch", "parameter_sets", "run_batch"]


@dataclass(frozen=True)
class Outcome:
    name: str
    # done, findings (at or above fail_on), incomplete, or failed.
    status: str
    # The run folder and its outcome counts, or what went wrong.
    detail: str
    seconds: float
    # What `privacy-audit run` would have exited with (audit/verdict.py).
    code: ExitCode = ExitCode.OK


STATUS = {ExitCode.OK: "done", ExitCode.FINDINGS: "findings",
          ExitCode.INCOMPLETE: "incomplete"}


def _one(resolved_json: str, out: Path, signing_key: Path | None,
         fail_on: str | None, loads: dict[str, str], kernels: KernelSupply) -> Outcome:
    started = time.perf_counter()
    # JSON across the process boundary: the canonical form, and it pickles.
    resolved = ResolvedConfig.from_json(resolved_json)
    config = resolved.config
    try:
        record = prepare_run(resolved, out)  # the inputs hashed, as the manifest has them
        with told_of(*kept_load_for(record, loads)):
            try:
                folder = execute_run(record, out, signing_key=signing_key,
                                     kernel=kernels.get())
            except BaseException:
                kernels.discard()  # what the failed notebook left is not for the next run
                raise
        found = verdict(folder)
        code = found.exit_code(fail_on)
        return Outcome(folder_name(config), STATUS[code], f"{folder}  {found.line()}",
                       time.perf_counter() - started, code)
    except Exception as exc:  # one failure must not stop the others; it is reported
        message = exc.message if isinstance(exc, PrivacyLibError) else repr(exc)
        code = ExitCode(exc.exit_code) if isinstance(exc, PrivacyLibError) else ExitCode.FAILED
        return Outcome(folder_name(config), "failed", message, time.perf_counter() - started,
                       code)


def kept_load_for(record: RunRecord, loads: dict[str, str]) -> tuple[Path | None, str]:
    """(the kept load of the run's inputs as hashed for its manifest, or None
    when a file changed since the batch loaded it; the key of those inputs)."""
    resolved = record.resolved
    key = load_key(resolved.config.data, [e for e in record.inputs if e["role"] == "data"],
                   resolved.policy_sha256, resolved.mapping_sha256)
    kept = loads.get(key)
    return (Path(kept) if kept else None), key


# The kernel of this worker process (in the batch's own process: None).
_WORKER_KERNELS: KernelSupply | None = None


def _worker_kernels() -> KernelSupply:
    global _WORKER_KERNELS
    if _WORKER_KERNELS is None:
        _WORKER_KERNELS = KernelSupply(str(NOTEBOOK.parent))
        # A pool's worker leaves through os._exit, which runs no atexit
        # handler, only multiprocessing's finalizers. (A worker killed
        # outright leaves its kernel, which exits when it sees its parent gone.)
        multiprocessing.util.Finalize(None, _WORKER_KERNELS.close, exitpriority=10)
        on_stop(_WORKER_KERNELS.kill)  # a stopped worker kills it at once
    return _WORKER_KERNELS


def _worker_one(config: str, out: Path, signing_key: Path | None, fail_on: str | None,
                loads: dict[str, str]) -> Outcome:
    return _one(config, out, signing_key, fail_on, loads, _worker_kernels())


# Said of each run a dead worker process took with it: the pool stops all its
# workers then, so which run killed it cannot be told.
LOST = ("its worker process ended before the run was reported (killed, or out of memory?), "
        "and the batch stopped; a run cut short publishes nothing: run it again")
NOT_STARTED = "not started: the batch stopped when a worker process ended; run it again"


def _lost(config: str, why: str) -> Outcome:
    name = folder_name(ResolvedConfig.from_json(config).config)
    return Outcome(name, "failed", why, 0.0, ExitCode.FAILED)


def shared_loads(configs: list[ResolvedConfig], root: Path) -> dict[str, str]:
    """Each load two or more runs would make alike, made once into ROOT:
    {key: folder}. A load that fails is left to its runs, which report it."""
    by_key: dict[str, list[ResolvedConfig]] = {}
    hashed: dict[str, list[dict[str, Any]]] = {}
    for resolved in configs:
        if resolved.config.spark_datasets:
            continue  # its log is Spark's to read: a load of it here would go unused
        data = resolved.config.data
        if data not in hashed:
            hashed[data] = file_entries(Path(data))
        key = load_key(data, hashed[data], resolved.policy_sha256, resolved.mapping_sha256)
        by_key.setdefault(key, []).append(resolved)
    loads = {}
    for key, runs in by_key.items():
        if len(runs) < 2:
            continue  # a load of its own costs that run no more than a kept one
        data = runs[0].config.data
        try:
            folder = write_load(root, key, runs[0])
            if file_entries(Path(data)) != hashed[data]:  # changed while it was read
                shutil.rmtree(folder)
                continue
            loads[key] = str(folder)
        except Exception as exc:  # the runs load it themselves, and say what failed
            print(f"note: {len(runs)} runs of {data} each load it: it could "
                  f"not be loaded once for all ({type(exc).__name__})", file=sys.stderr)
    return loads


def by_scope(configs: list[ResolvedConfig]) -> list[list[ResolvedConfig]]:
    """The runs grouped by store and scope, each group in period order."""
    groups: dict[str, list[ResolvedConfig]] = {}
    for resolved in configs:
        config = resolved.config
        groups.setdefault(f"{config.store}\0{config.scope or ''}", []).append(resolved)
    return [sorted(group, key=lambda r: (r.period.start, r.period.end))
            for group in groups.values()]


def run_batch(path: str | Path, *, progress: bool | None = None,
              fail_on: str | None = None) -> list[Outcome]:
    """Every run of the batch file; `fail_on` overrides the file's."""
    batch = load_batch(path)
    fail_on = check_fail_on(fail_on) or batch.fail_on
    sweep_stale_folders()
    root = None
    with stopped_by_signals():
        try:
            root = private_folder()
            loads = shared_loads(batch.configs, root)
            outcomes = _in_pool(batch, (batch.out, batch.signing_key, fail_on, loads), progress,
                                root)
        finally:
            if root is not None:
                shutil.rmtree(root, ignore_errors=True)
    return sorted(outcomes, key=lambda o: o.name)


def _in_pool(batch: Batch, args: tuple, progress: bool | None, root: Path) -> list[Outcome]:
    # Spawned, not forked: the shared loads started DuckDB's threads here,
    # and a child forked from a process with threads may inherit a held
    # lock (a worker crashed in nbconvert's HTML parser, forked under
    # pytest-xdist's I/O thread).
    pool = ProcessPoolExecutor(max_workers=batch.workers, initializer=worker_start,
                               initargs=(os.getpid(), str(root)),
                               mp_context=multiprocessing.get_context("spawn"))
    try:
        with tqdm(total=len(batch.configs), unit="run", desc="audits",
                  disable=None if progress is None else not progress) as bar:
            groups = [[r.to_json() for r in group] for group in by_scope(batch.configs)]
            outcomes = _run_groups(pool, groups, args, bar)
    except BaseException:  # stopped (a signal) or broken: its runs under way end too
        stop_workers(pool)
        raise
    pool.shutdown()
    return outcomes


def _run_groups(pool: ProcessPoolExecutor, groups: list[list[str]], args: tuple,
                bar: tqdm) -> list[Outcome]:
    """Each group's runs one after the other (a run starts once the one before
    it is recorded), the groups side by side. A worker process that dies (a
    kill, the kernel's out-of-memory killer) breaks the pool: every run it
    leaves unfinished is reported failed, in words, never as a traceback."""
    outcomes: list[Outcome] = []
    pending: dict[Future, tuple[int, int]] = {}

    def submit(g: int, i: int) -> None:
        try:
            pending[pool.submit(_worker_one, groups[g][i], *args)] = (g, i)
        except BrokenProcessPool:
            outcomes.extend(_lost(c, NOT_STARTED) for c in groups[g][i:])

    for g in range(len(groups)):
        submit(g, 0)
    while pending:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            g, i = pending.pop(future)
            try:
                outcomes.append(future.result())
            except BrokenProcessPool:
                outcomes += [_lost(groups[g][i], LOST),
                             *(_lost(c, NOT_STARTED) for c in groups[g][i + 1:])]
                continue
            bar.update(1)
            if i + 1 < len(groups[g]):
                submit(g, i + 1)
    return outcomes
