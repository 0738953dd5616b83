"""Golden no_data cases: every control, its datasets present, nothing in its population.

Each case is a near miss: a row that would be examined but for one thing (denied,
in September, naming no customer, on paper, not completed...), so the control
must say no_data, never pass, and its reason must name the dataset it looked at.
The audited period is 2026-10 (local time, Asia/Shanghai); as_of 2026-11-01.
"""

from __future__ import annotations

import pytest

from privacylib.controls.catalog import load_catalog

from conftest import run_control_result

OCT = "2026-10-15 10:00"  # in the period
SEP = "2026-09-15 10:00"  # before it
END = "2026-11-01 00:00:00"  # the period's exclusive end

PURPOSES = [
    {"purpose": "service", "legal_basis": "contract"},
    {"purpose": "marketing", "legal_basis": "consent"},
]
CONSENT = {
    "consent_id": "K-1",
    "customer_id": "K1",
    "purpose": "marketing",
    "granted_at": "2026-01-01",
    "method": "checkbox",
    "notice_version": "v1",
    "evidence_ref": "e",
}
EMPLOYEES = [{"actor_id": "A1", "role": "cs", "hired_at": "2020-01-01"}]
CUSTOMERS = [{"customer_id": "K1"}]
RETENTION = [{"data_category": "contact", "retention_days": "10", "anchor": "collected_at"}]


def ev(ts=OCT, result=None, customer="K1", actor="A1"):
    return {
        "event_id": "E1",
        "ts": ts,
        "actor_id": actor,
        "customer_id": customer,
        "data_category": "contact",
        "action": "read",
        "purpose": "marketing",
        "result": result,
    }


DENIED = [ev(result="denied")]
NO_CUSTOMER = [ev(customer=None)]


def store(sid, kind="database", pd="true"):
    return {"store_id": sid, "kind": kind, "holds_personal_data": pd, "location": "IDC-A"}


# Paper with personal data, and a database without: neither is an electronic PD store.
NO_ELECTRONIC_PD = [store("paper", "paper_archive"), store("nopd", pd="false")]


def backup(bid, at, status="success", sid="db"):
    return {
        "backup_id": bid,
        "store_id": sid,
        "started_at": at,
        "completed_at": at,
        "status": status,
        "target_location": "IDC-A",
        "encrypted": "false",
    }


def restore(tid, at, result, sid="nopd"):
    return {"test_id": tid, "store_id": sid, "tested_at": at, "result": result}


def share(at):
    return {
        "share_id": "s1",
        "customer_id": "K1",
        "recipient": "R",
        "recipient_country": "US",
        "data_category": "contact",
        "purpose": "marketing",
        "shared_at": at,
    }


def request(rid, kind, received, completed=None):
    return {
        "request_id": rid,
        "customer_id": "K1",
        "type": kind,
        "received_at": received,
        "completed_at": completed,
    }


def incident(iid, detected, notified=None):
    return {
        "incident_id": iid,
        "detected_at": detected,
        "customers_notified_at": notified,
        "regulator_notified_at": notified,
    }


def field(mandatory):
    return {
        "system": "app",
        "field": "phone",
        "data_category": "contact",
        "purpose": "service",
        "mandatory": mandatory,
    }


