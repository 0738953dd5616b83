"""Opening a finished run: from its result alone, its data loaded only when a
raw row is asked for, once, and refused when the data changed since the run."""

from __future__ import annotations

import json
import shutil
import time

import pandas as pd
import pytest

import privacylib.audit.run as audit_run
from privacylib.errors import DataError, UsageError
from privacylib.explore import opened
from privacylib.explore.widgets import ALL, Explorer
from privacylib.explore.words import words


@pytest.fixture
def loads(monkeypatch):
    """Every load of a data folder (intake's load, as run_audit calls it), counted."""
    calls: list[str] = []
    real = audit_run.load

    def counted(folder, **kwargs):
        calls.append(str(folder))
        return real(folder, **kwargs)

    monkeypatch.setattr(audit_run, "load", counted)
    return calls


def test_a_run_opens_from_its_result_without_loading_its_data(sample_run, loads):
    run, _ = sample_run
    Explorer(opened.open_run(run)).widget()  # imports and first widgets, out of the timing
    started = time.monotonic()
    explored = opened.open_run(run)
    explorer = Explorer(explored)
    explorer.widget()
    seconds = time.monotonic() - started
    assert loads == [] and not explored.session.opened and explored.session.loads == 0
    print(f"opening a run took {seconds:.2f} s")  # not asserted: loading nothing is the point
    written = pd.read_csv(run / "findings.csv", keep_default_na=False, dtype=str)
    assert [key for _, key in explorer.picker.options] == list(written["finding_key"])
    shown = explored.findings.set_index("finding_key")
    for column in ("control_id", "subject_id", "severity", "status", "history", "reason"):
        assert list(shown.loc[written["finding_key"], column]) == list(written[column]), column
    # History is the run's (blank: a first run), not a comparison of the run with itself.
    assert set(written["history"]) == {""}
    assert explorer.filters["history"].options == ((words("zh")["all_choice"], ALL),)
    controls = pd.read_csv(run / "controls.csv", dtype=str)
    assert [c.id for c in explored.result.controls] == list(controls.iloc[:, 0])
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert (explored.run_id, explored.store) == (manifest["run_id"], manifest["store"])
    assert explored.result.access_frame().shape == (7, 24)


def test_following_an_actor_loads_the_data_once(sample_run, loads, tmp_path):
    run, exports = sample_run
    explorer = Explorer(opened.open_run(run), store=str(tmp_path / "store.duckdb"))
    explorer.people.actor.value = "E9003"
    assert loads == [str(exports)] and explorer.session.loads == 1
    header = explorer.people.actor_view.children[0].value
    assert '<span class="pw-flagged">2</span>' in header  # U01 and U02 name two of them
    explorer.people.actor.value = "E9001"
    explorer.people.customer.value = "C0000001"
    explorer.reason.value = "checking the evidence of a finding"
    explorer.unmask.value = True
    assert loads == [str(exports)] and explorer.session.loads == 1


def test_data_changed_after_the_run_is_refused_with_a_hint(sample_run, tmp_path):
    run, exports = sample_run
    stores = exports / "data_stores.jsonl"
    kept = tmp_path / "data_stores.jsonl"
    shutil.copy(stores, kept)
    try:
        rows = [json.loads(line) for line in stores.read_text(encoding="utf-8").splitlines()]
        rows[0]["encrypted_at_rest"] = "false"  # one more S01 finding
        stores.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                          encoding="utf-8")
        explored = opened.open_run(run)
        explorer = Explorer(explored)  # the run itself still opens: its result is intact
        assert explorer.count.value.startswith('<span class="pw-count">100</span>')
        explorer.people.actor.value = "E9003"
        (problem,) = explorer.people.actor_view.children
        assert "changed since the run" in problem.value and "(0 gone, 1 new)" in problem.value
        with pytest.raises(DataError, match="changed since the run") as raised:
            explored.session.audit  # noqa: B018
        assert "restore the inputs" in raised.value.hint
    finally:
        shutil.copy(kept, stores)


def test_runs_are_found_under_the_demo_folder_and_the_notebooks_own(sample_run, tmp_path):
    run, _ = sample_run
    notebooks = tmp_path / "project" / "notebooks"
    notebooks.mkdir(parents=True)
    with pytest.raises(UsageError, match="no finished run was found"):
        opened.open_explored(here=notebooks)  # and no data folder audited instead
    demo = tmp_path / "project" / "demo" / "runs" / run.name
    shutil.copytree(run, demo)
    assert opened.open_explored(here=notebooks).run_dir == demo  # `privacy-audit demo`'s
    own = notebooks / "runs" / "later"
    shutil.copytree(run, own)
    manifest = json.loads((own / "manifest.json").read_text(encoding="utf-8"))
    manifest["finished_at"] = "2099-01-01T00:00:00+00:00"
    (own / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert opened.open_explored(here=notebooks).run_dir == own  # the latest of both
    assert opened.open_explored(runs_root=str(demo.parent), here=notebooks).run_dir == demo
