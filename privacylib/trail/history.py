"""A run's findings against the previous run of the same scope: `new`, or
`open` (History.RECURRING: seen in the previous run too); the previous run's
findings that are gone, of controls that ran this time, are `resolved`.

The notebook compares (its files must show it), and the store compares again
when it records the run (store.py), with the same two functions here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from privacylib.vocab import History, Outcome

FINDING_FIELDS = ("finding_key", "control_id", "subject_id", "severity", "family")
# A control that could not look (skipped, no data, error) resolves nothing.
LOOKED = frozenset({Outcome.PASS, Outcome.FAIL})


@dataclass(frozen=True)
class PreviousRun:
    run_id: str
    period: str
    # Its findings: finding_key, control_id, subject_id, severity, family.
    findings: pd.DataFrame


def previous_in(con: duckdb.DuckDBPyConnection, scope: str | None, period_end: Any,
                ) -> PreviousRun | None:
    """The latest published run of this scope with an earlier period (one that
    ends earlier): a rerun of the same period is never its own predecessor."""
    found = con.execute(
        "SELECT run_id, period FROM runs WHERE scope = $scope AND period_end < $end "
        "AND state = 'published' ORDER BY period_end DESC, seq DESC LIMIT 1",
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
    history = findings["finding_key"].map(
        lambda k: str(History.RECURRING if k in seen else History.NEW))
    gone = previous.findings[
        ~previous.findings["finding_key"].isin(set(findings["finding_key"]))
        & previous.findings["control_id"].map(lambda c: outcomes.get(c) in LOOKED)]
    return history.astype(object), gone.reset_index(drop=True)
