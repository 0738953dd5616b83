"""The background company: staff, customers, consents and everything around
them, clean for every control. Planted violations are added by `plant`.

Rows are plain dicts per dataset, small enough for Python; the access log,
which can hold millions of events, is made by `events` in vectorised form.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from privacylib.synth import reference as ref
from privacylib.synth.people import person

D, H = timedelta(days=1), timedelta(hours=1)


@dataclass
class Staff:
    actor_id: str
    roles: list[tuple[str, datetime | None, datetime | None]]  # role, valid_from, valid_to
    hired_at: datetime
    terminated_at: datetime | None
    weight: float  # share of the background events (0: none)
    trained_at: datetime | None


@dataclass
class Company:
    seed: int
    rows: dict[str, list[dict]] = field(default_factory=dict)
    staff: list[Staff] = field(default_factory=list)
    # Customer pools for background events, by what the purpose needs.
    pool_marketing: list[str] = field(default_factory=list)  # consented to everything
    pool_consent: list[str] = field(default_factory=list)  # all but marketing
    pool_any: list[str] = field(default_factory=list)  # contract purposes only
    # (control_id, subject_id) of every planted finding.
    planted: list[tuple[str, str]] = field(default_factory=list)
    # Planted access events (dicts of text), added to the daily files.
    events: list[dict] = field(default_factory=list)
    # dataset -> rows deliberately unreadable or repeated, and their count.
    expected_rejects: dict[str, int] = field(default_factory=dict)

    # Running numbers for generated ids, per kind.
    serials: dict[str, int] = field(default_factory=dict)

    def next(self, kind: str) -> int:
        self.serials[kind] = self.serials.get(kind, 0) + 1
        return self.serials[kind]

    def add(self, dataset: str, **row: object) -> dict:
        self.rows.setdefault(dataset, []).append(row)
        return row


def ts(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def build(seed: int, n_staff: int, n_customers: int) -> Company:
    rng = random.Random(seed)
    co = Company(seed)
    _catalog(co)
    _staff(co, rng, n_staff)
    _customers(co, rng, n_customers)
    _stores(co)
    _sharing_and_incidents(co, rng, n_customers)
    return co


def _catalog(co: Company) -> None:
    for role, cat, action in ref.PERMISSIONS:
        co.add("role_permissions", role=role, data_category=cat, action=action)
    for cat, sensitive, desc in ref.CATEGORIES:
        co.add(
            "data_categories",
            data_category=cat,
            sensitive="是" if sensitive else "否",
            description=desc,
        )
    for purpose, basis, desc in ref.PURPOSES:
        co.add("purposes", purpose=purpose, legal_basis=basis, description=desc)
    for purpose, cats in ref.PURPOSE_CATEGORIES.items():
        for cat in cats:
            co.add("purpose_categories", purpose=purpose, data_category=cat)
    for system, fld, cat, purpose, mandatory in ref.COLLECTION_FIELDS:
        co.add(
            "collection_fields",
            system=system,
            field=fld,
            data_category=cat,
            purpose=purpose,
            mandatory="Y" if mandatory else "N",
        )
    for version, published, retired, purposes in ref.NOTICES:
        co.add(
            "notices",
            notice_version=version,
            published_at=ts(published),
            retired_at=ts(retired),
            purposes=";".join(purposes),
        )
    for cat, days, anchor, disposal in ref.RETENTION:
        co.add(
            "retention_policy",
            data_category=cat,
            retention_days=days,
            anchor=anchor,
            disposal=disposal,
        )


def _staff(co: Company, rng: random.Random, n: int) -> None:
    roles = list(ref.ROLES)
    shares = [ref.ROLES[r][1] for r in roles]
    for i in range(1, n + 1):
        role = rng.choices(roles, shares)[0]
        hired = datetime(2015, 1, 1) + timedelta(days=rng.randrange(11 * 365 + 150), hours=9)
        weight = (1.0 / i**0.7) * rng.uniform(0.5, 1.5)  # a long tail of heavy users
        trained = datetime(2026, 1, 10) + timedelta(days=rng.randrange(260), hours=14)
        co.staff.append(Staff(f"E{i:04d}", [(role, hired, None)], hired, None, weight, trained))
    # Life events inside and around the period (background stays clean around them).
    s = co.staff
    s[3].terminated_at = datetime(2026, 10, 20, 18, 0)  # leaves mid-period
    s[4].hired_at = datetime(2026, 10, 12, 9, 0)  # joins mid-period
    s[4].roles = [(s[4].roles[0][0], s[4].hired_at, None)]
    s[5].terminated_at, s[5].weight = datetime(2026, 5, 31, 18, 0), 0.0  # left before
    change = datetime(2026, 10, 15, 10, 0)  # customer_service -> marketing
    s[6].roles = [("customer_service", s[6].hired_at, change), ("marketing", change, None)]
    s[7].roles = [("customer_service", s[7].hired_at, None), ("analyst", s[7].hired_at, None)]
    for st in co.staff[8:12]:
        st.weight, st.trained_at = 0.0, None  # never touch data, never trained: no finding
    for st in co.staff:
        _write_staff(co, rng, st)


def _write_staff(co: Company, rng: random.Random, st: Staff) -> None:
    who = person(rng, born_from=1965, born_to=2002)
    current = st.roles[-1][0]
    co.add(
        "employees",
        **{
            "工号": st.actor_id,
            "姓名": who["name"],
            "部门": ref.ROLES[current][0],
            "岗位": current,
            "入职日期": ts(st.hired_at),
            "离职日期": ts(st.terminated_at),
            "手机号": who["mobile"],
            "身份证号": who["id_number"],
            "邮箱": who["email"],
        },
    )
    for role, valid_from, valid_to in st.roles:
        co.add(
            "role_assignments",
            actor_id=st.actor_id,
            role=role,
            valid_from=ts(valid_from),
            valid_to=ts(valid_to or st.terminated_at),
        )
    if st.trained_at:
        co.add(
            "training",
            actor_id=st.actor_id,
            course="个人信息保护年度培训",
            completed_at=ts(st.trained_at),
        )


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


def _customers(co: Company, rng: random.Random, n: int) -> None:
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


def _stores(co: Company) -> None:
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


def _sharing_and_incidents(co: Company, rng: random.Random, n_customers: int) -> None:
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
