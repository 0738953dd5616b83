"""Use and sharing: U01-U06 and H01-H03."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from privacylib.synth.company import Company, add_share
from privacylib.synth.plant.base import SEC, H, customer, ev, find

# --- Use --------------------------------------------------------------------------


def usage(co: Company, rng: random.Random) -> None:
    # U01: exports and deletions without a ticket.
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

    # U02: over the daily export limit; exactly at it; denied ones do not count;
    # two days in local time that are one day in UTC.
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
    # U03: more distinct customers a day than allowed; exactly the limit; with a
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
    # U04: outside 08:00-20:00 local, in local and in UTC notation.
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
    # U05: a customer erased before the access, or at its very instant.
    erased = datetime(2026, 10, 10, 12, 0)
    customer(co, rng, "C9000601", deleted_at=erased, closed_at=erased - H(48))
    find(co, "U05", ev(co, datetime(2026, 10, 12, 10), customer="C9000601"))
    ev(co, erased - SEC, customer="C9000601")
    anon = datetime(2026, 10, 5, 10, 0)
    customer(co, rng, "C9000602", anonymized_at=anon)
    find(co, "U05", ev(co, anon, customer="C9000602"))
    # U06: a purpose nobody catalogued.
    for purpose in ("curiosity", "test"):
        find(co, "U06", ev(co, datetime(2026, 10, 23, 10), purpose=purpose))


# --- Sharing -----------------------------------------------------------------------


def sharing(co: Company, rng: random.Random) -> None:
    day = datetime(2026, 10, 15, 10)
    customer(co, rng, "C9000901", {"insurance_referral": {"separate": False}})
    find(
        co,
        "H01",
        add_share(
            co, "C9000901", "insurance_referral", "平安保险代理有限公司", "CN", "contact", day
        ),
    )
    customer(co, rng, "C9000902")
    find(
        co, "H01", add_share(co, "C9000902", "logistics", "顺丰速运有限公司", "CN", "contact", day)
    )
    customer(
        co,
        rng,
        "C9000903",
        {"insurance_referral": {"separate": True, "withdrawn": datetime(2026, 10, 1, 9)}},
    )
    find(
        co,
        "H01",
        add_share(
            co, "C9000903", "insurance_referral", "平安保险代理有限公司", "CN", "contact", day
        ),
    )
    add_share(co, None, "logistics", "顺丰速运有限公司", "CN", "contact", day)  # no customer
    add_share(
        co, "C9000902", "logistics", "顺丰速运有限公司", "CN", "contact", datetime(2026, 9, 20, 10)
    )  # before the period
    for n in (1, 2):
        find(
            co,
            "H02",
            add_share(
                co,
                f"C900000{n}",
                "logistics",
                "顺丰速运有限公司",
                "CN",
                "contact",
                day,
                contract=None,
            ),
        )
    find(
        co,
        "H03",
        add_share(
            co,
            "C9000003",
            "overseas_support",
            "Acme Support Inc.",
            "US",
            "order",
            day,
            assessment=None,
        ),
    )
    find(
        co,
        "H03",
        add_share(
            co,
            "C9000004",
            "overseas_support",
            "Acme Support KK",
            "jp",
            "order",
            day,
            assessment=None,
        ),
    )
    add_share(
        co, "C9000005", "logistics", "顺丰速运有限公司", "cn", "contact", day, assessment=None
    )
    add_share(
        co, "C9000006", "logistics", "顺丰速运有限公司", None, "contact", day, assessment=None
    )
