"""Planted violations and near misses, control by control.

Each `_cXX` function adds the rows that make a control find exactly the
subjects it records with `co.planted`, and rows at the control's boundaries
that must not be found (exact thresholds, 08:00 and 20:00, UTC versus local
days, denied events, a role change mid-period…). Planted rows are otherwise
clean: staff who are employed, trained and allowed, customers who consented,
so that each row trips only the controls it is meant to. Where one row must
trip two controls (an unknown actor is untrained too), both are recorded.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from . import company as cm
from . import reference as ref
from .company import Company, Staff, add_consent, add_customer, add_request, add_share, ts

T0 = datetime(2020, 1, 6, 9, 0)  # when the planting staff were hired
TRAINED = datetime(2026, 3, 2, 14, 0)
SEC = timedelta(seconds=1)


def _staff(
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


def _customer(
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


def _ev(
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


def _find(co: Company, control: str, subject: str) -> None:
    co.planted.append((control, subject))


def plant_all(co: Company, rng: random.Random) -> None:
    _people(co, rng)
    for step in (
        _collection,
        _consent_use,
        _consent_records,
        _stores,
        _retention,
        _access,
        _usage,
        _sharing,
        _rights,
        _accountability,
        _outside_period,
        _dirty_rows,
    ):
        step(co, rng)


def _people(co: Company, rng: random.Random) -> None:
    for actor, role in (
        ("E9001", "customer_service"),
        ("E9002", "risk_control"),
        ("E9003", "finance"),
        ("E9004", "marketing"),
        ("E9005", "analyst"),
        ("E9006", "dba"),
    ):
        _staff(co, rng, actor, [(role, T0, None)])
    every = {
        p: {
            "separate": p == "face_verification"
            or p in ("insurance_referral", "overseas_support", "logistics")
        }
        for p in sorted(ref.CONSENT_PURPOSES | {"logistics"})
    }
    for n in range(1, 11):  # customers who consented to everything
        _customer(co, rng, f"C90000{n:02d}", every)


# --- Collection -------------------------------------------------------------


def _collection(co: Company, rng: random.Random) -> None:
    def field(system, name, cat, purpose, mandatory):
        co.add(
            "collection_fields",
            system=system,
            field=name,
            data_category=cat,
            purpose=purpose,
            mandatory="Y" if mandatory else "N",
        )

    field("app", "referral_code", "contact", None, False)
    _find(co, "C01", "app:referral_code")
    field("web", "wechat_id", "contact", "social_login", False)
    _find(co, "C01", "web:wechat_id")
    field("app", "blood_type", "identity", "health_check", True)  # C01, not C02: purpose unknown
    _find(co, "C01", "app:blood_type")
    field("app", "id_number", "identity", "service", True)
    _find(co, "C02", "app:id_number:service")
    field("crm", "income", "payment", "marketing", True)
    _find(co, "C02", "crm:income:marketing")
    field("web", "birthday", "identity", "marketing", True)
    _find(co, "C02", "web:birthday:marketing")
    field("app", "birthday", "identity", "marketing", False)  # near miss: optional


# --- Consent and use ----------------------------------------------------------


def _consent_use(co: Company, rng: random.Random) -> None:
    day = datetime(2026, 10, 14, 10, 0)
    # C03: no consent at all; consent granted only after the access; never granted.
    _customer(co, rng, "C9000101")
    _find(co, "C03", _ev(co, day, actor="E9004", customer="C9000101", purpose="marketing"))
    _find(
        co,
        "C03",
        _ev(co, day + H(1), actor="E9005", customer="C9000101", cat="order", purpose="analytics"),
    )
    late = datetime(2026, 10, 20, 10, 0)
    _customer(co, rng, "C9000102", {"marketing": {"granted": late}})
    _find(
        co,
        "C03",
        _ev(
            co,
            datetime(2026, 10, 18, 11, 0),
            actor="E9004",
            customer="C9000102",
            purpose="marketing",
        ),
    )
    _ev(co, late, actor="E9004", customer="C9000102", purpose="marketing")  # granted exactly then
    _customer(co, rng, "C9000103")
    cid = add_consent(co, "C9000103", "marketing", None)
    _find(co, "C06", cid)
    _find(co, "C03", _ev(co, day + H(2), actor="E9004", customer="C9000103", purpose="marketing"))
    _ev(co, day + H(3), actor="E9004", customer="C9000101", purpose="marketing", result="denied")
    _ev(co, day + H(4), actor="E9004", customer=None, purpose="marketing")
    _ev(co, day + H(5), customer="C9000101")  # a contract purpose needs no consent
    # C04: used after withdrawal, also at the exact instant; a second consent rescues.
    gone = datetime(2026, 10, 10, 12, 0)
    _customer(co, rng, "C9000201", {"marketing": {"withdrawn": gone}})
    _find(
        co,
        "C04",
        _ev(
            co,
            datetime(2026, 10, 12, 15, 0),
            actor="E9004",
            customer="C9000201",
            purpose="marketing",
        ),
    )
    _find(co, "C04", _ev(co, gone, actor="E9004", customer="C9000201", purpose="marketing"))
    _ev(co, gone - SEC, actor="E9004", customer="C9000201", purpose="marketing")
    _customer(co, rng, "C9000202", {"analytics": {"withdrawn": datetime(2026, 6, 1, 9)}})
    _find(
        co,
        "C04",
        _ev(
            co,
            datetime(2026, 10, 5, 11, 0),
            actor="E9005",
            customer="C9000202",
            cat="order",
            purpose="analytics",
        ),
    )
    _customer(co, rng, "C9000203", {"marketing": {"withdrawn": datetime(2026, 3, 1, 9)}})
    add_consent(co, "C9000203", "marketing", datetime(2026, 5, 1, 9))
    _ev(co, datetime(2026, 10, 6, 11, 0), actor="E9004", customer="C9000203", purpose="marketing")
    # C05: sensitive data under a consent that is not a separate one.
    _customer(co, rng, "C9000301", {"face_verification": {"separate": False}})
    for when in (datetime(2026, 10, 7, 14, 0), datetime(2026, 10, 21, 9, 30)):
        _find(
            co,
            "C05",
            _ev(
                co,
                when,
                actor="E9002",
                customer="C9000301",
                cat="biometric",
                purpose="face_verification",
            ),
        )
    _customer(co, rng, "C9000302", {"face_verification": {"separate": None}})
    _find(
        co,
        "C05",
        _ev(
            co,
            datetime(2026, 10, 8, 14, 0),
            actor="E9002",
            customer="C9000302",
            cat="biometric",
            purpose="face_verification",
        ),
    )
    _customer(co, rng, "C9000303", {"face_verification": {"separate": False}})
    add_consent(co, "C9000303", "face_verification", datetime(2026, 1, 5, 10), separate=True)
    _ev(
        co,
        datetime(2026, 10, 9, 14, 0),
        actor="E9002",
        customer="C9000303",
        cat="biometric",
        purpose="face_verification",
    )
    # Sensitive, but under a legal obligation: no consent needed, so no C03 and no C05.
    _ev(
        co,
        datetime(2026, 10, 9, 15, 0),
        actor="E9002",
        customer="C9000101",
        cat="location",
        purpose="risk_assessment",
    )


def H(hours: float) -> timedelta:
    return timedelta(hours=hours)


def _consent_records(co: Company, rng: random.Random) -> None:
    _customer(co, rng, "C9000401")
    g = datetime(2025, 10, 1, 10)
    _find(co, "C06", add_consent(co, "C9000401", "personalisation", g, method=None))
    _find(co, "C06", add_consent(co, "C9000401", "analytics", g, evidence=None))
    _find(co, "C06", add_consent(co, "C9000401", "marketing", g, notice=None))  # not C08 too
    for method in ("pre_checked", "IMPLIED", "opt_out"):
        _find(co, "C07", add_consent(co, "C9000401", "personalisation", g, method=method))
    add_consent(co, "C9000401", "personalisation", g, method="e_signature")
    # C08: unknown notice, retired notice, purpose not in the notice, retirement instant.
    _find(co, "C08", add_consent(co, "C9000401", "marketing", g, notice="v2023.9"))
    _find(
        co,
        "C08",
        add_consent(co, "C9000401", "marketing", datetime(2025, 8, 15, 10), notice="v2024.1"),
    )
    _find(
        co,
        "C08",
        add_consent(co, "C9000401", "analytics", datetime(2025, 3, 1, 10), notice="v2024.1"),
    )
    _find(
        co, "C08", add_consent(co, "C9000401", "marketing", datetime(2025, 7, 1), notice="v2024.1")
    )
    add_consent(co, "C9000401", "marketing", datetime(2025, 7, 1), notice="v2025.7")


# --- Storage ------------------------------------------------------------------


def _stores(co: Company, rng: random.Random) -> None:
    add = cm.add_store
    add(co, "ST-LEGACY", "老核心库", "database", True, "IDC-Shanghai-A", encrypted_at_rest="false")
    _find(co, "S01", "ST-LEGACY")
    add(co, "ST-MKT", "营销 SaaS", "saas", True, "cn-east-1", encryption_algorithm="des")
    _find(co, "S01", "ST-MKT")
    add(
        co,
        "ST-NAS",
        "部门共享盘",
        "file_share",
        True,
        "上海总部机房",
        encrypted_at_rest=None,
        encryption_algorithm=None,
        access_logging="false",
    )
    _find(co, "S01", "ST-NAS")
    _find(co, "S14", "ST-NAS")
    add(
        co,
        "ST-CALL",
        "通话录音库",
        "database",
        True,
        "IDC-Shanghai-B",
        last_vuln_scan_at=ts(ref.AS_OF - timedelta(days=91)),
    )
    _find(co, "S02", "ST-CALL")
    add(co, "ST-SURVEY", "问卷系统", "saas", True, "cn-north-1", last_vuln_scan_at=None)
    _find(co, "S02", "ST-SURVEY")
    stores = {r["store_id"]: r for r in co.rows["data_stores"]}
    stores["ST-DWH"]["open_critical_vulns"] = 2
    _find(co, "S02", "ST-DWH")
    stores["ST-APP"]["last_vuln_scan_at"] = ts(ref.AS_OF - timedelta(days=90))  # exactly 90 days
    stores["ST-CRM"]["open_critical_vulns"] = None  # unknown is not "more than 0"
    add(
        co,
        "ST-PAPER2",
        "分行纸质档案柜",
        "paper_archive",
        True,
        "杭州分行",
        physical_safeguards="  ",
    )
    _find(co, "S03", "ST-PAPER2")
    add(
        co,
        "ST-PAPER3",
        "临时资料间",
        "paper_archive",
        True,
        "深圳分行",
        physical_safeguards=None,
        access_logging=None,
    )
    _find(co, "S03", "ST-PAPER3")
    _find(co, "S14", "ST-PAPER3")
    add(
        co,
        "ST-PAPER-OLD",
        "已清空档案柜",
        "paper_archive",
        False,
        "北京分行",
        physical_safeguards=None,
        access_logging="false",
    )  # no personal data: no S03/S14
    stores["ST-LOGS"]["encrypted_at_rest"] = "false"  # no personal data: no S01
    _backups(co)
    _restore_tests(co)


def _backup(
    co: Company,
    store: str,
    when: datetime,
    *,
    status: str = "success",
    target: str = "IDC-Beijing-B",
    encrypted: str | None = "true",
    minutes: int | None = 35,
) -> str:
    backup_id = f"BK-{store}-{when:%Y%m%d%H%M}-X"
    co.add(
        "backups",
        backup_id=backup_id,
        store_id=store,
        started_at=ts(when),
        completed_at=ts(when + timedelta(minutes=minutes)) if minutes else None,
        status=status,
        target_location=target,
        encrypted=encrypted,
    )
    return backup_id


def _drop_backups(co: Company, store: str, day: datetime) -> None:
    prefix = f"BK-{store}-{day:%Y%m%d}"
    co.rows["backups"] = [b for b in co.rows["backups"] if b["backup_id"] != prefix]


def _backups(co: Company) -> None:
    # S09: a failed night (48 h gap); a partial one; a store never backed up.
    _drop_backups(co, "ST-BILL", datetime(2026, 10, 14))
    _backup(co, "ST-BILL", datetime(2026, 10, 14, 2, 0), status="failed")
    _find(co, "S09", "ST-BILL")
    _drop_backups(co, "ST-APP", datetime(2026, 10, 20))
    _backup(co, "ST-APP", datetime(2026, 10, 20, 2, 0), status="partial")
    _find(co, "S09", "ST-APP")
    cm.add_store(
        co,
        "ST-NEW",
        "新会员库",
        "database",
        True,
        "IDC-Shanghai-B",
        backups=False,
        restore_tests=False,
    )
    _find(co, "S09", "ST-NEW")
    _find(co, "S12", "ST-NEW")
    # Near miss: a gap of exactly 26 hours (ST-CRM backs up at 02:xx + 35 min).
    crm = next(b for b in co.rows["backups"] if b["backup_id"] == "BK-ST-CRM-20261010")
    prev = datetime.fromisoformat(
        next(b for b in co.rows["backups"] if b["backup_id"] == "BK-ST-CRM-20261009")[
            "completed_at"
        ]
    )
    crm["completed_at"] = ts(prev + timedelta(hours=26))
    # S10: kept where the primary is (any case, stray blanks).
    _find(co, "S10", _backup(co, "ST-RISK", datetime(2026, 10, 7, 13, 0), target="idc-beijing-a "))
    _find(co, "S10", _backup(co, "ST-OSS", datetime(2026, 10, 21, 13, 0), target="cn-east-2"))
    _backup(
        co, "ST-CRM", datetime(2026, 10, 22, 13, 0), target="IDC-Shanghai-A", status="failed"
    )  # not successful: no S10
    _backup(co, "ST-CRM", datetime(2026, 9, 22, 13, 0), target="IDC-Shanghai-A")  # before
    # S11: unencrypted backups of personal data; a backup without completed_at.
    _find(co, "S11", _backup(co, "ST-CRM", datetime(2026, 10, 11, 13, 0), encrypted="false"))
    _find(
        co,
        "S11",
        _backup(co, "ST-APP", datetime(2026, 10, 25, 13, 0), encrypted=None, minutes=None),
    )
    cm.add_store(co, "ST-LOGS2", "日志归档", "object_storage", False, "cn-north-1")
    _backup(co, "ST-LOGS2", datetime(2026, 10, 3, 1, 0), encrypted="false")  # no PD: no S11


def _restore_tests(co: Company) -> None:
    add = cm.add_restore_test
    tests = co.rows["restore_tests"]
    # S12: the only recent pass of ST-OSS is exactly 180 days before as_of.
    co.rows["restore_tests"] = tests = [t for t in tests if t["store_id"] != "ST-OSS"]
    add(co, "ST-OSS", datetime(2026, 1, 12, 21, 0), "pass")
    add(co, "ST-OSS", ref.AS_OF - timedelta(days=180), "pass")
    _find(co, "S12", "ST-OSS")
    # Near miss: ST-RISK's only recent pass is 179 days before.
    co.rows["restore_tests"] = [t for t in co.rows["restore_tests"] if t["store_id"] != "ST-RISK"]
    add(co, "ST-RISK", ref.AS_OF - timedelta(days=179), "pass")
    # S12 and S13 at once: ST-DWH passed last in March, failed in September.
    co.rows["restore_tests"] = [
        t
        for t in co.rows["restore_tests"]
        if not (t["store_id"] == "ST-DWH" and t["tested_at"] > "2026-03-31")
    ]
    add(co, "ST-DWH", datetime(2026, 9, 15, 21, 0), "fail")
    _find(co, "S12", "ST-DWH")
    _find(co, "S13", "RT-ST-DWH-202609152100")
    # S13: fixed only after 35 days. Near misses: fixed on day 30; failed too recently.
    # (The monthly passes of those months go, so that nothing else fixes them.)
    gone = {"RT-ST-CRM-202608122100", "RT-ST-APP-202607122100"}
    co.rows["restore_tests"] = [t for t in co.rows["restore_tests"] if t["test_id"] not in gone]
    add(co, "ST-CRM", datetime(2026, 8, 1, 21, 0), "fail")
    add(co, "ST-CRM", datetime(2026, 9, 5, 21, 0), "pass")
    _find(co, "S13", "RT-ST-CRM-202608012100")
    add(co, "ST-APP", datetime(2026, 7, 1, 21, 0), "fail")
    add(co, "ST-APP", datetime(2026, 7, 31, 21, 0), "pass")
    add(co, "ST-BILL", datetime(2026, 10, 20, 21, 0), "fail")


# --- Retention ------------------------------------------------------------------


def _retention(co: Company, rng: random.Random) -> None:
    def record(rid, cid, cat, collected, **extra):
        co.add(
            "records",
            record_id=rid,
            customer_id=cid,
            data_category=cat,
            store_id="ST-APP",
            collected_at=ts(collected),
            deleted_at=extra.get("deleted"),
            anonymized_at=extra.get("anonymized"),
        )

    grace = timedelta(days=30)
    record("R9-0001", "C9000001", "location", ref.AS_OF - timedelta(days=180) - grace - SEC)
    _find(co, "S04", "R9-0001")
    record("R9-0002", "C9000002", "device", datetime(2024, 5, 1, 10))
    _find(co, "S04", "R9-0002")
    closed = ref.AS_OF - timedelta(days=1095) - grace - H(1)
    _customer(co, rng, "C9000501", closed_at=closed)
    record("R9-0003", "C9000501", "contact", datetime(2022, 1, 1))
    _find(co, "S04", "R9-0003")
    record("R9-0004", "C9000003", "location", ref.AS_OF - timedelta(days=180) - grace)  # = as_of
    record(
        "R9-0005",
        "C9000004",
        "device",
        datetime(2024, 5, 1, 10),
        anonymized=ts(datetime(2025, 6, 1)),
    )
    record("R9-0006", "C9000005", "contact", datetime(2020, 1, 1))  # account still open
    record("R9-0007", "C9999999", "payment", datetime(2020, 1, 1))  # unknown customer: no anchor
    for n, cat in enumerate(("voiceprint", "social_graph"), start=8):
        record(f"R9-{n:04d}", "C9000006", cat, datetime(2026, 9, 1))
        _find(co, "S05", cat)


# --- Access control ----------------------------------------------------------------


def _access(co: Company, rng: random.Random) -> None:
    # S06: outside the role; after a role change; holding no role at all.
    _find(co, "S06", _ev(co, datetime(2026, 10, 9, 10, 0), cat="payment", purpose="billing"))
    _find(
        co,
        "S06",
        _ev(
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
    _find(
        co,
        "S06",
        _ev(
            co, change, actor=changer.actor_id, cat="order", purpose="service", customer="C9000002"
        ),
    )
    _ev(
        co,
        change - SEC,
        actor=changer.actor_id,
        cat="order",
        purpose="service",
        customer="C9000002",
    )
    _ev(co, change, actor=changer.actor_id, cat="contact", purpose="marketing", customer="C9000002")
    _staff(co, rng, "E9007", [("customer_service", T0, datetime(2026, 10, 5, 18))])
    _find(co, "S06", _ev(co, datetime(2026, 10, 8, 10), actor="E9007"))
    dual = co.staff[7].actor_id  # customer_service and analyst at once: rights add up
    _ev(
        co,
        datetime(2026, 10, 9, 10),
        actor=dual,
        cat="order",
        purpose="analytics",
        customer="C9000003",
    )
    _ev(
        co,
        datetime(2026, 10, 9, 10, 30),
        actor="E9006",
        cat="contact",
        action="delete",
        purpose="service",
    )  # dba holds '*' on contact
    # S07: incomplete rows, denied ones included, a null time whatever the period.
    _find(co, "S07", _ev(co, datetime(2026, 10, 13, 10), purpose=None))
    _find(co, "S07", _ev(co, datetime(2026, 10, 13, 11), actor=None, result="denied"))
    _find(co, "S07", _ev(co, None, customer="C9000004"))
    # S08: unknown, gone, not yet hired, long gone.
    x = _ev(co, datetime(2026, 10, 16, 10), actor="X0001")
    _find(co, "S08", x)
    _find(co, "A01", "X0001")
    leaver, joiner, gone = co.staff[3], co.staff[4], co.staff[5]
    _find(
        co,
        "S08",
        _ev(
            co,
            leaver.terminated_at,
            actor=leaver.actor_id,
            cat=_allowed(leaver),
            purpose="service" if _allowed(leaver) != "payment" else "billing",
        ),
    )
    _ev(
        co,
        leaver.terminated_at - SEC,
        actor=leaver.actor_id,
        cat=_allowed(leaver),
        purpose="service" if _allowed(leaver) != "payment" else "billing",
    )
    _find(
        co,
        "S08",
        _ev(
            co,
            joiner.hired_at - SEC,
            actor=joiner.actor_id,
            cat=_allowed(joiner),
            purpose="service" if _allowed(joiner) != "payment" else "billing",
        ),
    )
    _ev(
        co,
        joiner.hired_at,
        actor=joiner.actor_id,
        cat=_allowed(joiner),
        purpose="service" if _allowed(joiner) != "payment" else "billing",
    )
    _find(
        co,
        "S08",
        _ev(
            co,
            datetime(2026, 10, 5, 10),
            actor=gone.actor_id,
            cat=_allowed(gone),
            purpose="service" if _allowed(gone) != "payment" else "billing",
        ),
    )
    _ev(co, datetime(2026, 10, 16, 11), actor="X0002", result="denied")  # denied: no S08/A01


def _allowed(st: Staff) -> str:
    """A category the staff member's role may read, for a clean event."""
    role = st.roles[-1][0]
    return next(
        c
        for r, c, a in ref.PERMISSIONS
        if r == role and a in ("read", "*") and c in ("contact", "order", "payment")
    )


