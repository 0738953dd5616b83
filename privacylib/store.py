"""The audit store: one DuckDB file that remembers every run.

It keeps each run's parameters, control outcomes and findings (masked, as
the run folder has them, with their finding_key), the findings that were
resolved since the run before, and each run's manifest hash, which the next
run's manifest names: a chain per store.

A run's findings are `new` or `open` (seen in the previous run of the same
scope: the latest recorded run of that scope whose period does not end
later); the previous run's findings that are gone, of controls that ran this
time, are `resolved`. A control that could not look resolves nothing.

DuckDB lets one process write a file, and none read it meanwhile: the runs of
a batch wait for their turn, and each holds the file for a moment only.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from .errors import PrivacyLibError

STORE_NAME = "audit-store.duckdb"
# How long a run waits for the store while other runs write to it.
BUSY_SECONDS = 600

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY, run_id VARCHAR UNIQUE NOT NULL, scope VARCHAR NOT NULL,
    period VARCHAR, period_start TIMESTAMPTZ, period_end TIMESTAMPTZ,
    started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, folder VARCHAR, parameters JSON,
    compared_with VARCHAR, manifest_sha256 VARCHAR NOT NULL, previous_manifest_sha256 VARCHAR);
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
"""
FINDING_FIELDS = ("finding_key", "control_id", "subject_id", "severity", "family")


class StoreError(PrivacyLibError):
    """The store cannot be opened or written; the run is not complete."""

    exit_code = 1


@contextlib.contextmanager
def open_store(path: str | Path, *, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            con = duckdb.connect(str(path), read_only=not write)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise StoreError(f"audit store {path} cannot be opened: {exc}",
                                 hint="is another program holding it open?") from exc
            time.sleep(0.05 + random.random() * 0.2)  # jitter: runs waiting together retry apart
    try:
        if write:
            con.execute(SCHEMA)
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class PreviousRun:
    run_id: str
    period: str
    # Its findings: finding_key, control_id, subject_id, severity, family.
    findings: pd.DataFrame


def previous_run(path: str | Path | None, scope: str | None, period_end: Any,
                 ) -> PreviousRun | None:
    """The latest recorded run of this scope whose period does not end later."""
    if path is None or not Path(path).exists():
        return None
    with open_store(path, write=False) as con:
        if not con.execute("SELECT count(*) FROM information_schema.tables "
                           "WHERE table_name = 'runs'").fetchone()[0]:
            return None
        found = con.execute(
            "SELECT run_id, period FROM runs WHERE scope = $scope AND period_end <= $end "
            "ORDER BY period_end DESC, seq DESC LIMIT 1",
            {"scope": scope or "", "end": period_end}).fetchall()
        if not found:
            return None
        run_id, period = found[0]
        findings = con.execute(
            f"SELECT {', '.join(FINDING_FIELDS)} FROM findings WHERE run_id = $run "
            "ORDER BY control_id, subject_id", {"run": run_id}).df()
    return PreviousRun(run_id, period, findings)


def compare(findings: pd.DataFrame, outcomes: dict[str, str], previous: PreviousRun | None,
            ) -> tuple[pd.Series, pd.DataFrame]:
    """(history of each finding: new/open, or empty without a store; resolved findings)."""
    if previous is None:
        return pd.Series([""] * len(findings), index=findings.index, dtype=object), (
            pd.DataFrame(columns=list(FINDING_FIELDS)))
    seen = set(previous.findings["finding_key"])
    history = findings["finding_key"].map(lambda k: "open" if k in seen else "new")
    gone = previous.findings[
        ~previous.findings["finding_key"].isin(set(findings["finding_key"]))
        & previous.findings["control_id"].map(lambda c: outcomes.get(c) in ("pass", "fail"))]
    return history.astype(object), gone.reset_index(drop=True)


def last_manifest_hash(con: duckdb.DuckDBPyConnection) -> str | None:
    found = con.execute("SELECT manifest_sha256 FROM runs ORDER BY seq DESC LIMIT 1").fetchall()
    return found[0][0] if found else None


def record_run(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any], manifest_sha256: str,
               run_folder: Path, final_folder: Path) -> None:
    """One run, from its manifest and the tables of its run folder, in one transaction."""
    run = manifest["run"]
    findings = pd.read_parquet(run_folder / "findings.parquet")
    controls = pd.read_csv(run_folder / "controls.csv", dtype=str, keep_default_na=False)
    resolved = pd.read_csv(run_folder / "resolved.csv", dtype=str, keep_default_na=False)
    definitions = {c["id"]: c["definition_sha256"] for c in manifest["controls"]}
    con.execute("BEGIN")
    try:
        seq = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM runs").fetchone()[0]
        con.execute(
            "INSERT INTO runs VALUES ($seq, $id, $scope, $period, $start, $end, $started, "
            "$finished, $folder, $params, $compared, $sha, $previous)",
            {"seq": seq, "id": manifest["run_id"], "scope": run["scope"] or "",
             "period": run["period"], "start": run["period_start"], "end": run["period_end"],
             "started": manifest["started_at"], "finished": manifest["finished_at"],
             "folder": str(final_folder),
             "params": json.dumps(manifest["parameters"], ensure_ascii=False),
             "compared": run.get("compared_with"), "sha": manifest_sha256,
             "previous": manifest["previous_manifest_sha256"]})
        outcomes = controls[["control_id", "family", "severity", "outcome", "findings"]].assign(
            definition_sha256=controls["control_id"].map(definitions),
            checked=pd.to_numeric(controls["checked"], errors="coerce").astype("Int64"))
        _insert(con, "outcomes", manifest["run_id"], outcomes)
        _insert(con, "findings", manifest["run_id"], findings[
            [*FINDING_FIELDS, "status", "history"]])
        _insert(con, "resolved", manifest["run_id"], resolved[list(FINDING_FIELDS)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


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
                   count(*) FILTER (o.outcome = 'fail') AS failed,
                   count(*) FILTER (o.outcome = 'pass') AS passed,
                   count(*) FILTER (o.outcome = 'no_data') AS no_data,
                   count(*) FILTER (o.outcome IN ('skipped', 'error')) AS not_run,
                   sum(o.findings) AS findings,
                   (SELECT count(*) FROM findings f WHERE f.run_id = r.run_id
                      AND f.history = 'new') AS new,
                   (SELECT count(*) FROM resolved x WHERE x.run_id = r.run_id) AS resolved,
                   (SELECT count(*) FROM findings f WHERE f.run_id = r.run_id
                      AND f.status = 'excepted') AS excepted
            FROM runs r JOIN outcomes o USING (run_id)
            GROUP BY ALL ORDER BY r.seq""").df()


def outcomes(path: str | Path) -> pd.DataFrame:
    """One row per run and control: outcome and findings."""
    with open_store(path, write=False) as con:
        return con.execute("""
            SELECT r.seq, r.run_id, r.scope, r.period, o.control_id, o.family, o.severity,
                   o.outcome, o.findings, o.checked
            FROM runs r JOIN outcomes o USING (run_id) ORDER BY r.seq, o.control_id""").df()
