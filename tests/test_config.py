"""policy.yaml and mapping.yaml: defaults, unknown keys, wrong types."""

from __future__ import annotations

import pytest

from privacylib.config.mapping import load_mapping, mapping_from_dict
from privacylib.config.policy import Policy, load_policy, policy_from_dict
from privacylib.errors import MappingError, PolicyError, ProblemsError


def test_policy_defaults_are_the_contracts():
    p = load_policy(None)
    assert p.timezone == "Asia/Shanghai" and p.business_hours == "08:00-20:00"
    assert p.bulk_export_records_per_day == 1000 and p.dsr_response_days == 15
    assert p.ticketed_actions == ("export", "delete")
    assert p.weak_encryption_algorithms == ("none", "DES", "3DES", "RC4", "MD5", "SHA1")


def test_policy_file_overrides(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("timezone: UTC\nflag_weekends: true\nticketed_actions: [export]\n"
                    "business_hours: '09:00-18:00'\n", encoding="utf-8")
    p = load_policy(path)
    assert (p.timezone, p.flag_weekends, p.ticketed_actions) == ("UTC", True, ("export",))
    assert str(p.business_hours_range[0]) == "09:00:00"


def test_unknown_key_suggests_the_closest():
    with pytest.raises(ProblemsError) as exc:
        policy_from_dict({"bulk_export_record_per_day": 5, "tiemzone": "UTC"})
    text = str(exc.value)
    assert "did you mean 'bulk_export_records_per_day'" in text
    assert "did you mean 'timezone'" in text and "2 problem(s)" in text


@pytest.mark.parametrize(("key", "value", "words"), [
    ("bulk_export_records_per_day", "many", "whole number"),
    ("bulk_export_records_per_day", True, "whole number"),
    ("dsr_response_days", -1, "negative"),
    ("flag_weekends", "yes", "true or false"),
    ("ticketed_actions", "export", "list"),
    ("timezone", "Mars/Olympus", "time zone"),
    ("business_hours", "8-20", "08:00-20:00"),
])
def test_wrong_type_names_the_key(key, value, words):
    with pytest.raises(ProblemsError) as exc:
        policy_from_dict({key: value})
    assert f"key '{key}'" in str(exc.value) and words in str(exc.value)


def test_business_hours_must_run_forward():
    with pytest.raises(PolicyError):
        policy_from_dict({"business_hours": "20:00-08:00"})


def test_policy_file_problems(tmp_path):
    with pytest.raises(PolicyError, match="does not exist"):
        load_policy(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("timezone: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(bad)


def test_policy_is_frozen():
    with pytest.raises(AttributeError):
        Policy().timezone = "UTC"  # type: ignore[misc]


def test_mapping_problems_are_collected_with_suggestions():
    with pytest.raises(ProblemsError) as exc:
        mapping_from_dict({
            "acess_log": {"columns": {"a": "ts"}},
            "employees": {"colums": {}, "columns": {"工号": "actorid"}, "encoding": "latin-9",
                          "timezone": "Nowhere", "values": {"rank": {"a": "b"}}},
        })
    text = str(exc.value)
    for words in ("did you mean 'access_log'", "did you mean 'columns'", "did you mean 'actor_id'",
                  "not a supported encoding", "not a time zone", "values.rank", "6 problem(s)"):
        assert words in text


def test_mapping_from_the_data_folder_by_default(tmp_path):
    (tmp_path / "mapping.yaml").write_text(
        "access_log:\n  columns: {操作时间: ts}\n  values:\n    action: {查询: read}\n",
        encoding="utf-8")
    m = load_mapping(None, tmp_path).for_dataset("access_log")
    assert dict(m.columns) == {"操作时间": "ts"} and dict(m.values["action"]) == {"查询": "read"}
    assert load_mapping(None, tmp_path / "elsewhere").for_dataset("access_log").columns == {}
    with pytest.raises(MappingError):
        load_mapping(tmp_path / "missing.yaml")


def test_business_hours_may_end_at_midnight():
    from datetime import time

    assert policy_from_dict({"business_hours": "00:00-24:00"}).business_hours_range == (
        time(0, 0), time.max)
    with pytest.raises(ProblemsError):
        policy_from_dict({"business_hours": "08:00-24:30"})
