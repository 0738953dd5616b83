"""A batch that is stopped stops: SIGTERM or Ctrl-C end its workers and their
kernels, publish nothing more and remove the private folder of the kept load;
a batch killed outright (SIGKILL) leaves workers that notice and exit, and a
folder the next batch removes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from privacylib.run.stopping import OWNER_FILE, PRIVATE_PREFIX, sweep_stale_folders
from run.procs import start_batch, worker_in_a_run


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; its parent has not reaped it yet


def _batch_in_a_run(tmp_path: Path, **popen) -> tuple[subprocess.Popen, list[int]]:
    """A batch of two runs that share a kept load, started; returned once its
    worker's kernel runs a notebook into a staged folder, with the pids of
    the worker and its kernel."""
    (tmp_path / "temp").mkdir()
    batch = start_batch(tmp_path, env={**os.environ, "TMPDIR": str(tmp_path / "temp")}, **popen)
    try:
        worker, kernels = worker_in_a_run(batch.pid, tmp_path / "runs")
    except AssertionError:
        batch.kill()
        raise
    assert list((tmp_path / "temp").glob(PRIVATE_PREFIX + "*"))  # the kept load
    return batch, [worker, *kernels]


def _gone(pids: list[int], seconds: float) -> list[int]:
    """The pids still alive after waiting up to SECONDS for them to end."""
    deadline = time.monotonic() + seconds
    while any(map(_alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [p for p in pids if _alive(p)]
    for pid in left:  # not to leave them to the next test
        os.kill(pid, signal.SIGKILL)
    return left


def _nothing_published(out: Path) -> None:
    left = [p.name for p in out.iterdir()]
    assert all(n == "audit-store.duckdb" or ".tmp-" in n for n in left), left


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C"])
def test_a_stopped_batch_stops_its_workers_and_removes_its_kept_load(tmp_path, how):
    # Ctrl-C: SIGINT to the terminal's whole process group, the workers too.
    batch, pids = _batch_in_a_run(tmp_path, start_new_session=True)
    try:
        if how == "SIGTERM":
            batch.send_signal(signal.SIGTERM)
        else:
            os.killpg(batch.pid, signal.SIGINT)
        _, err = batch.communicate(timeout=60)
    finally:
        batch.kill()
    assert batch.returncode == (143 if how == "SIGTERM" else 130), err
    assert "the batch was stopped" in err and "Traceback" not in err, err
    assert _gone(pids, 5) == []  # the worker and its kernel ended with it
    # The kept load, the kernels' copies of it, the guard's values: all gone.
    assert not list((tmp_path / "temp").iterdir())
    time.sleep(2)  # a worker left running published its run after the batch had stopped
    _nothing_published(tmp_path / "runs")


def test_the_workers_of_a_killed_batch_exit_and_the_next_batch_removes_its_load(
        tmp_path, monkeypatch):
    batch, pids = _batch_in_a_run(tmp_path)
    batch.kill()
    batch.communicate(timeout=60)
    assert _gone(pids, 10) == []  # the worker saw its batch gone, killed its kernel, left
    _nothing_published(tmp_path / "runs")
    kept = list((tmp_path / "temp").glob(PRIVATE_PREFIX + "*"))
    assert len(kept) == 1 and (kept[0] / OWNER_FILE).read_text() == str(batch.pid)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    sweep_stale_folders()  # as the next batch does first
    assert not kept[0].exists()
    # The kernel's private copy of the data was in it too, not loose in TMPDIR.
    assert not [p.name for p in (tmp_path / "temp").rglob("*.duckdb")]


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_only_folders_marked_by_a_dead_batch_are_swept(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = _dead_pid()

    def folder(name: str, marker: str | None) -> Path:
        made = tmp_path / (PRIVATE_PREFIX + name)
        made.mkdir()
        (made / "loaded.duckdb").write_text("raw data", encoding="utf-8")
        if marker is not None:
            (made / OWNER_FILE).write_text(marker, encoding="ascii")
        return made

    stale = folder("stale", str(dead))
    alive = folder("alive", str(os.getpid()))
    unmarked = folder("unmarked", None)
    garbage = folder("garbage", "not a pid")
    group = folder("group", "-1")  # a process group, not a process
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / OWNER_FILE).write_text(str(dead), encoding="ascii")
    (tmp_path / (PRIVATE_PREFIX + "link")).symlink_to(elsewhere)
    linked = folder("linked-marker", None)
    (linked / OWNER_FILE).symlink_to(elsewhere / OWNER_FILE)

    sweep_stale_folders()
    assert not stale.exists() and f"pid {dead}" in capsys.readouterr().err
    for kept in (alive, unmarked, garbage, group, linked):
        assert (kept / "loaded.duckdb").exists(), kept
    assert (elsewhere / OWNER_FILE).exists() and (tmp_path / (PRIVATE_PREFIX + "link")).is_symlink()
