"""CloudTrail read with only `source: cloudtrail`: the real sample (438
events in {"Records": [...]}), one event a line, EventBridge, and the user's
keys over the preset's. docs/formats.md counts 41 loaded and 6 denied; the
file has 5 denials (AccessDenied 4, VpceAccessDenied 1) and one
InvalidDBSnapshotState, a failed request that touched nothing: filtered,
as the doc's own filter rule (c) says, so 40 load."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import privacylib

from conftest import rows

SAMPLE = Path(__file__).parent.parent / "data" / "real" / "cloudtrail_records.json"


def _load(folder: Path, mapping: str = "access_log: {source: cloudtrail}\n"):
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    result = privacylib.load(folder, progress=False)
    d = result.datasets["access_log"]
    assert d.status == "loaded", d.error
    return result, d


def _sample(tmp_path: Path, name: str = "access_log.json") -> Path:
    folder = tmp_path / "ct"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / name)
    return folder


def test_the_real_sample_loads_with_only_source(tmp_path):
    result, d = _load(_sample(tmp_path))
    assert d.format == "cloudtrail"
    assert (d.rows_read, d.rows_loaded, d.rows_rejected, d.rows_filtered) == (438, 40, 0, 398)
    assert d.filtered == {"keep (access)": 397, "drop (outcome)": 1}
    assert rows(result, "SELECT action, count(*), count(*) FILTER (WHERE result = 'denied') "
                        "FROM access_log GROUP BY 1 ORDER BY 1") == [
        ("delete", 8, 1), ("export", 9, 2), ("read", 14, 2), ("update", 9, 0)]
    assert sum("no purpose" in w for w in d.warnings) == 1


def test_exact_values_of_the_real_sample(tmp_path):
    result, _ = _load(_sample(tmp_path))
    got = {r[0]: r[1:] for r in rows(
        result, "SELECT event_id, ts, actor_id, system, action, result, data_category, "
                "source_ip, purpose FROM access_log")}
    # Element index i is line i + 1.
    assert got["access_log.json:33"] == (
        datetime(2023, 10, 1, 12, 34, 56, tzinfo=UTC), "Bob", "s3.amazonaws.com", "read",
        "success", "example-bucket", "192.0.2.0", None)
    assert got["access_log.json:289"][:5] == (
        datetime(2024, 1, 15, 10, 30, tzinfo=UTC), "user", "rds.amazonaws.com", "export",
        "success")
    assert got["access_log.json:337"][1:6] == (
        "Alice", "s3.amazonaws.com", "delete", "success", "example-bucket")
    # No arn, only the principal id; an S3 GetObject labelled Management, denied.
    assert got["access_log.json:424"][:5] == (
        datetime(2023, 3, 1, tzinfo=UTC), "AROAEXAMPLE:session-name", "s3.amazonaws.com",
        "read", "denied")


def test_the_users_keys_lie_over_the_preset(tmp_path):
    folder = _sample(tmp_path, "access_log.json.gz")
    (folder / "access_log.json.gz").write_bytes(gzip.compress(SAMPLE.read_bytes(), mtime=0))
    (folder / "access_log.json").unlink(missing_ok=True)
    result, d = _load(folder, "access_log:\n  source: cloudtrail\n"
                              "  columns: {userIdentity.arn: actor_id}\n"
                              "  values: {action: {\"kms:Decrypt\": read}}\n")
    assert d.rows_loaded == 40 + rows(result, "SELECT count(*) FROM access_log WHERE "
                                              "eventName = 'Decrypt'")[0][0]
    assert rows(result, "SELECT actor_id FROM access_log WHERE event_id = "
                        "'access_log.json.gz:33'") == [("arn:aws:iam::123456789012:user/Bob",)]


def test_one_event_a_line_and_eventbridge(tmp_path):
    folder = tmp_path / "ct"
    folder.mkdir()
    event = {"eventTime": "2026-10-05T01:00:00Z", "eventSource": "s3.amazonaws.com",
             "eventName": "GetObject", "sourceIPAddress": "10.0.0.9",
             "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/"
                              "AWSReservedSSO_DevAdmin_abc123/bob.ross"},
             "requestParameters": {"bucketName": "crm-exports", "key": "c.csv"}}
    bridge = {"detail-type": "AWS API Call via CloudTrail", "detail": {
        **event, "eventName": "PutObject", "userIdentity": {"type": "Root"}}}
    (folder / "access_log.log").write_text(
        json.dumps(event) + "\n" + json.dumps(bridge) + "\nnot json\n", encoding="utf-8")
    result, d = _load(folder)
    assert (d.rows_read, d.rows_loaded, d.rows_rejected) == (3, 2, 1)
    assert rows(result, "SELECT actor_id, action, data_category FROM access_log ORDER BY "
                        "_source_line") == [("bob.ross", "read", "crm-exports"),
                                            ("root", "update", "crm-exports")]


def test_a_file_with_no_event_loads_no_row(tmp_path):
    folder = tmp_path / "ct"
    folder.mkdir()
    (folder / "access_log.json").write_text('{"Records": []}', encoding="utf-8")
    _, d = _load(folder)
    assert (d.rows_read, d.rows_loaded, d.rows_rejected) == (0, 0, 0)


def test_lookup_events_output_reads_the_event_inside(tmp_path):
    """`aws cloudtrail lookup-events` writes {"Events": [{…, "CloudTrailEvent":
    "<JSON text>"}]}: read as it stood, every event was filtered as "not data
    access", unseen."""
    import json

    inner = {"eventVersion": "1.08", "eventTime": "2026-10-05T09:00:01Z",
             "eventSource": "rds.amazonaws.com", "eventName": "DeleteDBInstance",
             "awsRegion": "cn-north-1", "sourceIPAddress": "10.0.0.5",
             "userIdentity": {"type": "IAMUser", "userName": "alice", "principalId": "AIDA1"},
             "requestParameters": {"dBInstanceIdentifier": "crm"}, "eventID": "e-1"}
    folder = tmp_path / "ct"
    folder.mkdir()
    (folder / "access_log.json").write_text(json.dumps({"Events": [{
        "EventId": "e-1", "EventName": "DeleteDBInstance", "Username": "alice",
        "CloudTrailEvent": json.dumps(inner)}]}), encoding="utf-8")
    result, d = _load(folder)
    assert (d.rows_read, d.rows_loaded, d.rows_filtered) == (1, 1, 0)
    assert rows(result, "SELECT actor_id, action, result FROM access_log") == [
        ("alice", "delete", "success")]


def test_an_identity_center_user_is_its_user_id():
    """Such an identity has no ARN and no principal: the actor was null."""
    from privacylib.intake.readers.cloudtrail import actor

    assert actor({"userIdentity": {"type": "IdentityCenterUser", "accountId": "1",
                                   "onBehalfOf": {"userId": "9067-abcd"}}}) == "9067-abcd"
