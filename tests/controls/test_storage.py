"""Golden cases for S01-S14: stores, retention, access control, backups."""

from __future__ import annotations

from privacylib import Policy

from conftest import run_control


def store(sid, kind="database", pd="true", **extra):
    row = {
        "store_id": sid,
        "name": sid,
        "kind": kind,
        "holds_personal_data": pd,
        "encrypted_at_rest": "true",
        "encryption_algorithm": "AES-256",
        "location": "IDC-A",
        "last_vuln_scan_at": "2026-10-01",
        "open_critical_vulns": "0",
        "access_logging": "true",
        "physical_safeguards": None,
    }
    row.update(extra)
    return row


def test_s01_encryption(tmp_path):
    tables = {
        "data_stores": [
            store("ok"),
            store("off", encrypted_at_rest="false"),
            store("null", encrypted_at_rest=None),
            store("des", encryption_algorithm="des"),
            store("rc4", encryption_algorithm="Rc4 "),
            store("nopd", pd="false", encrypted_at_rest="false"),
            store("paper", kind="paper_archive", encrypted_at_rest=None),
        ]
    }
    # Checked: the electronic PD stores; nopd and paper are not: 5 of 7.
    assert run_control(tmp_path, "S01", tables, checked=5) == (
        "fail",
        {"off", "null", "des", "rc4"},
    )


def test_s02_scans_at_the_ninety_day_boundary(tmp_path):
    # as_of is 2026-11-01 00:00 local: 90 days before is 2026-08-03 00:00.
    tables = {
        "data_stores": [
            store("exact", last_vuln_scan_at="2026-08-03 00:00:00"),
            store("older", last_vuln_scan_at="2026-08-02 23:59:59"),
            store("never", last_vuln_scan_at=None),
            store("vulns", open_critical_vulns="2"),
            store("unknown_vulns", open_critical_vulns=None),
            store("paper", kind="paper_archive", last_vuln_scan_at=None),
            store("nopd", pd="false", last_vuln_scan_at=None),
        ]
    }
    # Checked: paper and nopd are not electronic PD stores: 5 of 7.
    assert run_control(tmp_path, "S02", tables, checked=5) == ("fail", {"older", "never", "vulns"})


def test_s03_paper_safeguards(tmp_path):
    tables = {
        "data_stores": [
            store("ok", kind="paper_archive", physical_safeguards="保险柜"),
            store("blank", kind="paper_archive", physical_safeguards="\u3000 "),
            store("none", kind="paper_archive"),
            store("nopd", kind="paper_archive", pd="false"),
            store("db"),
        ]
    }
    # Checked: the PD paper archives; nopd holds no PD, db is no paper: 3 of 5.
    assert run_control(tmp_path, "S03", tables, checked=3) == ("fail", {"blank", "none"})


def test_s04_deadline_before_as_of(tmp_path):
    tables = {
        "retention_policy": [
            {"data_category": "loc", "retention_days": "10", "anchor": "collected_at"},
            {"data_category": "contact", "retention_days": "10", "anchor": "Account_Closed"},
        ],
        "customers": [
            {"customer_id": "K-closed", "closed_at": "2026-09-21 23:00:00"},
            {"customer_id": "K-open"},
        ],
        # grace 30 + 10 days: collected before 2026-09-22 00:00 local is overdue at as_of.
        "records": [
            {"record_id": "r1", "data_category": "loc", "collected_at": "2026-09-21 23:59:59"},
            {"record_id": "r2", "data_category": "loc", "collected_at": "2026-09-22 00:00:00"},
            {
                "record_id": "r3",
                "data_category": "loc",
                "collected_at": "2026-01-01",
                "deleted_at": "2026-02-01",
            },
            {
                "record_id": "r4",
                "data_category": "loc",
                "collected_at": "2026-01-01",
                "anonymized_at": "2026-02-01",
            },
            {
                "record_id": "r5",
                "customer_id": "K-closed",
                "data_category": "contact",
                "collected_at": "2020-01-01",
            },
            {
                "record_id": "r6",
                "customer_id": "K-open",
                "data_category": "contact",
                "collected_at": "2020-01-01",
            },
            {
                "record_id": "r7",
                "customer_id": "K-gone",
                "data_category": "contact",
                "collected_at": "2020-01-01",
            },
            {"record_id": "r8", "data_category": "other", "collected_at": "2000-01-01"},
        ],
    }
    # Checked: every record, deleted, not yet due or without a policy alike: 8.
    assert run_control(tmp_path, "S04", tables, checked=8) == ("fail", {"r1", "r5"})


