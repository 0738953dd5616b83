"""Golden cases for U01-U06: tickets, daily limits in local days, hours, erasure."""

from __future__ import annotations

from privacylib import Policy

from conftest import run_control


def ev(
    eid,
    ts,
    actor="A1",
    action="read",
    count=None,
    ticket=None,
    customer="K1",
    result=None,
    purpose="service",
):
    return {
        "event_id": eid,
        "ts": ts,
        "actor_id": actor,
        "customer_id": customer,
        "data_category": "contact",
        "action": action,
        "purpose": purpose,
        "ticket_id": ticket,
        "record_count": count,
        "result": result,
    }


def test_u01_exports_and_deletions_need_a_ticket(tmp_path):
    tables = {
        "access_log": [
            ev("E1", "2026-10-05 10:00", action="export"),
            ev("E2", "2026-10-05 10:00", action="Delete"),
            ev("E3", "2026-10-05 10:00", action="export", ticket="T1"),
            ev("E4", "2026-10-05 10:00", action="export", result="denied"),
            ev("E5", "2026-10-05 10:00", action="update"),
            ev("E6", "2026-09-05 10:00", action="export"),
        ]
    }
    # Checked: E4 denied, E6 in September: 4 of 6.
    assert run_control(tmp_path, "U01", tables, checked=4) == ("fail", {"E1", "E2"})


def test_u01_follows_the_policy(tmp_path):
    tables = {
        "access_log": [
            ev("E1", "2026-10-05 10:00", action="export"),
            ev("E2", "2026-10-05 10:00", action="print"),
        ]
    }
    policy = Policy(ticketed_actions=("PRINT",))
    assert run_control(tmp_path, "U01", tables, policy=policy, checked=2) == (
        "fail",
        {"E2"},
    )


def test_u02_daily_export_limit_in_local_days(tmp_path):
    tables = {
        "access_log": [
            ev("E1", "2026-10-05 10:00", action="export", count=600),
            ev("E2", "2026-10-05 11:00", action="export", count=401),  # 1001: over
            ev("E3", "2026-10-06 10:00", action="export", count=1000),  # exactly: fine
            ev("E4", "2026-10-06 11:00", action="read", count=500),
            ev("E5", "2026-10-07 10:00", action="export", count=900),
            ev("E6", "2026-10-07 11:00", action="export", count=900, result="denied"),
            # 19:30 and next day 07:30 local are one UTC day (2026-10-08): not one local day
            ev("E7", "2026-10-08T11:30:00Z", action="export", count=600),
            ev("E8", "2026-10-08T23:30:00Z", action="export", count=600),
            ev("E9", "2026-10-05 10:00", actor="A2", action="export", count=1500),
            ev("E10", "2026-09-30 23:00", actor="A3", action="export", count=1500),
        ]
    }
    # Checked: actor-days with any effective access (E4's read too): A1 on the 5th, 6th, 7th,
    # 8th (E7) and 9th (E8), A2 on the 5th; A3's only day is in September: 6.
    assert run_control(tmp_path, "U02", tables, checked=6) == (
        "fail",
        {"A1:2026-10-05", "A2:2026-10-05"},
    )


def test_u03_distinct_customers_per_local_day(tmp_path):
    rows = [ev(f"a{i}", "2026-10-05 10:00", customer=f"K{i}") for i in range(201)]
    rows += [ev(f"b{i}", "2026-10-06 10:00", customer=f"K{i % 200}") for i in range(400)]
    rows += [ev("b-denied", "2026-10-06 11:00", customer="K999", result="denied")]
    rows += [ev(f"b-null{i}", "2026-10-06 11:00", customer=None) for i in range(3)]
    rows += [ev(f"c{i}", "2026-10-07 10:00", actor="A2", customer=f"K{i}") for i in range(150)]
    rows += [
        ev(f"c{i}", "2026-10-07T18:00:00Z", actor="A2", customer=f"L{i}") for i in range(150, 300)
    ]  # 02:00 local on the 8th: another day
    # Checked: A1 on the 5th and 6th, A2 on the 7th and (local) 8th: 4 actor-days.
    assert run_control(tmp_path, "U03", {"access_log": rows}, checked=4) == (
        "fail",
        {"A1:2026-10-05"},
    )


def test_u04_business_hours_boundaries(tmp_path):
    tables = {
        "access_log": [
            ev("E1", "2026-10-05 07:59:59"),
            ev("E2", "2026-10-05 08:00:00"),
            ev("E3", "2026-10-05 19:59:59"),
            ev("E4", "2026-10-05 20:00:00"),
            ev("E5", "2026-10-05T00:30:00Z"),
            ev("E6", "2026-10-05T12:30:00Z"),
            ev("E7", "2026-10-05 23:00:00", result="denied"),
            ev("E8", "2026-10-10 14:00:00"),  # a Saturday
            ev("E9", "2026-09-30 23:00:00"),
        ]
    }
    # Checked: E7 denied, E9 in September: 7 of 9.
    assert run_control(tmp_path, "U04", tables, checked=7) == ("fail", {"E1", "E4", "E6"})


def test_u04_weekends_and_other_hours_by_policy(tmp_path):
    tables = {
        "access_log": [
            ev("E1", "2026-10-10 14:00:00"),
            ev("E2", "2026-10-05 08:30:00"),
            ev("E3", "2026-10-05 17:59:59"),
        ]
    }
    policy = Policy(flag_weekends=True, business_hours="09:00-18:00")
    assert run_control(tmp_path, "U04", tables, policy=policy, checked=3) == ("fail", {"E1", "E2"})


def test_u04_in_another_time_zone(tmp_path):
    tables = {"access_log": [ev("E1", "2026-10-05T07:00:00Z"), ev("E2", "2026-10-05T19:00:00Z")]}
    policy = Policy(timezone="UTC")
    assert run_control(tmp_path, "U04", tables, policy=policy, checked=2) == ("fail", {"E1"})


def test_u05_no_access_after_erasure(tmp_path):
    tables = {
        "customers": [
            {"customer_id": "K1", "deleted_at": "2026-10-10 12:00:00"},
            {"customer_id": "K2", "anonymized_at": "2026-10-05 10:00:00"},
            {"customer_id": "K3"},
        ],
        "access_log": [
            ev("E1", "2026-10-10 11:59:59"),
            ev("E2", "2026-10-10 12:00:00"),
            ev("E3", "2026-10-12 10:00:00", result="denied"),
            ev("E4", "2026-10-05 10:00:00", customer="K2"),
            ev("E5", "2026-10-05 10:00:00", customer="K3"),
            ev("E6", "2026-10-05 10:00:00", customer="K404"),
        ],
    }
    # Checked: E3 denied; E6's unknown customer is still named: 5 of 6.
    assert run_control(tmp_path, "U05", tables, checked=5) == ("fail", {"E2", "E4"})


def test_u06_catalogued_purposes(tmp_path):
    tables = {
        "purposes": [{"purpose": "service", "legal_basis": "contract"}],
        "access_log": [
            ev("E1", "2026-10-05 10:00"),
            ev("E2", "2026-10-05 10:00", purpose="curiosity"),
            ev("E3", "2026-10-05 10:00", purpose=None),
            ev("E4", "2026-10-05 10:00", purpose="test", result="denied"),
        ],
    }
    # Checked: E4 denied; E3 (no purpose, S07's) is examined: 3 of 4.
    assert run_control(tmp_path, "U06", tables, checked=3) == ("fail", {"E2"})
