"""A file is read by its own name, never as a pattern (intake/literal.py):
DuckDB takes `a[1].csv` as a glob, which reads its neighbour `a1.csv` twice
and loses its own rows, in silence when the two have as many lines."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from privacylib.intake.ingest import load

from conftest import write_csv

HEADER = ["event_id", "ts", "actor_id", "customer_id", "system", "data_category", "action",
          "purpose", "ticket_id", "record_count", "result"]


def _event(eid: str) -> list[object]:
    return [eid, "2026-10-01 09:00:00", "E1", "C1", "crm", "contact", "read", "support", "T1",
            1, "success"]


def _rows(folder: Path) -> list[tuple]:
    loaded = load(folder, progress=False)
    log = loaded.datasets["access_log"]
    assert log.status == "loaded", log.error
    assert log.rows_read == log.rows_loaded + log.rows_rejected
    return loaded.con.execute("SELECT _source_file, _source_line, event_id FROM access_log "
                              "ORDER BY 1, 2").fetchall()


@pytest.mark.parametrize("name", ["a[1]", "a?1", "a*", "a{1,2}"])
def test_a_csv_named_like_a_pattern_is_read_and_its_neighbour_once(tmp_path: Path,
                                                                    name: str) -> None:
    folder = tmp_path / "exports[2026]" / "access_log"  # the folder's own name too
    write_csv(folder / f"{name}.csv", HEADER, [_event("MINE")])
    write_csv(folder / "a1.csv", HEADER, [_event("NEIGHBOUR")])
    assert sorted(_rows(folder.parent)) == sorted([
        (f"access_log/{name}.csv", 2, "MINE"), ("access_log/a1.csv", 2, "NEIGHBOUR")])


def test_parquet_and_gzip_named_like_patterns(tmp_path: Path) -> None:
    folder = tmp_path / "access_log"
    folder.mkdir()
    for name, eid in (("b[1].parquet", "MINE"), ("b1.parquet", "NEIGHBOUR")):
        pq.write_table(pa.table({h: [str(v)] if h != "record_count" else [v]
                                 for h, v in zip(HEADER, _event(eid), strict=True)}),
                       folder / name)
    assert _rows(tmp_path) == [("access_log/b1.parquet", 1, "NEIGHBOUR"),
                               ("access_log/b[1].parquet", 1, "MINE")]
    other = tmp_path / "gz" / "access_log"
    write_csv(other / "c[1].csv.gz", HEADER, [_event("ZIPPED")])
    assert _rows(other.parent) == [("access_log/c[1].csv.gz", 2, "ZIPPED")]


def test_an_error_names_the_file_not_its_link(tmp_path: Path) -> None:
    folder = tmp_path / "access_log"
    folder.mkdir()
    (folder / "d[1].csv.gz").write_bytes(gzip.compress(b"event_id,ts\n")[:-6])  # cut short
    log = load(tmp_path, progress=False).datasets["access_log"]
    assert log.status == "error"
    assert "literal-" not in log.error and "access_log/d[1].csv.gz cannot be read" in log.error, (
        log.error)
