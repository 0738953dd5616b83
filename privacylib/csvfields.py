"""The csv module's field size limit, set for one read and then restored.

`csv.field_size_limit` is one value for the whole process: a reader that
raised it for long evidence cells would otherwise switch off the loader's
check for a quote never closed (a 20 MB "value")."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["field_limit"]


@contextmanager
def field_limit(size: int) -> Iterator[None]:
    """Read CSV fields of up to `size` characters inside the block."""
    before = csv.field_size_limit(size)
    try:
        yield
    finally:
        csv.field_size_limit(before)
