"""One audit, as the notebook runs it: its stages and its views.

The notebook gets one ResolvedConfig (config/params.py): from the runner's
canonical parameter, or resolved from its own parameters cell. run_audit
then runs the stages in this order: load, exceptions, controls, the previous
run from the store; policy, mapping and period are the resolved ones, never
read again. The notebook only calls these functions and shows results;
report/files.py writes what it found as one result.json (audit/result.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from privacylib.audit.adhoc import Params, SqlSession
from privacylib.audit.engines import (
    read_with_spark,
    run_on_engine,
    session_version,
    tables_named,
)
from privacylib.audit.evidence import finding_context
from privacylib.audit.frames import controls_frame, findings_frame
from privacylib.audit.verdict import Verdict, verdict_of
from privacylib.config.params import AuditConfig, ResolvedConfig, resolve, sha256_path
from privacylib.config.period import Period
from privacylib.config.waivers import FINDING_COLUMNS as EXCEPTION_COLUMNS
from privacylib.config.waivers import RiskException, exceptions_frame, load_exceptions
from privacylib.config.waivers import apply as apply_exceptions
from privacylib.controls.catalog import FAMILIES
from privacylib.controls.engine import AuditResult
from privacylib.errors import ConfigError, UsageError
from privacylib.intake.cache import shared_load
from privacylib.intake.ingest import LoadResult, load
from privacylib.masking.masker import Masker, masker_for
from privacylib.report.i18n import words
from privacylib.report.outputs import quality_rows
from privacylib.trail.history import PreviousRun, compare
from privacylib.trail.store import previous_run
from privacylib.vocab import Engine, History

if TYPE_CHECKING:
    from privacylib.spark.reads import SparkRead

# AuditConfig lives in config/params.py; it is imported from here by callers.
__all__ = ["Audit", "AuditConfig", "ResolvedConfig", "run_audit"]

# Text columns of findings and exceptions that may hold an identifier.
TEXT_FINDING_COLUMNS = ("subject_id", "reason", *EXCEPTION_COLUMNS[1:5])
TEXT_EXCEPTION_COLUMNS = ("subject_id", "reason", "compensating_control", "requested_by",
                          "approved_by", "problem")


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
    # The configuration it ran with (policy and its hash as used); None only
    # for an Audit put together by hand.
    resolved_config: ResolvedConfig | None = None
    # The datasets Spark read itself (--spark-reads); DuckDB holds them empty.
    spark_read: SparkRead | None = None
    # The version of the engine's session the controls ran in, as it says it
    # (a Connect server's own, which may not be this client's); "": DuckDB.
    engine_version: str = ""

    def read_by_spark(self, dataset: str) -> bool:
        return self.spark_read is not None and dataset in self.spark_read.datasets

    def require_in_duckdb(self, datasets: Any, what: str) -> None:
        """Refuse `what` over a dataset Spark read: DuckDB's table of it is
        empty, and an empty answer would read as "no events"."""
        spark = sorted(d for d in {str(n).lower() for n in datasets} if self.read_by_spark(d))
        if spark:
            shown = ", ".join(spark)
            raise UsageError(f"{what} cannot read {shown}: Spark read it in this audit "
                             f"(--spark-reads {shown}), and {what} runs on DuckDB",
                             hint="the findings, their evidence and the report cover it; to "
                                  "drill into it, run the audit without --spark-reads")

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
        # Counted per UTC minute first, each minute then placed in local time:
        # the zone's calendar once a minute, not once an event (0.6 s at 10M
        # events). Exact: every zone has changed its offset on whole minutes
        # since 1972, and an earlier log is refused as implausible. A log
        # Spark read is counted per minute there, the minutes placed here.
        minutes = ("SELECT epoch_ms(ts) // 60000 AS m, count(*) AS n FROM scoped.access_log "
                   "WHERE ts >= $start AND ts < $end GROUP BY m")
        params: dict[str, Any] = {"tz": self.loaded.policy.timezone, "start": p.start,
                                  "end": p.end}
        if self.spark_read is not None and self.read_by_spark("access_log"):
            counted = self.spark_read.minute_counts("access_log", p.start, p.end)
            self.loaded.con.register("privacylib_minutes", counted)
            minutes, params = "SELECT m, n FROM privacylib_minutes", {"tz": params["tz"]}
        try:
            counts = self.loaded.con.execute(f"""
                SELECT isodow(l) AS weekday, hour(l) AS hour, CAST(sum(n) AS BIGINT) AS events
                FROM (SELECT timezone($tz, to_timestamp(m * 60)) AS l, n FROM ({minutes}))
                GROUP BY ALL""", params).df()
        finally:
            if "privacylib_minutes" in minutes:
                self.loaded.con.unregister("privacylib_minutes")
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
            new=int(history.get(History.NEW, 0)), open=int(history.get(History.RECURRING, 0)),
            resolved=len(self.resolved()))

    def exceptions_table(self) -> pd.DataFrame:
        return self._compared[2]

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

    def sql(self, query: str, params: Params = None, *, unmasked: bool = False,
            reason: str = "") -> pd.DataFrame:
        """The analyst's own question, in SQL over the loaded data (one SELECT;
        `$name` values from `params`): identifiers masked as in the report, or
        unmasked with a `reason`, recorded in the store (audit/adhoc.py)."""
        if self.spark_read is not None:
            self.require_in_duckdb(tables_named(self.loaded.con, query), "ad hoc SQL")
        return self._sql.query(query, params, unmasked=unmasked, reason=reason)

    @cached_property
    def _sql(self) -> SqlSession:
        # A read-only snapshot, taken at the first question: the data is loaded by then.
        return SqlSession.over(self.loaded.con, self.masker, tz=self.loaded.policy.timezone,
                               store=self.config.store)

    def findings_by_severity(self) -> pd.DataFrame:
        findings = self.findings()
        return pd.crosstab(findings["family"], findings["severity"]) if len(findings) else (
            pd.DataFrame())


def run_audit(config: AuditConfig | ResolvedConfig) -> Audit:
    """Load, exceptions, controls, the previous run: in this order. Parameters
    are resolved first (config/params.py) unless they already are."""
    resolved = config if isinstance(config, ResolvedConfig) else resolve(config)
    config, period, tz = resolved.config, resolved.period, resolved.timezone
    # A batch may have loaded this data for all its runs (intake/cache.py);
    # with datasets Spark reads, DuckDB loads only the others.
    reads = config.spark_datasets if config.engine == Engine.SPARK else ()
    loaded = (None if reads else shared_load(resolved)) or load(
        Path(config.data), policy=resolved.policy, mapping=resolved.mapping, progress=False,
        skip=frozenset(reads))
    spark_read = read_with_spark(config, loaded) if reads else None
    catalog = resolved.catalog()
    exceptions: tuple[RiskException, ...] = ()
    if config.exceptions is not None:
        if sha256_path(config.exceptions) != resolved.exceptions_sha256:
            raise ConfigError(f"exceptions file {config.exceptions} changed after the run "
                              "was configured", hint="run the audit again")
        exceptions = load_exceptions(config.exceptions, as_of_date=period.as_of_date(tz),
                                     control_ids={c.id for c in catalog})
    # The company's controls run with the built-in ones, so every writer, which
    # takes its controls from the result, shows them without knowing of them.
    result = run_on_engine(config, loaded, period, catalog, spark_read)
    version = session_version(config)
    # The values of a log Spark read are in DuckDB by now (spark/reads.py).
    masker = masker_for(loaded.con, config.key_file, config.mask)
    previous = previous_run(config.store, config.scope, period.end)
    return Audit(config, loaded, period, result, masker, exceptions, previous, resolved,
                 spark_read, version)
