"""`source:` in mapping.yaml: validation (unknown format with a suggestion,
options checked, the dataset a format feeds) and the precedence of the
user's keys over the preset's."""

from __future__ import annotations

import pytest

from privacylib.config.mapping import mapping_from_dict
from privacylib.errors import MappingProblems


def _problems(raw: dict) -> list[str]:
    with pytest.raises(MappingProblems) as caught:
        mapping_from_dict(raw)
    return [str(p) for p in caught.value.problems]


def test_an_unknown_source_is_named_with_a_suggestion():
    (problem,) = _problems({"access_log": {"source": "pgadit"}})
    assert "'pgadit' is not a source format" in problem
    assert "did you mean 'pgaudit'?" in problem


def test_a_source_under_the_wrong_dataset_says_where_it_goes():
    (problem,) = _problems({"consents": {"source": "pgaudit"}})
    assert "pgaudit feeds access_log, not consents" in problem


def test_options_are_checked_every_problem_at_once():
    problems = _problems({"access_log": {"source": {"name": "pgaudit", "prefx": "%m ",
                                                    }},
                          "consents": {"source": {"prefix": "%m"}}})
    assert any("prefx: is not an option of pgaudit" in p and "did you mean 'prefix'" in p
               for p in problems)
    assert any("must name a source format" in p for p in problems)
    (bad,) = _problems({"access_log": {"source": {"name": "pgaudit", "prefix": "%m %Y "}}})
    assert "has escapes PostgreSQL does not write: %Y" in bad


def test_the_preset_mapping_is_merged_and_validated():
    m = mapping_from_dict({"access_log": {"source": "pgaudit"}}).for_dataset("access_log")
    assert m.source_name == "pgaudit"
    assert m.columns["user"] == "actor_id"
    assert m.key == ("@file_line",)
    assert dict(m.constants) == {"purpose": None}
    assert m.values["action"]["read copy"] == "export"
    assert "read select" in m.keep["access"] and "ddl create table" not in m.keep["access"]


def test_user_keys_win_over_the_preset():
    m = mapping_from_dict({"access_log": {
        "source": "pgaudit",
        # a contract column the user fills another way leaves the preset's source unmapped
        "columns": {"application": "system"},
        "constants": {"purpose": "audit"},
        "values": {"action": {"READ COPY": "read", "MISC VACUUM": "update"}},
        "timezone": "UTC",
    }}).for_dataset("access_log")
    assert "database" not in m.columns and m.columns["application"] == "system"
    assert m.constants["purpose"] == "audit"
    assert m.values["action"]["read copy"] == "read"
    assert m.values["action"]["read select"] == "read"  # the rest of the table stays
    # a command added to the action table is loaded, not filtered
    assert "misc vacuum" in m.keep["access"]
    assert m.timezone == "UTC"


def test_a_user_key_column_replaces_the_built_key():
    m = mapping_from_dict({"access_log": {"source": "pgaudit",
                                          "columns": {"statement_id": "event_id"}}})
    assert m.for_dataset("access_log").key is None


def test_a_parsed_mapping_written_back_reads_the_same():
    from privacylib.config.params import mapping_as_dict

    first = mapping_from_dict({"access_log": {"source": {"name": "pgaudit",
                                                         "prefix": "%m [%p] "},
                                              "values": {"action": {"MISC VACUUM": "update"}}}})
    again = mapping_from_dict(mapping_as_dict(first))
    assert again.datasets == first.datasets


def test_every_preset_is_valid_and_its_reader_registered():
    from privacylib.contract import BY_NAME
    from privacylib.intake.presets import presets
    from privacylib.intake.readers import READERS

    assert list(presets()) == ["pgaudit", "mysql-audit", "cloudtrail", "ranger", "syslog",
                               "kantara", "iab-tcf"]
    for name, preset in presets().items():
        assert name in READERS and READERS[name].suffixes == ()
        m = mapping_from_dict({preset.dataset: {"source": name}}).for_dataset(preset.dataset)
        given = set(m.columns.values()) | set(m.constants) | {
            t for v in m.columns.values() if isinstance(v, tuple) for t in v}
        # Every required column is fed (or a key is built), so no source needs more mapping.
        ds = BY_NAME[preset.dataset]
        missing = [c for c in ds.required if c not in given and not (m.key and c in ds.key)]
        assert missing == [], (name, missing)
        assert preset.gaps, name


def test_a_source_written_in_any_case_is_found():
    m = mapping_from_dict({"consents": {"source": "IAB-TCF"}})
    assert m.for_dataset("consents").source_name == "iab-tcf"


@pytest.mark.parametrize("name", ["pgaudit", "mysql-audit", "cloudtrail", "ranger", "syslog",
                                  "kantara", "iab-tcf"])
def test_a_resolved_source_reads_back_as_itself(name):
    # The runner hands the notebook the mapping as parsed (options with their
    # defaults spelt out, the preset's keys merged): it must parse to the same.
    from privacylib.config.params import mapping_as_dict
    from privacylib.intake.presets import presets

    dataset = presets()[name].dataset
    first = mapping_from_dict({dataset: {"source": name}})
    again = mapping_from_dict(mapping_as_dict(first))
    assert again.for_dataset(dataset) == first.for_dataset(dataset)


def test_a_gap_the_mapping_fills_is_said_as_given():
    from privacylib.intake.presets import source_gaps

    bare = mapping_from_dict({"access_log": {"source": "pgaudit"}}).for_dataset("access_log")
    assert "pgaudit: no purpose, customer or ticket in the format: purpose is null on every " \
           "row" in source_gaps(bare)
    given = mapping_from_dict({"access_log": {"source": "pgaudit", "constants": {
        "purpose": "billing"}}}).for_dataset("access_log")
    assert "pgaudit: no purpose, customer or ticket in the format: purpose given by " \
           "mapping.yaml" in source_gaps(given)
    # Two columns null: one given is not enough to take the warning back.
    half = mapping_from_dict({"access_log": {"source": "syslog", "constants": {
        "purpose": "ops"}}}).for_dataset("access_log")
    assert any("purpose and data_category are null on every row" in g
               for g in source_gaps(half))
