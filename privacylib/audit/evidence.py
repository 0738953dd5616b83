"""Reading a finding's evidence: the nested rows a control returned as proof.

Controls differ in what their evidence holds (an event, a consent, a store
and its backups…); these helpers find the values the explorer and the
findings table need, wherever a control put them, in a stable order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from privacylib.controls.engine import AuditResult
from privacylib.intake.ingest import LoadResult

# What finding_context adds to each finding: grouping keys for large results.
CONTEXT_COLUMNS = ("actor_id", "department", "system", "day")


def _walk(value: Any, key: str | None = None) -> Iterator[tuple[str | None, Any]]:
    """Every (key, value) in a nested evidence structure, in a stable order."""
    if isinstance(value, dict):
        for k in sorted(value):
            yield from _walk(value[k], k)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, key)
    else:
        yield key, value


def first(evidence: dict[str, Any], key: str) -> str:
    return next((str(v) for k, v in _walk(evidence) if k == key and v not in (None, "")), "")


def event_ids(evidence: dict[str, Any]) -> set[str]:
    return {str(v) for k, v in _walk(evidence) if k == "event_id" and v is not None}


def departments(loaded: LoadResult) -> dict[str, str]:
    if not loaded.present("employees"):
        return {}
    rows = loaded.con.execute(
        "SELECT actor_id, department FROM main.employees WHERE department IS NOT NULL").fetchall()
    return dict(rows)


def finding_context(loaded: LoadResult, result: AuditResult) -> pd.DataFrame:
    """Per finding (in the findings table's order): the actor, the actor's
    department (or one the evidence names), the system the evidence names,
    and the local day of its event (controls write event times as local text)."""
    depts = departments(loaded)
    rows = []
    for r in result.results:
        for f in r.findings:
            actor = first(f.evidence, "actor_id")
            rows.append({"actor_id": actor,
                         "department": first(f.evidence, "department") or depts.get(actor, ""),
                         "system": first(f.evidence, "system"),
                         "day": first(f.evidence, "local_day") or first(f.evidence, "ts")[:10]})
    return pd.DataFrame(rows, columns=list(CONTEXT_COLUMNS))
