"""What a finished run says to a pipeline: its exit code and its last line.

A scheduler reads the exit code, a person the last line; both come from the
run's own record (result.json), so `run` and `batch` say the same thing:

    0  the audit is complete (findings are not an error)
    1  a run failed (the notebook raised; a `.FAILED` folder says where)
    2  bad usage or unusable input, found before the audit
    3  the audit finished but is incomplete: a dataset or control in error,
       or `no_data` because the data was unusable (every row rejected,
       timestamps far from the period)
    4  findings at or above `--fail-on SEVERITY` (open ones: an accepted,
       unexpired exception does not fail a pipeline)

An incomplete audit (3) wins over findings (4): none of its verdicts can be
taken as the whole truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from privacylib.controls.catalog import SEVERITIES, SEVERITY_ORDER
from privacylib.errors import UsageError
from privacylib.vocab import Outcome, Status


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    INCOMPLETE = 3
    FINDINGS = 4


@dataclass(frozen=True)
class Verdict:
    # Controls per outcome (fail, pass, no_data, skipped, error).
    outcomes: dict[str, int]
    # Failed controls per severity.
    failed_by_severity: dict[str, int]
    # Findings not covered by a valid exception, per severity.
    open_by_severity: dict[str, int]
    # Why the audit is incomplete, one sentence per control or dataset.
    incomplete: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"outcomes": self.outcomes, "failed_by_severity": self.failed_by_severity,
                "open_findings_by_severity": self.open_by_severity,
                "incomplete": self.incomplete}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        return cls(data["outcomes"], data["failed_by_severity"],
                   data["open_findings_by_severity"], list(data["incomplete"]))

    def exit_code(self, fail_on: str | None = None) -> ExitCode:
        if self.incomplete:
            return ExitCode.INCOMPLETE
        if fail_on and any(n and SEVERITY_ORDER[s] <= SEVERITY_ORDER[fail_on]
                           for s, n in self.open_by_severity.items()):
            return ExitCode.FINDINGS
        return ExitCode.OK

    def line(self) -> str:
        """failed 12 (critical 3, high 5, …) · passed 20 · no data 2 · skipped 1 · errors 1"""
        by = ", ".join(f"{s} {self.failed_by_severity[s]}" for s in SEVERITIES
                       if self.failed_by_severity.get(s))
        o = self.outcomes
        parts = [f"failed {o.get('fail', 0)}" + (f" ({by})" if by else ""),
                 f"passed {o.get('pass', 0)}", f"no data {o.get('no_data', 0)}",
                 f"skipped {o.get('skipped', 0)}", f"errors {o.get('error', 0)}"]
        status = "INCOMPLETE" if self.incomplete else "complete"
        return f"audit {status}: " + " · ".join(parts)


def check_fail_on(value: str | None) -> str | None:
    if value is not None and value not in SEVERITIES:
        raise UsageError(f"--fail-on '{value}' is not a severity",
                         hint="one of: " + ", ".join(SEVERITIES))
    return value


def verdict_of(results: list[Any], findings: Any, datasets: dict[str, Any]) -> Verdict:
    """From the engine's ControlResults, the findings frame (with `status`)
    and the load's DatasetLoads."""
    outcomes: dict[str, int] = {}
    failed = dict.fromkeys(SEVERITIES, 0)
    for r in results:
        outcomes[str(r.outcome)] = outcomes.get(str(r.outcome), 0) + 1
        if r.outcome == Outcome.FAIL:
            failed[r.control.severity] += 1
    still_open = findings[findings["status"] != Status.EXCEPTED] if len(findings) else findings
    open_by = {s: int((still_open["severity"] == s).sum()) if len(still_open) else 0
               for s in SEVERITIES}
    incomplete = [f"dataset {d.dataset}: {(d.error or 'error').splitlines()[0]}"
                  for d in datasets.values() if d.status == "error"]
    # Controls blind for one reason are named together: "C03, C04 error: …".
    by_reason: dict[tuple[str, str], list[str]] = {}
    for r in results:
        if r.incomplete:
            by_reason.setdefault((str(r.outcome), r.reason_en), []).append(r.control.id)
    incomplete += [f"{', '.join(ids)} {outcome}: {reason}"
                   for (outcome, reason), ids in by_reason.items()]
    return Verdict(outcomes, failed, open_by, incomplete)
