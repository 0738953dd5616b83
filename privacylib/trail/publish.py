"""Publishing a run as one step: its folder complete and recorded, or neither.

A run is written into a temporary folder, `.NAME.tmp-PID-…`. Then, holding
the audit store from first to last step (so no other run records meanwhile
and nobody chains to a run that is then undone):

  signed     manifest.json and manifest.sig are written in the temporary folder
  recorded   the run is in the store as `pending` (its history computed there)
  moved      a folder of the same name (the run it replaces) is renamed aside,
             to .NAME.old-RUNID
  renamed    the temporary folder takes the final name
  published  the store marks the run published, and the one it replaced superseded

and the old folder is removed. A failure at any step (a full disk, a crash)
undoes the steps before it: the old folder back, the pending run deleted, the
temporary folder removed. A kill leaves a pending run in the store: the next
run that opens the store (`recover`) finishes it when its folder holds its
manifest, else undoes it; the store never points at a folder that is missing
or holds another run. Temporary folders of processes that are gone are
removed by the next run in the same output folder (`sweep`) and reported.

Fault injection, for the tests: PRIVACY_AUDIT_FAULT=STEP makes the process
kill itself (SIGKILL) right after STEP; tests patch `_step` to raise there.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from privacylib.errors import PrivacyLibError
from privacylib.processes import process_alive
from privacylib.report.outputs import MARKER, MARKER_TEXT, temp_beside
from privacylib.trail.manifest import MANIFEST, RunRecord, build_manifest, sha256_file, write_signed
from privacylib.trail.store import (
    discard,
    last_manifest_hash,
    open_store,
    pending,
    publish,
    record_pending,
)

FAULT_ENV = "PRIVACY_AUDIT_FAULT"
STEPS = ("signed", "recorded", "moved", "renamed", "published")


class PublishFailed(PrivacyLibError):
    """The run could not be put in place (a full disk…); nothing was kept."""

    exit_code = 1


TEMPORARY = re.compile(r"^\..+\.(tmp-(?P<pid>\d+)-\w+|old-\w+)$")


def _step(name: str) -> None:
    """Each step's end: where a test makes the process die or fail."""
    if os.environ.get(FAULT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@contextlib.contextmanager
def staging(target: Path) -> Iterator[Path]:
    """A temporary folder beside `target`, named with this process's id (so a
    later run knows whether its writer is alive); removed if the block fails."""
    tmp = temp_beside(target, f".{target.name}.tmp-{os.getpid()}-")
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def publish_run(record: RunRecord, tmp: Path, target: Path, key: Ed25519PrivateKey) -> None:
    """Sign, record as pending, rename into place, mark published: see the steps above."""
    try:
        _publish(record, tmp, target, key)
    except OSError as exc:
        raise PublishFailed(f"the run could not be published in {target}: {exc}",
                            hint="nothing of it was kept; free disk space and run it again"
                            ) from exc


def _publish(record: RunRecord, tmp: Path, target: Path, key: Ed25519PrivateKey) -> None:
    store = record.config.store
    assert store is not None  # the runner always names one
    (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    old = target.with_name(f".{target.name}.old-{record.run_id}")
    with open_store(store, write=True) as con:
        recover(con)
        manifest = build_manifest(record, tmp, previous_hash=last_manifest_hash(con),
                                  store=store, key=key, folder_name=target.name)
        digest = write_signed(tmp, manifest, key)
        _step("signed")
        record_pending(con, manifest, digest, tmp, target)
        try:
            _step("recorded")
            if target.exists():
                os.rename(target, old)
                _step("moved")
            os.rename(tmp, target)
            _step("renamed")
            publish(con, record.run_id)
        except BaseException:
            _undo(con, record.run_id, digest, tmp, target, old)
            raise
    # Published: what is left cannot fail the run (a leftover is swept later).
    _step("published")
    shutil.rmtree(old, ignore_errors=True)


def _undo(con: duckdb.DuckDBPyConnection, run_id: str, digest: str, tmp: Path, target: Path,
          old: Path) -> None:
    """Put the folders back as they were, and forget the run; what cannot be
    undone now stays pending, for `recover`."""
    with contextlib.suppress(OSError):
        if _holds(target, digest):
            os.rename(target, tmp)
    with contextlib.suppress(OSError):
        if old.exists() and not target.exists():
            os.rename(old, target)
    with contextlib.suppress(Exception):
        discard(con, run_id)


def _holds(folder: Path, digest: str) -> bool:
    try:
        return sha256_file(folder / MANIFEST) == digest
    except OSError:
        return False


def recover(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Finish or undo every run a killed process left pending; say what was done."""
    done = []
    for run_id, folder_text, staged, digest in pending(con):
        folder = Path(folder_text)
        old = folder.with_name(f".{folder.name}.old-{run_id}")
        if _holds(folder, digest):
            publish(con, run_id)
            shutil.rmtree(old, ignore_errors=True)
            done.append(f"run {run_id} was interrupted after its folder {folder} was in "
                        "place: it is now published")
            continue
        if old.exists() and not folder.exists():
            os.rename(old, folder)
        if staged:
            shutil.rmtree(staged, ignore_errors=True)
        discard(con, run_id)
        done.append(f"run {run_id} was interrupted before its folder {folder} was in "
                    "place: it was undone")
    return done


def sweep(folder: Path, *, before: float) -> list[str]:
    """Remove the temporary folders in `folder` older than `before` whose
    writer is gone (call it holding the store, after `recover`)."""
    removed = []
    for path in sorted(folder.glob(".*")) if folder.is_dir() else []:
        found = TEMPORARY.match(path.name)
        if not found or not path.is_dir() or path.stat().st_mtime >= before:
            continue
        pid = found.group("pid")
        if pid and process_alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(f"removed {path}, left by a run that was killed")
    return removed



def prepare(store: str, out_root: Path) -> list[str]:
    """Before a run: finish or undo killed runs, and sweep what they left."""
    started = time.time()
    if not Path(store).exists() and not out_root.is_dir():
        return []
    with open_store(store, write=True) as con:
        return [*recover(con), *sweep(out_root, before=started)]
