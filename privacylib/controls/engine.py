"""Running controls over loaded data: outcomes, findings and what was checked.

Each control runs on its own: a control that cannot run is `error` (with the
reason) and the others go on; one whose dataset is absent is `skipped`. Each
control also counts its population (`checked`): one that examined nothing is
`no_data`, never `pass`. The period, as_of and the policy are bound as
parameters; a scope narrows the access log (the event controls) to one
department or system, and a scope value the data does not know is a usage
error, not an empty audit.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from privacylib.config.period import Period, utc_text
from privacylib.config.policy import Policy
from privacylib.controls.catalog import Control, load_catalog
from privacylib.controls.clock import CLOCK, prepare_clock
from privacylib.controls.sandbox import sandbox
from privacylib.controls.scope import Scope, ScopeError, prepare_scope
from privacylib.controls.session import session_for_controls
from privacylib.controls.uses import USES, prepare_uses, uses_needed
from privacylib.intake.ingest import LoadResult
from privacylib.intake.plausibility import time_warnings
from privacylib.vocab import Outcome


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
    outcome: Outcome
    # Why a control was skipped, found no data or is in error, in English and Chinese.
    reason_en: str = ""
    reason_zh: str = ""
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    # Subjects of its population it examined; None when it did not run.
    checked: int | None = None
    # The verdict is missing because the data was unusable (error, or no_data
    # over rejected or implausible data): the audit is incomplete.
    incomplete: bool = False

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

    @property
    def incomplete(self) -> list[ControlResult]:
        return [r for r in self.results if r.incomplete]


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


class _Columns(string.Formatter):
    """A reason template filled from a row by column name only: `{x.attr}` or
    `{x[key]}` would reach into Python objects (a company's template could
    walk from a value to os.environ)."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        if not field_name.isidentifier():
            raise ValueError(f"placeholder {{{field_name}}} is not a column name")
        value = kwargs.get(field_name, "{" + field_name + "}")
        return ("—" if value is None else value), field_name


def _format(template: str, row: dict[str, Any]) -> str:
    return _Columns().vformat(template, (), row)


def prepare_run(loaded: LoadResult, period: Period, scope: Scope | None,
                controls: Iterable[Control], skip: frozenset[str] = frozenset(),
                ) -> tuple[str, ...]:
    """What both engines do before the controls: the scoped schema, the
    period's clock and, when a built-in control reads them, the consent uses
    (TEMP tables of the connection); the time checks. Returns the names of the
    tables prepared, which the Spark engine publishes as DuckDB made them.

    `skip`: datasets Spark read itself, whose DuckDB tables are empty: their
    time checks and (the access log's) consent uses are the caller's to make
    from Spark's rows (spark/frames.py); the uses are still named as prepared."""
    prepare_scope(loaded.con, scope)
    prepare_clock(loaded.con, period, loaded.policy.timezone)
    prepared = (CLOCK,)
    if uses_needed(controls):
        if "access_log" not in skip:
            prepare_uses(loaded.con, period)
        prepared += (USES,)
    for name, d in loaded.datasets.items():
        if name not in skip:
            d.period_warnings = time_warnings(loaded.con, name, d, period)
    return prepared


def run_controls(loaded: LoadResult, period: Period, *, scope: Scope | None = None,
                 controls: tuple[Control, ...] | None = None) -> AuditResult:
    """Run the controls (all by default) over the loaded data."""
    con = loaded.con
    controls = load_catalog() if controls is None else controls
    params = bind(period, loaded.policy, loaded.present("role_assignments"))
    prepare_run(loaded, period, scope, controls)
    counts: dict[str, int] = {}  # several controls share a population: count it once
    results: dict[str, ControlResult] = {}
    with session_for_controls(con, loaded.policy.timezone):
        for control in (c for c in controls if not c.custom):
            results[control.id] = _run_one(con, loaded, control, params, counts, period, scope)
    custom = [c for c in controls if c.custom]
    if custom:  # a company's controls run shut in (sandbox.py)
        with sandbox(con, custom, loaded.policy.timezone) as box:
            counts = {}
            for control in custom:
                results[control.id] = _run_one(box, loaded, control, params, counts, period,
                                               scope)
    return AuditResult(period, scope, [results[c.id] for c in controls])


