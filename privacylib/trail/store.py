"""The audit store: one DuckDB file that remembers every run.

It keeps each run's parameters, control outcomes and findings (masked, as
the run folder has them, with their finding_key), the findings that were
resolved since the run before, and each run's manifest hash, which the next
run's manifest names: a chain per store.

A run's findings are `new` or `open` (seen in the previous run of the same
scope: the latest published run of that scope with an earlier period, i.e.
one that ends earlier); the previous run's findings that are gone, of
controls that ran this time, are `resolved` (history.py compares).

History is decided by period, never by finish time. The notebook computes it
(its files must show it) from `previous_run`; `record_pending` computes it
again inside the transaction that records the run, and refuses a run whose
files disagree (another run of the scope was recorded meanwhile): the files
and the store never tell two stories. A batch runs each scope's periods in
order, so the two always agree there (batch.py). Of the run folder, the
store reads result.json and findings.parquet through audit/result.py, nothing else.

A run is `pending` from the moment it is recorded until its folder has its
final name, then `published`; a rerun into the same folder makes the run it
replaced `superseded`. Only published runs are compared with, charted, or
verified as current (publish.py says how a killed run is finished or undone).

DuckDB lets one process write a file, and none read it meanwhile: the runs of
a batch wait for their turn, and each holds the file for a moment only.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from privacylib.audit.result import RunResult, open_result, read_findings
from privacylib.errors import PrivacyLibError
from privacylib.trail.history import FINDING_FIELDS, PreviousRun, compare, previous_in
from privacylib.vocab import History, Outcome, Status

# Imported from here by older callers; they live in history.py.
__all__ = ["PreviousRun", "compare", "previous_in", "previous_run"]

STORE_NAME = "audit-store.duckdb"
# How long a run waits for the store while other runs write to it.
BUSY_SECONDS = 600

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY, run_id VARCHAR UNIQUE NOT NULL, scope VARCHAR NOT NULL,
    period VARCHAR, period_start TIMESTAMPTZ, period_end TIMESTAMPTZ,
    started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, folder VARCHAR, parameters JSON,
    compared_with VARCHAR, manifest_sha256 VARCHAR NOT NULL, previous_manifest_sha256 VARCHAR);
-- Stores written before publishing had steps: every run they hold was published.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS state VARCHAR DEFAULT 'published';
ALTER TABLE runs ADD COLUMN IF NOT EXISTS folder_name VARCHAR;
-- The temporary folder of a pending run, so that a killed run can be undone.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS staging VARCHAR;
CREATE TABLE IF NOT EXISTS outcomes (
    run_id VARCHAR, control_id VARCHAR, family VARCHAR, severity VARCHAR, outcome VARCHAR,
    findings INTEGER, definition_sha256 VARCHAR, checked BIGINT);
-- Stores written before `checked` existed gain it (null: not recorded).
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS checked BIGINT;
CREATE TABLE IF NOT EXISTS findings (
    run_id VARCHAR, finding_key VARCHAR, control_id VARCHAR, subject_id VARCHAR,
    severity VARCHAR, family VARCHAR, status VARCHAR, history VARCHAR);
CREATE TABLE IF NOT EXISTS resolved (
    run_id VARCHAR, finding_key VARCHAR, control_id VARCHAR, subject_id VARCHAR,
    severity VARCHAR, family VARCHAR);
CREATE TABLE IF NOT EXISTS unmasked_views (
    viewed_at TIMESTAMPTZ NOT NULL, os_user VARCHAR NOT NULL, run_id VARCHAR, kind VARCHAR NOT NULL,
    subject VARCHAR, reason VARCHAR NOT NULL);
"""
TABLES = ("runs", "outcomes", "findings", "resolved")


class StoreError(PrivacyLibError):
    """The store cannot be opened or written; the run is not complete."""

    exit_code = 1


class StoreUnreadable(StoreError):
    """The file is not an audit store, or is damaged (truncated, emptied)."""

    exit_code = 2


class HistoryConflict(StoreError):
    """The run's files compare with another run than the store would now."""