# (control, the population's dataset, tables). An empty list is a header-only file.
CASES = [
    # An inventory without a single field.
    ("C01", "collection_fields", {"collection_fields": [], "purposes": PURPOSES}),
    # Only optional fields.
    ("C02", "collection_fields", {
        "collection_fields": [field("no")], "purposes": PURPOSES,
        "purpose_categories": [{"purpose": "service", "data_category": "contact"}]}),
    # Only a denied access in October.
    ("C03", "access_log", {"access_log": DENIED, "consents": [CONSENT], "purposes": PURPOSES}),
    # An October access naming no customer.
    ("C04", "access_log", {
        "access_log": NO_CUSTOMER, "consents": [CONSENT], "purposes": PURPOSES}),
    # Only a September access.
    ("C05", "access_log", {
        "access_log": [ev(SEP)], "consents": [CONSENT], "purposes": PURPOSES,
        "data_categories": [{"data_category": "contact", "sensitive": "no"}]}),
    # No consent recorded at all.
    ("C06", "consents", {"consents": []}),
    ("C07", "consents", {"consents": []}),
    # Consents naming no notice version (C06's finding, not C08's subject).
    ("C08", "consents", {
        "consents": [{**CONSENT, "notice_version": None}],
        "notices": [{"notice_version": "v1", "published_at": "2024-01-01",
                     "purposes": "marketing"}]}),
    ("S01", "data_stores", {"data_stores": NO_ELECTRONIC_PD}),
    ("S02", "data_stores", {"data_stores": NO_ELECTRONIC_PD}),
    # An electronic PD store and a paper archive without PD.
    ("S03", "data_stores", {
        "data_stores": [store("db"), store("nopd", "paper_archive", pd="false")]}),
    # No record held.
    ("S04", "records", {"records": [], "retention_policy": RETENTION, "customers": CUSTOMERS}),
    ("S05", "records", {"records": [], "retention_policy": RETENTION}),
    ("S06", "access_log", {
        "access_log": DENIED, "employees": EMPLOYEES,
        "role_permissions": [{"role": "cs", "data_category": "contact", "action": "read"}]}),
    # S07 counts denied rows too: here one in September and one at the period's end.
    ("S07", "access_log", {"access_log": [ev(SEP), {**ev(END), "event_id": "E2"}]}),
    ("S08", "access_log", {"access_log": DENIED, "employees": EMPLOYEES}),
    # A successful October backup, but of the store without PD.
    ("S09", "data_stores", {
        "data_stores": NO_ELECTRONIC_PD, "backups": [backup("b1", OCT, sid="nopd")]}),
    # A failed October backup and a successful September one.
    ("S10", "backups", {
        "data_stores": [store("db")],
        "backups": [backup("b1", OCT, "failed"), backup("b2", SEP)]}),
    # A partial October backup.
    ("S11", "backups", {"data_stores": [store("db")], "backups": [backup("b1", OCT, "partial")]}),
    ("S12", "data_stores", {
        "data_stores": NO_ELECTRONIC_PD, "restore_tests": [restore("t1", OCT, "fail")]}),
    # Only passes, and a failure after as_of.
    ("S13", "restore_tests", {
        "restore_tests": [restore("t1", OCT, "pass"), restore("t2", "2026-11-02", "fail")]}),
    # Neither store holds personal data.
    ("S14", "data_stores", {
        "data_stores": [store("nopd", pd="false"), store("box", "paper_archive", pd="false")]}),
    ("U01", "access_log", {"access_log": DENIED}),
    # An October access by no actor (S07's): no actor-day.
    ("U02", "access_log", {"access_log": [ev(actor=None)]}),
    ("U03", "access_log", {"access_log": [ev(SEP)]}),
    ("U04", "access_log", {"access_log": DENIED}),
    ("U05", "access_log", {"access_log": NO_CUSTOMER, "customers": CUSTOMERS}),
    ("U06", "access_log", {"access_log": DENIED, "purposes": PURPOSES}),
    # No share in October: one in September, one at the period's end.
    ("H01", "sharing", {"sharing": [share(SEP)], "consents": [CONSENT]}),
    ("H02", "sharing", {"sharing": [share(END)]}),
    ("H03", "sharing", {"sharing": [share(SEP)]}),
    # Completed before the period, and received after it.
    ("R01", "dsr_requests", {"dsr_requests": [
        request("r1", "access", "2026-09-01", "2026-09-30 23:59:59"),
        request("r2", "access", END)]}),
    # An open deletion, and a completed access request.
    ("R02", "dsr_requests", {
        "dsr_requests": [request("r1", "deletion", OCT), request("r2", "access", SEP, OCT)],
        "customers": CUSTOMERS, "access_log": [ev()]}),
    # An open withdrawal, and a completed deletion.
    ("R03", "dsr_requests", {
        "dsr_requests": [request("r1", "withdrawal", OCT), request("r2", "deletion", SEP, OCT)],
        "consents": [CONSENT]}),
    ("A01", "access_log", {
        "access_log": DENIED, "training": [{"actor_id": "A1", "completed_at": "2026-01-01"}]}),
    # Closed long before the period, and detected after it.
    ("A02", "incidents", {"incidents": [
        incident("i1", "2025-03-01 09:00", "2025-03-02 09:00"),
        incident("i2", "2026-11-02 09:00")]}),
]


def test_every_control_has_a_case():
    assert [c[0] for c in CASES] == [c.id for c in load_catalog()]


@pytest.mark.parametrize(("control_id", "dataset", "tables"), CASES, ids=[c[0] for c in CASES])
def test_nothing_in_the_population_is_no_data(tmp_path, control_id, dataset, tables):
    result = run_control_result(tmp_path, control_id, tables)
    assert result.outcome == "no_data", (result.outcome, result.reason_en)
    assert result.checked == 0
    assert result.findings == []
    assert f"in {dataset} (" in result.reason_en, result.reason_en
    assert dataset in result.reason_zh
