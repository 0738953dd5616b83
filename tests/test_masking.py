"""Masking: identifiers in any text, customer pseudonyms, names of people."""

from __future__ import annotations

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from privacylib.masking import Masker, load_key, mask_name, mask_text, unmasked
from privacylib.synth.people import person

MASK = Masker(b"test-key")


def test_formats():
    assert mask_text("身份证号11010519491231002X，") == "身份证号110105********002X，"
    assert mask_text("tel 13812345678 / +86 139-0000") == "tel 138****5678 / +86 139-0000"
    assert mask_text("mail zhang.san99@qq.com") == "mail z***@qq.com"
    assert mask_text("卡号 6222021234567890123") == "卡号 ***************0123"
    assert mask_name("张三丰") == "张**" and mask_name("Li") == "L*"


def test_things_that_are_no_identifiers_stay():
    text = "EV0000012345 at 2026-10-03 09:15:00+08, ticket TK123456789, 1200 records"
    assert mask_text(text) == text


@settings(max_examples=300)
@given(st.integers(0, 2**32),
       st.text(st.characters(blacklist_categories=("Nd", "Cs")), max_size=20))
def test_no_raw_identifier_survives_in_free_text(seed, noise):
    who = person(random.Random(seed))
    text = f"{noise}{who['id_number']} {noise}{who['mobile']}，{who['email']}{noise}"
    masked = mask_text(text)
    for raw in (who["id_number"], who["mobile"], who["email"]):
        assert raw not in masked
    assert who["id_number"][:6] + "********" + who["id_number"][-4:] in masked


def test_pseudonyms_are_keyed_and_stable():
    assert MASK.pseudonym("C0000001") == Masker(b"test-key").pseudonym("C0000001")
    assert MASK.pseudonym("C0000001") != Masker(b"other").pseudonym("C0000001")
    assert MASK.pseudonym("C0000001") != MASK.pseudonym("C0000002")
    assert MASK.pseudonym("C0000001").startswith("CU-")


def test_evidence_is_masked_all_through():
    who = person(random.Random(1))
    evidence = {
        "event": {"event_id": "EV1", "actor_id": "E0001", "customer_id": "C0000001",
                  "备注": f"客户来电 {who['mobile']}"},
        "customer": {"customer_id": "C0000001", "姓名": who["name"],
                     "身份证号": who["id_number"], "邮箱": who["email"]},
        "employee": {"actor_id": "E0001", "name": "王小明"},
        "store": {"store_id": "ST-1", "name": "风控库"},
        "customers": ["C0000001", "C0000002"], "records": 3,
    }
    masked = MASK.evidence(evidence)
    text = json.dumps(masked, ensure_ascii=False)
    for raw in (who["mobile"], who["id_number"], who["email"], who["name"], "C0000001",
                "王小明"):
        assert raw not in text
    assert masked["event"]["actor_id"] == "E0001" and masked["employee"]["name"] == "王**"
    assert masked["store"]["name"] == "风控库"  # a store's name is no person's
    assert masked["customers"] == [MASK.pseudonym("C0000001"), MASK.pseudonym("C0000002")]
    assert masked["records"] == 3
    assert unmasked().evidence(evidence) == evidence


def test_key_from_environment_or_a_file_made_once(tmp_path, monkeypatch):
    monkeypatch.delenv("PRIVACY_AUDIT_PSEUDONYM_KEY", raising=False)
    path = tmp_path / "k" / "pseudonym.key"
    first = load_key(path)
    assert load_key(path) == first and len(first) == 64
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    monkeypatch.setenv("PRIVACY_AUDIT_PSEUDONYM_KEY", "from-env")
    assert load_key(path) == b"from-env"
