"""What a run checks around its notebook, so that it fails in words and
publishes nothing: an output that cannot hold it (before), a file that
cannot be written (while), a data file that changed (after)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from privacylib.errors import PrivacyLibError, UsageError

if TYPE_CHECKING:
    from privacylib.config.params import AuditConfig
    from privacylib.trail.manifest import RunRecord


class RunFailed(PrivacyLibError):
    """The notebook raised, or its files could not be written; its executed
    copy tells where, when there is one."""

    exit_code = 1


class InputsChanged(PrivacyLibError):
    """A data file changed while the run read it: its signed hashes would not
    be of what the audit read."""

    exit_code = 2


def inputs_unchanged(record: RunRecord) -> None:
    """The data folder's files hashed again once the notebook is done: the
    manifest signs the hashes taken before it read them, so a file still
    being written (an export job and the audit started at once) made a
    PROVEN run of other bytes than it names."""
    from privacylib.trail.manifest import data_entries

    before = {e["path"]: e for e in record.inputs if e["role"] == "data"}
    now = {e["path"]: e for e in data_entries(record.config)}
    changed = sorted(p for p in before.keys() | now.keys() if before.get(p) != now.get(p))
    if changed:
        shown = ", ".join(changed[:5]) + (", …" if len(changed) > 5 else "")
        raise InputsChanged(f"the data changed while the audit read it ({len(changed)} "
                            f"file(s): {shown}); nothing was published",
                            hint="run it again once the export is complete and no longer "
                                 "written to")


def usable_out(out_root: Path, target: Path, config: AuditConfig) -> None:
    """The output folder and the run's TARGET in it, said to be unusable
    before any work (it was a traceback: --out naming a file, the run's
    name taken by a file)."""
    if out_root.exists() and not out_root.is_dir():
        raise UsageError(f"--out {out_root} is not a folder", hint="name a folder for the runs")
    data = Path(config.data).resolve()
    for what, path in (("--out", out_root), ("the store", Path(str(config.store)).resolve())):
        if path == data or data in path.parents:
            # Its reports and the store would be hashed as the audit's inputs,
            # and change while it runs.
            raise UsageError(f"{what} {path} is inside the data folder {data}",
                             hint="put the runs and the store outside the data folder "
                                  "(--out, --store)")
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file, where this run's folder goes",
                         hint="move the file away, or name another --out")


def written(write: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """WRITE, whose failure to write a file (a full disk) is said in words:
    the run's temporary folder is removed, nothing is published."""
    try:
        return write(*args, **kwargs)
    except OSError as exc:
        raise RunFailed(f"the run could not be written: {exc}",
                        hint="nothing of it was kept; free disk space and run it again") from exc
