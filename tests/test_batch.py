"""`privacy-audit batch`: a matrix of runs in parallel, one broken run among them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from privacylib import store
from privacylib.batch import load_batch, parameter_sets
from privacylib.errors import ProblemsError
from privacylib.verify import verify_run

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
workerz: 2
""", encoding="utf-8")
    with pytest.raises(ProblemsError) as exc:
        load_batch(path)
    text = str(exc.value)
    assert "2026-13" in text and "colour" in text and "same folder name" in text
    assert "did you mean 'workers'" in text


def test_a_batch_with_one_broken_run(tmp_path, monkeypatch):
    monkeypatch.delenv("PRIVACY_AUDIT_PSEUDONYM_KEY")  # the broken run's key file is read
    (tmp_path / "key-is-a-folder").mkdir()
    (tmp_path / "good.key").write_text("k", encoding="utf-8")
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
    proc = subprocess.run([sys.executable, "-m", "privacylib.cli", "batch", "--config", path],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr
    assert "2 done, 1 failed" in proc.stdout
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
