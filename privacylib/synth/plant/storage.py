"""Storage: S01-S05 and S09-S14 (stores, backups, restore tests, retention)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from privacylib.synth import company as cm
from privacylib.synth import reference as ref
from privacylib.synth.company import Company, ts
from privacylib.synth.plant.base import SEC, H, customer, find

# --- Storage ------------------------------------------------------------------


def stores(co: Company, rng: random.Random) -> None:
    add = cm.add_store
    add(co, "ST-LEGACY", "老核心库", "database", True, "IDC-Shanghai-A", encrypted_at_rest="false")
    find(co, "S01", "ST-LEGACY")
    add(co, "ST-MKT", "营销 SaaS", "saas", True, "cn-east-1", encryption_algorithm="des")
    find(co, "S01", "ST-MKT")
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
    find(co, "S01", "ST-NAS")
    find(co, "S14", "ST-NAS")
    add(
        co,
        "ST-CALL",
        "通话录音库",
        "database",
        True,
        "IDC-Shanghai-B",
        last_vuln_scan_at=ts(ref.AS_OF - timedelta(days=91)),
    )
    find(co, "S02", "ST-CALL")
    add(co, "ST-SURVEY", "问卷系统", "saas", True, "cn-north-1", last_vuln_scan_at=None)
    find(co, "S02", "ST-SURVEY")
    stores = {r["store_id"]: r for r in co.rows["data_stores"]}
    stores["ST-DWH"]["open_critical_vulns"] = 2
    find(co, "S02", "ST-DWH")
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
    find(co, "S03", "ST-PAPER2")
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
    find(co, "S03", "ST-PAPER3")
    find(co, "S14", "ST-PAPER3")
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
    backups(co)
    restore_tests(co)


def backup(
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


def drop_backups(co: Company, store: str, day: datetime) -> None:
    prefix = f"BK-{store}-{day:%Y%m%d}"
    co.rows["backups"] = [b for b in co.rows["backups"] if b["backup_id"] != prefix]


def backups(co: Company) -> None:
    # S09: a failed night (48 h gap); a partial one; a store never backed up.
    drop_backups(co, "ST-BILL", datetime(2026, 10, 14))
    backup(co, "ST-BILL", datetime(2026, 10, 14, 2, 0), status="failed")
    find(co, "S09", "ST-BILL")
    drop_backups(co, "ST-APP", datetime(2026, 10, 20))
    backup(co, "ST-APP", datetime(2026, 10, 20, 2, 0), status="partial")
    find(co, "S09", "ST-APP")
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
    find(co, "S09", "ST-NEW")
    find(co, "S12", "ST-NEW")
    # Near miss: a gap of exactly 26 hours (ST-CRM backs up at 02:xx + 35 min).
    crm = next(b for b in co.rows["backups"] if b["backup_id"] == "BK-ST-CRM-20261010")
    prev = datetime.fromisoformat(
        next(b for b in co.rows["backups"] if b["backup_id"] == "BK-ST-CRM-20261009")[
            "completed_at"
        ]
    )
    crm["completed_at"] = ts(prev + timedelta(hours=26))
    # S10: kept where the primary is (any case, stray blanks).
    find(co, "S10", backup(co, "ST-RISK", datetime(2026, 10, 7, 13, 0), target="idc-beijing-a "))
    find(co, "S10", backup(co, "ST-OSS", datetime(2026, 10, 21, 13, 0), target="cn-east-2"))
    backup(
        co, "ST-CRM", datetime(2026, 10, 22, 13, 0), target="IDC-Shanghai-A", status="failed"
    )  # not successful: no S10
    backup(co, "ST-CRM", datetime(2026, 9, 22, 13, 0), target="IDC-Shanghai-A")  # before
    # S11: unencrypted backups of personal data; a backup without completed_at.
    find(co, "S11", backup(co, "ST-CRM", datetime(2026, 10, 11, 13, 0), encrypted="false"))
    find(
        co,
        "S11",
        backup(co, "ST-APP", datetime(2026, 10, 25, 13, 0), encrypted=None, minutes=None),
    )
    cm.add_store(co, "ST-LOGS2", "日志归档", "object_storage", False, "cn-north-1")
    backup(co, "ST-LOGS2", datetime(2026, 10, 3, 1, 0), encrypted="false")  # no PD: no S11


def restore_tests(co: Company) -> None:
    add = cm.add_restore_test
    tests = co.rows["restore_tests"]
    # S12: the only recent pass of ST-OSS is exactly 180 days before as_of.
    co.rows["restore_tests"] = tests = [t for t in tests if t["store_id"] != "ST-OSS"]
    add(co, "ST-OSS", datetime(2026, 1, 12, 21, 0), "pass")
    add(co, "ST-OSS", ref.AS_OF - timedelta(days=180), "pass")
    find(co, "S12", "ST-OSS")
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
    find(co, "S12", "ST-DWH")
    find(co, "S13", "RT-ST-DWH-202609152100")
    # S13: fixed only after 35 days. Near misses: fixed on day 30; failed too recently.
    # (The monthly passes of those months go, so that nothing else fixes them.)
    gone = {"RT-ST-CRM-202608122100", "RT-ST-APP-202607122100"}
    co.rows["restore_tests"] = [t for t in co.rows["restore_tests"] if t["test_id"] not in gone]
    add(co, "ST-CRM", datetime(2026, 8, 1, 21, 0), "fail")
    add(co, "ST-CRM", datetime(2026, 9, 5, 21, 0), "pass")
    find(co, "S13", "RT-ST-CRM-202608012100")
    add(co, "ST-APP", datetime(2026, 7, 1, 21, 0), "fail")
    add(co, "ST-APP", datetime(2026, 7, 31, 21, 0), "pass")
    add(co, "ST-BILL", datetime(2026, 10, 20, 21, 0), "fail")


# --- Retention ------------------------------------------------------------------


def retention(co: Company, rng: random.Random) -> None:
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
    find(co, "S04", "R9-0001")
    record("R9-0002", "C9000002", "device", datetime(2024, 5, 1, 10))
    find(co, "S04", "R9-0002")
    closed = ref.AS_OF - timedelta(days=1095) - grace - H(1)
    customer(co, rng, "C9000501", closed_at=closed)
    record("R9-0003", "C9000501", "contact", datetime(2022, 1, 1))
    find(co, "S04", "R9-0003")
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
        find(co, "S05", cat)
