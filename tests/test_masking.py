"""Masking: identifiers in any text, customer pseudonyms, names of people."""

from __future__ import annotations

import json
import random

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privacylib.errors import UsageError
from privacylib.masking.masker import (
    Masker,
    dataset_of,
    known_names,
    load_key,
    mask_name,
    mask_text,
    unmasked,
)
from privacylib.synth.people import person

MASK = Masker(b"test-key")


def test_formats():
    assert mask_text("身份证号11010519491231002X，") == "身份证号110105********002X，"
    assert mask_text("tel 13812345678 / +86 139-0000") == "tel 138****5678 / +86 139-0000"
    assert mask_text("mail zhang.san99@qq.com") == "mail z***@qq.com"
    # A card passes Luhn (6222021234567890128 does); 6222021234567890123 does not,
    # and is kept readable like any ticket or order number.
    assert mask_text("卡号 6222021234567890128") == "卡号 ***************0128"
    assert mask_text("订单 6222021234567890123") == "订单 6222021234567890123"
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
    with pytest.raises(UsageError):  # a named file that is not there: a typo, not a new key
        load_key(path)
    first = load_key(path, create=True)
    assert load_key(path) == first and len(first) == 64
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    monkeypatch.setenv("PRIVACY_AUDIT_PSEUDONYM_KEY", "from-the-environment")
    assert load_key(path) == b"from-the-environment"


def test_the_contract_decides_which_name_is_a_persons():
    evidence = {
        "employee": {"actor_id": "E0001", "name": "王小明", "department": "风控"},
        "store": {"store_id": "ST-1", "name": "风控库", "kind": "database"},
        # An export's extra column `name` in the access log: an operation, no person.
        "event": {"event_id": "EV1", "ts": "2026-10-03", "actor_id": "E0001", "name": "Query"},
        "customer": {"customer_id": "C0000001", "姓名": "李四", "created_at": "2025-09-01"},
    }
    masked = MASK.evidence(evidence)
    assert masked["employee"]["name"] == "王**" and masked["store"]["name"] == "风控库"
    assert masked["event"]["name"] == "Query" and masked["customer"]["姓名"] == "李*"
    assert dataset_of(frozenset(evidence["event"])) == "access_log"
    # A rejected employees row, with the dataset named by its caller.
    assert MASK.value("name", "王小明", {"actor_id": "E1"}, dataset="employees") == "王**"
    assert MASK.value("name", "Query", {"event_id": "EV1"}, dataset="access_log") == "Query"
    # A `name` nobody can place fails closed: it may be a person's.
    assert MASK.value("name", "王小明") == "王**"
    assert MASK.value("name", "王小明", {"name": "王小明", "x": 1}) == "王**"


def test_known_names_are_masked_in_free_text():
    masker = Masker(b"test-key", names={"王小明", "欧阳娜娜", "Zhang San", "李"})
    text = "王小明于10月3日导出了欧阳娜娜的资料；ZHANG SAN approved; 李 stays; Zhang Sanders"
    assert masker.value("备注", text) == (
        "王**于10月3日导出了欧***的资料；Z******** approved; 李 stays; Zhang Sanders")
    assert masker.value("name", "Query", {"event_id": "EV1", "actor_id": "E1"}) == "Query"
    assert masker.evidence({"note": "客户王小明 13812345678"}) == {"note": "客户王** 138****5678"}
    assert Masker(b"test-key") == MASK and MASK.value("备注", "王小明") == "王小明"


def test_known_names_come_from_the_loaded_data():
    con = duckdb.connect()
    con.execute("CREATE TABLE employees (actor_id VARCHAR, name VARCHAR)")
    con.execute("INSERT INTO employees VALUES ('E1', '王小明'), ('E2', NULL)")
    con.execute('CREATE TABLE customers (customer_id VARCHAR, "姓名" VARCHAR)')
    con.execute("INSERT INTO customers VALUES ('C1', '李四')")
    con.execute("CREATE TABLE data_stores (store_id VARCHAR, name VARCHAR)")
    con.execute("INSERT INTO data_stores VALUES ('ST-1', '风控库')")
    assert known_names(con) == {"王小明", "李四"}


def test_an_empty_or_short_key_is_refused(tmp_path, monkeypatch):
    """With an empty key (a file of whitespace, an empty variable's one
    byte), every customer's pseudonym is found again by trying ids."""
    from privacylib.config.params import AuditConfig, resolve
    from privacylib.masking.masker import MIN_KEY_BYTES

    monkeypatch.setenv("PRIVACY_AUDIT_PSEUDONYM_KEY", "x")
    with pytest.raises(UsageError, match="holds a key of 1 byte"):
        load_key()
    monkeypatch.delenv("PRIVACY_AUDIT_PSEUDONYM_KEY")
    key = tmp_path / "blank.key"
    key.write_text("  \n", encoding="utf-8")
    with pytest.raises(UsageError, match="holds a key of 0 byte"):
        load_key(key)
    data = str(tmp_path)
    with pytest.raises(UsageError, match="holds a key of 0 byte") as caught:
        resolve(AuditConfig(data=data, period="2026-10", key_file=str(key)))
    assert caught.value.exit_code == 2 and "--new-key" in caught.value.hint
    key.write_text("k" * MIN_KEY_BYTES, encoding="utf-8")
    assert load_key(key) == b"k" * MIN_KEY_BYTES
