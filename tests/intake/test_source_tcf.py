"""IAB TCF strings read with only `source: iab-tcf`: the 7 real strings (6
valid: 31 consents, 2 refusals filtered; 1 malformed rejected with its
reason), a table of user ids and strings, and the decoder's checks."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

import privacylib
from privacylib.intake.tcf import TcfError, decode

from conftest import rows

SAMPLE = Path(__file__).parent.parent / "data" / "real" / "iab_tcf_strings.txt"
LINES = SAMPLE.read_text(encoding="utf-8").splitlines()


def _load(tmp_path: Path, mapping: str = "consents: {source: iab-tcf}\n",
          text: str | None = None):
    folder = tmp_path / "tcf"
    folder.mkdir()
    if text is None:
        shutil.copy(SAMPLE, folder / "consents.txt")
    else:
        (folder / "consents.txt").write_text(text, encoding="utf-8")
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    result = privacylib.load(folder, progress=False)
    d = result.datasets["consents"]
    assert d.status == "loaded", d.error
    return result, d


def test_the_real_strings_load_with_only_source(tmp_path):
    result, d = _load(tmp_path)
    assert d.format == "iab-tcf"
    assert (d.rows_read, d.rows_loaded, d.rows_rejected, d.rows_filtered) == (34, 31, 1, 2)
    assert d.filtered == {"drop (refused)": 2}
    assert rows(result, "SELECT _source_line, count(*) FROM consents GROUP BY 1 ORDER BY 1") == [
        (4, 5), (5, 5), (6, 10), (7, 11)]
    (reject,) = rows(result, "SELECT _source_line, _reject_reason FROM consents__rejects")
    assert reject[0] == 3
    assert reject[1].startswith("not a well-formed TC string: the segment 2 ends at bit 48, "
                                "but its disclosed vendors bitfield of 733 vendors needs")
    assert any("no customer" in w for w in d.warnings)


def test_exact_values_of_the_real_strings(tmp_path):
    result, _ = _load(tmp_path)
    got = {r[0]: r[1:] for r in rows(
        result, "SELECT consent_id, customer_id, purpose, granted_at, method, notice_version, "
                "evidence_ref, separate, withdrawn_at FROM consents")}
    assert got["consents.txt:6:tcf2:10"] == (
        None, "tcf2:10", datetime(2020, 8, 18, 9, 50, 9, 600000, tzinfo=UTC), "cmp_banner",
        "tcf2/gvl51", LINES[5].split("\t")[0], False, None)
    assert got["consents.txt:7:tcf2:11"][1:5] == (
        "tcf2:11", datetime(2026, 1, 13, tzinfo=UTC), "cmp_banner", "tcf5/gvl141")
    assert got["consents.txt:4:tcf1:5"][1:5] == (
        "tcf1:5", datetime(2020, 3, 30, 14, 39, 45, 300000, tzinfo=UTC), "cmp_banner",
        "tcf1/gvl190")
    assert rows(result, "SELECT DISTINCT created, language, cmp_id FROM consents "
                        "WHERE _source_line = 4") == [("2019-06-07T02:16:41.700Z", "FR", "7")]


def test_a_table_of_users_and_strings_gives_each_consent_its_customer(tmp_path):
    v2 = LINES[5].split("\t")[0]
    result, d = _load(tmp_path, "consents:\n  source: {name: iab-tcf, customer_column: 1}\n"
                                "  constants: {method: cookie_banner}\n"
                                "  values: {purpose: {'tcf2:1': device_storage}}\n",
                      f"user_id,tc_string,seen\nu-17,{v2},2020-08-18\nu-18,,2020-08-19\n")
    assert (d.rows_read, d.rows_loaded, d.rows_rejected) == (11, 10, 1)
    assert rows(result, "SELECT DISTINCT customer_id, method FROM consents") == [
        ("u-17", "cookie_banner")]
    assert rows(result, "SELECT purpose FROM consents WHERE consent_id = "
                        "'consents.txt:2:tcf2:1'") == [("device_storage",)]
    assert not any("no customer" in w for w in d.warnings)


def test_options_of_iab_tcf_are_checked():
    from privacylib.config.mapping import mapping_from_dict
    from privacylib.errors import MappingProblems

    with pytest.raises(MappingProblems) as caught:
        mapping_from_dict({"consents": {"source": {"name": "iab-tcf", "customer_column": 0}}})
    assert "0 is not a column number" in str(caught.value)


@pytest.mark.parametrize("text, why", [
    ("", "empty"),
    ("C!!!", "not base64url"),
    ("DOrVd1pOrVd1pACABCENAHCAAAAAAAAAAAiQAAAAAAAA", "no TCF version"),
    ("COrVd1pOrVd1pACABCENAHCAAAAA", "ends at bit"),
    ("COrVd1pOrVd1pACABCENAHCAAAAAAAAAAAiQAAAAAAAA.oAAA", "type 5"),
])
def test_malformed_strings_are_refused_with_a_reason(text, why):
    with pytest.raises(TcfError, match=why):
        decode(text)


def test_a_string_from_before_tcf_is_refused():
    from privacylib.intake.tcf import TcString, encode

    old = TcString(2, datetime(2008, 5, 28, tzinfo=UTC), datetime(2008, 5, 28, tzinfo=UTC),
                   1, 1, 1, "EN", 1, (1,), 2, "DE")
    with pytest.raises(TcfError, match="before TCF existed"):
        decode(encode(old))


def test_a_header_with_string_column_and_uuid_user_ids(tmp_path):
    """With string_column, the header's tc_string was a reject; without it, a
    UUID user id (base64url too) was taken for the TC string, and every line
    was a reject ("version 55")."""
    v2 = LINES[5].split("\t")[0]
    uuid = "3f2a1b9c-4d5e-6f70-8192-a3b4c5d6e7f8"
    table = f"user_id,tc_string,updated_at\n{uuid},{v2},2020-08-18T09:50:09Z\n"
    for n, source in enumerate(("{name: iab-tcf, customer_column: 1, string_column: 2}",
                                "{name: iab-tcf, customer_column: 1}")):
        (tmp_path / str(n)).mkdir()
        result, d = _load(tmp_path / str(n), f"consents:\n  source: {source}\n", table)
        assert (d.rows_rejected, d.rows_loaded) == (0, 10), source
        assert rows(result, "SELECT DISTINCT customer_id FROM consents") == [(uuid,)]
