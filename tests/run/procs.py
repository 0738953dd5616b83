"""The processes a batch started, read from /proc (its workers, their kernels)."""

from __future__ import annotations

from pathlib import Path


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
