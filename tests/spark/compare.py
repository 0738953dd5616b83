"""What the two engines must agree on: per control, the outcome, the checked
count and the findings (subject, finding key, reason in both languages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from privacylib.config.period import resolve_period
from privacylib.config.policy import Policy
from privacylib.contract import DATASETS
from privacylib.controls.catalog import load_catalog, select
from privacylib.controls.engine import AuditResult, run_controls
from privacylib.intake.ingest import LoadResult

from conftest import load_dir, write_csv


def summary(result: AuditResult) -> dict[str, Any]:
    """Per control: (outcome, checked, {subject: (finding key, reason en, reason zh)})."""
    return {r.control.id: (str(r.outcome), r.checked,
                           {f.subject_id: (f.finding_key, f.reason_en, f.reason_zh)
                            for f in r.findings})
            for r in result.results}


def evidence_keys(result: AuditResult) -> dict[tuple[str, str], list[str]]:
    return {(f.control_id, f.subject_id): sorted(f.evidence) for f in result.findings}


def load_tables(folder: Path, tables: dict[str, list[dict]], policy: Policy | None) -> LoadResult:
    """The golden case's tables written as CSV and loaded (as tests/conftest.py does)."""
    columns = {d.name: d.column_names for d in DATASETS}
    for name, table in tables.items():
        header = list(dict.fromkeys(k for row in table for k in row)) or list(columns[name])
        write_csv(folder / f"{name}.csv", header, [[row.get(h) for h in header] for row in table])
    return load_dir(folder, policy=policy)


def both(loaded: LoadResult, period_text: str, spark, ids: list[str] | None = None,
         ) -> tuple[AuditResult, AuditResult]:
    """(DuckDB's result, Spark's result) of the same load and period."""
    from privacylib.spark.engine import run_controls_spark

    period = resolve_period(period_text, tz=loaded.policy.timezone)
    controls = select(load_catalog(), ids=ids) if ids else load_catalog()
    duck = run_controls(loaded, period, controls=controls)
    return duck, run_controls_spark(loaded, period, spark, controls=controls)
