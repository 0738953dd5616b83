"""One audit, as the notebook runs it: its parameters, its stages, its views.

The notebook's parameters cell becomes an AuditConfig at once; run_audit
then runs the stages in this order: policy and mapping, load, period,
exceptions, controls, the previous run from the store. The notebook only
calls these functions and shows results.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from privacylib.audit.evidence import finding_context
from privacylib.audit.frames import controls_frame, findings_frame
from privacylib.audit.verdict import Verdict, verdict_of
from privacylib.config.mapping import load_mapping
from privacylib.config.period import Period, resolve_period
from privacylib.config.policy import load_policy
from privacylib.config.waivers import FINDING_COLUMNS as EXCEPTION_COLUMNS
from privacylib.config.waivers import RiskException, exceptions_frame, load_exceptions
from privacylib.config.waivers import apply as apply_exceptions
from privacylib.controls.catalog import FAMILIES
from privacylib.controls.engine import AuditResult, Scope, run_controls
from privacylib.errors import UsageError, suggest
from privacylib.intake.ingest import LoadResult, load
from privacylib.masking.masker import Masker, masker_for
from privacylib.report.i18n import words
from privacylib.report.outputs import quality_rows
from privacylib.trail.store import PreviousRun, compare, previous_run

# Text columns of findings and exceptions that may hold an identifier.
TEXT_FINDING_COLUMNS = ("subject_id", "reason", *EXCEPTION_COLUMNS[1:5])
TEXT_EXCEPTION_COLUMNS = ("subject_id", "reason", "compensating_control", "requested_by",
                          "approved_by", "problem")


@dataclass(frozen=True)
class AuditConfig:
    # The data folder (access_log.csv, consents.csv, …).
    data: str
    # The audited month, YYYY-MM; or period_start and period_end instead.
    period: str | None = None
    # First instant of the period: a date or timestamp, local without offset.
    period_start: str | None = None
    # First instant after the period (exclusive); also as_of.
    period_end: str | None = None
    # policy.yaml; None means the data contract's defaults.
    policy: str | None = None
    # mapping.yaml; None means DATA/mapping.yaml when it exists.
    mapping: str | None = None
    # KEY=VALUE narrowing event controls: department=… or system=….
    scope: str | None = None
    # Language of every title and sentence: zh or en.
    lang: str = "zh"
    # Mask personal identifiers in everything shown and written (the default).
    mask: bool = True
    # Pseudonym key file; None means the environment variable or the default file.
    key_file: str | None = None
    # Folder the report files are written to; None writes none.
    out: str | None = None
    # Accepted risks (CSV or YAML, see config/waivers.py); None: no exceptions.
    exceptions: str | None = None
    # Audit store (DuckDB file) to compare with the previous run; None: no comparison.
    store: str | None = None

    @classmethod
    def from_parameters(cls, **params: Any) -> AuditConfig:
        """Check the notebook's parameters: known names, plain values only."""
        known = {f.name: f for f in fields(cls)}
        for name, value in params.items():
            if name not in known:
                raise UsageError(f"unknown parameter '{name}'", hint=suggest(name, known))
            want = bool if name == "mask" else str
            if value is not None and not isinstance(value, want):
                raise UsageError(f"parameter '{name}' must be {want.__name__}, "
                                 f"not {type(value).__name__}")
        if not params.get("data"):
            raise UsageError("parameter 'data' (the data folder) is required")
        config = cls(**params)
        words(config.lang)  # an unknown language is a usage error here, not in a later cell
        return config

    def parameters(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Audit:
    config: AuditConfig
    loaded: LoadResult
    period: Period
    result: AuditResult
    masker: Masker
    # Every row of the exceptions file, judged as of as_of.
    exceptions: tuple[RiskException, ...] = ()
    # The run this one is compared with (new/open/resolved), from the store.
    previous: PreviousRun | None = None

    @property
    def words(self) -> dict[str, str]:
        return words(self.config.lang)

    def quality(self) -> pd.DataFrame:
        return pd.DataFrame(quality_rows(self.loaded, self.masker))

    def controls(self) -> pd.DataFrame:
        # An error's reason may quote the data (DuckDB cites the failing value).
        return self._mask_columns(controls_frame(self.result, self.config.lang), ("reason",))

    @cached_property
    def _compared(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """(findings with status, exception and history; resolved findings;
        the exceptions with their states), every text in them masked."""
        # Masking every finding's evidence is done once, not once per section.
        frame = apply_exceptions(findings_frame(self.result, self.config.lang, self.masker),
                                 self.exceptions)
        # Exceptions match the subjects as the data has them, before masking.
        exceptions = exceptions_frame(self.exceptions, frame)
        context = finding_context(self.loaded, self.result)
        for column in context.columns:
            frame[column] = context[column].to_numpy()
        outcomes = {r.control.id: r.outcome for r in self.result.results}
        frame["history"], resolved = compare(frame, outcomes, self.previous)
        # A reason sentence, a subject id or an exception's words can hold an
        # identifier (a recipient's mobile, EV-15205985583): masked here, once,
        # for every writer. finding_key stays: it was made from the raw subject.
        return (self._mask_columns(frame, TEXT_FINDING_COLUMNS),
                resolved, self._mask_columns(exceptions, TEXT_EXCEPTION_COLUMNS))

    def _mask_columns(self, frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
        if not self.masker.enabled:
            return frame
        out = frame.copy()
        for column in columns:
            if column in out:
                out[column] = [self.masker.value(None, v) for v in out[column]]
        return out

    @property
    def _findings(self) -> pd.DataFrame:
        return self._compared[0]

    def resolved(self) -> pd.DataFrame:
        """The previous run's findings that are gone (empty without a store)."""
        return self._compared[1]

    def access_by_hour(self) -> pd.DataFrame:
        """Accesses in the period (the audit's scope) per weekday (rows, Mon=1)
        and local hour; empty without an access log. Computed once: the
        notebook, summary.html and the explorer all show it."""
        return self._access_by_hour

    @cached_property
    def _access_by_hour(self) -> pd.DataFrame:
        if not self.loaded.present("access_log"):
            return pd.DataFrame()
        p = self.period
        counts = self.loaded.con.execute("""
            SELECT isodow(timezone($tz, ts)) AS weekday, hour(timezone($tz, ts)) AS hour,
                   count(*) AS events
            FROM scoped.access_log WHERE ts >= $start AND ts < $end GROUP BY ALL""",
            {"tz": self.loaded.policy.timezone, "start": p.start, "end": p.end}).df()
        table = counts.pivot_table(index="weekday", columns="hour", values="events",
                                   fill_value=0)
        return table.reindex(index=range(1, 8), columns=range(24), fill_value=0).astype(int)

    def comparison(self) -> str:
        """One sentence: new, still open and resolved since the previous run, or
        why there is no previous run."""
        if self.previous is None:
            return self.words["no_previous"]
        history = self.findings()["history"].value_counts()
        return self.words["compared_with"].format(
            run=self.previous.run_id, period=self.previous.period,
            new=int(history.get("new", 0)), open=int(history.get("open", 0)),
            resolved=len(self.resolved()))

    def exceptions_table(self) -> pd.DataFrame:
        return self._compared[2]

    def run_info(self) -> dict[str, object]:
        """What this run was, for run.json, the manifest and the store."""
        return {
            "period": self.period.label, "period_start": self.period.start.isoformat(),
            "period_end": self.period.end.isoformat(), "as_of": self.period.as_of.isoformat(),
            "timezone": self.loaded.policy.timezone, "scope": self.config.scope or "",
            "lang": self.config.lang, "masked": self.masker.enabled,
            "compared_with": self.previous.run_id if self.previous else None,
            "bounds": self.period.describe(),
            "verdict": self.verdict().as_dict(),
        }

    def verdict(self) -> Verdict:
        """Outcome counts and whether the audit is complete (the exit code's source)."""
        found = verdict_of(self.result.results, self.findings(), self.loaded.datasets)
        if not self.masker.enabled:
            return found
        return dataclasses.replace(found, incomplete=[self.masker.text(t)
                                                      for t in found.incomplete])

    def findings(self, family: str | None = None) -> pd.DataFrame:
        frame = self._findings
        return frame if family is None else frame[frame["family"] == family]

    def outcomes_by_family(self) -> pd.DataFrame:
        """Controls per family (rows) and outcome (columns)."""
        controls = self.controls()
        table = pd.crosstab(controls["family"], controls["outcome"])
        return table.reindex([f for f in FAMILIES if f in table.index])

    def findings_by_severity(self) -> pd.DataFrame:
        findings = self.findings()
        return pd.crosstab(findings["family"], findings["severity"]) if len(findings) else (
            pd.DataFrame())


def run_audit(config: AuditConfig) -> Audit:
    """Policy and mapping, load, period, exceptions, controls, the previous run:
    in this order."""
    policy = load_policy(config.policy)
    mapping = load_mapping(config.mapping, config.data)
    loaded = load(Path(config.data), policy=policy, mapping=mapping, progress=False)
    period = resolve_period(config.period, config.period_start, config.period_end,
                            tz=policy.timezone)
    exceptions = () if config.exceptions is None else load_exceptions(
        config.exceptions, as_of_date=period.as_of_date(policy.timezone))
    result = run_controls(loaded, period, scope=Scope.parse(config.scope))
    masker = masker_for(loaded.con, config.key_file, config.mask)
    previous = previous_run(config.store, config.scope, period.end)
    return Audit(config, loaded, period, result, masker, exceptions, previous)
