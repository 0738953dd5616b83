"""Golden cases for C01-C08: violations and the near misses at their boundaries."""

from __future__ import annotations

from conftest import run_control

PURPOSES = [
    {"purpose": "service", "legal_basis": "contract"},
    {"purpose": "marketing", "legal_basis": "consent"},
    {"purpose": "face", "legal_basis": "consent"},
]


def field(system, name, cat, purpose, mandatory="no"):
    return {
        "system": system,
        "field": name,
        "data_category": cat,
        "purpose": purpose,
        "mandatory": mandatory,
    }


def test_c01_purpose_missing_or_unknown(tmp_path):
    tables = {
        "purposes": PURPOSES,
        "collection_fields": [
            field("app", "a", "contact", None),
            field("app", "b", "contact", "Service"),
            field("app", "c", "contact", "service"),
            field("web", "d", "contact", "nope"),
            field("web", "d", "contact", "nope2"),
        ],
    }
    # Purposes compare exactly: 'Service' is not 'service'. Two bad rows of one field: one finding.
    # Checked: the distinct system:field pairs, web:d once: 4 of 5 rows.
    assert run_control(tmp_path, "C01", tables, checked=4) == ("fail", {"app:a", "app:b", "web:d"})


def test_c02_mandatory_outside_the_baseline(tmp_path):
    tables = {
        "purposes": PURPOSES,
        "purpose_categories": [{"purpose": "service", "data_category": "contact"}],
        "collection_fields": [
            field("app", "phone", "contact", "service", "yes"),  # in the baseline
            field("app", "id", "identity", "service", "yes"),  # finding
            field("app", "id", "identity", "marketing", "yes"),  # marketing needs nothing
            field("app", "opt", "identity", "service", "no"),  # optional
            field("app", "x", "identity", "unknown", "yes"),  # unknown purpose: C01's
            field("app", "y", "identity", None, "yes"),
        ],
    }
    # Checked: every mandatory row, those with an unknown or no purpose (x, y) too; opt is
    # optional: 5 of 6.
    assert run_control(tmp_path, "C02", tables, checked=5) == (
        "fail",
        {"app:id:service", "app:id:marketing"},
    )


EMPLOYEES = [{"actor_id": "A1", "role": "cs", "hired_at": "2020-01-01"}]


def event(eid, ts, customer="K1", purpose="marketing", result=None, cat="contact"):
    return {
        "event_id": eid,
        "ts": ts,
        "actor_id": "A1",
        "customer_id": customer,
        "data_category": cat,
        "action": "read",
        "purpose": purpose,
        "result": result,
    }


def consent(cid, customer, purpose, granted, withdrawn=None, separate=None):
    return {
        "consent_id": cid,
        "customer_id": customer,
        "purpose": purpose,
        "granted_at": granted,
        "withdrawn_at": withdrawn,
        "separate": separate,
        "method": "checkbox",
        "notice_version": "v1",
        "evidence_ref": "e",
    }


def test_c03_no_consent_before_the_access(tmp_path):
    tables = {
        "purposes": PURPOSES,
        "consents": [
            consent("K-a", "K1", "marketing", "2026-10-10 10:00:00"),
            consent("K-b", "K3", "marketing", None),
        ],  # never granted
        "access_log": [
            event("E1", "2026-10-10 09:59:59"),  # a second too early
            event("E2", "2026-10-10 10:00:00"),  # granted at that very instant: fine
            event("E3", "2026-10-12 10:00:00", customer="K2"),  # no consent at all
            event("E4", "2026-10-12 10:00:00", customer="K2", result="denied"),
            event("E5", "2026-10-12 10:00:00", customer=None),
            event("E6", "2026-10-12 10:00:00", customer="K2", purpose="service"),
            event("E7", "2026-10-12 10:00:00", customer="K3"),
            event("E8", "2026-10-12 10:00:00", customer="K2", purpose="unlisted"),
            event("E9", "2026-09-30 23:59:59", customer="K2"),  # before the period (local)
            event("E10", "2026-09-30T16:00:00Z", customer="K2"),
        ],
    }  # = 10-01 00:00 local
    # Checked: E4 denied, E5 names no customer, E9 before the period: 7 of 10 (E6's contract
    # purpose and E8's unlisted one are examined and pass).
    assert run_control(tmp_path, "C03", tables, checked=7) == ("fail", {"E1", "E3", "E7", "E10"})


def test_c04_use_after_withdrawal_at_the_exact_instant(tmp_path):
    tables = {
        "purposes": PURPOSES,
        "consents": [
            consent("K-a", "K1", "marketing", "2026-01-01", withdrawn="2026-10-10 12:00:00"),
            consent("K-b", "K2", "marketing", "2026-01-01", withdrawn="2026-03-01"),
            consent("K-c", "K2", "marketing", "2026-05-01"),  # a new consent: active
            consent("K-d", "K3", "marketing", "2026-10-20 10:00:00"),
        ],
        "access_log": [
            event("E1", "2026-10-10 11:59:59"),
            event("E2", "2026-10-10 12:00:00"),
            event("E3", "2026-10-15 12:00:00"),
            event("E4", "2026-10-15 12:00:00", result="denied"),
            event("E5", "2026-10-15 12:00:00", customer="K2"),
            event("E6", "2026-10-15 12:00:00", customer="K3"),
        ],
    }  # not yet granted: C03's
    # Checked: E4 denied: 5 of 6.
    assert run_control(tmp_path, "C04", tables, checked=5) == ("fail", {"E2", "E3"})