def test_s04_grace_follows_the_policy(tmp_path):
    tables = {
        "retention_policy": [
            {"data_category": "loc", "retention_days": "10", "anchor": "collected_at"}
        ],
        "customers": [{"customer_id": "K"}],
        "records": [
            {"record_id": "r1", "data_category": "loc", "collected_at": "2026-10-20 00:00:00"}
        ],
    }
    assert run_control(
        tmp_path, "S04", tables, policy=Policy(retention_grace_days=0), checked=1
    ) == (
        "fail",
        {"r1"},
    )


def test_s05_categories_without_retention(tmp_path):
    tables = {
        "retention_policy": [
            {"data_category": "a", "retention_days": "1", "anchor": "collected_at"}
        ],
        "records": [
            {"record_id": f"r{i}", "data_category": c, "collected_at": "2026-01-01"}
            for i, c in enumerate(["a", "b", "b", "c"])
        ],
    }
    # Checked: the distinct categories a, b, c of 4 records.
    assert run_control(tmp_path, "S05", tables, checked=3) == ("fail", {"b", "c"})


ROLE_PERMISSIONS = [
    {"role": "cs", "data_category": "contact", "action": "read"},
    {"role": "an", "data_category": "order", "action": "read"},
    {"role": "dba", "data_category": "order", "action": "*"},
]


def ev(eid, ts, actor="A1", cat="contact", action="read", result=None):
    return {
        "event_id": eid,
        "ts": ts,
        "actor_id": actor,
        "customer_id": "K1",
        "data_category": cat,
        "action": action,
        "purpose": "service",
        "result": result,
    }


def test_s06_roles_over_time(tmp_path):
    tables = {
        "role_permissions": ROLE_PERMISSIONS,
        "employees": [{"actor_id": a, "hired_at": "2020-01-01"} for a in ("A1", "A2", "A3", "A4")]
        + [{"actor_id": "A5", "hired_at": "2020-01-01", "terminated_at": "2026-10-05"}],
        "role_assignments": [
            {"actor_id": "A1", "role": "cs", "valid_to": "2026-10-15 10:00:00"},
            {"actor_id": "A1", "role": "an", "valid_from": "2026-10-15 10:00:00"},
            {"actor_id": "A2", "role": "cs"},
            {"actor_id": "A2", "role": "an"},
            {"actor_id": "A3", "role": "dba"},
            {"actor_id": "A4", "role": "cs", "valid_to": "2026-10-05"},
        ],
        "access_log": [
            ev("E1", "2026-10-15 09:59:59"),
            ev("E2", "2026-10-15 10:00:00"),
            ev("E3", "2026-10-15 10:00:00", cat="order"),
            ev("E4", "2026-10-16 10:00", actor="A2", cat="order"),
            ev("E5", "2026-10-16 10:00", actor="A2", action="export"),
            ev("E6", "2026-10-16 10:00", actor="A3", cat="order", action="delete"),
            ev("E7", "2026-10-16 10:00", actor="A4"),  # holds no role any more
            ev("E8", "2026-10-16 10:00", actor="A2", action="export", result="denied"),
            ev("E9", "2026-10-16 10:00", actor="A5", cat="payment"),  # gone: S08's
            ev("E10", "2026-10-16 10:00", actor="X9", cat="payment"),
        ],
    }  # unknown: S08's
    # Checked: E8 denied; E9 and E10 (S08's) are still effective accesses: 9 of 10.
    assert run_control(tmp_path, "S06", tables, checked=9) == ("fail", {"E2", "E5", "E7"})


def test_s06_without_role_assignments_uses_the_employee_role(tmp_path):
    tables = {
        "role_permissions": ROLE_PERMISSIONS,
        "employees": [
            {"actor_id": "A1", "role": "cs", "hired_at": "2020-01-01"},
            {"actor_id": "A2", "hired_at": "2020-01-01"},
        ],
        "access_log": [
            ev("E1", "2026-10-16 10:00"),
            ev("E2", "2026-10-16 10:00", cat="order"),
            ev("E3", "2026-10-16 10:00", actor="A2"),
        ],
    }
    assert run_control(tmp_path, "S06", tables, checked=3) == ("fail", {"E2", "E3"})


