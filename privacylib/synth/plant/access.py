"""Access control: S06-S08 (roles, log completeness, who may act)."""

from __future__ import annotations

import random
from datetime import datetime

from privacylib.synth.company import Company, Staff
from privacylib.synth.plant.base import SEC, T0, allowed, ev, find, staff
from privacylib.synth.plant.registry import plants


def clean_event(co: Company, st: Staff, when: datetime) -> str:
    """An event the staff member's role allows, for a contract purpose."""
    cat = allowed(st)
    return ev(
        co, when, actor=st.actor_id, cat=cat, purpose="billing" if cat == "payment" else "service"
    )


@plants("S06")
def s06_role_based_access(co: Company, rng: random.Random) -> None:
    # Outside the role; after a role change; holding no role at all.
    find(co, "S06", ev(co, datetime(2026, 10, 9, 10, 0), cat="payment", purpose="billing"))
    find(
        co,
        "S06",
        ev(
            co,
            datetime(2026, 10, 9, 11, 0),
            actor="E9004",
            cat="identity",
            action="export",
            purpose="risk_assessment",
            count=5,
        ),
    )
    changer = co.staff[6]
    change = changer.roles[1][1]
    find(
        co,
        "S06",
        ev(co, change, actor=changer.actor_id, cat="order", purpose="service", customer="C9000002"),
    )
    ev(
        co,
        change - SEC,
        actor=changer.actor_id,
        cat="order",
        purpose="service",
        customer="C9000002",
    )
    ev(co, change, actor=changer.actor_id, cat="contact", purpose="marketing", customer="C9000002")
    staff(co, rng, "E9007", [("customer_service", T0, datetime(2026, 10, 5, 18))])
    find(co, "S06", ev(co, datetime(2026, 10, 8, 10), actor="E9007"))
    dual = co.staff[7].actor_id  # customer_service and analyst at once: rights add up
    ev(
        co,
        datetime(2026, 10, 9, 10),
        actor=dual,
        cat="order",
        purpose="analytics",
        customer="C9000003",
    )
    ev(
        co,
        datetime(2026, 10, 9, 10, 30),
        actor="E9006",
        cat="contact",
        action="delete",
        purpose="service",
    )  # dba holds '*' on contact


@plants("S07")
def s07_access_log_complete(co: Company, rng: random.Random) -> None:
    # Incomplete rows, denied ones included, a null time whatever the period.
    find(co, "S07", ev(co, datetime(2026, 10, 13, 10), purpose=None))
    find(co, "S07", ev(co, datetime(2026, 10, 13, 11), actor=None, result="denied"))
    find(co, "S07", ev(co, None, customer="C9000004"))


@plants("S08", "A01")
def s08_authorized_actor(co: Company, rng: random.Random) -> None:
    # Unknown, gone, not yet hired, long gone; the unknown actor is untrained too.
    x = ev(co, datetime(2026, 10, 16, 10), actor="X0001")
    find(co, "S08", x)
    find(co, "A01", "X0001")
    leaver, joiner, gone = co.staff[3], co.staff[4], co.staff[5]
    find(co, "S08", clean_event(co, leaver, leaver.terminated_at))  # gone at that instant
    clean_event(co, leaver, leaver.terminated_at - SEC)
    find(co, "S08", clean_event(co, joiner, joiner.hired_at - SEC))  # not hired yet
    clean_event(co, joiner, joiner.hired_at)
    find(co, "S08", clean_event(co, gone, datetime(2026, 10, 5, 10)))  # left in May
    ev(co, datetime(2026, 10, 16, 11), actor="X0002", result="denied")  # denied: no S08/A01
