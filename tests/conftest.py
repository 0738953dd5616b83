"""Shared helpers: write tiny data folders and load them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pytest

import privacylib
from privacylib.mapping import mapping_from_dict
from privacylib.policy import Policy


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]],
              encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """Write a CSV file the way an export would (empty string for None)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    path.parent.mkdir(parents=True, exist_ok=True)
    data = buf.getvalue().encode(encoding)
    if path.name.endswith(".gz"):
        import gzip

        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
    return path


def load_dir(folder: Path, mapping: dict | None = None, policy: Policy | None = None,
             ) -> privacylib.LoadResult:
    return privacylib.load(folder, policy=policy,
                           mapping=mapping_from_dict(mapping or {}), progress=False)


def rows(result: privacylib.LoadResult, sql: str, params: dict | None = None) -> list[tuple]:
    return result.con.execute(sql, params or {}).fetchall()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder
