"""What a finished audit found, as one frozen, versioned file: result.json.

The notebook writes it beside the tables (report/files.py); everything after
the notebook reads it and nothing else of the kernel's files: the runner
(exit code), the manifest (outcomes, run), the store (outcomes, history),
and later the explorer. The tables (controls.csv, run.json, …) are for
people and may change shape without breaking signing.

Findings can be millions: they stay in findings.parquet, which result.json
names with its row count and SHA-256; `read_findings` reads it and checks
both. Every text in here is masked as the run's files are. Hashes are
written as Subresource Integrity does (`sha256-` and base64), not hex: a
hex digest holds digit runs that read as card or mobile numbers to anyone
scanning a report for identifiers; base64 holds none that long.

`open_result(run_dir)` and `read_findings(run_dir)` are the pair a reader of
a finished run needs; neither loads DuckDB.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from privacylib.audit.names import code_names
from privacylib.audit.verdict import Verdict
from privacylib.digests import sha256_file
from privacylib.errors import PrivacyLibError
from privacylib.vocab import History, Outcome

if TYPE_CHECKING:
    import pandas as pd

    from privacylib.audit.run import Audit

# 1: the first result. A reader refuses another number rather than guess.
FORMAT = 1
RESULT, FINDINGS = "result.json", "findings.parquet"
# The columns of findings.parquet a reader may rely on (the rest are for people).
FINDING_FIELDS = ("finding_key", "control_id", "subject_id", "severity", "family", "status",
                  "history")


class ResultUnreadable(PrivacyLibError):
    """result.json or findings.parquet is missing, of another format, or changed."""

    exit_code = 2


@dataclass(frozen=True)
class ControlOutcome:
    id: str
    family: str
    severity: str
    # In the run's language.
    title: str
    outcome: Outcome
    # Subjects of its population it examined; None when it did not run.
    checked: int | None
    findings: int
    # Why it was skipped, found no data or is in error; masked; "" otherwise.
    reason: str


@dataclass(frozen=True)
class QualityRow:
    dataset: str
    # loaded, absent or error.
    status: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    # Left out by mapping.yaml's keep/drop: read = loaded + rejected + filtered.
    rows_filtered: int
    # What the load warned of, and its error; masked.
    warnings: str
    error: str


@dataclass(frozen=True)
class ExceptionRow:
    """One accepted risk as judged for this run (config/waivers.py); masked."""

    source: str
    control_id: str
    subject_id: str
    reason: str
    compensating_control: str
    requested_by: str
    approved_by: str
    expires_on: str
    # valid, expired or invalid.
    state: str
    problem: str
    # Findings it matches.
    findings: int


@dataclass(frozen=True)
class GoneFinding:
    """A finding of the previous run that is gone from this one."""

    finding_key: str
    control_id: str
    subject_id: str
    severity: str
    family: str


@dataclass(frozen=True)
class Comparison:
    # The run compared with, from the store; None: no store or no earlier run.
    previous_run: str | None
    previous_period: str | None
    # Findings not in the previous run, and in it too (History.NEW, RECURRING).
    new: int
    recurring: int
    resolved: tuple[GoneFinding, ...]


@dataclass(frozen=True)
class RunInfo:
    # The period's label and bounds (ISO 8601 instants); as_of is the end.
    period: str
    period_start: str
    period_end: str
    as_of: str
    timezone: str
    # The bounds in UTC, half open, for sentences: [2026-09-30T16:00Z, …).
    bounds: str
    # The bounds in the policy's time zone, YYYY-MM-DD HH:MM, for pages.
    local_start: str
    local_end: str
    # KEY=VALUE, or "" for the whole company.
    scope: str
    lang: str
    masked: bool
    # The policy as the audit used it (config/params.py), as `integrity()`.
    policy_digest: str | None


@dataclass(frozen=True)
class FindingsFile:
    path: str
    rows: int
    # Its SHA-256, as `integrity()`.
    digest: str


@dataclass(frozen=True)
class SparkInput:
    """A file Spark read itself (--spark-reads), hashed as its task read it:
    the only record of a catalog table's content, which no folder holds."""

    dataset: str
    # Its name in rejects and evidence: relative to the data folder, or
    # <table>/<path under the table's location>.
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class RunResult:
    format: int
    run: RunInfo
    verdict: Verdict
    controls: tuple[ControlOutcome, ...]
    quality: tuple[QualityRow, ...]
    exceptions: tuple[ExceptionRow, ...]
    comparison: Comparison
    findings: FindingsFile
    # Accesses in the period per weekday (7 rows, Monday first) and local hour
    # (24 columns); empty without an access log. Pages draw it from here.
    access_by_hour: tuple[tuple[int, ...], ...] = ()
    # The data's descriptions of its codes (audit/names.py), masked: (code, words).
    code_names: tuple[tuple[str, str], ...] = ()
    # The files Spark read itself; empty when DuckDB loaded every dataset.
    spark_inputs: tuple[SparkInput, ...] = ()
    # The Spark session's own version (a Connect server's); "" on DuckDB.
    engine_version: str = ""

    def names(self) -> dict[str, str]:
        return dict(self.code_names)

    def access_frame(self) -> pd.DataFrame:
        """access_by_hour as the charts take it: weekdays 1-7 by hours 0-23."""
        import pandas as pd

        if not self.access_by_hour:
            return pd.DataFrame()
        return pd.DataFrame(list(self.access_by_hour), index=range(1, 8), columns=range(24))

    def outcome(self, control_id: str) -> Outcome:
        return next(c.outcome for c in self.controls if c.id == control_id)

    def run_record(self) -> dict[str, Any]:
        """What the run was, as run.json and the manifest's `run` have said it."""
        r = self.run
        return {"period": r.period, "period_start": r.period_start, "period_end": r.period_end,
                "as_of": r.as_of, "timezone": r.timezone, "scope": r.scope, "lang": r.lang,
                "masked": r.masked, "compared_with": self.comparison.previous_run,
                "bounds": r.bounds, "verdict": self.verdict.as_dict()}

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict.as_dict()
        return data

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        if data.get("format") != FORMAT:
            raise ResultUnreadable(f"result format {data.get('format')!r} is not {FORMAT}",
                                   hint="read it with the version of privacylib that wrote it")
        c = data["comparison"]
        return cls(
            FORMAT, _make(RunInfo, data["run"]), Verdict.from_dict(data["verdict"]),
            tuple(replace(_make(ControlOutcome, x), outcome=Outcome(x["outcome"]))
                  for x in data["controls"]),
            tuple(_make(QualityRow, x) for x in data["quality"]),
            tuple(_make(ExceptionRow, x) for x in data["exceptions"]),
            Comparison(c["previous_run"], c["previous_period"], c["new"], c["recurring"],
                       tuple(_make(GoneFinding, x) for x in c["resolved"])),
            _make(FindingsFile, data["findings"]),
            tuple(tuple(row) for row in data["access_by_hour"]),
            tuple((str(k), str(v)) for k, v in data["code_names"]),
            # Absent from the results of runs before Spark read catalog tables.
            tuple(_make(SparkInput, x) for x in data.get("spark_inputs", ())),
            str(data.get("engine_version", "")))


