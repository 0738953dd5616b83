"""SHA-256 of a file, read in 1 MiB chunks: the one way the manifest, the
result's integrity fields and the batch's kept load hash files (a file may be
gigabytes of access log)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path) -> str:
    """The file's SHA-256, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
