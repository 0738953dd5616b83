"""Whole runs of the sample company made once per test session, for every worker.

A run through papermill takes 10-20 s; a dozen modules only read one of the
same few runs (the October run, in Chinese or English, or after September).
pytest-xdist gives each worker its own session, so a session fixture alone
would still make each run once per worker: the first worker that asks makes
it, under a file lock in the folder all workers share, and the others wait
for it and read the same folder.

What a test gets here is shared: it only reads it, and copies a run folder
before changing anything in it.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Callable
from pathlib import Path

from conftest import SAMPLE

DONE = ".complete"


def _run(out: Path, period: str, lang: str = "zh") -> Path:
    from privacylib.audit.run import AuditConfig
    from privacylib.run.runner import execute

    return execute(AuditConfig(data=str(SAMPLE / "exports"), period=period, lang=lang), out)


def _october(folder: Path) -> None:
    _run(folder, "2026-10")


def _october_en(folder: Path) -> None:
    _run(folder, "2026-10", "en")


def _september_then_october(folder: Path) -> None:
    _run(folder, "2026-09")
    _run(folder, "2026-10")


# name: what it makes in its folder (the runs' OUT, with its audit store).
RECIPES: dict[str, Callable[[Path], None]] = {
    "october": _october,
    "october-en": _october_en,
    "september-october": _september_then_october,
}


class SharedRuns:
    def __init__(self, root: Path) -> None:
        self.root = root

    def out(self, name: str) -> Path:
        """The OUT folder of recipe `name`, made by whichever worker asked first."""
        folder = self.root / name
        with (self.root / f"{name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if not (folder / DONE).exists():
                shutil.rmtree(folder, ignore_errors=True)  # a worker died while making it
                folder.mkdir(parents=True)
                RECIPES[name](folder)
                (folder / DONE).touch()
        return folder
