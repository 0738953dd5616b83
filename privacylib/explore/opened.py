"""What the explorer opens: a finished run, from its result and findings file
alone (no data loaded), or a data folder, audited once.

Finding a run: the named run folder, else the latest run under `runs_root`,
else the latest under the places a run usually is, seen from the notebook's
folder and the two above it: the folder itself, `runs/` (`privacy-audit run`)
and `demo/runs/` (`privacy-audit demo`). No run found is an error that says
where it looked; a data folder is audited only when it is named.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from privacylib.audit.evidence import event_ids
from privacylib.audit.result import (
    FindingsFile,
    RunResult,
    from_audit,
    open_result,
    read_findings,
)
from privacylib.controls.catalog import Control, load_catalog
from privacylib.controls.custom import catalog_for
from privacylib.errors import PrivacyLibError, UsageError
from privacylib.explore.session import DataSession
from privacylib.trail.manifest import MANIFEST

if TYPE_CHECKING:
    from privacylib.audit.run import Audit

# Where runs usually are, below each folder searched.
RUN_FOLDERS = (".", "runs", "demo/runs")


@dataclass
class Explored:
    """A run's result and findings (every column, masked as written), and the
    data session that serves its raw rows when asked."""

    result: RunResult
    findings: pd.DataFrame
    session: DataSession
    # What it is, for a person: "run /…/2026-10" or "data folder …".
    source: str
    run_dir: Path | None = None
    # Where unmasked views are recorded (the run's store), and the run they are of.
    run_id: str | None = None
    store: str | None = None
    key_file: str | None = None
    parameters: dict = field(default_factory=dict)
    # The policy's business hours, shaded on the access chart.
    business_hours: str | None = None

    @cached_property
    def flagged(self) -> dict[str, list[str]]:
        """event_id -> the controls whose findings name it in their evidence
        (event ids are not identifiers: masked evidence keeps them)."""
        flagged: dict[str, list[str]] = {}
        for control, evidence in zip(self.findings["control_id"], self.findings["evidence"],
                                     strict=True):
            for event in event_ids(json.loads(evidence)):
                flagged.setdefault(event, []).append(control)
        return flagged

    def catalog(self) -> tuple[Control, ...]:
        """The controls the run ran: the built-in ones and the company's, while
        their folder is still there (otherwise their findings show without a rule)."""
        try:
            return catalog_for(self.parameters.get("controls_dir"))
        except PrivacyLibError:
            return load_catalog()

    def actors(self) -> list[str]:
        """The staff the findings name: the actor box's suggestions (any id may be typed)."""
        if "actor_id" not in self.findings:
            return []
        return sorted({a for a in self.findings["actor_id"] if isinstance(a, str) and a})


def latest_run(runs_root: str | Path) -> Path | None:
    """The most recently finished run folder under `runs_root` (by its manifest)."""
    return _latest([Path(runs_root)])


def _latest(roots: list[Path]) -> Path | None:
    found = []
    for root in roots:
        for manifest in root.glob(f"*/{MANIFEST}"):
            if not (manifest.parent / "result.json").is_file():
                continue  # a run made before result.json: not openable without its data
            finished = json.loads(manifest.read_text(encoding="utf-8")).get("finished_at", "")
            found.append((finished, str(manifest.parent), manifest.parent))
    return max(found)[2] if found else None


def run_places(here: str | Path | None = None) -> list[Path]:
    """The folders searched for runs when none is named, nearest first."""
    base = Path(here or Path.cwd()).resolve()
    return [(folder / sub).resolve() for folder in (base, *list(base.parents)[:2])
            for sub in RUN_FOLDERS]


def open_run(run_dir: str | Path, key_file: str | None = None) -> Explored:
    """A finished run from its result.json and findings.parquet (hash-checked);
    its data is loaded only when a raw row is asked for."""
    run_dir = Path(run_dir)
    result = open_result(run_dir)
    findings = read_findings(run_dir, result, columns=None)
    manifest = json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    params = manifest.get("parameters", {})
    return Explored(result, findings, DataSession.of_run(run_dir, findings["finding_key"]),
                    f"run {run_dir}", run_dir, manifest.get("run_id"), manifest.get("store"),
                    key_file or params.get("key_file"), params,
                    manifest.get("policy", {}).get("content", {}).get("business_hours"))


def open_data(data: str, period: str | None, key_file: str | None = None) -> Explored:
    """A data folder without a run: audited once, now."""
    from privacylib.audit.run import AuditConfig, run_audit

    audit = run_audit(AuditConfig.from_parameters(data=data, period=period, key_file=key_file))
    return of_audit(audit, f"data folder {data}, period {period}")


def of_audit(audit: Audit, source: str = "") -> Explored:
    """What the explorer shows of an audit made in this kernel (no run folder)."""
    findings = audit.findings()
    # Not written anywhere: a result without a findings file.
    result = from_audit(audit, FindingsFile("", len(findings), ""))
    return Explored(result, findings, DataSession.of_audit(audit),
                    source or f"data folder {audit.config.data}", key_file=audit.config.key_file,
                    store=audit.config.store, parameters=audit.config.parameters(),
                    business_hours=audit.loaded.policy.business_hours)


def open_explored(*, run_dir: str | None = None, runs_root: str | None = None,
                  data: str | None = None, period: str | None = None,
                  key_file: str | None = None, here: str | Path | None = None) -> Explored:
    """The run named; else the data folder named; else the latest run under
    runs_root, or under the usual places (run_places)."""
    if run_dir:
        return open_run(run_dir, key_file)
    if data:
        return open_data(data, period, key_file)
    places = [Path(runs_root)] if runs_root else run_places(here)
    found = _latest(places)
    if found is None:
        raise UsageError("no finished run was found in " + ", ".join(map(str, places)),
                         hint="run `privacy-audit demo` or `privacy-audit run`, set run_dir "
                              "or runs_root, or set data and period to audit a data folder")
    return open_run(found, key_file)
