"""result.json: one frozen, versioned record of what an audit found."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from privacylib.audit.result import (
    FINDING_FIELDS,
    RESULT,
    ResultUnreadable,
    RunResult,
    integrity,
    open_result,
    read_findings,
)
from privacylib.audit.run import Audit
from privacylib.report.files import write_report_files
from privacylib.vocab import Outcome


@pytest.fixture(scope="module")
def audited(sample_audit) -> Audit:
    return sample_audit


@pytest.fixture(scope="module")
def written(audited, tmp_path_factory):
    folder = tmp_path_factory.mktemp("result")
    return folder, write_report_files(audited, folder)


def test_result_json_round_trips(written):
    folder, result = written
    again = open_result(folder)
    assert again == result
    assert again.to_json() == (folder / RESULT).read_text(encoding="utf-8")
    assert all(isinstance(c.outcome, Outcome) for c in again.controls)
    assert RunResult.from_dict(json.loads(again.to_json())) == again


def test_the_result_says_what_the_audit_found(audited, written):
    folder, result = written
    assert [(c.id, c.outcome, c.findings, c.checked) for c in result.controls] == [
        (r.control.id, r.outcome, len(r.findings), r.checked) for r in audited.result.results]
    assert result.verdict == audited.verdict()
    assert result.findings.rows == len(audited.result.findings) > 0
    assert result.run.period == "2026-10" and result.run.masked
    assert result.run.local_start == "2026-10-01 00:00"  # Asia/Shanghai, no query needed
    assert result.run.policy_digest == integrity(audited.resolved_config.policy_sha256)
    assert not re.search(r"\d{11}", (folder / RESULT).read_text(encoding="utf-8"))  # no hex
    assert {q.dataset for q in result.quality} >= {"access_log", "consents"}
    assert result.comparison.previous_run is None and result.comparison.resolved == ()
    assert result.access_frame().equals(audited.access_by_hour())  # the page's heat map
    assert sum(map(sum, result.access_by_hour)) > 0
    findings = read_findings(folder, result)
    assert list(findings.columns) == list(FINDING_FIELDS) and len(findings) == result.findings.rows


def test_a_changed_findings_file_or_format_is_refused(written, tmp_path):
    folder, result = written
    copy = tmp_path / "run"
    copy.mkdir()
    (copy / RESULT).write_text(result.to_json(), encoding="utf-8")
    frame = pd.read_parquet(folder / "findings.parquet")
    frame.iloc[1:].to_parquet(copy / "findings.parquet", index=False)  # one finding dropped
    with pytest.raises(ResultUnreadable, match="not the findings file"):
        read_findings(copy)
    data = json.loads(result.to_json())
    (copy / RESULT).write_text(json.dumps({**data, "format": 2}), encoding="utf-8")
    with pytest.raises(ResultUnreadable, match="format 2"):
        open_result(copy)
    del data["controls"][0]["outcome"]
    (copy / RESULT).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ResultUnreadable, match="cannot be read"):
        open_result(copy)
