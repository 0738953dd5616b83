"""A Parquet timestamp stored as INT96 (Spark's, Hive's and Impala's default,
without a zone) is read as the data contract reads any Parquet time without
a zone, as local time, and the load says so, with the fix: Spark and Hive
write UTC times there, which read as local time are hours off, silently."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from privacylib.config.mapping import mapping_from_dict
from privacylib.intake.ingest import load

COLUMNS = {"event_id": ["E1"], "actor_id": ["A1"], "customer_id": ["C1"], "system": ["crm"],
           "data_category": ["contact"], "action": ["read"], "purpose": ["support"],
           "record_count": [1], "result": ["success"]}


def _folder(tmp_path: Path, int96: bool) -> Path:
    log = tmp_path / "access_log"
    log.mkdir(parents=True)
    table = pa.table({**COLUMNS, "ts": pa.array([datetime(2026, 10, 1, 9)], pa.timestamp("us"))})
    pq.write_table(table, log / "day.parquet", use_deprecated_int96_timestamps=int96)
    return tmp_path


@pytest.mark.parametrize("int96", [True, False])
def test_an_int96_time_is_local_time_and_said(tmp_path: Path, int96: bool) -> None:
    got = load(_folder(tmp_path, int96), progress=False)
    log = got.datasets["access_log"]
    said = [w for w in log.warnings if "INT96" in w]
    # Asia/Shanghai (the policy's default zone): 09:00 local is 01:00 UTC.
    assert got.con.execute("SELECT ts FROM access_log").fetchone()[0] == datetime(
        2026, 10, 1, 1, tzinfo=UTC)
    if not int96:  # a naive INT64 time is what the contract means by local time: nothing said
        assert said == []
        return
    assert len(said) == 1 and said[0].startswith("access_log/day.parquet: column(s) ts hold "
                                                 "INT96 timestamps")
    assert "timezone: UTC" in said[0]


def test_with_timezone_utc_it_is_the_instant_and_nothing_is_said(tmp_path: Path) -> None:
    mapping = mapping_from_dict({"access_log": {"timezone": "UTC"}})
    got = load(_folder(tmp_path, True), mapping=mapping, progress=False)
    assert not any("INT96" in w for w in got.datasets["access_log"].warnings)
    assert got.con.execute("SELECT ts FROM access_log").fetchone()[0] == datetime(
        2026, 10, 1, 9, tzinfo=UTC)
