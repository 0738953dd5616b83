"""Golden cases of every control, read from tests/controls/cases/<ID>.yaml.

Each case writes its tiny tables, loads them and runs its one control over the
period (2026-10, Asia/Shanghai, as_of 2026-11-01 00:00 local, unless it says
otherwise). Most files hold the control's violations beside the near misses at
its boundaries, and a case whose rows would all be examined but for one thing
(denied, in September, naming no customer, on paper...): the control must say
no_data there, never pass, and its reason must name the dataset it looked at.
The format is described in golden.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from controls.golden import CASES_DIR, FixtureError, GoldenCase, load_all, load_file
from privacylib.controls.catalog import load_catalog
from privacylib.synth.plant import MODULES, PLANTERS
from privacylib.synth.plant.registry import STEPS

from conftest import run_control_result

CASES = load_all()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_golden_case(tmp_path: Path, case: GoldenCase) -> None:
    result = run_control_result(tmp_path, case.control_id, case.tables, policy=case.policy,
                                period=case.period)
    found = {f.subject_id for f in result.findings}
    where = f"{case.file}: {case.title}"
    assert (result.outcome, found) == (case.expect.outcome, set(case.expect.subjects)), (
        where, result.reason_en)
    assert result.checked == case.expect.checked, (where, result.checked)
    if result.outcome == "no_data":
        assert result.checked == 0 and not result.findings and result.reason_en, where
    if case.expect.reason_names:
        assert f"in {case.expect.reason_names} (" in result.reason_en, (where, result.reason_en)
        assert case.expect.reason_names in result.reason_zh, (where, result.reason_zh)


def test_every_control_has_fixtures_that_fail_and_not_and_a_planter() -> None:
    ids = [c.id for c in load_catalog()]
    files = sorted(p.stem for p in CASES_DIR.glob("*.yaml"))
    assert files == sorted(ids), "one fixture file per catalog control, no other"
    for control_id in ids:
        outcomes = [c.expect.outcome for c in CASES if c.control_id == control_id]
        assert "fail" in outcomes, f"{control_id}.yaml has no failing case"
        assert {"pass", "no_data"} & set(outcomes), f"{control_id}.yaml has only failing cases"
    assert sorted(PLANTERS) == sorted(ids), "every control and only they have a planter"
    for control_id, steps in PLANTERS.items():
        assert steps and all(s in STEPS for s in steps), control_id
    # A step in a module that plant_all does not order would not run.
    assert {s.__module__ for s in STEPS} == {m.__name__ for m in MODULES}


def test_case_count_did_not_shrink() -> None:
    # 43 golden cases and 36 no_data cases were moved here from Python: none may go quietly.
    assert len(CASES) >= 79
    assert sum(c.expect.outcome == "no_data" for c in CASES) >= 36


def _fixture(tmp_path: Path, text: str, name: str = "U01.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


CASE = """
cases:
  - title: a case
    tables:
      access_log:
        - {event_id: E1, ts: '2026-10-05 10:00:00', actor_id: A1, action: export}
    expect: {outcome: fail, checked: 1, subjects: [E1]}
"""


@pytest.mark.parametrize(("change", "message"), [
    (("    expect:", "    expected: 1\n    expect:"), r"U01\.yaml, case 1 \('a case'\).*'expected"),
    (("access_log:", "access_logs:"), r"U01\.yaml, case 1 \('a case'\).*'access_logs' is no data"),
    (("actor_id: A1", "actor: A1"), r"case 1 \('a case'\).*\['actor'\] are no columns of 'acc"),
    (("outcome: fail", "outcome: failed"), r"case 1 \('a case'\): expect: outcome must be one of"),
    (("checked: 1, ", ""), r"case 1 \('a case'\): expect: \['checked'\] missing"),
    (("subjects: [E1]", "subjects: []"), r"case 1 \('a case'\): expect: a fail names subjects"),
    (("    expect:", "    policy: {ticketed: [PRINT]}\n    expect:"),
     r"case 1 \('a case'\): policy: .*not valid"),
    (("cases:", "defaults:\n  access_log: {who: A1}\ncases:"),
     r"U01\.yaml: defaults of 'access_log': \['who'\] are no columns"),
    (("cases:", "control: U01\ncases:"), r"U01\.yaml: the file: unknown key\(s\) \['control'\]"),
    (("- {event_id", "- repeat: 3\n          row: {event_id"),
     r"case 1 \('a case'\): a repeat block of 'access_log': 'repeat' must be \[start, stop\]"),
])
def test_a_wrong_fixture_file_is_named_with_its_case(tmp_path: Path, change: tuple[str, str],
                                                      message: str) -> None:
    old, new = change
    assert old in CASE
    load_file(_fixture(tmp_path, CASE))  # the unchanged file is valid
    with pytest.raises(FixtureError, match=message):
        load_file(_fixture(tmp_path, CASE.replace(old, new, 1)))


def test_two_cases_of_one_title_are_refused(tmp_path: Path) -> None:
    text = CASE + CASE.replace("cases:\n", "").replace("a case", "A case!")
    with pytest.raises(FixtureError, match=r"U01\.yaml: two cases have the same title slug"):
        load_file(_fixture(tmp_path, text))


def test_values_stay_the_text_they_are_written_as(tmp_path: Path) -> None:
    text = CASE.replace("action: export}", "action: export, ticket_id: 0012, result: no,\n"
                        "           record_count: 12, customer_id: 2026-10-05T10:00:00Z}")
    (case,) = load_file(_fixture(tmp_path, text))
    (row,) = case.tables["access_log"]
    assert row == {"event_id": "E1", "ts": "2026-10-05 10:00:00", "actor_id": "A1",
                   "action": "export", "ticket_id": "0012", "result": "no", "record_count": 12,
                   "customer_id": "2026-10-05T10:00:00Z"}


def test_defaults_and_repeat_blocks_make_the_rows(tmp_path: Path) -> None:
    text = """
defaults:
  access_log: {actor_id: A1, action: read, purpose: service}
cases:
  - title: two and one
    tables:
      access_log:
        - repeat: [8, 10]
          row: {event_id: 'E{i}', ts: '2026-10-{i:02d} 10:00', customer_id: 'K{n}'}
        - {event_id: X, ts: '2026-10-01 10:00', purpose: null, action: export}
    expect: {outcome: pass, checked: 3, subjects: []}
"""
    (case,) = load_file(_fixture(tmp_path, text))
    base = {"actor_id": "A1", "action": "read", "purpose": "service"}
    assert case.tables["access_log"] == [
        {**base, "event_id": "E8", "ts": "2026-10-08 10:00", "customer_id": "K0"},
        {**base, "event_id": "E9", "ts": "2026-10-09 10:00", "customer_id": "K1"},
        {**base, "event_id": "X", "ts": "2026-10-01 10:00", "purpose": None, "action": "export"},
    ]
    assert case.id == "U01-two-and-one" and case.period == "2026-10" and case.policy is None

