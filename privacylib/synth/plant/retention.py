"""Retention: S04-S05 (records kept too long, categories without a rule)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from privacylib.synth import reference as ref
from privacylib.synth.company import Company, ts
from privacylib.synth.plant.base import SEC, H, customer, find
from privacylib.synth.plant.registry import plants

GRACE = timedelta(days=30)


def _record(co: Company, rid: str, cid: str, cat: str, collected: datetime,
            *, deleted: str | None = None, anonymized: str | None = None) -> None:
    co.add(
        "records",
        record_id=rid,
        customer_id=cid,
        data_category=cat,
        store_id="ST-APP",
        collected_at=ts(collected),
        deleted_at=deleted,
        anonymized_at=anonymized,
    )


@plants("S04")
def s04_retention_limit(co: Company, rng: random.Random) -> None:
    _record(co, "R9-0001", "C9000001", "location", ref.AS_OF - timedelta(days=180) - GRACE - SEC)
    find(co, "S04", "R9-0001")
    _record(co, "R9-0002", "C9000002", "device", datetime(2024, 5, 1, 10))
    find(co, "S04", "R9-0002")
    closed = ref.AS_OF - timedelta(days=1095) - GRACE - H(1)
    customer(co, rng, "C9000501", closed_at=closed)
    _record(co, "R9-0003", "C9000501", "contact", datetime(2022, 1, 1))
    find(co, "S04", "R9-0003")
    _record(co, "R9-0004", "C9000003", "location",
            ref.AS_OF - timedelta(days=180) - GRACE)  # = as_of
    _record(co, "R9-0005", "C9000004", "device", datetime(2024, 5, 1, 10),
            anonymized=ts(datetime(2025, 6, 1)))
    _record(co, "R9-0006", "C9000005", "contact", datetime(2020, 1, 1))  # account still open
    # Unknown customer: no anchor.
    _record(co, "R9-0007", "C9999999", "payment", datetime(2020, 1, 1))


@plants("S05")
def s05_categories_without_retention(co: Company, rng: random.Random) -> None:
    for n, cat in enumerate(("voiceprint", "social_graph"), start=8):
        _record(co, f"R9-{n:04d}", "C9000006", cat, datetime(2026, 9, 1))
        find(co, "S05", cat)
