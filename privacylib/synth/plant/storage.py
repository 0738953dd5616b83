"""Stores: S01-S03 and S14 (encryption, scans, paper safeguards, access logging)."""

from __future__ import annotations

import random
from datetime import timedelta

from privacylib.synth import company as cm
from privacylib.synth import reference as ref
from privacylib.synth.company import Company, ts
from privacylib.synth.plant.base import find
from privacylib.synth.plant.registry import plants


def _stores(co: Company) -> dict[str, dict]:
    return {r["store_id"]: r for r in co.rows["data_stores"]}


@plants("S01", "S14")
def s01_encryption_at_rest(co: Company, rng: random.Random) -> None:
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
    _stores(co)["ST-LOGS"]["encrypted_at_rest"] = "false"  # no personal data: no S01


@plants("S02")
def s02_vulnerability_scanning(co: Company, rng: random.Random) -> None:
    add = cm.add_store
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
    stores = _stores(co)
    stores["ST-DWH"]["open_critical_vulns"] = 2
    find(co, "S02", "ST-DWH")
    stores["ST-APP"]["last_vuln_scan_at"] = ts(ref.AS_OF - timedelta(days=90))  # exactly 90 days
    stores["ST-CRM"]["open_critical_vulns"] = None  # unknown is not "more than 0"


@plants("S03", "S14")
def s03_paper_safeguards(co: Company, rng: random.Random) -> None:
    add = cm.add_store
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
