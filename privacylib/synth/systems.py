"""The synthetic company's systems: data stores, backups and restore tests,
sharing with third parties, and incidents."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from privacylib.synth import reference as ref
from privacylib.synth.customers import add_consent
from privacylib.synth.model import Company, ts

H = timedelta(hours=1)


def stores(co: Company) -> None:
    for store_id, name, kind, pd, location, _ in ref.STORES:
        add_store(co, store_id, name, kind, pd, location)


def add_store(
    co: Company,
    store_id: str,
    name: str,
    kind: str,
    pd: bool,
    location: str,
    *,
    backups: bool = True,
    restore_tests: bool = True,
    **overrides: object,
) -> dict:
    paper = kind == "paper_archive"
    row = co.add(
        "data_stores",
        store_id=store_id,
        name=name,
        kind=kind,
        holds_personal_data="true" if pd else "false",
        encrypted_at_rest=None if paper else "true",
        encryption_algorithm=None if paper else "AES-256-GCM",
        location=location,
        last_vuln_scan_at=None if paper else ts(datetime(2026, 9, 18, 3, 0)),
        open_critical_vulns=None if paper else 0,
        access_logging="true",
        physical_safeguards="保险柜＋专用档案室，门禁登记，防火防潮" if paper else None,
    )
    row.update(overrides)
    if paper or not pd:
        return row
    if backups:
        target = ref.BACKUP_TARGET.get(location, "IDC-Guangzhou-DR")
        start = datetime(2026, 9, 1)
        offset = sum(map(ord, store_id)) % 50  # stores do not all back up at once
        for day in range(61):
            begin = start + timedelta(days=day, hours=2, minutes=offset)
            co.add(
                "backups",
                backup_id=f"BK-{store_id}-{begin:%Y%m%d}",
                store_id=store_id,
                started_at=ts(begin),
                completed_at=ts(begin + timedelta(minutes=35)),
                status="success",
                target_location=target,
                encrypted="true",
            )
    if restore_tests:
        for month in range(1, 11):
            add_restore_test(co, store_id, datetime(2026, month, 12, 21, 0), "pass")
    return row


def add_restore_test(co: Company, store_id: str, when: datetime, result: str) -> None:
    co.add(
        "restore_tests",
        test_id=f"RT-{store_id}-{when:%Y%m%d%H%M}",
        store_id=store_id,
        backup_id=f"BK-{store_id}-{when:%Y%m%d}",
        tested_at=ts(when),
        result=result,
        integrity_verified="true" if result == "pass" else "false",
        restore_minutes=42 if result == "pass" else None,
    )


def sharing_and_incidents(co: Company, rng: random.Random, n_customers: int) -> None:
    sharers = co.pool_marketing[: max(len(co.pool_marketing) // 10, 10)]
    for cid in sharers:
        for purpose, *_ in ref.SHARING_PARTNERS:
            add_consent(
                co,
                cid,
                purpose,
                datetime(2026, 3, 1, 10) + timedelta(days=rng.randrange(150)),
                separate=True,
                method="e_signature",
            )
    for n in range(max(n_customers // 50, 12)):
        purpose, recipient, country, cat = ref.SHARING_PARTNERS[n % 3]
        add_share(
            co,
            rng.choice(sharers),
            purpose,
            recipient,
            country,
            cat,
            ref.PERIOD_START + timedelta(days=rng.randrange(31), hours=rng.randrange(9, 18)),
        )
    add_incident(
        co,
        datetime(2026, 10, 8, 10, 0),
        datetime(2026, 10, 9, 16, 0),
        datetime(2026, 10, 10, 10, 0),
        1200,
        "high",
    )
    add_incident(
        co,
        datetime(2026, 9, 25, 14, 0),
        datetime(2026, 9, 27, 9, 0),
        datetime(2026, 9, 27, 9, 0),
        40,
        "low",
    )
    add_incident(
        co,
        datetime(2026, 10, 27, 9, 0),
        datetime(2026, 10, 28, 9, 0),
        datetime(2026, 10, 29, 9, 0),
        300,
        "medium",
    )


def add_share(
    co: Company,
    customer: str | None,
    purpose: str,
    recipient: str,
    country: str | None,
    category: str,
    when: datetime,
    *,
    contract: str | None = "auto",
    assessment: str | None = "auto",
) -> str:
    share_id = f"SH{co.next('share'):06d}"
    co.add(
        "sharing",
        share_id=share_id,
        customer_id=customer,
        recipient=recipient,
        recipient_country=country,
        data_category=category,
        purpose=purpose,
        shared_at=ts(when),
        contract_ref=f"HT-{recipient[:2]}-2026" if contract == "auto" else contract,
        transfer_assessment_ref=(
            ("PIA-2026-017" if country not in (None, "CN") else None)
            if assessment == "auto"
            else assessment
        ),
    )
    return share_id


def add_incident(
    co: Company,
    detected: datetime,
    customers: datetime | None,
    regulator: datetime | None,
    affected: int,
    severity: str,
) -> str:
    incident_id = f"INC-{detected:%Y}-{co.next('incident'):03d}"
    co.add(
        "incidents",
        incident_id=incident_id,
        detected_at=ts(detected),
        customers_notified_at=ts(customers),
        regulator_notified_at=ts(regulator),
        records_affected=affected,
        severity=severity,
    )
    return incident_id