@contextlib.contextmanager
def open_store(path: str | Path, *, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    if not write and not Path(path).exists():  # it was said to be "damaged"
        raise StoreUnreadable(f"audit store {path} does not exist",
                              hint="name the store the runs were recorded in (--store)")
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            con = duckdb.connect(str(path), read_only=not write)
            break
        except duckdb.Error as exc:
            locked = "lock" in str(exc).lower()
            if locked and time.monotonic() <= deadline:
                time.sleep(0.05 + random.random() * 0.2)  # jitter: waiting runs retry apart
                continue
            if locked:
                raise StoreError(f"audit store {path} is held by another program: {exc}",
                                 hint="wait for it to finish, or close it") from exc
            raise StoreUnreadable(
                f"audit store {path} is damaged or not an audit store "
                f"({str(exc).splitlines()[0]})",
                hint="restore it from a backup, or name another --store") from exc
    try:
        if write:
            con.execute(SCHEMA)
        elif not _has_runs(con):
            raise StoreUnreadable(f"audit store {path} holds no audit runs",
                                  hint="name the store the runs were recorded in")
        yield con
    except duckdb.Error as exc:  # a file that opens but fails later: damaged, or disk full
        first = str(exc).splitlines()[0]
        if write:
            raise StoreError(f"audit store {path} cannot be written ({first})",
                             hint="free disk space, or check the file") from exc
        raise StoreUnreadable(f"audit store {path} cannot be read ({first})",
                              hint="restore it from a backup") from exc
    finally:
        con.close()


def _has_runs(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables "
                            "WHERE table_name = 'runs'").fetchone()[0])


def previous_run(path: str | Path | None, scope: str | None, period_end: Any,
                 ) -> PreviousRun | None:
    """The latest published run of this scope with an earlier period (one that
    ends earlier): a rerun of the same period is never its own predecessor."""
    if path is None or not Path(path).exists():
        return None
    try:
        with open_store(path, write=False) as con:
            return previous_in(con, scope, period_end)
    except StoreUnreadable as exc:
        if "holds no audit runs" in exc.message:
            return None
        raise


def last_manifest_hash(con: duckdb.DuckDBPyConnection) -> str | None:
    found = con.execute("SELECT manifest_sha256 FROM runs ORDER BY seq DESC LIMIT 1").fetchall()
    return found[0][0] if found else None


