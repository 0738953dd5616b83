"""mapping.yaml's keys for real sources, as read: what each accepts, and
every problem named at once (file, dataset, key, what to do), exit code 2."""

from __future__ import annotations

import pytest

from privacylib.config.mapping import (
    FILE_LINE,
    load_mapping,
    mapping_from_dict,
    split_path,
)
from privacylib.errors import MappingProblems


def _problems(raw: dict) -> list[str]:
    with pytest.raises(MappingProblems) as err:
        mapping_from_dict(raw)
    assert err.value.exit_code == 2
    return [str(p) for p in err.value.problems]


def test_a_full_mapping_reads():
    m = mapping_from_dict({"consents": {
        "columns": {"consentReceiptID": ["consent_id", "evidence_ref"], "piiPrincipalId":
                    "customer_id", "services.purpose": "purpose", "consentTimestamp":
                    "granted_at"},
        "constants": {"method": "explicit", "separate": "yes"},
        "ignore": ["jurisdiction"], "keep": {"version": ["KI-CR-v1.1.0", 1.1, None]},
        "drop": {"language": "xx"}, "timestamp_format": "%s", "timezone": "UTC"}})
    c = m.for_dataset("consents")
    assert c.columns["consentReceiptID"] == ("consent_id", "evidence_ref")
    # one target stays a string: a mapping without lists keeps its canonical form and hash
    assert c.columns["piiPrincipalId"] == "customer_id"
    assert c.targets("piiPrincipalId") == ("customer_id",)
    assert dict(c.constants) == {"method": "explicit", "separate": "true"}
    assert c.keep["version"] == ("KI-CR-v1.1.0", "1.1", None)
    assert c.drop["language"] == ("xx",)
    assert c.timestamp_format == "epoch_s"  # %s is epoch seconds, not a strptime directive
    assert c.ignore == ("jurisdiction",)
    assert c.contract_sources()["evidence_ref"] == "consentReceiptID"
    assert "services.purpose" in c.source_names() and "version" in c.source_names()


@pytest.mark.parametrize(("name", "parts"), [
    ("userIdentity.arn", ["userIdentity", "arn"]), ("eventName", ["eventName"]),
    ("labels.app\\.kubernetes\\.io", ["labels", "app.kubernetes.io"]),
    ("a\\\\.b", ["a\\", "b"]),
])
def test_paths_split_on_unescaped_dots(name, parts):
    assert split_path(name) == parts


@pytest.mark.parametrize(("value", "kind_word"), [
    ({"consents": {"constants": {"separate": "maybe"}}}, "is not a boolean"),
    ({"access_log": {"constants": {"record_count": "many"}}}, "is not a whole number"),
    ({"access_log": {"constants": {"record_count": True}}}, "is not a whole number"),
    ({"consents": {"constants": {"withdrawn_at": "last tuesday"}}}, "is not a timestamp"),
    # Python reads these, the loader does not: every row would have been a reject.
    ({"consents": {"constants": {"granted_at": "2026-W01-1"}}}, "is not a timestamp"),
    ({"consents": {"constants": {"granted_at": "20260131T0900"}}}, "is not a timestamp"),
    ({"access_log": {"constants": {"action": "peek"}}}, "is not a value of action"),
    ({"access_log": {"constants": {"result": ["success"]}}}, "is a list"),
    ({"sharing": {"constants": {"recipient_country": "China"}}}, "two-letter country code"),
    ({"notices": {"constants": {"purposes": [["x"]]}}}, "is not a list of words"),
])
def test_a_constant_of_the_wrong_type_is_a_problem(value, kind_word):
    (problem,) = _problems(value)
    assert kind_word in problem and ".constants." in problem


