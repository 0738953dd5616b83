"""An audit's results as DataFrames: one row per control, one row per finding.

These are the tables the notebooks show and the report writes (controls.csv,
findings.csv); evidence stays structured, as JSON text in one column.
"""

from __future__ import annotations

import json

import pandas as pd

from privacylib.controls.engine import AuditResult
from privacylib.masking.masker import Masker
from privacylib.vocab import Lang, Status

CONTROL_COLUMNS = ["control_id", "family", "severity", "title", "outcome", "checked",
                   "findings", "reason", "seconds"]
FINDING_COLUMNS = ["control_id", "subject_id", "severity", "family", "title", "reason",
                   "finding_key", "status", "evidence"]


def controls_frame(result: AuditResult, lang: str = Lang.ZH) -> pd.DataFrame:
    return pd.DataFrame([{
        "control_id": r.control.id, "family": r.control.family, "severity": r.control.severity,
        "title": r.control.title(lang), "outcome": str(r.outcome), "checked": r.checked,
        "findings": len(r.findings),
        "reason": r.reason(lang), "seconds": round(r.seconds, 3),
    } for r in result.results], columns=CONTROL_COLUMNS).astype({"checked": "Int64"})


def findings_frame(result: AuditResult, lang: str = Lang.ZH, masker: Masker | None = None,
                   ) -> pd.DataFrame:
    """One row per finding; evidence masked when a masker is given."""
    mask = masker.evidence if masker else (lambda e: e)
    return pd.DataFrame([{
        "control_id": f.control_id, "subject_id": f.subject_id, "severity": f.severity,
        "family": r.control.family, "title": r.control.title(lang), "reason": f.reason(lang),
        "finding_key": f.finding_key, "status": str(Status.OPEN),
        "evidence": json.dumps(mask(f.evidence), ensure_ascii=False, sort_keys=True),
    } for r in result.results for f in r.findings], columns=FINDING_COLUMNS)
