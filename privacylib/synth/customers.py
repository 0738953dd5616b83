"""The synthetic company's customers, their consents, records and requests."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from privacylib.synth import reference as ref
from privacylib.synth.model import Company, ts
from privacylib.synth.people import person

D = timedelta(days=1)


def add_customer(
    co: Company, rng: random.Random, customer_id: str, created: datetime, **dates: datetime | None
) -> None:
    who = person(rng)
    co.add(
        "customers",
        **{
            "客户编号": customer_id,
            "开户时间": ts(created),
            "销户时间": ts(dates.get("closed_at")),
            "删除时间": ts(dates.get("deleted_at")),
            "匿名化时间": ts(dates.get("anonymized_at")),
            "姓名": who["name"],
            "身份证号": who["id_number"],
            "手机号": who["mobile"],
            "邮箱": who["email"],
        },
    )


def add_consent(
    co: Company,
    customer: str,
    purpose: str,
    granted: datetime | None,
    *,
    separate: bool | None = False,
    withdrawn: datetime | None = None,
    method: str | None = "checkbox",
    notice: str | None = "auto",
    evidence: str | None = "auto",
) -> str:
    consent_id = f"CS{co.next('consent'):08d}"
    if notice == "auto":
        notice = "v2024.1" if granted and granted < datetime(2025, 7, 1) else "v2025.7"
    co.add(
        "consents",
        consent_id=consent_id,
        customer_id=customer,
        purpose=purpose,
        granted_at=ts(granted),
        method=method,
        notice_version=notice,
        evidence_ref=f"EVD-{consent_id}" if evidence == "auto" else evidence,
        separate=None if separate is None else ("true" if separate else "false"),
        withdrawn_at=ts(withdrawn),
    )
    return consent_id


def _grant_time(rng: random.Random, purpose: str, created: datetime) -> datetime:
    """A time after the account opened, under a notice that names the purpose."""
    earliest = max(created, datetime(2024, 1, 2))
    if purpose not in ref.NOTICES[0][3]:
        earliest = max(earliest, datetime(2025, 7, 2))
    span = (datetime(2026, 8, 31) - earliest).days
    return earliest + timedelta(days=rng.randrange(max(span, 1)), hours=rng.randrange(8, 20))


def customers(co: Company, rng: random.Random, n: int) -> None:
    for i in range(1, n + 1):
        cid = f"C{i:07d}"
        created = datetime(2023, 6, 1) + timedelta(days=rng.randrange(1000), hours=10)
        created = min(created, datetime(2026, 8, 1))
        segment = rng.choices("AWND", (80, 8, 7, 5))[0]
        if segment == "D":
            _erased_customer(co, rng, cid, created)
            continue
        add_customer(co, rng, cid, created)
        consented = {
            "A": ref.CONSENT_PURPOSES - {"insurance_referral", "overseas_support"},
            "W": ref.CONSENT_PURPOSES - {"insurance_referral", "overseas_support"},
            "N": set(),
        }[segment]
        for purpose in sorted(consented):
            granted = _grant_time(rng, purpose, created)
            withdrawn = None
            if segment == "W" and purpose == "marketing":
                withdrawn = granted + timedelta(days=rng.randrange(20, 200))
                withdrawn = min(withdrawn, datetime(2026, 9, 20, 15, 0))
                _withdrawal(co, cid, purpose, withdrawn)
            add_consent(
                co,
                cid,
                purpose,
                granted,
                separate=purpose == "face_verification",
                withdrawn=withdrawn,
                method=rng.choice(("checkbox", "e_signature", "written")),
            )
        _records(co, rng, cid, created)
        if segment == "A":
            co.pool_marketing.append(cid)
        if segment in "AW":
            co.pool_consent.append(cid)
        co.pool_any.append(cid)
    _requests(co, rng)


def add_request(
    co: Company,
    customer: str,
    kind: str,
    received: datetime,
    completed: datetime | None,
    purpose: str | None = None,
) -> str:
    request_id = f"DSR{co.next('request'):07d}"
    co.add(
        "dsr_requests",
        request_id=request_id,
        customer_id=customer,
        type=kind,
        purpose=purpose,
        received_at=ts(received),
        completed_at=ts(completed),
        status="completed" if completed else "open",
    )
    return request_id


def _withdrawal(co: Company, customer: str, purpose: str, when: datetime) -> None:
    add_request(co, customer, "withdrawal", when - timedelta(days=2), when, purpose)


def _erased_customer(co: Company, rng: random.Random, cid: str, created: datetime) -> None:
    completed = datetime(2025, 1, 1) + timedelta(days=rng.randrange(600), hours=11)
    erased = {"closed_at": completed - timedelta(days=3)}
    erased["deleted_at" if rng.random() < 0.7 else "anonymized_at"] = completed
    add_customer(co, rng, cid, min(created, completed - timedelta(days=30)), **erased)
    add_request(co, cid, "deletion", completed - timedelta(days=5), completed)
    co.add(
        "records",
        record_id=f"R{cid[1:]}-1",
        customer_id=cid,
        data_category="contact",
        store_id="ST-CRM",
        collected_at=ts(created),
        deleted_at=ts(completed),
        anonymized_at=None,
    )


def _records(co: Company, rng: random.Random, cid: str, created: datetime) -> None:
    """Holdings still within their retention period at as_of."""
    retention = {cat: days for cat, days, _, _ in ref.RETENTION}
    for n, cat in enumerate(
        rng.sample(("contact", "order", "preference", "payment", "device"), 3), start=1
    ):
        store = next(s[0] for s in ref.STORES if cat in s[5])
        earliest = max(created, ref.AS_OF - timedelta(days=retention[cat] - 5))
        span = max((datetime(2026, 9, 30) - earliest).days, 1)
        co.add(
            "records",
            record_id=f"R{cid[1:]}-{n}",
            customer_id=cid,
            data_category=cat,
            store_id=store,
            collected_at=ts(earliest + timedelta(days=rng.randrange(span))),
            deleted_at=None,
            anonymized_at=None,
        )


def _requests(co: Company, rng: random.Random) -> None:
    """Access and correction requests answered in time, and a few still open."""
    for _ in range(max(len(co.pool_any) // 25, 5)):
        cid = rng.choice(co.pool_any)
        received = datetime(2026, 8, 1) + timedelta(
            days=rng.randrange(80), hours=rng.randrange(9, 18)
        )
        done = received + timedelta(days=rng.randrange(1, 14), hours=rng.randrange(0, 8))
        add_request(
            co,
            cid,
            rng.choice(("access", "correction", "portability")),
            received,
            done if done < ref.AS_OF else None,
        )
