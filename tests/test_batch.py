"""`privacy-audit batch`: a matrix of runs in parallel, one broken run among them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from privacylib.errors import ProblemsError
from privacylib.run.batch import load_batch, parameter_sets
from privacylib.trail import store
from privacylib.trail.verify import verify_run

from conftest import SAMPLE


def test_runs_and_matrix_over_defaults():
    spec = {"defaults": {"data": "d", "lang": "en"}, "runs": [{"period": "2026-09"}],
            "matrix": {"period": ["2026-10", "2026-11"], "scope": ["system=crm", None]}}
    sets = parameter_sets(spec)
    assert len(sets) == 5 and sets[0] == {"data": "d", "lang": "en", "period": "2026-09"}
    assert {"data": "d", "lang": "en", "period": "2026-11", "scope": None} in sets


def test_the_whole_file_is_checked_first(tmp_path):
    path = tmp_path / "batch.yaml"
    path.write_text(f"""
defaults: {{data: {SAMPLE / 'exports'}}}
runs:
  - {{period: 2026-13}}
  - {{period: 2026-10, colour: blue}}
  - {{period: 2026-10}}
  - {{period: 2026-10}}
  - {{period: 2026-08, mask: false}}
workerz: 2
fail_on: urgent
""", encoding="utf-8")
    with pytest.raises(ProblemsError) as exc:
        load_batch(path)
    text = str(exc.value)
    assert "2026-13" in text and "colour" in text and "same folder name" in text
    assert "unmasked report" in text and "'urgent' is not a severity" in text
    assert "did you mean 'workers'" in text


def test_a_batch_with_one_broken_run(tmp_path, monkeypatch):
    monkeypatch.delenv("PRIVACY_AUDIT_PSEUDONYM_KEY")  # the broken run's key file is read
    (tmp_path / "key-is-a-folder").mkdir()
    (tmp_path / "good.key").write_text("a-key-of-twenty-bytes", encoding="utf-8")
    path = tmp_path / "batch.yaml"
    path.write_text(f"""
defaults: {{data: {SAMPLE / 'exports'}, key_file: good.key}}
matrix:
  period: [2026-10]
  scope: [system=crm, department=客服中心]
runs:
  - {{period: 2026-09, key_file: key-is-a-folder}}
out: runs
workers: 2
""", encoding="utf-8")
    temp = tmp_path / "temp"  # where the batch keeps the load its three runs share
    temp.mkdir()
    proc = subprocess.run([sys.executable, "-m", "privacylib.cli", "batch", "--config", path],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "TMPDIR": str(temp)})
    assert proc.returncode == 1, proc.stderr
    assert "2 done" in proc.stdout and "1 failed" in proc.stdout
    assert not list(temp.glob("privacylib-batch-*"))  # a failed run left no kept load behind
    runs = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert runs == ["2026-09.FAILED", "2026-10_department=客服中心", "2026-10_system=crm",
                    "audit-store.duckdb"]
    for name in runs[1:3]:
        assert (tmp_path / "runs" / name / "summary.html").exists()
        assert verify_run(tmp_path / "runs" / name).ok
    # Both runs wrote to one store at the same time, in turn: one chain of two.
    recorded = store.runs(tmp_path / "runs" / "audit-store.duckdb")
    assert sorted(recorded["scope"]) == ["department=客服中心", "system=crm"]
    assert list(recorded["seq"]) == [1, 2] and (recorded["findings"] > 0).all()



def test_a_short_key_is_a_problem_of_the_batch_file(tmp_path, monkeypatch):
    """An empty or short pseudonym key makes pseudonyms reversible (an empty
    key file reversed 250 of 274 by trying ids): said with the batch file's
    other problems, before any run."""
    monkeypatch.delenv("PRIVACY_AUDIT_PSEUDONYM_KEY")
    (tmp_path / "empty.key").write_text(" \n", encoding="utf-8")
    (tmp_path / "short.key").write_text("k" * 15, encoding="utf-8")
    path = tmp_path / "batch.yaml"
    path.write_text(f"""
defaults: {{data: {SAMPLE / 'exports'}}}
runs:
  - {{period: 2026-09, key_file: empty.key}}
  - {{period: 2026-10, key_file: short.key}}
""", encoding="utf-8")
    with pytest.raises(ProblemsError) as exc:
        load_batch(path)
    text = str(exc.value)
    assert "holds a key of 0 byte(s)" in text and "holds a key of 15 byte(s)" in text

def _history(out):
    """Per period: the run it was compared with (by period), findings' history, resolved."""
    import duckdb

    con = duckdb.connect(str(out / "audit-store.duckdb"), read_only=True)
    runs = con.execute("SELECT r.run_id, r.period, p.period FROM runs r LEFT JOIN runs p "
                       "ON p.run_id = r.compared_with ORDER BY r.period").fetchall()
    found = {}
    for run_id, period, compared in runs:
        history = con.execute("SELECT finding_key, history FROM findings WHERE run_id = $r "
                              "ORDER BY finding_key", {"r": run_id}).fetchall()
        resolved = con.execute("SELECT finding_key FROM resolved WHERE run_id = $r "
                               "ORDER BY finding_key", {"r": run_id}).fetchall()
        found[period] = (compared, history, resolved)
    con.close()
    return found


def test_history_does_not_depend_on_workers(tmp_path):
    """Two periods of one scope, October listed first, two workers free: each
    scope's periods run in order, so October is compared with September (run
    side by side, October would have had nothing to compare with)."""
    import pandas as pd

    from privacylib.run.batch import run_batch

    path = tmp_path / "w2.yaml"
    path.write_text(f"""
defaults: {{data: {SAMPLE / 'exports'}, scope: system=crm}}
matrix: {{period: [2026-10, 2026-09]}}
out: w2
workers: 2
""", encoding="utf-8")
    outcomes = run_batch(path, progress=False)
    assert {o.status for o in outcomes} <= {"done", "findings", "incomplete"}, outcomes
    found = _history(tmp_path / "w2")
    october = pd.read_csv(tmp_path / "w2" / "2026-10_system=crm" / "findings.csv",
                          keep_default_na=False)
    assert dict(zip(october["finding_key"], october["history"], strict=True)) == dict(
        found["2026-10"][1])
    assert found["2026-10"][0] == "2026-09" and found["2026-09"][0] is None
    assert {h for _, h in found["2026-10"][1]} == {"new", "open"}