def _blocked(loaded: LoadResult, control: Control) -> ControlResult | None:
    """skipped or error when a dataset the control needs is not there to read."""
    status = {name: loaded.datasets[name].status for name in
              (*control.datasets, *control.optional_datasets)}
    broken = ", ".join(n for n, s in status.items() if s == "error")
    if broken:
        return ControlResult(control, Outcome.ERROR, f"dataset(s) could not be loaded: {broken}",
                             f"数据集无法加载：{broken}", incomplete=True)
    absent = ", ".join(n for n in control.datasets if status[n] == "absent")
    if absent:
        return ControlResult(control, Outcome.SKIPPED, f"dataset(s) absent: {absent}",
                             f"缺少数据集：{absent}")
    # A needed dataset whose every row was rejected would make the control's
    # joins empty and its verdict a pass over nothing.
    blind = [loaded.datasets[n] for n in control.datasets if loaded.datasets[n].all_rejected]
    if blind:
        en = ", ".join(f"{d.dataset} ({d.rows_read} rows read, all rejected)" for d in blind)
        zh = "、".join(f"{d.dataset}（读取 {d.rows_read} 行，全部被拒收）" for d in blind)
        return ControlResult(control, Outcome.NO_DATA, f"nothing to examine: {en}; see rejects/",
                             f"无可检查的数据：{zh}；见 rejects/", checked=0, incomplete=True)
    # A needed dataset that is there with no row at all (a header-only export):
    # the subjects could not be judged against it (no customer to be erased,
    # no category to be sensitive), so no verdict. An empty population dataset
    # is the population's business (no incident this month is no_data, complete).
    empty = [n for n in control.datasets if n != control.population.dataset
             and loaded.datasets[n].status == "loaded" and not loaded.datasets[n].rows_read]
    if empty:
        names = ", ".join(empty)
        return ControlResult(control, Outcome.NO_DATA,
                             f"nothing to judge against: {names} has no row (an empty export?)",
                             f"无可对照的数据：{names} 没有任何行（导出为空？）", checked=0,
                             incomplete=True)
    return None


def _count(con: duckdb.DuckDBPyConnection, control: Control, params: dict[str, Any],
           counts: dict[str, int]) -> int:
    sql = control.population.count_sql
    if sql not in counts:
        used = {k: v for k, v in params.items() if k in control.population.parameters}
        rows = con.execute(sql, used).fetchall()
        value = rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else None
        if not isinstance(value, int) or value < 0:
            # A count of nothing would make the verdict a pass over nothing.
            raise duckdb.InvalidInputException(
                f"the population count gave {rows[:2]!r}, not one whole number >= 0")
        counts[sql] = value
    return counts[sql]


def _run_one(con: duckdb.DuckDBPyConnection, loaded: LoadResult, control: Control,
             params: dict[str, Any], counts: dict[str, int], period: Period,
             scope: Scope | None) -> ControlResult:
    blocked = _blocked(loaded, control)
    if blocked:
        return blocked
    started = time.perf_counter()
    used = {k: v for k, v in params.items() if k in control.parameters}
    try:
        checked = _count(con, control, params, counts)
        cursor = con.execute(f"SELECT * FROM ({control.sql}) ORDER BY subject_id", used)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    except duckdb.Error as exc:
        return query_failed(control, exc, started)
    return judge(loaded, control, rows, checked, started, period, scope)


def query_failed(control: Control, exc: Exception, started: float) -> ControlResult:
    """A control whose query (or count) the engine refused: its own error."""
    message = re.sub(r"\s+", " ", str(exc))[:500]
    return ControlResult(control, Outcome.ERROR, f"the query failed: {message}",
                         f"查询失败：{message}", seconds=time.perf_counter() - started,
                         incomplete=True)


