"""Running controls over loaded data: outcomes and findings.

Each control runs on its own: a control that cannot run is `error` (with the
reason) and the others go on; one whose dataset is absent is `skipped`. The
period, as_of and the policy are bound as parameters; a scope narrows the
access log (the event controls) to one department or system.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import duckdb

from .catalog import Control, load_catalog
from .contract import DATASETS
from .errors import UsageError
from .ingest import LoadResult
from .period import Period
from .policy import Policy
from .readers import quote_ident

SCOPE_KEYS = ("department", "system")
AUDIT_SCHEMA = "scoped"


@dataclass(frozen=True)
class Scope:
    # What to narrow by: department (the actor's) or system (the log's).
    key: str
    # The value, compared exactly.
    value: str

    @classmethod
    def parse(cls, text: str | None) -> Scope | None:
        if not text:
            return None
        key, sep, value = text.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in SCOPE_KEYS or not value:
            raise UsageError(f"scope '{text}' is not KEY=VALUE with KEY one of "
                             f"{', '.join(SCOPE_KEYS)}", hint="e.g. --scope department=客服中心")
        return cls(key, value)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


@dataclass(frozen=True)
class Finding:
    control_id: str
    subject_id: str
    severity: str
    reason_zh: str
    reason_en: str
    # sha256 of "control_id|subject_id", shortened: the same finding in every run.
    finding_key: str
    # The rows that prove it, as the control's query returned them.
    evidence: dict[str, Any]

    def reason(self, lang: str) -> str:
        return self.reason_zh if lang == "zh" else self.reason_en


@dataclass
class ControlResult:
    control: Control
    outcome: str  # pass, fail, skipped or error
    # Why a control was skipped or is in error, in English and in Chinese.
    reason_en: str = ""
    reason_zh: str = ""
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    def reason(self, lang: str) -> str:
        return self.reason_zh if lang == "zh" else self.reason_en


@dataclass
class AuditResult:
    period: Period
    scope: Scope | None
    results: list[ControlResult]

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    def outcome(self, control_id: str) -> str:
        return next(r.outcome for r in self.results if r.control.id == control_id)


def finding_key(control_id: str, subject_id: str) -> str:
    return hashlib.sha256(f"{control_id}|{subject_id}".encode()).hexdigest()[:16]


def bind(period: Period, policy: Policy, has_role_assignments: bool) -> dict[str, Any]:
    """Every parameter a control may use, typed for DuckDB."""
    params = {k: v for k, v in policy.as_dict().items()
              if k not in ("business_hours", "timezone")}
    for key in ("weak_encryption_algorithms", "invalid_consent_methods", "ticketed_actions"):
        params[key] = [str(v).lower() for v in params[key]]
    start, end = policy.business_hours_range
    params.update(period_start=period.start, period_end=period.end, as_of=period.as_of,
                  tz=policy.timezone, business_start=start, business_end=end,
                  has_role_assignments=has_role_assignments)
    return params


class _Row(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _format(template: str, row: dict[str, Any]) -> str:
    return template.format_map(_Row({k: "—" if v is None else v for k, v in row.items()}))


def prepare_scope(con: duckdb.DuckDBPyConnection, scope: Scope | None) -> None:
    """The schema the controls read: every dataset, the access log narrowed."""
    con.execute(f"DROP SCHEMA IF EXISTS {AUDIT_SCHEMA} CASCADE")
    con.execute(f"CREATE SCHEMA {AUDIT_SCHEMA}")
    for ds in DATASETS:
        name = quote_ident(ds.name)
        con.execute(f"CREATE VIEW {AUDIT_SCHEMA}.{name} AS SELECT * FROM main.{name}")
    if scope is None:
        return
    con.execute(f"DROP VIEW {AUDIT_SCHEMA}.access_log")
    where = ("a.system = $value" if scope.key == "system" else
             "a.actor_id IN (SELECT actor_id FROM main.employees WHERE department = $value)")
    con.execute(f"CREATE TABLE {AUDIT_SCHEMA}.access_log AS SELECT a.* FROM main.access_log a "
                f"WHERE {where}", {"value": scope.value})


def run_controls(loaded: LoadResult, period: Period, *, scope: Scope | None = None,
                 controls: tuple[Control, ...] | None = None) -> AuditResult:
    """Run the controls (all by default) over the loaded data."""
    con = loaded.con
    controls = load_catalog() if controls is None else controls
    params = bind(period, loaded.policy, loaded.present("role_assignments"))
    prepare_scope(con, scope)
    # Evidence shows times in the policy's zone; the zone name was checked on load.
    con.execute(f"SET TimeZone = '{loaded.policy.timezone}'")
    con.execute(f"SET schema = '{AUDIT_SCHEMA}'")
    try:
        results = [_run_one(con, loaded, control, params) for control in controls]
    finally:
        con.execute("SET schema = 'main'")
        con.execute("SET TimeZone = 'UTC'")
    return AuditResult(period, scope, results)


def _blocked(loaded: LoadResult, control: Control) -> ControlResult | None:
    """skipped or error when a dataset the control needs is not there to read."""
    status = {name: loaded.datasets[name].status for name in
              (*control.datasets, *control.optional_datasets)}
    broken = ", ".join(n for n, s in status.items() if s == "error")
    if broken:
        return ControlResult(control, "error", f"dataset(s) could not be loaded: {broken}",
                             f"数据集无法加载：{broken}")
    absent = ", ".join(n for n in control.datasets if status[n] == "absent")
    if absent:
        return ControlResult(control, "skipped", f"dataset(s) absent: {absent}",
                             f"缺少数据集：{absent}")
    return None


def _run_one(con: duckdb.DuckDBPyConnection, loaded: LoadResult, control: Control,
             params: dict[str, Any]) -> ControlResult:
    blocked = _blocked(loaded, control)
    if blocked:
        return blocked
    started = time.perf_counter()
    used = {k: v for k, v in params.items() if k in control.parameters}
    try:
        cursor = con.execute(f"SELECT * FROM ({control.sql}) ORDER BY subject_id", used)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    except duckdb.Error as exc:
        message = re.sub(r"\s+", " ", str(exc))[:500]
        return ControlResult(control, "error", f"the query failed: {message}",
                             f"查询失败：{message}", seconds=time.perf_counter() - started)
    subjects = [r["subject_id"] for r in rows]
    if len(set(subjects)) != len(subjects) or None in subjects:
        return ControlResult(control, "error", "the query returned a subject more than once "
                             "or an empty subject (a defect of the control definition)",
                             "查询返回了重复或为空的对象（控制定义有缺陷）",
                             seconds=time.perf_counter() - started)
    findings = [Finding(control.id, r["subject_id"], control.severity,
                        _format(control.reason_zh, r), _format(control.reason_en, r),
                        finding_key(control.id, r["subject_id"]), json.loads(r["evidence"]))
                for r in rows]
    return ControlResult(control, "fail" if findings else "pass", findings=findings,
                         seconds=time.perf_counter() - started)
