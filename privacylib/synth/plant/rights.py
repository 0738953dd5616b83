"""Rights and accountability (R01-R03, A01-A02), outside the period, dirty rows."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from privacylib.synth import company as cm
from privacylib.synth import reference as ref
from privacylib.synth.company import Company, add_consent, add_request
from privacylib.synth.plant.base import SEC, T0, H, customer, ev, find, staff
from privacylib.synth.plant.registry import plants

# --- Rights --------------------------------------------------------------------------


@plants("R01")
def r01_dsr_timeliness(co: Company, rng: random.Random) -> None:
    # Answered late within the period; still open too long; and near misses.
    find(
        co,
        "R01",
        add_request(co, "C9000001", "access", datetime(2026, 9, 1, 10), datetime(2026, 10, 3, 10)),
    )
    find(co, "R01", add_request(co, "C9000002", "correction", datetime(2026, 10, 5, 10), None))
    add_request(co, "C9000003", "access", datetime(2026, 9, 10, 10), datetime(2026, 9, 30, 10))
    add_request(co, "C9000004", "access", datetime(2026, 10, 2, 10), datetime(2026, 10, 17, 10))
    add_request(co, "C9000005", "portability", ref.AS_OF - timedelta(days=15), None)


@plants("R02")
def r02_deletion_effective(co: Company, rng: random.Random) -> None:
    # Deletion done on paper only; data reached after the deletion was done.
    customer(co, rng, "C9000701")
    find(
        co,
        "R02",
        add_request(
            co, "C9000701", "deletion", datetime(2026, 9, 15, 10), datetime(2026, 9, 20, 10)
        ),
    )
    done = datetime(2026, 10, 8, 10)
    customer(co, rng, "C9000702", deleted_at=done + H(24))
    find(co, "R02", add_request(co, "C9000702", "deletion", done - H(72), done))
    ev(co, done + H(5), customer="C9000702")  # before the erasure: no U05
    customer(co, rng, "C9000703", deleted_at=done)
    add_request(co, "C9000703", "deletion", done - H(72), done)
    ev(co, done - SEC, customer="C9000703")
    customer(co, rng, "C9000704")
    add_request(co, "C9000704", "deletion", datetime(2026, 10, 25, 10), None)  # still open


@plants("R03")
def r03_withdrawal_effective(co: Company, rng: random.Random) -> None:
    # Withdrawals that left a consent standing.
    customer(co, rng, "C9000801", {"marketing": {}})
    find(
        co,
        "R03",
        add_request(
            co,
            "C9000801",
            "withdrawal",
            datetime(2026, 9, 8, 10),
            datetime(2026, 9, 10, 10),
            "marketing",
        ),
    )
    w = datetime(2026, 10, 5, 10)
    customer(
        co, rng, "C9000802", {"marketing": {"withdrawn": w}, "analytics": {"withdrawn": w + H(48)}}
    )
    find(co, "R03", add_request(co, "C9000802", "withdrawal", w - H(24), w, None))
    customer(co, rng, "C9000803", {"marketing": {"withdrawn": w}})
    add_consent(co, "C9000803", "marketing", w - H(12))  # after received: a new consent
    add_consent(co, "C9000803", "analytics", datetime(2026, 1, 1))  # another purpose
    add_request(co, "C9000803", "withdrawal", w - H(24), w, "marketing")


# --- Accountability ---------------------------------------------------------------------


@plants("A01")
def a01_privacy_training(co: Company, rng: random.Random) -> None:
    year = timedelta(days=365)
    for actor, trained in (
        ("E9010", datetime(2025, 6, 1, 10)),
        ("E9011", ref.AS_OF - year),
        ("E9012", datetime(2026, 11, 3, 10)),
    ):
        staff(co, rng, actor, [("customer_service", T0, None)], trained=trained)
        ev(co, datetime(2026, 10, 20, 10), actor=actor)
        find(co, "A01", actor)
    staff(co, rng, "E9013", [("customer_service", T0, None)], trained=ref.AS_OF - year + H(1))
    ev(co, datetime(2026, 10, 20, 11), actor="E9013")
    staff(co, rng, "E9014", [("customer_service", T0, None)], trained=None)
    ev(co, datetime(2026, 10, 20, 12), actor="E9014", result="denied")


@plants("A02")
def a02_incident_notification(co: Company, rng: random.Random) -> None:
    # Late, missing, and a late notice of an older incident inside the period.
    add = cm.add_incident
    find(
        co,
        "A02",
        add(
            co,
            datetime(2026, 10, 2, 9),
            datetime(2026, 10, 6, 10),
            datetime(2026, 10, 4, 9),
            5000,
            "high",
        ),
    )
    find(
        co,
        "A02",
        add(co, datetime(2026, 10, 20, 9), datetime(2026, 10, 21, 9), None, 800, "medium"),
    )
    find(
        co,
        "A02",
        add(
            co,
            datetime(2026, 9, 10, 9),
            datetime(2026, 9, 11, 9),
            datetime(2026, 10, 2, 9),
            120,
            "medium",
        ),
    )
    add(
        co, datetime(2026, 10, 5, 8), datetime(2026, 10, 8, 8), datetime(2026, 10, 8, 8), 60, "low"
    )  # exactly 72 hours
    add(co, datetime(2026, 10, 30, 12), None, None, 10, "low")  # 36 hours so far
    add(
        co, datetime(2025, 3, 1, 9), datetime(2025, 3, 9, 9), datetime(2025, 3, 9, 9), 30, "low"
    )  # late, but long before the period


# --- Outside the period, and dirty rows -------------------------------------------------


@plants()
def outside_period(co: Company, rng: random.Random) -> None:
    """Events in the export that fall outside the audited month."""
    ev(co, datetime(2026, 9, 30, 23, 30), purpose=None)  # off hours, null purpose
    ev(co, "2026-09-30T15:59:59Z", actor="X0003", customer="C9000101", purpose="marketing")
    ev(
        co,
        datetime(2026, 11, 1, 0, 0),
        cat="payment",
        action="export",
        ticket="",
        purpose="billing",
    )
    ev(co, "2026-10-31T16:00:00Z", actor="E9004", customer="C9000101", purpose="marketing")


@plants()
def dirty_rows(co: Company, rng: random.Random) -> None:
    """Unreadable values and repeated keys: rejects, never findings."""
    first = co.events[0]
    for when, count in (
        ("not-a-time", 1),
        ("2026-13-01 10:00:00", 1),
        (datetime(2026, 10, 21, 3, 0), "12x"),
    ):
        ev(co, when, count=count)  # would be U04 (03:00) if it were loaded
    for _ in range(2):
        ev(co, datetime(2026, 10, 21, 4, 0), event_id=first["event_id"], actor="X0009")
    co.expected_rejects["access_log"] = 5
    consent = co.rows["consents"][0]
    co.add("consents", **{**consent, "granted_at": "yesterday", "consent_id": "CS-DIRTY-1"})
    co.add("consents", **{**consent, "method": "pre_checked"})  # repeats the first id
    co.expected_rejects["consents"] = 2
    staff = co.rows["employees"][5]
    co.add("employees", **{**staff, "部门": "不存在的部门"})
    co.expected_rejects["employees"] = 1
    backup = co.rows["backups"][0]
    co.add("backups", **{**backup, "backup_id": "BK-DIRTY-1", "started_at": "2026-10-32 02:00"})
    co.expected_rejects["backups"] = 1