# --- Use --------------------------------------------------------------------------


def _usage(co: Company, rng: random.Random) -> None:
    # U01: exports and deletions without a ticket.
    _find(
        co,
        "U01",
        _ev(
            co,
            datetime(2026, 10, 19, 10),
            actor="E9003",
            cat="payment",
            action="export",
            purpose="tax_reporting",
            ticket="",
        ),
    )
    _find(
        co,
        "U01",
        _ev(
            co,
            datetime(2026, 10, 19, 11),
            actor="E9006",
            cat="order",
            action="delete",
            purpose="service",
            ticket="",
        ),
    )
    _ev(
        co,
        datetime(2026, 10, 19, 12),
        actor="E9003",
        cat="payment",
        action="export",
        purpose="tax_reporting",
        ticket="",
        result="denied",
    )
    _ev(co, datetime(2026, 10, 19, 13), cat="contact", action="update")  # no ticket needed

    # U02: over the daily export limit; exactly at it; denied ones do not count;
    # two days in local time that are one day in UTC.
    def exports(actor, cat, purpose, day, counts, result=None):
        for n, c in enumerate(counts):
            _ev(
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
    _find(co, "U02", "E9005:2026-10-09")
    exports("E9003", "payment", "tax_reporting", datetime(2026, 10, 16, 9), [1001])
    _find(co, "U02", "E9003:2026-10-16")
    exports("E9003", "payment", "tax_reporting", datetime(2026, 10, 17, 9), [600, 400])
    exports("E9003", "payment", "tax_reporting", datetime(2026, 10, 20, 9), [900])
    exports("E9003", "payment", "tax_reporting", datetime(2026, 10, 20, 15), [500], "denied")
    _ev(
        co,
        "2026-10-22T11:30:00Z",
        actor="E9005",
        cat="order",
        action="export",
        purpose="analytics",
        count=600,
        customer=None,
    )  # 19:30 local, 22 Oct
    late = _ev(
        co,
        "2026-10-22T23:30:00Z",
        actor="E9005",
        cat="order",
        action="export",
        purpose="analytics",
        count=600,
        customer=None,
    )  # 07:30 local, 23 Oct
    _find(co, "U04", late)
    # U03: more distinct customers a day than allowed; exactly the limit; with a
    # denied extra; with customerless events on top.
    marketing = co.pool_marketing

    def browse(actor, purpose, day, n, extra=None):
        for k in range(n):
            _ev(
                co,
                day + timedelta(seconds=97 * k),
                actor=actor,
                purpose=purpose,
                customer=marketing[k],
            )
        if extra == "denied":
            _ev(
                co, day + H(6), actor=actor, purpose=purpose, customer=marketing[n], result="denied"
            )
        elif extra == "null":
            for k in range(5):
                _ev(
                    co,
                    day + H(6) + timedelta(minutes=k),
                    actor=actor,
                    purpose=purpose,
                    customer=None,
                )

    browse("E9001", "service", datetime(2026, 10, 13, 9), 201)
    _find(co, "U03", "E9001:2026-10-13")
    browse("E9004", "marketing", datetime(2026, 10, 27, 9), 250)
    _find(co, "U03", "E9004:2026-10-27")
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
        _find(co, "U04", _ev(co, when, customer="C9000005"))
    for when in (
        datetime(2026, 10, 10, 8, 0),
        datetime(2026, 10, 10, 19, 59, 59),
        "2026-10-10T00:30:00Z",
        "2026-10-10T11:45:00+08:00",
        datetime(2026, 10, 11, 14, 0),
    ):  # a Sunday afternoon is fine by default
        _ev(co, when, customer="C9000005")
    _ev(co, datetime(2026, 10, 10, 23, 0), customer="C9000005", result="denied")
    # U05: a customer erased before the access, or at its very instant.
    erased = datetime(2026, 10, 10, 12, 0)
    _customer(co, rng, "C9000601", deleted_at=erased, closed_at=erased - H(48))
    _find(co, "U05", _ev(co, datetime(2026, 10, 12, 10), customer="C9000601"))
    _ev(co, erased - SEC, customer="C9000601")
    anon = datetime(2026, 10, 5, 10, 0)
    _customer(co, rng, "C9000602", anonymized_at=anon)
    _find(co, "U05", _ev(co, anon, customer="C9000602"))
    # U06: a purpose nobody catalogued.
    for purpose in ("curiosity", "test"):
        _find(co, "U06", _ev(co, datetime(2026, 10, 23, 10), purpose=purpose))


# --- Sharing -----------------------------------------------------------------------


def _sharing(co: Company, rng: random.Random) -> None:
    day = datetime(2026, 10, 15, 10)
    _customer(co, rng, "C9000901", {"insurance_referral": {"separate": False}})
    _find(
        co,
        "H01",
        add_share(
            co, "C9000901", "insurance_referral", "平安保险代理有限公司", "CN", "contact", day
        ),
    )
    _customer(co, rng, "C9000902")
    _find(
        co, "H01", add_share(co, "C9000902", "logistics", "顺丰速运有限公司", "CN", "contact", day)
    )
    _customer(
        co,
        rng,
        "C9000903",
        {"insurance_referral": {"separate": True, "withdrawn": datetime(2026, 10, 1, 9)}},
    )
    _find(
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
        _find(
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
    _find(
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
    _find(
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


# --- Rights --------------------------------------------------------------------------


def _rights(co: Company, rng: random.Random) -> None:
    # R01: answered late within the period; still open too long; and near misses.
    _find(
        co,
        "R01",
        add_request(co, "C9000001", "access", datetime(2026, 9, 1, 10), datetime(2026, 10, 3, 10)),
    )
    _find(co, "R01", add_request(co, "C9000002", "correction", datetime(2026, 10, 5, 10), None))
    add_request(co, "C9000003", "access", datetime(2026, 9, 10, 10), datetime(2026, 9, 30, 10))
    add_request(co, "C9000004", "access", datetime(2026, 10, 2, 10), datetime(2026, 10, 17, 10))
    add_request(co, "C9000005", "portability", ref.AS_OF - timedelta(days=15), None)
    # R02: deletion done on paper only; data reached after the deletion was done.
    _customer(co, rng, "C9000701")
    _find(
        co,
        "R02",
        add_request(
            co, "C9000701", "deletion", datetime(2026, 9, 15, 10), datetime(2026, 9, 20, 10)
        ),
    )
    done = datetime(2026, 10, 8, 10)
    _customer(co, rng, "C9000702", deleted_at=done + H(24))
    _find(co, "R02", add_request(co, "C9000702", "deletion", done - H(72), done))
    _ev(co, done + H(5), customer="C9000702")  # before the erasure: no U05
    _customer(co, rng, "C9000703", deleted_at=done)
    add_request(co, "C9000703", "deletion", done - H(72), done)
    _ev(co, done - SEC, customer="C9000703")
    _customer(co, rng, "C9000704")
    add_request(co, "C9000704", "deletion", datetime(2026, 10, 25, 10), None)  # still open
    # R03: withdrawals that left a consent standing.
    _customer(co, rng, "C9000801", {"marketing": {}})
    _find(
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
    _customer(
        co, rng, "C9000802", {"marketing": {"withdrawn": w}, "analytics": {"withdrawn": w + H(48)}}
    )
    _find(co, "R03", add_request(co, "C9000802", "withdrawal", w - H(24), w, None))
    _customer(co, rng, "C9000803", {"marketing": {"withdrawn": w}})
    add_consent(co, "C9000803", "marketing", w - H(12))  # after received: a new consent
    add_consent(co, "C9000803", "analytics", datetime(2026, 1, 1))  # another purpose
    add_request(co, "C9000803", "withdrawal", w - H(24), w, "marketing")


# --- Accountability ---------------------------------------------------------------------


def _accountability(co: Company, rng: random.Random) -> None:
    year = timedelta(days=365)
    for actor, trained in (
        ("E9010", datetime(2025, 6, 1, 10)),
        ("E9011", ref.AS_OF - year),
        ("E9012", datetime(2026, 11, 3, 10)),
    ):
        _staff(co, rng, actor, [("customer_service", T0, None)], trained=trained)
        _ev(co, datetime(2026, 10, 20, 10), actor=actor)
        _find(co, "A01", actor)
    _staff(co, rng, "E9013", [("customer_service", T0, None)], trained=ref.AS_OF - year + H(1))
    _ev(co, datetime(2026, 10, 20, 11), actor="E9013")
    _staff(co, rng, "E9014", [("customer_service", T0, None)], trained=None)
    _ev(co, datetime(2026, 10, 20, 12), actor="E9014", result="denied")
    # A02: late, missing, and a late notice of an older incident inside the period.
    add = cm.add_incident
    _find(
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
    _find(
        co,
        "A02",
        add(co, datetime(2026, 10, 20, 9), datetime(2026, 10, 21, 9), None, 800, "medium"),
    )
    _find(
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


def _outside_period(co: Company, rng: random.Random) -> None:
    """Events in the export that fall outside the audited month."""
    _ev(co, datetime(2026, 9, 30, 23, 30), purpose=None)  # off hours, null purpose
    _ev(co, "2026-09-30T15:59:59Z", actor="X0003", customer="C9000101", purpose="marketing")
    _ev(
        co,
        datetime(2026, 11, 1, 0, 0),
        cat="payment",
        action="export",
        ticket="",
        purpose="billing",
    )
    _ev(co, "2026-10-31T16:00:00Z", actor="E9004", customer="C9000101", purpose="marketing")


def _dirty_rows(co: Company, rng: random.Random) -> None:
    """Unreadable values and repeated keys: rejects, never findings."""
    first = co.events[0]
    for when, count in (
        ("not-a-time", 1),
        ("2026-13-01 10:00:00", 1),
        (datetime(2026, 10, 21, 3, 0), "12x"),
    ):
        _ev(co, when, count=count)  # would be U04 (03:00) if it were loaded
    for _ in range(2):
        _ev(co, datetime(2026, 10, 21, 4, 0), event_id=first["event_id"], actor="X0009")
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
