"""Kantara Consent Receipts read with only `source: kantara`: the real
Datafund receipt (2 services x 1 purpose), the synthetic JSON Lines (epoch
seconds, milliseconds, a receipt without purposes), an array and JWTs."""

from __future__ import annotations

import base64
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import privacylib

from conftest import rows

DATA = Path(__file__).parent.parent / "data"
RID = "d03bdfed-708a-4792-b6d2-eb336000359f"


def _load(tmp_path: Path, name: str, sample: str | None = None, text: str | None = None):
    folder = tmp_path / "k"
    folder.mkdir()
    if sample:
        shutil.copy(DATA / sample, folder / name)
    else:
        (folder / name).write_text(text or "", encoding="utf-8")
    (folder / "mapping.yaml").write_text("consents: {source: kantara}\n", encoding="utf-8")
    result = privacylib.load(folder, progress=False)
    d = result.datasets["consents"]
    assert d.status == "loaded", d.error
    return result, (d.rows_read, d.rows_loaded, d.rows_rejected, d.rows_filtered), d


def test_the_real_receipt_loads_with_only_source(tmp_path):
    result, counts, d = _load(tmp_path, "consents.json", "real/kantara_receipt_datafund.json")
    assert d.format == "kantara"
    assert counts == (2, 2, 0, 0)
    assert rows(result, "SELECT consent_id, customer_id, purpose, granted_at, method, "
                        "evidence_ref, notice_version, separate, third_party_name "
                        "FROM consents ORDER BY 1") == [
        (f"{RID}:1:1", "individual@example.com", "Core Function",
         datetime(2019, 6, 5, 11, 28, 37, tzinfo=UTC), "explicit", RID, None, False, None),
        (f"{RID}:2:1", "individual@example.com", "Marketing",
         datetime(2019, 6, 5, 11, 28, 37, tzinfo=UTC), "explicit", RID, None, False,
         "AnalyticsRus")]
    assert sum("no notice version" in w for w in d.warnings) == 1


def test_seconds_milliseconds_and_a_receipt_without_purposes(tmp_path):
    result, counts, d = _load(tmp_path, "consents.jsonl",
                              "synthetic-formats/kantara_receipts.jsonl")
    assert counts == (4, 3, 0, 1)
    assert d.filtered == {"drop (no_purpose)": 1}
    assert rows(result, "SELECT consent_id, granted_at, method FROM consents ORDER BY 1") == [
        ("rcpt-0001:1:1", datetime(2025, 10, 5, 1, 32, 1, tzinfo=UTC), "explicit"),
        ("rcpt-0001:1:2", datetime(2025, 10, 5, 1, 32, 1, tzinfo=UTC), "explicit"),
        ("rcpt-0002:1:1", datetime(2025, 10, 5, 2, 32, 1, tzinfo=UTC), "implied")]


def _receipt(rid: str, ts: object) -> dict:
    return {"consentReceiptID": rid, "consentTimestamp": ts, "piiPrincipalId": "C9",
            "services": [{"service": "shop", "purposes": [
                {"purpose": "delivery", "consentType": "explicit"}]}]}


def test_an_array_of_receipts_and_an_iso_timestamp(tmp_path):
    text = json.dumps([_receipt("a", "2025-10-05T09:12:01+08:00"), _receipt("b", 1759627921),
                       "not a receipt"], indent=2)
    result, counts, _ = _load(tmp_path, "consents.json", text=text)
    assert counts == (3, 2, 1, 0)
    assert rows(result, "SELECT consent_id, granted_at, _source_line FROM consents "
                        "ORDER BY 1") == [
        ("a:1:1", datetime(2025, 10, 5, 1, 12, 1, tzinfo=UTC), 1),
        ("b:1:1", datetime(2025, 10, 5, 1, 32, 1, tzinfo=UTC), 2)]


def test_signed_receipts_one_jwt_a_line(tmp_path):
    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    jwt = f"{part({'alg': 'RS256'})}.{part(_receipt('j', 1759627921))}.c2lnbmF0dXJl"
    result, counts, _ = _load(tmp_path, "consents.txt", text=f"{jwt}\nnot-a-jwt\n")
    assert counts == (2, 1, 1, 0)
    assert rows(result, "SELECT consent_id, customer_id FROM consents") == [("j:1:1", "C9")]
    assert rows(result, "SELECT _reject_reason FROM consents__rejects") == [
        ("line is no receipt: neither JSON nor a JWT (header.payload.signature)",)]
