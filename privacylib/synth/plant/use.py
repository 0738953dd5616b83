"""Use: U01-U06 (tickets, daily limits in local days, hours, erasure, purposes)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from privacylib.synth.company import Company
from privacylib.synth.plant.base import SEC, H, customer, ev, find
from privacylib.synth.plant.registry import plants


@plants("U01")
def u01_ticketed_privileged_action(co: Company, rng: random.Random) -> None:
    # Exports and deletions without a ticket.
    find(
        co,
        "U01",
        ev(
            co,
            datetime(2026, 10, 19, 10),
            actor="E9003",
            cat="payment",
            action="export",
            purpose="tax_reporting",
            ticket="",
        ),
    )
    find(
        co,
        "U01",
        ev(
            co,
            datetime(2026, 10, 19, 11),
            actor="E9006",
            cat="order",
            action="delete",
            purpose="service",
            ticket="",
        ),
    )
    ev(
        co,
        datetime(2026, 10, 19, 12),
        actor="E9003",
        cat="payment",
        action="export",
        purpose="tax_reporting",
        ticket="",
        result="denied",
    )
    ev(co, datetime(2026, 10, 19, 13), cat="contact", action="update")  # no ticket needed


@plants("U02", "U04")
def u02_bulk_export(co: Company, rng: random.Random) -> None:
    # Over the daily export limit; exactly at it; denied ones do not count;
    # two days in local time that are one day in UTC (the second at 07:30 is U04's).
    def exports(actor, cat, purpose, day, counts, result=None):
        for n, c in enumerate(counts):
            ev(
                co,
                day + H(n),
                actor=actor,
                cat=cat,
                action="export",
                purpose=purpose,
                count=c,
                customer=None,
                result=result,
            )

    exports("E9005", "order", "analytics", datetime(2026, 10, 9, 10), [400, 400, 400])
    find(co, "U02", "E9005:2026-10-09")
    exports("E9003", "payment", "tax_reporting", datetime(2026, 10, 16, 9), [1001])
    find(co, "U02", "E9003:2026-10-16")
    exports("E9003", "payment", "tax_reporting", datetime(2026, 10, 17, 9), [600, 400])
    exports("E9003", "payment", "tax_reporting", datetime(2026, 10, 20, 9), [900])
    exports("E9003", "payment", "tax_reporting", datetime(2026, 10, 20, 15), [500], "denied")
    ev(
        co,
        "2026-10-22T11:30:00Z",
        actor="E9005",
        cat="order",
        action="export",
        purpose="analytics",
        count=600,
        customer=None,
    )  # 19:30 local, 22 Oct
    late = ev(
        co,
        "2026-10-22T23:30:00Z",
        actor="E9005",
        cat="order",
        action="export",
        purpose="analytics",
        count=600,
        customer=None,
    )  # 07:30 local, 23 Oct
    find(co, "U04", late)


@plants("U03")
def u03_access_breadth(co: Company, rng: random.Random) -> None:
    # More distinct customers a day than allowed; exactly the limit; with a
    # denied extra; with customerless events on top.
    marketing = co.pool_marketing

    def browse(actor, purpose, day, n, extra=None):
        for k in range(n):
            ev(
                co,
                day + timedelta(seconds=97 * k),
                actor=actor,
                purpose=purpose,
                customer=marketing[k],
            )
        if extra == "denied":
            ev(co, day + H(6), actor=actor, purpose=purpose, customer=marketing[n], result="denied")
        elif extra == "null":
            for k in range(5):
                ev(
                    co,
                    day + H(6) + timedelta(minutes=k),
                    actor=actor,
                    purpose=purpose,
                    customer=None,
                )

    browse("E9001", "service", datetime(2026, 10, 13, 9), 201)
    find(co, "U03", "E9001:2026-10-13")
    browse("E9004", "marketing", datetime(2026, 10, 27, 9), 250)
    find(co, "U03", "E9004:2026-10-27")
    browse("E9001", "service", datetime(2026, 10, 26, 9), 200)
    browse("E9001", "service", datetime(2026, 10, 28, 9), 200, "denied")
    browse("E9001", "service", datetime(2026, 10, 29, 9), 200, "null")


@plants("U04")
def u04_off_hours_access(co: Company, rng: random.Random) -> None:
    # Outside 08:00-20:00 local, in local and in UTC notation.
    for when in (
        datetime(2026, 10, 10, 7, 59, 59),
        datetime(2026, 10, 10, 20, 0),
        "2026-10-10T12:30:00Z",
        datetime(2026, 10, 11, 3, 0),
    ):
        find(co, "U04", ev(co, when, customer="C9000005"))
    for when in (
        datetime(2026, 10, 10, 8, 0),
        datetime(2026, 10, 10, 19, 59, 59),
        "2026-10-10T00:30:00Z",
        "2026-10-10T11:45:00+08:00",
        datetime(2026, 10, 11, 14, 0),
    ):  # a Sunday afternoon is fine by default
        ev(co, when, customer="C9000005")
    ev(co, datetime(2026, 10, 10, 23, 0), customer="C9000005", result="denied")


@plants("U05")
def u05_no_access_after_erasure(co: Company, rng: random.Random) -> None:
    # A customer erased before the access, or at its very instant.
    erased = datetime(2026, 10, 10, 12, 0)
    customer(co, rng, "C9000601", deleted_at=erased, closed_at=erased - H(48))
    find(co, "U05", ev(co, datetime(2026, 10, 12, 10), customer="C9000601"))
    ev(co, erased - SEC, customer="C9000601")
    anon = datetime(2026, 10, 5, 10, 0)
    customer(co, rng, "C9000602", anonymized_at=anon)
    find(co, "U05", ev(co, anon, customer="C9000602"))


@plants("U06")
def u06_declared_use(co: Company, rng: random.Random) -> None:
    # A purpose nobody catalogued.
    for purpose in ("curiosity", "test"):
        find(co, "U06", ev(co, datetime(2026, 10, 23, 10), purpose=purpose))
