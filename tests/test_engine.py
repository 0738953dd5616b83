"""The engine: outcomes, scope, selection, stable keys, and the sample company."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from privacylib.audit.frames import controls_frame, findings_frame
from privacylib.config.period import resolve_period
from privacylib.controls.catalog import load_catalog, select
from privacylib.controls.engine import Scope, finding_key, run_controls
from privacylib.errors import UsageError

from conftest import load_dir, write_csv

SAMPLE = Path(__file__).parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def sample_audit():
    loaded = load_dir(SAMPLE / "exports")
    return loaded, run_controls(loaded, resolve_period("2026-10"))


def test_the_sample_findings_are_exactly_the_planted_ones(sample_audit):
    _, result = sample_audit
    with (SAMPLE / "planted.csv").open(encoding="utf-8") as fh:
        planted = {(r["control_id"], r["subject_id"]) for r in csv.DictReader(fh)}
    got = {(f.control_id, f.subject_id) for f in result.findings}
    assert got - planted == set(), "false findings"
    assert planted - got == set(), "missed findings"
    assert all(r.outcome in ("pass", "fail") for r in result.results)
    assert {r.outcome for r in result.results} == {"fail"}  # something planted everywhere


def test_same_inputs_same_findings_and_keys(sample_audit):
    loaded, first = sample_audit
    again = run_controls(loaded, resolve_period("2026-10"))
    assert [(f.finding_key, f.reason_en, f.evidence) for f in again.findings] == [
        (f.finding_key, f.reason_en, f.evidence) for f in first.findings]
    assert finding_key("C03", "EV1") == finding_key("C03", "EV1") != finding_key("C04", "EV1")


def test_findings_carry_evidence_back_to_the_source_line(sample_audit):
    _, result = sample_audit
    (f,) = [f for f in result.findings if f.control_id == "U06" and "curiosity" in f.reason_en]
    event = f.evidence["event"]
    assert event["purpose"] == "curiosity" and event["_source_file"].startswith("access_log/")
    assert event["_source_line"] >= 2
    assert event["ts"].endswith("+08")  # shown in the policy's time zone
    assert "curiosity" in f.reason_zh


def test_frames(sample_audit):
    _, result = sample_audit
    controls, findings = controls_frame(result), findings_frame(result, "en")
    assert len(controls) == 36 and controls["findings"].sum() == len(findings)
    assert list(findings.columns[:3]) == ["control_id", "subject_id", "severity"]
    assert findings["finding_key"].is_unique


def test_absent_datasets_skip_and_broken_ones_error(tmp_path):
    shutil.copytree(SAMPLE / "exports", tmp_path / "d")
    (tmp_path / "d" / "training.csv").unlink()
    write_csv(tmp_path / "d" / "incidents.csv", ["id"], [["x"]])  # no required columns
    result = run_controls(load_dir(tmp_path / "d"), resolve_period("2026-10"))
    a01, a02 = (next(r for r in result.results if r.control.id == i) for i in ("A01", "A02"))
    assert a01.outcome == "skipped" and "training" in a01.reason_en and not a01.findings
    assert a02.outcome == "error" and "incidents" in a02.reason_en
    assert a01.reason("zh") == "缺少数据集：training"
    assert result.outcome("C01") == "fail"  # the others still ran


def test_a_control_whose_query_fails_is_an_error_and_the_rest_run(sample_audit):
    import dataclasses

    loaded, _ = sample_audit
    broken = dataclasses.replace(load_catalog()[0], sql="SELECT no_such_column FROM purposes")
    result = run_controls(loaded, resolve_period("2026-10"),
                          controls=(broken, *select(load_catalog(), ids=["C02"])))
    assert [r.outcome for r in result.results] == ["error", "fail"]
    assert "no_such_column" in result.results[0].reason_en


def test_scope_narrows_event_controls(sample_audit):
    loaded, whole = sample_audit
    period = resolve_period("2026-10")
    controls = select(load_catalog(), ids=["U04", "S01"])
    by_system = run_controls(loaded, period, scope=Scope.parse("system=billing"),
                             controls=controls)
    assert by_system.outcome("U04") == "pass"  # the off-hours events are all in crm
    assert by_system.outcome("S01") == "fail"  # state controls are not narrowed
    cs = run_controls(loaded, period, scope=Scope.parse("department=客服中心"), controls=controls)
    all_u04 = {f.subject_id for f in whole.findings if f.control_id == "U04"}
    cs_u04 = {f.subject_id for f in cs.findings if f.control_id == "U04"}
    assert cs_u04 and cs_u04 < all_u04  # analyst E9005's 07:30 export is not 客服中心's


@pytest.mark.parametrize("text", ["department", "team=x", "=x", "system="])
def test_bad_scopes_are_usage_errors(text):
    with pytest.raises(UsageError):
        Scope.parse(text)


def test_periods():
    p = resolve_period("2026-12")
    assert p.start.isoformat() == "2026-11-30T16:00:00+00:00"
    assert p.end.isoformat() == "2026-12-31T16:00:00+00:00" and p.as_of == p.end
    # A date-only end is the last day, inclusive: through the end of that local day.
    q = resolve_period(start="2026-10-01T00:00:00Z", end="2026-10-15", tz="UTC")
    assert q.start.isoformat() == "2026-10-01T00:00:00+00:00"
    assert q.end.isoformat() == "2026-10-16T00:00:00+00:00"
    assert q.describe() == "[2026-10-01T00:00Z, 2026-10-16T00:00Z)"
    month = resolve_period(start="2026-10-01", end="2026-10-31")
    october = resolve_period("2026-10")
    assert (month.start, month.end) == (october.start, october.end)
    # A timestamp end is exact and exclusive; the last day of a month, inclusive.
    exact = resolve_period(start="2026-10-01", end="2026-10-15T00:00:00")
    assert exact.end.isoformat() == "2026-10-14T16:00:00+00:00"
    leap = resolve_period(start="2028-02-01", end="2028-02-29", tz="UTC")
    assert leap.end.isoformat() == "2028-03-01T00:00:00+00:00"
    for bad in ({"period": "2026-13"}, {"period": "Oct"}, {"period": "2026-10", "start": "x"},
                {"start": "2026-10-05", "end": "2026-10-01"}, {"start": "2026-10-05"}, {},
                {"start": "soon", "end": "2026-10-01"},
                {"start": "2026-02-01", "end": "2026-02-30"},
                {"start": "2026-10-02", "end": "2026-10-01"}):
        with pytest.raises(UsageError):
            resolve_period(**bad)


def test_r01_says_whole_days(data_dir):
    # epoch() is a DOUBLE: `// 86400` had said "still open after 26.583333333333332 days".
    from conftest import run_control_result

    outcome = run_control_result(data_dir, "R01", {"dsr_requests": [
        {"request_id": "r1", "customer_id": "K1", "type": "access",
         "received_at": "2026-10-05 10:00", "completed_at": None},
        {"request_id": "r2", "customer_id": "K1", "type": "access",
         "received_at": "2026-09-01 10:00", "completed_at": "2026-10-03 09:00"}]})
    reasons = {f.subject_id: (f.reason_en, f.reason_zh) for f in outcome.findings}
    # as_of is 2026-11-01 00:00 Shanghai: r1 26 days 14 hours open; r2 31 days 23 hours.
    assert "is still open after 26 days" in reasons["r1"][0] and "（26 天）" in reasons["r1"][1]
    assert "took 31 days" in reasons["r2"][0] and "用时 31 天完成" in reasons["r2"][1]
