"""Sharing: H01-H03 (separate consent, contracts, cross-border assessments)."""

from __future__ import annotations

import random
from datetime import datetime

from privacylib.synth.company import Company, add_share
from privacylib.synth.plant.base import customer, find
from privacylib.synth.plant.registry import plants

DAY = datetime(2026, 10, 15, 10)


@plants("H01")
def h01_sharing_separate_consent(co: Company, rng: random.Random) -> None:
    day = DAY
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


@plants("H02")
def h02_sharing_contract(co: Company, rng: random.Random) -> None:
    day = DAY
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


@plants("H03")
def h03_cross_border_assessment(co: Company, rng: random.Random) -> None:
    day = DAY
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
