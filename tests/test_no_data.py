"""The engine never reports pass over nothing: unusable data, a lost year, an
empty scope. And on real data, checked bounds the findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from privacylib.config.period import resolve_period
from privacylib.controls.catalog import load_catalog
from privacylib.controls.engine import AuditResult, ControlResult, Scope, ScopeError, run_controls
from privacylib.errors import UsageError

from conftest import SAMPLE, load_dir, run_control_result, write_csv

# The controls whose population is the access log: a scope narrows them.
EVENT_CONTROLS = {"C03", "C04", "C05", "S06", "S07", "S08",
                  "U01", "U02", "U03", "U04", "U05", "U06", "A01"}


def event(eid, ts, actor="A1"):
    return {"event_id": eid, "ts": ts, "actor_id": actor, "customer_id": "K1",
            "system": "crm", "data_category": "contact", "action": "read",
            "purpose": "marketing"}


def tables(access_log):
    """Every dataset the access-log controls need, valid, around one access log."""
    return {
        "access_log": access_log,
        "purposes": [{"purpose": "marketing", "legal_basis": "consent"}],
        "consents": [{"consent_id": "K-1", "customer_id": "K1", "purpose": "marketing",
                      "granted_at": "2026-01-01"}],
        "data_categories": [{"data_category": "contact", "sensitive": "no"}],
        # 风控部 is a department the data knows, whose staff accessed nothing.
        "employees": [{"actor_id": "A1", "department": "客服中心", "role": "cs"},
                      {"actor_id": "A2", "department": "风控部", "role": "cs"}],
        "role_permissions": [{"role": "cs", "data_category": "contact", "action": "read"}],
        "customers": [{"customer_id": "K1"}],
        "dsr_requests": [{"request_id": "r1", "customer_id": "K1", "type": "deletion",
                          "received_at": "2026-10-01", "completed_at": "2026-10-02"}],
        "training": [{"actor_id": "A1", "completed_at": "2026-01-01"}],
    }


def audit(folder: Path, data: dict[str, list[dict]], scope: str | None = None):
    for name, rows in data.items():
        header = list(dict.fromkeys(k for row in rows for k in row))
        write_csv(folder / f"{name}.csv", header, [[r.get(h) for h in header] for r in rows])
    loaded = load_dir(folder)
    return loaded, run_controls(loaded, resolve_period("2026-10"), scope=Scope.parse(scope))


def by_id(result: AuditResult) -> dict[str, ControlResult]:
    return {r.control.id: r for r in result.results}


def test_the_event_controls_are_those_of_the_access_log_population():
    assert {c.id for c in load_catalog() if c.population.dataset == "access_log"} == (
        EVENT_CONTROLS)


def test_every_row_rejected_is_no_data_and_incomplete(tmp_path):
    unreadable = [event("E1", "not a time"), event("E2", "2026-10-45 10:00")]
    loaded, result = audit(tmp_path, tables(unreadable))
    log = loaded.datasets["access_log"]
    assert log.rows_read == 2 and log.rows_loaded == 0 and log.all_rejected
    # Every control that reads the log is blind, R02 too (its population is
    # the requests, but a later access is half of its rule).
    readers = {c.id for c in load_catalog() if "access_log" in c.datasets}
    assert readers == EVENT_CONTROLS | {"R02"}
    results = by_id(result)
    for cid in readers:
        r = results[cid]
        assert (r.outcome, r.checked, r.findings, r.incomplete) == ("no_data", 0, [], True), cid
        assert "access_log (2 rows read, all rejected)" in r.reason_en, r.reason_en
        assert "全部被拒收" in r.reason_zh
    # The controls that do not read the log are not blinded by it.
    others = [r for cid, r in results.items() if cid not in readers]
    assert others and not any("rejected" in r.reason_en for r in others)
    assert results["C06"].outcome in ("pass", "fail")


def test_a_log_dated_1900_is_no_data_with_a_warning(tmp_path):
    # A syslog-style export without a year, read as 1900: no reject, nothing in period.
    lost_year = [event("E1", "1900-10-05 10:00"), event("E2", "1900-10-06 11:00")]
    loaded, result = audit(tmp_path, tables(lost_year))
    log = loaded.datasets["access_log"]
    assert log.rows_rejected == 0 and log.rows_loaded == 2
    assert any("1970" in w for w in log.period_warnings), log.period_warnings
    results = by_id(result)
    for cid in EVENT_CONTROLS:
        r = results[cid]
        assert (r.outcome, r.checked, r.findings, r.incomplete) == ("no_data", 0, [], True), cid
        assert "in access_log (" in r.reason_en and "1970" in r.reason_en, r.reason_en
        assert "1900-10-05" in r.reason_en  # the range the log really holds
    # The requests are in the period: R02 examines them as usual.
    assert results["R02"].outcome in ("pass", "fail") and not results["R02"].incomplete


@pytest.mark.parametrize(("scope", "close", "known"), [
    ("department=客服", "客服中心", "客服中心, 风控部"),  # the employees' departments
    ("system=crn", "crm", "crm"),  # the log's systems
])
def test_a_scope_the_data_does_not_hold_is_a_usage_error(tmp_path, scope, close, known):
    with pytest.raises(ScopeError) as caught:
        audit(tmp_path, tables([event("E1", "2026-10-05 10:00")]), scope=scope)
    err = caught.value
    assert isinstance(err, UsageError) and err.exit_code == 2
    assert f"scope {scope} matches nothing" in err.message
    assert err.hint == f"did you mean '{close}'? (known: {known})"


def test_a_known_department_without_events_is_no_data_not_incomplete(tmp_path):
    # 风控部 exists but only 客服中心's A1 accessed anything: a quiet scope, not bad data.
    _, result = audit(tmp_path, tables([event("E1", "2026-10-05 10:00")]),
                      scope="department=风控部")
    results = by_id(result)
    for cid in EVENT_CONTROLS:
        r = results[cid]
        assert (r.outcome, r.checked, r.findings, r.incomplete) == ("no_data", 0, [], False), cid
        assert "in access_log (" in r.reason_en and "scope department=风控部" in r.reason_en
        assert "范围 department=风控部" in r.reason_zh
    # The same data unscoped: the one access is examined.
    _, whole = audit(tmp_path / "whole", tables([event("E1", "2026-10-05 10:00")]))
    assert by_id(whole)["U04"].checked == 1


@pytest.fixture(scope="module")
def sample_audit():
    loaded = load_dir(SAMPLE / "exports")
    return run_controls(loaded, resolve_period("2026-10"))


def test_on_the_sample_company_checked_bounds_the_findings(sample_audit):
    assert len(sample_audit.results) == 36
    for r in sample_audit.results:
        assert r.outcome != "no_data", (r.control.id, r.reason_en)
        assert r.checked is not None and r.checked > 0, r.control.id
        assert len(r.findings) <= r.checked, (r.control.id, len(r.findings), r.checked)


def test_a_needed_dataset_with_no_row_gives_no_verdict(tmp_path):
    # A header-only customers export: no access could be judged against an
    # erasure, so U05 must not pass over the accesses (a reviewer saw it pass).
    access = [{"event_id": "E1", "ts": "2026-10-05 10:00", "actor_id": "A1",
               "customer_id": "K1", "data_category": "contact", "action": "read",
               "purpose": "service"}]
    result = run_control_result(tmp_path, "U05", {"access_log": access, "customers": []})
    assert result.outcome == "no_data" and result.incomplete and not result.findings
    assert "customers has no row" in result.reason_en
