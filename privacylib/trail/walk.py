"""A run folder's entries as verify sees them: its regular files, and what
every other entry is (a link, a pipe, a device), without following links."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


def walk(folder: Path, problems: list[str]) -> tuple[dict[str, Path], dict[str, str]]:
    """The regular files under `folder` by relative path (with /), and what
    every other entry is; a folder that cannot be listed is a problem. Links
    are never followed: what they point to is not the run's (and a FIFO is
    never opened: reading it would wait forever)."""
    files: dict[str, Path] = {}
    odd: dict[str, str] = {}
    pending = [folder]
    while pending:
        here = pending.pop()
        try:
            with os.scandir(here) as scan:
                entries = list(scan)
        except OSError as exc:
            problems.append(f"unreadable: {here.relative_to(folder).as_posix()}/ "
                            f"({exc.strerror})")
            continue
        for entry in entries:
            path = Path(entry.path)
            name = path.relative_to(folder).as_posix()
            if entry.is_dir(follow_symlinks=False):
                pending.append(path)
            elif entry.is_file(follow_symlinks=False):
                files[name] = path
            else:
                odd[name] = kind(path)
    return files, odd


def kind(path: Path) -> str:
    """What an entry that is neither a regular file nor a folder is."""
    mode = path.lstat().st_mode
    if stat.S_ISLNK(mode):
        target = os.readlink(path)
        try:
            path.stat()
        except OSError as exc:
            return (f"a symbolic link loop ({target})" if exc.errno == errno.ELOOP
                    else f"a symbolic link to {target}, which does not exist")
        what = "a folder" if path.is_dir() else "a file" if path.is_file() else "not a file"
        return f"a symbolic link to {target}, {what}"
    return ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special entry")
