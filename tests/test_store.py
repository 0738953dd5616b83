"""The audit store: two runs in a row, a fixed and a new violation."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pandas as pd
import pytest

from privacylib.audit.run import AuditConfig
from privacylib.run.runner import execute
from privacylib.trail import store
from privacylib.trail.store import PreviousRun, compare
from privacylib.trail.verify import verify_run

from conftest import SAMPLE


def _set_algorithm(exports, store_id: str, algorithm: str) -> None:
    path = exports / "data_stores.jsonl"
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["store_id"] == store_id:
            row["encryption_algorithm"] = algorithm
        lines.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """September audited, then ST-MKT fixed and ST-BILL broken, October audited."""
    root = tmp_path_factory.mktemp("store")
    exports = root / "exports"
    shutil.copytree(SAMPLE / "exports", exports)
    db = root / "audit.duckdb"
    config = AuditConfig(data=str(exports), period="2026-09", store=str(db))
    first = execute(config, root / "first")
    _set_algorithm(exports, "ST-MKT", "AES-256-GCM")
    _set_algorithm(exports, "ST-BILL", "RC4")
    second = execute(dataclasses.replace(config, period="2026-10"), root / "second")
    return first, second, db


def test_new_open_and_resolved(two_runs):
    first, second, _ = two_runs
    before = pd.read_csv(first / "findings.csv", keep_default_na=False)
    after = pd.read_csv(second / "findings.csv", keep_default_na=False)
    assert set(before["history"]) == {""}  # nothing to compare the first run with
    # S01 judges the data stores as they are, whatever the month: one fixed, one broken.
    new = after[(after["history"] == "new") & (after["control_id"] == "S01")]
    assert list(new["subject_id"]) == ["ST-BILL"]
    assert (after["history"] != "").all()
    assert (after[after["control_id"] == "S01"]["history"] == "open").sum() == (
        (before["control_id"] == "S01").sum() - 1)
    resolved = pd.read_csv(second / "resolved.csv")
    assert list(resolved[resolved["control_id"] == "S01"]["subject_id"]) == ["ST-MKT"]
    run = json.loads((second / "run.json").read_text(encoding="utf-8"))
    first_id = json.loads((first / "manifest.json").read_text(encoding="utf-8"))["run_id"]
    assert run["compared_with"] == first_id
    page = (second / "summary.html").read_text(encoding="utf-8")
    history = after["history"].value_counts()
    assert f"新增 {history['new']} 项" in page and f"已解决 {len(resolved)} 项" in page
    assert 'id="resolved"' in page
    # The store computed the same history when it recorded the run.
    recorded = store.runs(two_runs[2]).set_index("period")
    assert recorded.loc["2026-10", "new"] == history["new"]
    assert recorded.loc["2026-10", "resolved"] == len(resolved)


def test_the_store_keeps_both_runs_in_one_chain(two_runs):
    first, second, db = two_runs
    runs = store.runs(db)
    assert list(runs["seq"]) == [1, 2] and list(runs["period"]) == ["2026-09", "2026-10"]
    assert runs["new"][0] == 0 and runs["resolved"][0] == 0
    manifests = [json.loads((f / "manifest.json").read_text(encoding="utf-8"))
                 for f in (first, second)]
    assert manifests[0]["previous_manifest_sha256"] is None
    from privacylib.trail.manifest import sha256_file

    assert manifests[1]["previous_manifest_sha256"] == sha256_file(first / "manifest.json")
    assert verify_run(first).proven and verify_run(second).proven
    outcomes = store.outcomes(db)
    assert len(outcomes) == 72


def _frame(*pairs):
    return pd.DataFrame([{"finding_key": f"{c}/{s}", "control_id": c, "subject_id": s,
                          "severity": "high", "family": "storage"} for c, s in pairs])


def test_a_control_that_could_not_look_resolves_nothing():
    previous = PreviousRun("r1", "2026-09", _frame(("S01", "A"), ("S02", "B"), ("S03", "C")))
    now = _frame(("S01", "A"), ("S01", "Z"))
    history, resolved = compare(now, {"S01": "fail", "S02": "pass", "S03": "skipped"}, previous)
    assert list(history) == ["open", "new"]
    assert list(resolved["subject_id"]) == ["B"]  # S03 was skipped: C is not resolved


def test_without_a_store_nothing_is_compared():
    history, resolved = compare(_frame(("S01", "A")), {"S01": "fail"}, None)
    assert list(history) == [""] and resolved.empty


def test_the_trend_notebook_runs_on_the_store(two_runs, tmp_path):
    import papermill

    from privacylib.explore import trend
    from privacylib.run.runner import NOTEBOOK

    _, _, db = two_runs
    by_control = trend.by_control(str(db))
    assert by_control.shape == (36, 2)
    assert by_control.loc["S01"].tolist() == [3, 3]  # one fixed, one new
    out = tmp_path / "trend.ipynb"
    papermill.execute_notebook(str(NOTEBOOK.with_name("trend.ipynb")), str(out),
                               parameters={"store": str(db)}, kernel_name="python3",
                               progress_bar=False, cwd=str(NOTEBOOK.parent))
    cells = json.loads(out.read_text(encoding="utf-8"))["cells"]
    outputs = [o for c in cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 3


def test_a_store_that_does_not_exist_is_said_so_not_damaged(tmp_path):
    from privacylib.trail.access import views
    from privacylib.trail.store import StoreUnreadable

    with pytest.raises(StoreUnreadable, match="does not exist") as caught:
        views(tmp_path / "nowhere.duckdb")
    assert caught.value.exit_code == 2 and "damaged" not in str(caught.value)