def test_c05_sensitive_data_needs_an_active_separate_consent(tmp_path):
    tables = {
        "purposes": PURPOSES,
        "data_categories": [
            {"data_category": "bio", "sensitive": "yes"},
            {"data_category": "contact", "sensitive": "no"},
        ],
        "consents": [
            consent("K-a", "K1", "face", "2026-01-01", separate="false"),
            consent("K-b", "K2", "face", "2026-01-01"),  # separate defaults to false
            consent("K-c", "K3", "face", "2026-01-01", separate="false"),
            consent("K-d", "K3", "face", "2026-02-01", separate="true"),
            consent("K-e", "K4", "face", "2026-01-01", separate="true", withdrawn="2026-10-05"),
            consent("K-f", "K4", "face", "2026-01-01", separate="false"),
            consent("K-g", "K5", "marketing", "2026-01-01", separate="false"),
        ],
        "access_log": [
            event("E1", "2026-10-12 10:00", customer="K1", purpose="face", cat="bio"),
            event("E2", "2026-10-12 10:00", customer="K2", purpose="face", cat="bio"),
            event("E3", "2026-10-12 10:00", customer="K3", purpose="face", cat="bio"),
            event("E4", "2026-10-04 10:00", customer="K4", purpose="face", cat="bio"),
            event("E5", "2026-10-12 10:00", customer="K4", purpose="face", cat="bio"),
            event("E6", "2026-10-12 10:00", customer="K5", purpose="marketing"),
            event("E7", "2026-10-12 10:00", customer="K9", purpose="face", cat="bio"),
            event(
                "E8", "2026-10-12 10:00", customer="K1", purpose="face", cat="bio", result="denied"
            ),
        ],
    }
    # E7 has no consent at all (C03's); E6 is not sensitive; E4 was before the withdrawal.
    # Checked: every effective access naming a customer, sensitive or not; E8 denied: 7 of 8.
    assert run_control(tmp_path, "C05", tables, checked=7) == ("fail", {"E1", "E2", "E5"})


def test_c06_incomplete_consent_records(tmp_path):
    full = consent("K-ok", "K1", "marketing", "2026-01-01")
    tables = {
        "consents": [
            full,
            {**full, "consent_id": "K-1", "granted_at": None},
            {**full, "consent_id": "K-2", "method": None},
            {**full, "consent_id": "K-3", "notice_version": " "},
            {**full, "consent_id": "K-4", "evidence_ref": None},
        ]
    }
    assert run_control(tmp_path, "C06", tables, checked=5) == ("fail", {"K-1", "K-2", "K-3", "K-4"})


def test_c07_invalid_methods_in_any_case(tmp_path):
    base = consent("K", "K1", "marketing", "2026-01-01")
    tables = {
        "consents": [
            {**base, "consent_id": f"K-{m}", "method": m}
            for m in (
                "checkbox",
                "Pre_Checked",
                "implied",
                "OPT_OUT",
                "default",
                "pre-checked",
                None,
            )
        ]
    }
    assert run_control(tmp_path, "C07", tables, checked=7) == (
        "fail",
        {"K-Pre_Checked", "K-implied", "K-OPT_OUT", "K-default"},
    )


def test_c07_follows_the_policy(tmp_path):
    from privacylib import Policy

    base = consent("K", "K1", "marketing", "2026-01-01")
    tables = {
        "consents": [
            {**base, "consent_id": "K-1", "method": "Verbal"},
            {**base, "consent_id": "K-2", "method": "implied"},
        ]
    }
    assert run_control(
        tmp_path, "C07", tables, policy=Policy(invalid_consent_methods=("VERBAL",)), checked=2
    ) == ("fail", {"K-1"})


def test_c08_notice_in_force_and_naming_the_purpose(tmp_path):
    tables = {
        "notices": [
            {
                "notice_version": "v1",
                "published_at": "2024-01-01",
                "retired_at": "2025-07-01",
                "purposes": "service;marketing",
            },
            {
                "notice_version": "v2",
                "published_at": "2025-07-01",
                "purposes": '["marketing", "face"]',
            },
        ],
        "consents": [
            {**consent("K-1", "K1", "marketing", "2025-06-30 23:59:59"), "notice_version": "v1"},
            {**consent("K-2", "K1", "marketing", "2025-07-01 00:00:00"), "notice_version": "v1"},
            {**consent("K-3", "K1", "marketing", "2025-07-01 00:00:00"), "notice_version": "v2"},
            {**consent("K-4", "K1", "face", "2025-03-01"), "notice_version": "v1"},
            {**consent("K-5", "K1", "face", "2025-03-01"), "notice_version": "v0"},
            {**consent("K-6", "K1", "face", "2023-12-31"), "notice_version": "v2"},
            {**consent("K-7", "K1", "face", None), "notice_version": "v2"},
            {**consent("K-8", "K1", "face", "2026-01-01"), "notice_version": None},
        ],
    }
    # Checked: the consents naming a notice version, K-8 names none: 7 of 8.
    assert run_control(tmp_path, "C08", tables, checked=7) == ("fail", {"K-2", "K-4", "K-5", "K-6"})
