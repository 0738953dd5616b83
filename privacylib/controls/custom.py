"""A company's own controls: a folder of .sql files written like the built-in ones.

`--controls-dir DIR` (run, validate, controls), `controls_dir:` in a batch file
and the notebook's `controls_dir` parameter add them to the catalog. Each file
has the built-in header and query (catalog.py) and is checked by the same
rules, plus these:

- its id is `X` and two or three digits (X01…X999): no built-in family uses X,
  so a company's control can never take, or later be taken by, a built-in id;
- a header may declare policy keys of its own with their defaults
  (`policy: {public_holidays: ['2026-10-01']}`); policy.yaml may then set them,
  and the engine binds them like the built-in keys. Two controls declaring one
  key must agree on its default; a built-in key cannot be redeclared.

Which files are read: every name ending in .sql, in any case (`X01_a.SQL` too:
Windows and macOS treat the two as one name, so a folder behaves the same on
the analyst's laptop and on a Linux server), except hidden ones (`.X01….sql`,
`._X01….sql`: editor lock files and macOS metadata, never a control, since a
control's name is its id). A symlink is followed, also out of the folder: the
folder is the analyst's own. Each must be a regular file of at most 1 MB in
UTF-8 (a leading byte-order mark is dropped); a folder, a dangling symlink, a
symlink loop, an unreadable, oversized or non-UTF-8 file is a problem named.

Every problem of every file is reported at once (DefinitionProblems, exit 2).
The folder is read afresh each time (no cache): an analyst editing a control
in a notebook sees the edit on the next run.
"""

from __future__ import annotations

import errno
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from privacylib.controls.catalog import Control, load_catalog, parse_control, sort_controls
from privacylib.errors import DefinitionProblems, Problem, UsageError

# The largest control file read: the biggest built-in one is under 5 kB, so a
# file past this is a mistake (a data export saved as .sql), never read whole.
MAX_FILE_BYTES = 1 << 20


def load_custom(folder: str | Path) -> tuple[Control, ...]:
    """The company's controls of `folder`, every problem of every file reported at once."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"controls folder {folder} does not exist or is not a folder",
                         hint="--controls-dir names a folder of X01_….sql files")
    paths = _control_files(folder)
    problems: list[Problem] = []
    if not paths:
        problems.append(Problem(str(folder), "holds no control (no .sql file)",
                                "copy examples/controls/X01_holiday_export.sql to start"))
    controls = []
    for path in paths:
        try:
            text = read_text(path)
        except Unreadable as exc:
            problems.append(Problem(path.name, *exc.args))
            continue
        if control := parse_control(path, problems, custom=True, text=text):
            controls.append(control)
    ids = [c.id for c in controls]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        files = ", ".join(c.path.name for c in controls if c.id == dup)
        problems.append(Problem(dup, f"is defined more than once ({files})", "keep one"))
    defaults: dict[str, tuple[str, Any]] = {}
    for control in controls:
        for key, value in control.policy_defaults:
            first = defaults.setdefault(key, (control.id, value))
            if first[1] != value:
                problems.append(Problem(control.path.name, f"policy key '{key}' has another "
                                        f"default than in {first[0]}",
                                        "declare a shared key with one default"))
    if problems:
        raise DefinitionProblems(f"The company's controls in {folder} are not valid", problems)
    return sort_controls(controls)


def _control_files(folder: Path) -> list[Path]:
    """The folder's control files: names ending in .sql in any case, not hidden."""
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise UsageError(f"controls folder {folder} cannot be read: {exc.strerror or exc}",
                         hint="check the folder's permissions") from None
    return sorted(p for p in entries
                  if p.suffix.lower() == ".sql" and not p.name.startswith("."))


class Unreadable(Exception):
    """Why a control file cannot be read: a Problem's message and hint."""


def read_text(path: Path) -> str:
    """The text of a control file: a regular file (a symlink is followed) of at
    most MAX_FILE_BYTES in UTF-8, a leading byte-order mark dropped (Windows
    editors write one). Otherwise Unreadable says why."""
    try:
        # stat before open: opening a pipe named X01_a.sql would block forever.
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise Unreadable("is a folder, not a control file", "rename it or move it out")
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("is not a regular file (a pipe or a device)", "remove it")
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)  # bounded, even if the file grows meanwhile
    except FileNotFoundError:
        target = f" to {path.readlink()}" if path.is_symlink() else ""
        raise Unreadable(f"is a symlink{target}, which does not exist",
                         "point it at the control file, or remove it") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Unreadable("is a symlink loop (it leads back to itself)",
                             "point it at the control file, or remove it") from None
        raise Unreadable(f"cannot be read: {exc.strerror or exc}",
                         "check the file's permissions") from None
    if len(data) > MAX_FILE_BYTES:
        size = max(info.st_size, len(data))
        raise Unreadable(f"is larger than {MAX_FILE_BYTES >> 20} MB ({size:,} bytes), too "
                         "large for a control", "a control file is a header and one query")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unreadable("is in UTF-16, not UTF-8", "save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise Unreadable(f"is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line})",
                         "save it as UTF-8 (GBK and other encodings are not read)") from None


def catalog_for(folder: str | Path | None) -> tuple[Control, ...]:
    """The built-in catalog, with the company's controls of `folder` when one is named."""
    if folder is None:
        return load_catalog()
    return sort_controls((*load_catalog(), *load_custom(folder)))


def policy_keys(controls: Iterable[Control]) -> dict[str, Any]:
    """The policy keys these controls add, with their defaults."""
    return {key: value for c in controls for key, value in c.policy_defaults}