def record_pending(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any],
                   manifest_sha256: str, run_folder: Path, final_folder: Path) -> None:
    """One run, from its manifest and the tables of its run folder, in one
    transaction, as `pending`. Its history is computed here, against the store
    as it is now; files that say otherwise stop the run (HistoryConflict)."""
    run = manifest["run"]
    result = open_result(run_folder)
    findings = read_findings(run_folder, result)
    definitions = {c["id"]: c["definition_sha256"] for c in manifest["controls"]}
    con.execute("BEGIN")
    try:
        previous = previous_in(con, run["scope"], run["period_end"])
        history, gone = compare(findings, {c.id: c.outcome for c in result.controls}, previous)
        _same_history(run, previous, findings, history, result, gone)
        seq = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM runs").fetchone()[0]
        row = {"seq": seq, "run_id": manifest["run_id"], "scope": run["scope"] or "",
               "period": run["period"], "period_start": run["period_start"],
               "period_end": run["period_end"], "started_at": manifest["started_at"],
               "finished_at": manifest["finished_at"], "folder": str(final_folder),
               "parameters": json.dumps(manifest["parameters"], ensure_ascii=False),
               "compared_with": previous.run_id if previous else None,
               "manifest_sha256": manifest_sha256,
               "previous_manifest_sha256": manifest["previous_manifest_sha256"],
               "state": "pending", "folder_name": final_folder.name,
               "staging": str(run_folder)}
        con.execute(f"INSERT INTO runs ({', '.join(row)}) "
                    f"VALUES ({', '.join('$' + k for k in row)})", row)
        outcomes = pd.DataFrame([
            {"control_id": c.id, "family": c.family, "severity": c.severity,
             "outcome": str(c.outcome), "findings": c.findings,
             "definition_sha256": definitions[c.id], "checked": c.checked}
            for c in result.controls]).astype({"checked": "Int64"})
        _insert(con, "outcomes", manifest["run_id"], outcomes)
        _insert(con, "findings", manifest["run_id"], findings[
            list(FINDING_FIELDS)].assign(status=findings["status"], history=history))
        _insert(con, "resolved", manifest["run_id"], gone[list(FINDING_FIELDS)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _same_history(run: dict[str, Any], previous: PreviousRun | None, findings: pd.DataFrame,
                  history: pd.Series, result: RunResult, gone: pd.DataFrame) -> None:
    now = previous.run_id if previous else None
    if (result.comparison.previous_run != now
            or list(history) != list(findings["history"].fillna(""))
            or {g.finding_key for g in result.comparison.resolved} != set(gone["finding_key"])):
        raise HistoryConflict(
            f"the run of {run['period']} (scope '{run['scope']}') was compared with run "
            f"{run.get('compared_with')}, but the store's previous run is now {now}: another "
            "run of this scope was recorded while it ran",
            hint="run it again (a batch runs each scope's periods in order)")


def publish(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """The pending run's folder has its final name: it is the current run of
    that folder, and the run it replaced there is superseded."""
    con.execute("BEGIN")
    try:
        con.execute("UPDATE runs SET state = 'superseded' WHERE state = 'published' AND "
                    "folder = (SELECT folder FROM runs WHERE run_id = $id)", {"id": run_id})
        con.execute("UPDATE runs SET state = 'published', staging = NULL WHERE run_id = $id",
                    {"id": run_id})
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def discard(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Forget a run that was never published, in every table."""
    con.execute("BEGIN")
    try:
        for table in TABLES:
            con.execute(f"DELETE FROM {table} WHERE run_id = $id", {"id": run_id})
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def pending(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None, str]]:
    """(run_id, folder, staging folder, manifest hash) of each run left pending."""
    return [tuple(r) for r in con.execute(
        "SELECT run_id, folder, staging, manifest_sha256 FROM runs WHERE state = 'pending' "
        "ORDER BY seq").fetchall()]


def _insert(con: duckdb.DuckDBPyConnection, table: str, run_id: str, frame: pd.DataFrame,
            ) -> None:
    rows = frame.assign(run_id=run_id)
    columns = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
    con.register("incoming", rows[columns])
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM incoming")
    finally:
        con.unregister("incoming")


def runs(path: str | Path) -> pd.DataFrame:
    """Every run, oldest first, with its counts of outcomes and findings."""
    with open_store(path, write=False) as con:
        return con.execute("""
            SELECT r.seq, r.run_id, r.scope, r.period, r.period_start, r.finished_at,
                   count(*) FILTER (o.outcome = $fail) AS failed,
                   count(*) FILTER (o.outcome = $pass) AS passed,
                   count(*) FILTER (o.outcome = $no_data) AS no_data,
                   count(*) FILTER (o.outcome IN ($skipped, $error)) AS not_run,
                   sum(o.findings) AS findings,
                   (SELECT count(*) FROM findings f WHERE f.run_id = r.run_id
                      AND f.history = $new) AS new,
                   (SELECT count(*) FROM resolved x WHERE x.run_id = r.run_id) AS resolved,
                   (SELECT count(*) FROM findings f WHERE f.run_id = r.run_id
                      AND f.status = $excepted) AS excepted
            FROM runs r JOIN outcomes o USING (run_id) WHERE r.state = 'published'
            GROUP BY ALL ORDER BY r.seq""",
            {**{o.name.lower(): str(o) for o in Outcome}, "new": str(History.NEW),
             "excepted": str(Status.EXCEPTED)}).df()


def outcomes(path: str | Path) -> pd.DataFrame:
    """One row per run and control: outcome and findings."""
    with open_store(path, write=False) as con:
        return con.execute("""
            SELECT r.seq, r.run_id, r.scope, r.period, o.control_id, o.family, o.severity,
                   o.outcome, o.findings, o.checked
            FROM runs r JOIN outcomes o USING (run_id) WHERE r.state = 'published'
            ORDER BY r.seq, o.control_id""").df()