def _make(cls: type, data: dict[str, Any]) -> Any:
    """A dataclass from exactly its fields: a missing or unknown key is an error."""
    names = [f.name for f in fields(cls)]
    if set(data) != set(names):
        raise KeyError(f"{cls.__name__} fields {sorted(set(data) ^ set(names))}")
    return cls(**{n: data[n] for n in names})


def integrity(sha256_hex: str) -> str:
    """A SHA-256 given in hex, as result.json writes it: sha256-BASE64."""
    return "sha256-" + base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii")


def file_integrity(path: Path) -> str:
    return integrity(sha256_file(path))


def write_result(folder: Path, result: RunResult) -> Path:
    path = folder / RESULT
    path.write_text(result.to_json(), encoding="utf-8")
    return path


def open_result(run_dir: str | Path) -> RunResult:
    """The result of the run in `run_dir` (a finished folder or one being published)."""
    path = Path(run_dir) / RESULT
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return RunResult.from_dict(data)
    except ResultUnreadable:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ResultUnreadable(f"{path} cannot be read as a run result: {exc}",
                               hint="a run folder holds the result.json its audit wrote"
                               ) from exc


def read_findings(run_dir: str | Path, result: RunResult | None = None, *,
                  columns: tuple[str, ...] | None = FINDING_FIELDS) -> pd.DataFrame:
    """The run's findings (FINDING_FIELDS by default, None: every column, with
    evidence), after checking that the file is the one result.json names:
    same hash, same number of rows."""
    import pandas as pd

    result = result or open_result(run_dir)
    path = Path(run_dir) / result.findings.path
    if not path.is_file() or file_integrity(path) != result.findings.digest:
        raise ResultUnreadable(f"{path} is not the findings file its result.json names",
                               hint="the run folder was changed; verify it")
    frame = pd.read_parquet(path, columns=None if columns is None else list(columns))
    if len(frame) != result.findings.rows:
        raise ResultUnreadable(f"{path} holds {len(frame)} rows, its result.json says "
                               f"{result.findings.rows}")
    return frame


