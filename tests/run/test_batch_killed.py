"""A batch whose worker process is killed mid-run: every unfinished run is
reported failed, in words, and nothing that looks complete is published."""

from __future__ import annotations

import os
import signal

from privacylib.run.batch import LOST, NOT_STARTED
from run.procs import start_batch, worker_in_a_run


def test_a_killed_worker_leaves_each_unfinished_run_failed_in_words(tmp_path):
    batch = start_batch(tmp_path)
    try:
        worker, _ = worker_in_a_run(batch.pid, tmp_path / "runs")
        os.kill(worker, signal.SIGKILL)
        out, err = batch.communicate(timeout=120)
    finally:
        batch.kill()
    assert batch.returncode == 1, err
    assert "Traceback" not in err and "BrokenProcessPool" not in err, err
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("2026-")}
    assert set(lines) == {"2026-09_system=crm", "2026-10_system=crm"}, out
    assert "failed" in lines["2026-09_system=crm"] and LOST in lines["2026-09_system=crm"]
    assert NOT_STARTED in lines["2026-10_system=crm"]  # it waits for September's record
    assert "2 failed" in out
    # Nothing published: what is left is the store and staging folders, swept next run.
    left = [p.name for p in (tmp_path / "runs").iterdir()]
    assert all(n == "audit-store.duckdb" or ".tmp-" in n for n in left), left