def test_s07_incomplete_rows_denied_included(tmp_path):
    tables = {
        "access_log": [
            ev("E1", "2026-10-16 10:00"),
            {**ev("E2", "2026-10-16 10:00"), "purpose": None},
            {**ev("E3", "2026-10-16 10:00", result="denied"), "actor_id": None},
            ev("E4", None),
            {**ev("E5", "2026-09-16 10:00"), "purpose": None},
            {**ev("E6", "2026-11-01 00:00:00"), "purpose": None},
        ]
    }
    # Checked: E3 (denied) and E4 (no time) count; E5 is in September and E6 at the period's
    # exclusive end: 4 of 6.
    assert run_control(tmp_path, "S07", tables, checked=4) == ("fail", {"E2", "E3", "E4"})


def test_s08_registered_and_employed_at_the_time(tmp_path):
    tables = {
        "employees": [
            {
                "actor_id": "A1",
                "hired_at": "2026-10-12 09:00:00",
                "terminated_at": "2026-10-20 18:00:00",
            },
            {"actor_id": "A2"},
        ],
        "access_log": [
            ev("E1", "2026-10-12 08:59:59"),
            ev("E2", "2026-10-12 09:00:00"),
            ev("E3", "2026-10-20 17:59:59"),
            ev("E4", "2026-10-20 18:00:00"),
            ev("E5", "2026-10-16 10:00", actor="A2"),
            ev("E6", "2026-10-16 10:00", actor="X"),
            ev("E7", "2026-10-16 10:00", actor="X", result="denied"),
            {**ev("E8", "2026-10-16 10:00"), "actor_id": None},
        ],
    }
    # Checked: E7 denied; E8 (no actor) is an effective access all the same: 7 of 8.
    assert run_control(tmp_path, "S08", tables, checked=7) == ("fail", {"E1", "E4", "E6"})


def backup(bid, sid, completed, status="success", target="IDC-B", encrypted="true", started=None):
    return {
        "backup_id": bid,
        "store_id": sid,
        "started_at": started or completed,
        "completed_at": completed if started is None else None,
        "status": status,
        "target_location": target,
        "encrypted": encrypted,
    }


def _daily(sid, skip=(), **kw):
    return [
        backup(f"{sid}-{d}", sid, f"2026-10-{d:02d} 02:00:00", **kw)
        for d in range(1, 32)
        if d not in skip
    ]


def test_s09_gaps_between_successful_backups(tmp_path):
    stores = ("ok", "gap", "none", "edge", "late", "start", "fallback")
    tables = {
        "data_stores": [store(s) for s in stores]
        + [store("paper", kind="paper_archive"), store("nopd", pd="false")],
        "backups": _daily("ok")
        + _daily("gap", skip=(10,))
        + [backup("gap-10", "gap", "2026-10-10 02:00:00", status="failed")]
        # edge: 26 hours exactly between the 10th 02:00 and the 11th 04:00
        + _daily("edge", skip=(11,))
        + [backup("edge-11", "edge", "2026-10-11 04:00:00")]
        # late: the last one on the 30th leaves 46 h to the end of the period
        + _daily("late", skip=(31,))
        # start: the first one, on the 2nd at 03:00, is 27 h after the period starts
        + _daily("start", skip=(1, 2))
        + [backup("start-2", "start", "2026-10-02 03:00")]
        # fallback: one without completed_at counts at its started_at
        + _daily("fallback", skip=(15,))
        + [backup("fallback-15", "fallback", None, started="2026-10-15 02:00:00")],
    }
    # Checked: the 7 electronic PD stores, not paper nor nopd.
    assert run_control(tmp_path, "S09", tables, checked=7) == (
        "fail",
        {"gap", "none", "late", "start"},
    )


def test_s09_follows_the_policy(tmp_path):
    tables = {"data_stores": [store("s")], "backups": _daily("s", skip=(10,))}
    assert run_control(
        tmp_path, "S09", tables, policy=Policy(backup_max_gap_hours=48), checked=1
    ) == (
        "pass",
        set(),
    )


