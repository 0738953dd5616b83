"""The real CloudTrail sample (tests/data/real/cloudtrail_records.json, one
{"Records": [...]} document of 438 events) loaded into access_log with only
a mapping.yaml: no conversion script. Expected values: docs/formats.md."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import privacylib

from conftest import rows

SAMPLE = Path(__file__).parent.parent / "data" / "real" / "cloudtrail_records.json"
# The action table of docs/formats.md: data access; every other event is filtered.
ACTIONS = {
    "read": ["GetObject", "ListBucket", "SelectObjectContent", "GetItem", "BatchGetItem",
             "Query", "Scan", "GetRecords", "ExecuteStatement", "StartQueryExecution"],
    "update": ["PutObject", "CopyObject", "RestoreObject", "PutItem", "UpdateItem",
               "BatchWriteItem"],
    "delete": ["DeleteObject", "DeleteObjects", "DeleteItem", "DeleteDBInstance",
               "DeleteDBCluster", "DeleteDBSnapshot", "DeleteDBClusterSnapshot"],
    "export": ["ExportTableToPointInTime", "StartExportTask", "ModifyDBSnapshotAttribute",
               "CopyDBSnapshot", "CopyDBClusterSnapshot"],
}
MAPPING = """\
access_log:
  key: "@file_line"            # eventID is missing in 35 events and repeated 279 times
  columns:
    eventTime: ts
    userIdentity.arn: actor_id
    eventSource: system
    eventName: action
    requestParameters.bucketName: data_category
    sourceIPAddress: source_ip
    errorCode: result
  constants: {purpose: null}   # CloudTrail has no purpose
  timezone: UTC                # Panther's copies drop the Z
  keep:
    eventName: [%s]
  values:
    action: {%s}
    result: {AccessDenied: denied, VpceAccessDenied: denied}
"""


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "cloudtrail"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "access_log.json")
    names = [n for ns in ACTIONS.values() for n in ns]
    pairs = ", ".join(f"{n}: {a}" for a, ns in ACTIONS.items() for n in ns)
    (folder / "mapping.yaml").write_text(MAPPING % (", ".join(names), pairs), encoding="utf-8")
    return folder


def test_cloudtrail_loads_with_only_a_mapping(tmp_path):
    result = privacylib.load(_folder(tmp_path), progress=False)
    d = result.datasets["access_log"]
    assert d.status == "loaded", d.error
    assert d.format == "json"
    assert (d.rows_read, d.rows_loaded, d.rows_rejected, d.rows_filtered) == (438, 41, 0, 397)
    assert d.filtered == {"keep (eventName)": 397}
    # The two unreadable eventTime values (indices 313, 437) are among the filtered.
    assert rows(result, "SELECT action, count(*) FROM access_log GROUP BY 1 ORDER BY 1") == [
        ("delete", 9), ("export", 9), ("read", 14), ("update", 9)]
    # AccessDenied 4 and VpceAccessDenied 1; the sixth failure, InvalidDBSnapshotState,
    # is no denial and stays as written (a warning names it).
    assert rows(result, "SELECT result, count(*) FROM access_log GROUP BY 1 ORDER BY 1") == [
        ("denied", 5), ("invaliddbsnapshotstate", 1), ("success", 35)]
    assert any("'invaliddbsnapshotstate' ×1" in w for w in d.warnings)


def test_cloudtrail_exact_values(tmp_path):
    result = privacylib.load(_folder(tmp_path), progress=False)
    got = {r[0]: r[1:] for r in rows(
        result, "SELECT event_id, ts, actor_id, system, action, result, source_ip, "
                "data_category, purpose FROM access_log")}
    # Element index i is line i + 1.
    assert got["access_log.json:33"] == (
        datetime(2023, 10, 1, 12, 34, 56, tzinfo=UTC), "arn:aws:iam::123456789012:user/Bob",
        "s3.amazonaws.com", "read", "success", "192.0.2.0", "example-bucket", None)
    assert got["access_log.json:289"][:5] == (
        datetime(2024, 1, 15, 10, 30, tzinfo=UTC),
        "arn:aws:sts::123456789012:assumed-role/Admin/user", "rds.amazonaws.com", "export",
        "success")
    assert got["access_log.json:337"][1:4] == (
        "arn:aws:iam::123456789012:user/Alice", "s3.amazonaws.com", "delete")
    # Index 423 has no arn (only principalId) and was denied.
    assert got["access_log.json:424"][:5] == (
        datetime(2023, 3, 1, tzinfo=UTC), None, "s3.amazonaws.com", "read", "denied")


def test_data_quality_counts_the_filtered_rows_in_their_own_column(tmp_path):
    from privacylib.report.outputs import quality_rows

    result = privacylib.load(_folder(tmp_path), progress=False)
    row = next(r for r in quality_rows(result) if r["dataset"] == "access_log")
    assert (row["rows_read"], row["rows_loaded"], row["rows_rejected"], row["rows_filtered"]) == (
        438, 41, 0, 397)