def local_text(instant: Any, tz: str) -> str:
    """An instant in the policy's time zone, for a page: 2026-10-01 00:00."""
    return instant.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def from_audit(audit: Audit, findings: FindingsFile) -> RunResult:
    """The result of a finished Audit whose findings were written as `findings`."""
    period, tz, lang = audit.period, audit.loaded.policy.timezone, audit.config.lang
    controls = audit.controls()  # titles in the run's language, reasons masked
    outcomes = tuple(
        ControlOutcome(r.control.id, r.control.family, r.control.severity, row.title,
                       Outcome(r.outcome), r.checked, len(r.findings), row.reason)
        for r, row in zip(audit.result.results, controls.itertuples(), strict=True))
    quality = tuple(QualityRow(q["dataset"], q["status"], int(q["rows_read"]),
                               int(q["rows_loaded"]), int(q["rows_rejected"]),
                               int(q["rows_filtered"]), q["warnings"] or "", q["error"] or "")
                    for q in audit.quality().to_dict("records"))
    exceptions = tuple(ExceptionRow(**{f.name: (int(e[f.name]) if f.name == "findings" else
                                                str(e[f.name]))
                                       for f in fields(ExceptionRow)})
                       for e in audit.exceptions_table().to_dict("records"))
    history = audit.findings()["history"].value_counts()
    previous = audit.previous
    comparison = Comparison(
        previous.run_id if previous else None, previous.period if previous else None,
        int(history.get(History.NEW, 0)), int(history.get(History.RECURRING, 0)),
        tuple(GoneFinding(*(str(g[k]) for k in ("finding_key", "control_id", "subject_id",
                                                 "severity", "family")))
              for g in audit.resolved().to_dict("records")))
    run = RunInfo(period.label, period.start.isoformat(), period.end.isoformat(),
                  period.as_of.isoformat(), tz, period.describe(), local_text(period.start, tz),
                  local_text(period.end, tz), audit.config.scope or "", lang,
                  audit.masker.enabled,
                  integrity(audit.resolved_config.policy_sha256) if audit.resolved_config
                  else None)
    heat = audit.access_by_hour()
    access = tuple(tuple(int(v) for v in row) for row in heat.to_numpy()) if len(heat) else ()
    shown = audit.masker.text if audit.masker.enabled else str
    spark = tuple(SparkInput(**{**f, "path": shown(f["path"])})
                  for f in audit.spark_read.inputs()) if audit.spark_read else ()
    return RunResult(FORMAT, run, audit.verdict(), outcomes, quality, exceptions, comparison,
                     findings, access, tuple(code_names(audit).items()), spark,
                     audit.engine_version)


def findings_file(path: Path) -> FindingsFile:
    """How result.json names a findings file that was just written."""
    import pyarrow.parquet as pq

    return FindingsFile(path.name, pq.ParquetFile(path).metadata.num_rows, file_integrity(path))