def test_constants_are_typed_for_the_loader():
    m = mapping_from_dict({"notices": {"constants": {"purposes": ["a", "b"],
                                                     "published_at": "2026-01-01"}},
                           "access_log": {"constants": {"record_count": 3, "result": "Denied"}}})
    assert m.for_dataset("notices").constants["purposes"] == '["a", "b"]'
    assert dict(m.for_dataset("access_log").constants) == {"record_count": "3",
                                                           "result": "Denied"}


def test_every_problem_is_named_at_once(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text(
        "access_log:\n"
        "  columns: {a: [event_id, actor_idd], b: action, c: action, 'x..y': system}\n"
        "  constants: {event_id: E1, ts: soon, actor_id: bob}\n"
        "  key: '@line'\n"
        "  keep: {eventName: []}\n"
        "  drop: [x]\n"
        "  ignore: [a]\n"
        "  timestamp_format: '%s %Q'\n"
        "  default_year: 2026\n"
        "consents:\n"
        "  timestamp_format: '%b %d %H:%M:%S'\n"
        "  key: [a, '@file_line']\n", encoding="utf-8")
    with pytest.raises(MappingProblems) as err:
        load_mapping(path)
    text = str(err.value)
    for expected in (
        "access_log.columns.a: 'actor_idd' is not a column of access_log",
        "did you mean 'actor_id'?",
        "access_log.columns.c: 'action' is already fed by 'b'",
        "'x..y' is not a JSON path",
        "access_log.constants.event_id: is the key of access_log",
        "access_log.constants.ts: 'soon' is not a timestamp",
        "access_log.key: '@line' is not a key source",
        "access_log.keep.eventName: must be a value or a list of values",
        "access_log.drop: must map source columns to lists of values",
        "access_log.ignore: 'a' is also mapped under columns",
        "access_log.timestamp_format: '%s %Q' is not a supported timestamp format",
        "access_log.default_year: applies to a timestamp_format without a year",
        "consents.timestamp_format: '%b %d %H:%M:%S' has no year",
        "consents.key: '@file_line' stands alone",
    ):
        assert expected in text, expected
    assert str(path) in text and "(14 problem(s))" in text


@pytest.mark.parametrize(("entry", "expected"), [
    ({"timestamp_format": "%d/%m/%Y %k"}, "is not a supported timestamp format"),
    ({"timestamp_format": "dd.mm.yyyy"}, "has no % directive"),
    ({"timestamp_format": "%Y-%m-%d", "default_year": 2026}, "has its own year"),
    ({"timestamp_format": "%b %d %H:%M:%S", "default_year": "2026"}, "is not a year"),
    ({"default_year": 2026}, "there is none"),
])
def test_timestamp_format_is_checked_when_the_mapping_is_read(entry, expected):
    (problem,) = _problems({"access_log": entry})
    assert "access_log" in problem and expected in problem


def test_a_year_less_format_with_a_default_year_reads():
    m = mapping_from_dict({"access_log": {"timestamp_format": "%b %d %H:%M:%S",
                                          "default_year": 2026}})
    assert m.for_dataset("access_log").default_year == 2026


@pytest.mark.parametrize(("dataset", "key", "expected"), [
    ("collection_fields", ["system"], "has no single key column to build"),
    ("role_assignments", ["actor_id"], "has no single key column to build"),
    ("access_log", [""], "must be a source column"),
    ("access_log", [3], "must be a source column"),
])
def test_a_key_that_cannot_be_built_is_a_problem(dataset, key, expected):
    (problem,) = _problems({dataset: {"key": key}})
    assert f"{dataset}.key" in problem and expected in problem


def test_a_mapping_written_back_reads_the_same():
    """config/params.py writes the parsed mapping as JSON into the notebook's
    parameters and reads it back: every new key must survive that."""
    from privacylib.config.params import mapping_as_dict

    raw = {"consents": {"columns": {"rid": ["purpose", "evidence_ref"], "cust": "customer_id"},
                        "constants": {"separate": True, "notice_version": None},
                        "key": "@file_line", "ignore": ["x"], "keep": {"v": [1, None]},
                        "timestamp_format": "%s"},
               "notices": {"constants": {"purposes": ["a", "b"]}},
               "access_log": {"timestamp_format": "%b %d %H:%M:%S", "default_year": 2026}}
    first = mapping_from_dict(raw)
    again = mapping_from_dict(mapping_as_dict(first))
    assert again.datasets == first.datasets
    # and a mapping of the old keys only has the same canonical form as before
    assert mapping_as_dict(mapping_from_dict({"access_log": {"columns": {"a": "ts"}}})) == {
        "access_log": {"columns": {"a": "ts"}}}


def test_a_key_builds_and_may_come_from_file_and_line():
    m = mapping_from_dict({"access_log": {"key": ["session_id", "statement_id"]},
                           "consents": {"key": FILE_LINE}})
    assert m.for_dataset("access_log").key == ("session_id", "statement_id")
    assert m.for_dataset("consents").key == (FILE_LINE,)


def test_a_key_and_a_constant_may_not_contradict_columns():
    problems = _problems({"access_log": {"key": "@file_line", "columns": {"id": "event_id"},
                                         "constants": {"system": "s3"},
                                         "ignore": [], }})
    assert any("builds event_id, which columns also maps from 'id'" in p for p in problems)
    problems = _problems({"access_log": {"columns": {"sys": "system"},
                                         "constants": {"system": "s3"}}})
    assert problems == ["mapping: access_log.constants.system: is also mapped from 'sys' "
                        "under columns\n    → keep one of the two"]


def test_a_bad_mapping_stops_validate_with_exit_code_2_naming_every_problem(tmp_path):
    import subprocess
    import sys

    (tmp_path / "access_log.csv").write_text("event_id\nE1\n", encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(
        "access_log:\n  timestamp_format: '%s'\n  constants: {record_count: lots}\n"
        "  keep: {eventName: []}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "privacylib.cli", "validate", "--data",
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "(2 problem(s))" in done.stderr
    assert "access_log.constants.record_count: 'lots' is not a whole number" in done.stderr
    assert "access_log.keep.eventName: must be a value or a list of values" in done.stderr


def test_filters_and_value_maps_hold_values_as_written(tmp_path):
    """YAML 1.1 reads a plain yes as true, 010 as 8, 1.10 as 1.1 and a date as
    a date: in keep, drop and values they are an export's text, compared as
    text, so they are taken as written; null stays null (a value mapped to
    null is empty, where it was the text 'None')."""
    import privacylib

    from conftest import rows, write_csv

    write_csv(tmp_path / "training.csv",
              ["actor_id", "course", "completed_at", "is_test", "dept"],
              [["E1", "c", "2026-02-03 14:00:00", "yes", "010"],
               ["E2", "1.10", "2026-02-03 14:00:00", "no", "010"],
               ["E3", "N/A", "2026-02-03 14:00:00", "no", "8"],
               ["E4", "c", "2026-02-03 14:00:00", "", "010"]])
    (tmp_path / "mapping.yaml").write_text(
        "training:\n  drop: {is_test: [yes, ~]}\n  keep: {dept: [010, 8]}\n"
        "  values:\n    course: {1.10: 2026-01-01, N/A: ~, c: yes}\n", encoding="utf-8")
    entry = load_mapping(None, tmp_path).for_dataset("training")
    assert dict(entry.drop) == {"is_test": ("yes", None)}
    assert dict(entry.keep) == {"dept": ("010", "8")}
    assert dict(entry.values["course"]) == {"1.10": "2026-01-01", "n/a": None, "c": "yes"}
    loaded = privacylib.load(tmp_path, progress=False)
    assert rows(loaded, "SELECT actor_id, course FROM training ORDER BY 1") == [
        ("E2", "2026-01-01"), ("E3", None)]
    assert loaded.datasets["training"].filtered == {"drop (is_test)": 2}
