"""Apache Ranger audit read with only `source: ranger` (no real licensed
sample exists: the synthetic log4j file, synthetic-formats/README.md)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import privacylib

from conftest import rows

SAMPLE = Path(__file__).parent.parent / "data" / "synthetic-formats" / "ranger_hdfs_log4j.log"


def _load(tmp_path: Path, text: str | None = None):
    folder = tmp_path / "r"
    folder.mkdir()
    if text is None:
        shutil.copy(SAMPLE, folder / "access_log.log")
    else:
        (folder / "access_log.log").write_text(text, encoding="utf-8")
    (folder / "mapping.yaml").write_text("access_log: {source: ranger}\n", encoding="utf-8")
    result = privacylib.load(folder, progress=False)
    d = result.datasets["access_log"]
    assert d.status == "loaded", d.error
    return result, d


def test_log4j_events_load_with_only_source(tmp_path):
    result, d = _load(tmp_path)
    assert d.format == "ranger"
    # 7 lines: 5 events, 2 lines of other loggers (no records).
    assert (d.rows_read, d.rows_loaded, d.rows_rejected, d.rows_filtered) == (5, 4, 0, 1)
    assert d.filtered == {"keep (access)": 1}  # HDFS EXECUTE: directory traversal
    got = rows(result, "SELECT ts, actor_id, action, result, data_category, operation, "
                       "log_time FROM access_log ORDER BY ts")
    assert got[0] == (datetime(2026, 10, 5, 1, 11, 58, 120000, tzinfo=UTC), "li.wei", "read",
                      "success", "/data/crm/customer/part-0000.parquet", "read",
                      "2026-10-05 09:12:01,533")
    assert got[1][2:4] == ("update", "denied")
    assert [g[2] for g in got[2:]] == ["read", "update"]
    assert rows(result, "SELECT additional_info FROM access_log WHERE event_id LIKE '%1-0'") == [
        ('{"remote-ip-address":10.0.2.7, "forwarded-ip-addresses":[], "accessTypes":[read]}',)]


def test_hdfs_audit_files_have_no_prefix_and_a_broken_event_is_rejected(tmp_path):
    ev = {"id": "e1", "evtTime": "2026-10-05T01:00:00Z", "reqUser": "u", "access": "write",
          "resource": "/x", "result": 0, "repo": "hdfs"}
    result, d = _load(tmp_path, json.dumps(ev) + '\n{"id": "e2", "reqUser"\n')
    assert (d.rows_read, d.rows_loaded, d.rows_rejected) == (2, 1, 1)
    assert rows(result, "SELECT event_id, action, result FROM access_log") == [
        ("e1", "update", "denied")]