def test_s10_backups_kept_where_the_primary_is(tmp_path):
    tables = {
        "data_stores": [store("s", location="IDC-A")],
        "backups": [
            backup("b1", "s", "2026-10-05 02:00", target=" idc-a"),
            backup("b2", "s", "2026-10-05 02:00"),
            backup("b3", "s", "2026-10-05 02:00", target="IDC-A", status="failed"),
            backup("b4", "s", "2026-09-05 02:00", target="IDC-A"),
        ],
    }
    # Checked: b3 failed, b4 in September: 2 of 4.
    assert run_control(tmp_path, "S10", tables, checked=2) == ("fail", {"b1"})


def test_s11_unencrypted_backups_of_personal_data(tmp_path):
    tables = {
        "data_stores": [store("s"), store("n", pd="false")],
        "backups": [
            backup("b1", "s", "2026-10-05 02:00", encrypted="false"),
            backup("b2", "s", "2026-10-05 02:00", encrypted=None),
            backup("b3", "s", "2026-10-05 02:00"),
            backup("b4", "n", "2026-10-05 02:00", encrypted="false"),
            backup("b5", "s", "2026-10-05 02:00", encrypted="false", status="partial"),
            backup("b6", "x", "2026-10-05 02:00", encrypted="false"),
        ],
    }
    # Checked: the successful backups in the period of PD stores: b4's store holds no PD,
    # b6's is unknown, b5 is partial: 3 of 6.
    assert run_control(tmp_path, "S11", tables, checked=3) == ("fail", {"b1", "b2"})


def test_s12_restore_tests_within_180_days(tmp_path):
    # as_of - 180 days = 2026-05-05 00:00 local, excluded.
    def test(tid, sid, at, result="pass"):
        return {"test_id": tid, "store_id": sid, "tested_at": at, "result": result}

    tables = {
        "data_stores": [store(s) for s in ("ok", "edge", "old", "failed", "none", "future")]
        + [store("paper", kind="paper_archive")],
        "restore_tests": [
            test("t1", "ok", "2026-05-05 00:00:01"),
            test("t2", "edge", "2026-05-05 00:00:00"),
            test("t3", "old", "2026-01-01"),
            test("t4", "failed", "2026-10-01", "fail"),
            test("t5", "future", "2026-11-01 00:00:01"),
        ],
    }
    # Checked: the 6 electronic PD stores, not paper.
    assert run_control(tmp_path, "S12", tables, checked=6) == (
        "fail",
        {"edge", "old", "failed", "none", "future"},
    )


def test_s13_failed_tests_fixed_within_30_days(tmp_path):
    def test(tid, sid, at, result):
        return {"test_id": tid, "store_id": sid, "tested_at": at, "result": result}

    tables = {
        "restore_tests": [
            test("f1", "a", "2026-08-01 21:00", "fail"),
            test("p1", "a", "2026-09-05 21:00", "pass"),
            test("f2", "b", "2026-07-01 21:00", "fail"),
            test("p2", "b", "2026-07-31 21:00", "pass"),
            test("f3", "c", "2026-10-20 21:00", "fail"),  # the 30 days are not over at as_of
            test("f4", "d", "2026-09-01 21:00", "fail"),
            test("p4", "e", "2026-09-02 21:00", "pass"),  # another store's pass does not count
            test("f5", "f", "2026-10-01 23:59:59", "fail"),
        ]
    }  # +30 days is 10-31 23:59:59 < as_of
    # Checked: the 5 failed tests before as_of (f3 is examined, not yet due).
    assert run_control(tmp_path, "S13", tables, checked=5) == ("fail", {"f1", "f4", "f5"})


def test_s14_access_logging(tmp_path):
    tables = {
        "data_stores": [
            store("ok"),
            store("off", access_logging="false"),
            store("null", access_logging=None),
            store("paper", kind="paper_archive", access_logging="no"),
            store("nopd", pd="false", access_logging="false"),
        ]
    }
    # Checked: the PD stores, paper included; nopd is not: 4 of 5.
    assert run_control(tmp_path, "S14", tables, checked=4) == ("fail", {"off", "null", "paper"})
