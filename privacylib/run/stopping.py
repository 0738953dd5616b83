"""Stopping a batch, and the private folder that holds its kept data.

SIGTERM or Ctrl-C stops the batch: each worker kills its kernel and exits
(a run cut short publishes nothing: the next run sweeps its staging folder),
the private folder is removed, and the batch says so and exits 128 + the
signal (143, 130). Workers whose batch was killed outright (SIGKILL) see it
gone within a second and do the same; its private folder, which names its
pid, is removed by the next batch.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from privacylib.errors import PrivacyLibError

# How often a worker looks whether the batch that started it is still there.
PARENT_POLL = 1.0
# How long a worker told to stop may take to kill its kernel and exit.
WORKER_GRACE = 10.0


def worker_start(batch_pid: int, root: str) -> None:
    """A worker's first step: it stops, its kernel killed, when told to
    (SIGTERM) or when the batch that started it is gone (killed outright)."""
    # Its temporary files and its kernels' (which inherit TMPDIR) go in the
    # batch's private folder: a kernel killed leaves its copy of the data
    # there, removed with the folder, not loose in /tmp.
    tempfile.tempdir = os.environ["TMPDIR"] = tempfile.mkdtemp(prefix="worker-", dir=root)
    # Ctrl-C reaches the whole process group: the batch decides, and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: _worker_exit())
    threading.Thread(target=_watch_parent, args=(batch_pid,), daemon=True,
                     name="batch-watchdog").start()


def _watch_parent(batch_pid: int) -> None:
    # An orphan is adopted by another process: its parent pid changes.
    while os.getppid() == batch_pid:
        time.sleep(PARENT_POLL)
    _worker_exit()


# What a worker does as it stops (batch.py: kill its kernel).
_ON_STOP: list[Callable[[], None]] = []


def on_stop(act: Callable[[], None]) -> None:
    _ON_STOP.append(act)


def _worker_exit() -> None:
    """The run under way is cut short: it publishes nothing (its staging
    folder is swept by the next run)."""
    for act in _ON_STOP:
        with contextlib.suppress(Exception):  # it exits whatever happens
            act()
    os._exit(128 + signal.SIGTERM)


class BatchStopped(PrivacyLibError):
    """The batch was told to stop (SIGTERM, Ctrl-C): exits 128 + the signal's
    number, as a process ended by it would (143, 130), which is what a shell
    or a scheduler reads as "stopped"; 1-4 each say how audits ended."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"the batch was stopped ({signal.Signals(signum).name}): the runs "
                         "under way were stopped and publish nothing; runs it had finished "
                         "are published", hint="run the batch again for the others")
        self.exit_code = 128 + signum


@contextlib.contextmanager
def stopped_by_signals() -> Iterator[None]:
    """SIGTERM and SIGINT raise BatchStopped in the batch (once: another
    signal while it stops its workers is ignored)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may take signals (a caller's thread)
        return
    told: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        if not told:
            told.append(signum)
            raise BatchStopped(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Each worker told to stop (SIGTERM: it kills its kernel), killed if it
    has not in WORKER_GRACE seconds (its kernel then sees it gone, and exits)."""
    # The pool has no public way to end a task under way.
    workers = list((pool._processes or {}).values())
    for worker in workers:
        worker.terminate()
    deadline = time.monotonic() + WORKER_GRACE
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
        if worker.is_alive():
            worker.kill()
            worker.join()
    pool.shutdown(wait=True, cancel_futures=True)


# The private folder of a batch, and the file in it naming the batch's pid.
PRIVATE_PREFIX = "privacylib-batch-"
OWNER_FILE = "batch.pid"


def private_folder() -> Path:
    """Private (0700), outside the output folder: the kept loads hold the raw data."""
    root = Path(tempfile.mkdtemp(prefix=PRIVATE_PREFIX))
    (root / OWNER_FILE).write_text(str(os.getpid()), encoding="ascii")
    return root


def sweep_stale_folders() -> None:
    """Remove the private folders that batches killed outright (SIGKILL, a
    crash) could not remove themselves."""
    for folder in Path(tempfile.gettempdir()).glob(PRIVATE_PREFIX + "*"):
        pid = _dead_owner(folder)
        if pid is not None:
            shutil.rmtree(folder, ignore_errors=True)
            print(f"note: removed {folder}, the data kept by a batch that was killed "
                  f"(pid {pid})", file=sys.stderr)


def _dead_owner(folder: Path) -> int | None:
    """The pid its marker names when FOLDER is this user's batch folder (not
    a link) and that process is gone; any doubt is None: the folder stays."""
    marker = folder / OWNER_FILE
    try:
        found, owner = folder.lstat(), marker.lstat()
        if not (stat.S_ISDIR(found.st_mode) and stat.S_ISREG(owner.st_mode)
                and found.st_uid == owner.st_uid == os.getuid()):
            return None
        pid = int(marker.read_text(encoding="ascii")[:20])
        if pid > 0:  # 0 and below name process groups
            os.kill(pid, 0)  # no signal sent: it raises when there is no such process
    except ProcessLookupError:
        return pid
    except (OSError, ValueError, OverflowError):
        pass  # unreadable, or alive as another user's process (PermissionError)
    return None
