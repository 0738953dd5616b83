"""Backups and restore tests: S09-S13."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from privacylib.synth import company as cm
from privacylib.synth import reference as ref
from privacylib.synth.company import Company, ts
from privacylib.synth.plant.base import find
from privacylib.synth.plant.registry import plants


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


@plants("S09", "S12")
def s09_backup_frequency(co: Company, rng: random.Random) -> None:
    # A failed night (48 h gap); a partial one; a store never backed up.
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


@plants("S10")
def s10_backup_separation(co: Company, rng: random.Random) -> None:
    # Kept where the primary is (any case, stray blanks).
    find(co, "S10", backup(co, "ST-RISK", datetime(2026, 10, 7, 13, 0), target="idc-beijing-a "))
    find(co, "S10", backup(co, "ST-OSS", datetime(2026, 10, 21, 13, 0), target="cn-east-2"))
    backup(
        co, "ST-CRM", datetime(2026, 10, 22, 13, 0), target="IDC-Shanghai-A", status="failed"
    )  # not successful: no S10
    backup(co, "ST-CRM", datetime(2026, 9, 22, 13, 0), target="IDC-Shanghai-A")  # before


@plants("S11")
def s11_backup_encryption(co: Company, rng: random.Random) -> None:
    # Unencrypted backups of personal data; a backup without completed_at.
    find(co, "S11", backup(co, "ST-CRM", datetime(2026, 10, 11, 13, 0), encrypted="false"))
    find(
        co,
        "S11",
        backup(co, "ST-APP", datetime(2026, 10, 25, 13, 0), encrypted=None, minutes=None),
    )
    cm.add_store(co, "ST-LOGS2", "日志归档", "object_storage", False, "cn-north-1")
    backup(co, "ST-LOGS2", datetime(2026, 10, 3, 1, 0), encrypted="false")  # no PD: no S11


def _keep(co: Company, keep: Callable[[dict], bool]) -> None:
    co.rows["restore_tests"] = [t for t in co.rows["restore_tests"] if keep(t)]


@plants("S12", "S13")
def s12_restore_testing(co: Company, rng: random.Random) -> None:
    add = cm.add_restore_test
    # The only recent pass of ST-OSS is exactly 180 days before as_of.
    _keep(co, lambda t: t["store_id"] != "ST-OSS")
    add(co, "ST-OSS", datetime(2026, 1, 12, 21, 0), "pass")
    add(co, "ST-OSS", ref.AS_OF - timedelta(days=180), "pass")
    find(co, "S12", "ST-OSS")
    # Near miss: ST-RISK's only recent pass is 179 days before.
    _keep(co, lambda t: t["store_id"] != "ST-RISK")
    add(co, "ST-RISK", ref.AS_OF - timedelta(days=179), "pass")
    # S12 and S13 at once: ST-DWH passed last in March, failed in September.
    _keep(co, lambda t: not (t["store_id"] == "ST-DWH" and t["tested_at"] > "2026-03-31"))
    add(co, "ST-DWH", datetime(2026, 9, 15, 21, 0), "fail")
    find(co, "S12", "ST-DWH")
    find(co, "S13", "RT-ST-DWH-202609152100")


@plants("S13")
def s13_failed_restore_followup(co: Company, rng: random.Random) -> None:
    add = cm.add_restore_test
    # Fixed only after 35 days. Near misses: fixed on day 30; failed too recently.
    # (The monthly passes of those months go, so that nothing else fixes them.)
    gone = {"RT-ST-CRM-202608122100", "RT-ST-APP-202607122100"}
    _keep(co, lambda t: t["test_id"] not in gone)
    add(co, "ST-CRM", datetime(2026, 8, 1, 21, 0), "fail")
    add(co, "ST-CRM", datetime(2026, 9, 5, 21, 0), "pass")
    find(co, "S13", "RT-ST-CRM-202608012100")
    add(co, "ST-APP", datetime(2026, 7, 1, 21, 0), "fail")
    add(co, "ST-APP", datetime(2026, 7, 31, 21, 0), "pass")
    add(co, "ST-BILL", datetime(2026, 10, 20, 21, 0), "fail")
