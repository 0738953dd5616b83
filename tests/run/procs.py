"""A batch started for a test, and the processes it started, read from
/proc (its workers, their kernels)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from conftest import SAMPLE


def start_batch(folder: Path, **popen) -> subprocess.Popen:
    """`privacy-audit batch` of September then October of the sample's crm
    (two runs sharing a kept load, one worker) into FOLDER/runs, started."""
    path = folder / "batch.yaml"
    path.write_text(f"""
defaults: {{data: {SAMPLE / 'exports'}, scope: system=crm}}
matrix: {{period: [2026-09, 2026-10]}}
out: runs
workers: 1
""", encoding="utf-8")
    return subprocess.Popen([sys.executable, "-m", "privacylib.cli", "batch", "--config", path],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of each process whose parent is PID."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                found.append((int(stat.parent.name), cmdline.decode(errors="replace")))
        except (OSError, IndexError, ValueError):
            continue  # it ended while we looked
    return found


def worker_in_a_run(batch: int, out: Path, seconds: float = 300) -> tuple[int, list[int]]:
    """(the batch's worker, its kernels) once a kernel runs a notebook into a
    run folder being staged under OUT."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        staging = out.is_dir() and any(".tmp-" in p.name for p in out.iterdir())
        for pid, cmdline in children(batch):
            kernels = [k for k, c in children(pid) if "ipykernel" in c]
            if staging and "multiprocessing" in cmdline and kernels:
                return pid, kernels
        time.sleep(0.1)
    raise AssertionError("no batch worker started a kernel in time")
