"""What the explorer looks at, as tables: one actor's accesses and roles,
with the events the findings name flagged, and one customer's trail.

Times are local (the policy's time zone); the period bounds every event
query. Values are bound as parameters; masking is the caller's (widgets.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from privacylib.audit.evidence import event_ids
from privacylib.audit.run import Audit, AuditConfig, run_audit
from privacylib.errors import DataError
from privacylib.trail.manifest import MANIFEST


def latest_run(runs_root: str | Path) -> Path | None:
    """The most recently finished run folder under `runs_root` (by its manifest)."""
    found = []
    for manifest in Path(runs_root).glob(f"*/{MANIFEST}"):
        finished = json.loads(manifest.read_text(encoding="utf-8")).get("finished_at", "")
        found.append((finished, manifest.parent.name, manifest.parent))
    return max(found)[2] if found else None


def audit_of_run(run_dir: str | Path) -> Audit:
    """The audit a run folder was made by, again: the same parameters give the
    same findings and keys (checked against the folder's findings.csv)."""
    run_dir = Path(run_dir)
    params = json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))["parameters"]
    audit = run_audit(AuditConfig.from_parameters(**{**params, "out": None}))
    written = pd.read_csv(run_dir / "findings.csv", usecols=["finding_key"])["finding_key"]
    if sorted(written) != sorted(audit.findings()["finding_key"]):
        raise DataError(f"the data behind {run_dir} changed since the run: its findings differ",
                        hint="explore the data folder as it is now, or restore the inputs "
                             "the manifest lists")
    return audit


def open_audit(*, run_dir: str | None = None, runs_root: str | None = None,
               data: str | None = None, period: str | None = None,
               key_file: str | None = None) -> tuple[Audit, str]:
    """(audit, what it is): the run named, else the latest run under
    runs_root, else the data folder for the period."""
    chosen = Path(run_dir) if run_dir else latest_run(runs_root) if runs_root else None
    if chosen is not None:
        return audit_of_run(chosen), f"run {chosen}"
    config = AuditConfig.from_parameters(data=data, period=period, key_file=key_file)
    return run_audit(config), f"data folder {data}, period {period}"


def recorded_as(run_dir: str | Path | None) -> dict[str, str | None]:
    """The run id and store a run folder's manifest names: where the explorer
    records an unmasked view of that run (empty when exploring a data folder)."""
    manifest = Path(run_dir) / "manifest.json" if run_dir else None
    if manifest is None or not manifest.is_file():
        return {}
    found = json.loads(manifest.read_text(encoding="utf-8"))
    return {"run_id": found.get("run_id"), "store": found.get("store")}


def flagged_events(audit: Audit) -> dict[str, list[str]]:
    """event_id -> the controls whose findings name it in their evidence."""
    flagged: dict[str, list[str]] = {}
    for f in audit.result.findings:
        for event in event_ids(f.evidence):
            flagged.setdefault(event, []).append(f.control_id)
    return flagged


def _events(audit: Audit, where: str, params: dict[str, Any]) -> pd.DataFrame:
    p = audit.period
    return audit.loaded.con.execute(f"""
        SELECT a.event_id, timezone($tz, a.ts) AS local_ts,
               strftime(timezone($tz, a.ts), '%Y-%m-%d') AS day,
               round(hour(timezone($tz, a.ts)) + minute(timezone($tz, a.ts)) / 60, 2) AS hour,
               a.actor_id, a.customer_id, a.system, a.data_category, a.action, a.purpose,
               a.result, a.record_count
        FROM main.access_log a
        WHERE {where} AND a.ts >= $start AND a.ts < $end
        ORDER BY a.ts, a.event_id""",
        {**params, "tz": audit.loaded.policy.timezone, "start": p.start, "end": p.end}).df()


def actor_events(audit: Audit) -> Any:
    """A function actor_id -> that actor's accesses in the period, flagged."""
    flagged = flagged_events(audit)

    def events(actor_id: str) -> pd.DataFrame:
        if not audit.loaded.present("access_log"):
            return pd.DataFrame()
        frame = _events(audit, "a.actor_id = $actor", {"actor": actor_id})
        frame["controls"] = [",".join(sorted(set(flagged.get(e, [])))) for e in frame["event_id"]]
        return frame

    return events


def actor_roles(audit: Audit, actor_id: str) -> pd.DataFrame:
    """The roles the actor held: role_assignments, else the employee's role."""
    con, tz = audit.loaded.con, audit.loaded.policy.timezone
    if audit.loaded.present("role_assignments"):
        sql = ("SELECT role, timezone($tz, valid_from) AS valid_from, "
               "timezone($tz, valid_to) AS valid_to FROM main.role_assignments "
               "WHERE actor_id = $actor ORDER BY valid_from NULLS FIRST, role")
    elif audit.loaded.present("employees"):
        sql = ("SELECT role, timezone($tz, hired_at) AS valid_from, "
               "timezone($tz, terminated_at) AS valid_to FROM main.employees "
               "WHERE actor_id = $actor AND role IS NOT NULL")
    else:
        return pd.DataFrame(columns=["role", "valid_from", "valid_to"])
    return con.execute(sql, {"tz": tz, "actor": actor_id}).df()


def customer_trail(audit: Audit, customer_id: str) -> pd.DataFrame:
    """Who accessed the customer, when, for which purpose, under which consent
    (the consent for that purpose active at that instant, if any)."""
    if not audit.loaded.present("access_log"):
        return pd.DataFrame()
    frame = _events(audit, "a.customer_id = $customer", {"customer": customer_id})
    if not audit.loaded.present("consents"):
        return frame.assign(consent_id="")
    active = audit.loaded.con.execute("""
        SELECT a.event_id, min(c.consent_id) AS consent_id
        FROM main.access_log a JOIN main.consents c
          ON c.customer_id = a.customer_id AND c.purpose = a.purpose
         AND c.granted_at <= a.ts AND (c.withdrawn_at IS NULL OR a.ts < c.withdrawn_at)
        WHERE a.customer_id = $customer GROUP BY a.event_id""",
        {"customer": customer_id}).fetchall()
    found = dict(active)
    return frame.assign(consent_id=[found.get(e, "") for e in frame["event_id"]])
