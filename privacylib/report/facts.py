"""What the pages state about a run beyond its findings: the cover (run id,
result seal, signer, generated time in the policy's zone), the headline, and
per finding its owner, when it was first seen and when it is due.

First seen comes from the audit store (the earliest published run of the
scope that found the same finding_key), else this run. A due date needs the
policy keys `remediation_days_<severity>` (whole days after the end of the
period the finding was first seen in); without them none is derived and
the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from privacylib.audit.result import RESULT, RunResult, file_integrity
from privacylib.audit.run import Audit
from privacylib.controls.catalog import SEVERITIES
from privacylib.report.html import EMPTY
from privacylib.vocab import Outcome

DUE_KEY = "remediation_days_{severity}"


@dataclass(frozen=True)
class Cover:
    run_id: str | None
    seal: str | None
    signer: str | None
    generated: str


def generated_text(tz: str, now: datetime | None = None) -> str:
    """Now in the policy's time zone with its offset:
    2026-11-01 09:30 (UTC+08:00, Asia/Shanghai)."""
    local = (now or datetime.now(ZoneInfo(tz))).astimezone(ZoneInfo(tz))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]}, {tz})"


def cover(audit: Audit, *, seal: str | None, run_id: str | None, signer: str | None,
          ) -> Cover:
    """The seal is result.json's, which is written before the pages: computed
    from the output folder when the writer does not hand it over."""
    if seal is None and audit.config.out and (Path(audit.config.out) / RESULT).is_file():
        seal = file_integrity(Path(audit.config.out) / RESULT)
    return Cover(run_id, seal, signer, generated_text(audit.loaded.policy.timezone))


def pass_rate(result: RunResult) -> str:
    """Passed over controls that reached a conclusion (pass or fail)."""
    outcomes = result.verdict.outcomes
    judged = int(outcomes.get(Outcome.PASS, 0)) + int(outcomes.get(Outcome.FAIL, 0))
    if not judged:
        return EMPTY
    return f"{100 * int(outcomes.get(Outcome.PASS, 0)) / judged:.0f}%"


def remediation_days(policy: dict[str, Any]) -> dict[str, int]:
    """The policy's remediation window per severity, for the severities it sets."""
    days = {}
    for severity in SEVERITIES:
        value = policy.get(DUE_KEY.format(severity=severity))
        if isinstance(value, int) and not isinstance(value, bool):
            days[severity] = value
    return days


def first_seen(audit: Audit, keys: list[str]) -> dict[str, tuple[str, date]]:
    """finding_key -> (period label, end date of that period) of the earliest
    published run of this scope that found it; keys the store lacks are absent."""
    store = audit.config.store
    if not keys or not store or not Path(store).exists():
        return {}
    from privacylib.trail.store import StoreUnreadable, open_store

    tz = ZoneInfo(audit.loaded.policy.timezone)
    try:
        with open_store(store, write=False) as con:
            rows = con.execute(
                "SELECT f.finding_key, arg_min(r.period, r.period_end), min(r.period_end) "
                "FROM findings f JOIN runs r USING (run_id) "
                "WHERE r.state = 'published' AND r.scope = $scope AND r.period_end <= $end "
                "AND list_contains($keys, f.finding_key) GROUP BY f.finding_key",
                {"scope": audit.config.scope or "", "end": audit.period.end,
                 "keys": keys}).fetchall()
    except StoreUnreadable:
        return {}
    return {k: (p, (e.astimezone(tz) - timedelta(microseconds=1)).date()) for k, p, e in rows}


def seen_and_due(audit: Audit, findings: pd.DataFrame, policy: dict[str, Any],
                 ) -> tuple[list[str], list[str]]:
    """Per finding row: first seen (a period label), and its due date or EMPTY."""
    seen = first_seen(audit, list(findings["finding_key"]))
    days = remediation_days(policy)
    tz = ZoneInfo(audit.loaded.policy.timezone)
    this_end = (audit.period.end.astimezone(tz) - timedelta(microseconds=1)).date()
    firsts, dues = [], []
    for key, severity in zip(findings["finding_key"], findings["severity"], strict=True):
        label, end = seen.get(key, (audit.period.label, this_end))
        firsts.append(label)
        dues.append((end + timedelta(days=days[severity])).isoformat()
                    if severity in days else EMPTY)
    return firsts, dues
