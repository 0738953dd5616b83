"""Helpers shared by the planting modules: staff, customers, events, findings."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from privacylib.synth import company as cm
from privacylib.synth import reference as ref
from privacylib.synth.company import Company, Staff, add_consent, add_customer, ts

T0 = datetime(2020, 1, 6, 9, 0)  # when the planting staff were hired
TRAINED = datetime(2026, 3, 2, 14, 0)
SEC = timedelta(seconds=1)


def staff(
    co: Company,
    rng: random.Random,
    actor: str,
    roles: list[tuple],
    *,
    trained: datetime | None = TRAINED,
    hired: datetime = T0,
    terminated: datetime | None = None,
) -> None:
    st = Staff(actor, roles, hired, terminated, 0.0, trained)
    co.staff.append(st)
    cm._write_staff(co, rng, st)


def customer(
    co: Company,
    rng: random.Random,
    cid: str,
    consents: dict[str, dict] | None = None,
    **dates: datetime | None,
) -> str:
    """A special customer; consents maps purpose -> add_consent options."""
    add_customer(co, rng, cid, datetime(2024, 2, 1, 10), **dates)
    for purpose, opts in (consents or {}).items():
        opts = {"granted": datetime(2025, 9, 1, 10), **opts}
        add_consent(co, cid, purpose, opts.pop("granted"), **opts)
    return cid


def ev(
    co: Company,
    when: datetime | str | None,
    *,
    actor: str | None = "E9001",
    customer: str | None = "C9000001",
    cat: str = "contact",
    action: str = "read",
    purpose: str | None = "service",
    ticket: str | None = None,
    count: int | None = 1,
    result: str | None = None,
    event_id: str | None = None,
) -> str:
    event_id = event_id or f"EV9{co.next('planted_event'):09d}"
    text = when if isinstance(when, str) or when is None else ts(when)
    if ticket is None and action in ("export", "delete"):
        ticket = f"TK9{co.next('ticket'):07d}"
    co.events.append(
        {
            "event_id": event_id,
            "ts": text,
            "actor_id": actor,
            "customer_id": customer,
            "system": ref.SYSTEM_OF.get(cat, "crm"),
            "data_category": cat,
            "action": action,
            "purpose": purpose,
            "ticket_id": ticket or None,
            "record_count": count,
            "result": result,
            "source_ip": "10.99.0.8",
        }
    )
    return event_id


def find(co: Company, control: str, subject: str) -> None:
    co.planted.append((control, subject))


def H(hours: float) -> timedelta:
    return timedelta(hours=hours)


def allowed(st: Staff) -> str:
    """A category the staff member's role may read, for a clean event."""
    role = st.roles[-1][0]
    return next(
        c
        for r, c, a in ref.PERMISSIONS
        if r == role and a in ("read", "*") and c in ("contact", "order", "payment")
    )


def people(co: Company, rng: random.Random) -> None:
    for actor, role in (
        ("E9001", "customer_service"),
        ("E9002", "risk_control"),
        ("E9003", "finance"),
        ("E9004", "marketing"),
        ("E9005", "analyst"),
        ("E9006", "dba"),
    ):
        staff(co, rng, actor, [(role, T0, None)])
    every = {
        p: {
            "separate": p == "face_verification"
            or p in ("insurance_referral", "overseas_support", "logistics")
        }
        for p in sorted(ref.CONSENT_PURPOSES | {"logistics"})
    }
    for n in range(1, 11):  # customers who consented to everything
        customer(co, rng, f"C90000{n:02d}", every)