def judge(loaded: LoadResult, control: Control, rows: list[dict[str, Any]],
          checked: int | None, started: float, period: Period,
          scope: Scope | None) -> ControlResult:
    """The outcome of a control's rows, whichever engine ran its query: an
    error for rows that break the row contract, no_data when it examined
    nothing (never pass), else fail with its findings or pass."""
    subjects = [r["subject_id"] for r in rows]
    if len(set(subjects)) != len(subjects) or None in subjects:
        return ControlResult(control, Outcome.ERROR, "the query returned a subject more than "
                             "once or an empty subject (a defect of the control definition)",
                             "查询返回了重复或为空的对象（控制定义有缺陷）",
                             seconds=time.perf_counter() - started, incomplete=True)
    if not rows and not checked:
        return _no_data(loaded, control, period, scope, time.perf_counter() - started)
    try:
        findings = [_finding(control, r) for r in rows]
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        message = re.sub(r"\s+", " ", f"{type(exc).__name__}: {exc}")[:300]
        return ControlResult(control, Outcome.ERROR, "its rows could not be made into findings "
                             f"(a defect of the control definition): {message}",
                             f"其查询结果无法生成发现（控制定义有缺陷）：{message}",
                             seconds=time.perf_counter() - started, incomplete=True)
    return ControlResult(control, Outcome.FAIL if findings else Outcome.PASS,
                         findings=findings, seconds=time.perf_counter() - started,
                         checked=checked)


def _finding(control: Control, row: dict[str, Any]) -> Finding:
    """One row as a finding; ValueError, TypeError… when the row does not fit
    the row contract (evidence not a JSON object, a template the values do not fit)."""
    evidence = json.loads(row["evidence"])
    if not isinstance(evidence, dict):
        raise TypeError(f"evidence is JSON {type(evidence).__name__}, not an object")
    subject = str(row["subject_id"])
    return Finding(control.id, subject, control.severity, _format(control.reason_zh, row),
                   _format(control.reason_en, row), finding_key(control.id, subject), evidence)


def _no_data(loaded: LoadResult, control: Control, period: Period, scope: Scope | None,
             seconds: float) -> ControlResult:
    """Nothing to examine: say which dataset, its time range and the scope.
    Incomplete when the dataset looks wrong (a warning about its times) or
    rows of it were rejected (they may have been what it had to examine);
    not when a quiet period simply had none (no incident this month)."""
    pop = control.population
    d = loaded.datasets[pop.dataset]
    span = f"{utc_text(d.earliest)} .. {utc_text(d.latest)}" if d.earliest else "—"
    where = f"; scope {scope}" if scope and "access_log" in control.datasets else ""
    where_zh = f"；范围 {scope}" if where else ""
    doubts = list(d.period_warnings)
    if d.rows_rejected:
        doubts.append(f"{d.rows_rejected} row(s) of {pop.dataset} were rejected (see rejects/)")
    warn = "; " + "; ".join(doubts) if doubts else ""
    return ControlResult(
        control, Outcome.NO_DATA,
        f"nothing to examine: no {pop.en} in {pop.dataset} ({d.rows_loaded} rows loaded, "
        f"dated {span}) for the period {period.describe()}{where}{warn}",
        f"无可检查的数据：{pop.dataset} 中没有{pop.zh}（已加载 {d.rows_loaded} 行，时间范围 "
        f"{span}），审计期间 {period.describe()}{where_zh}"
        + (f"；{d.rows_rejected} 行被拒收" if d.rows_rejected else "")
        + ("；时间范围可疑" if d.period_warnings else ""),
        seconds=seconds, checked=0, incomplete=bool(doubts))


__all__ = ["AuditResult", "ControlResult", "Finding", "Scope", "ScopeError", "bind",
           "finding_key", "judge", "prepare_scope", "query_failed", "run_controls"]
