"""cloudtrail -> access_log: CloudTrail events (reader:
intake/readers/cloudtrail.py), the action decided by service and event name.

Data access is the table below (docs/formats.md); everything else (IAM, EC2,
console sign-in, KMS, configuration changes) is filtered, and so is a
request that failed for another reason than a denial: it touched nothing.
Decided by eventSource + eventName, not eventCategory (an S3 GetObject can
be labelled Management). Add an event with
`values: {action: {"lambda:invoke": read}}` (service:eventName, any case).
"""

from __future__ import annotations

from typing import Any

from privacylib.intake.presets import Preset

_TABLE = {
    "s3": {"read": ["GetObject", "ListBucket", "SelectObjectContent"],
           "update": ["PutObject", "CopyObject", "RestoreObject"],
           "delete": ["DeleteObject", "DeleteObjects"]},
    "dynamodb": {"read": ["GetItem", "BatchGetItem", "Query", "Scan", "GetRecords",
                          "ExecuteStatement"],
                 "update": ["PutItem", "UpdateItem", "BatchWriteItem"],
                 "delete": ["DeleteItem"], "export": ["ExportTableToPointInTime"]},
    "rds": {"export": ["StartExportTask", "ModifyDBSnapshotAttribute", "CopyDBSnapshot",
                       "CopyDBClusterSnapshot"],
            "delete": ["DeleteDBInstance", "DeleteDBCluster", "DeleteDBSnapshot",
                       "DeleteDBClusterSnapshot"]},
    "athena": {"read": ["StartQueryExecution"]},
}
ACTIONS = {f"{service}:{name}".lower(): action for service, by in _TABLE.items()
           for action, names in by.items() for name in names}


def mapping(options: dict[str, Any]) -> dict[str, Any]:
    return {
        "columns": {"eventTime": "ts", "@actor": "actor_id", "eventSource": "system",
                    "@access": "action", "@object": "data_category",
                    "sourceIPAddress": "source_ip", "@outcome": "result"},
        "constants": {"purpose": None},
        # eventID is missing or repeated in exported and test data: position.
        "key": "@file_line",
        "timezone": "UTC",  # some exports drop the Z
        "drop": {"@outcome": ["failed"]},
        "values": {"action": dict(ACTIONS)},
    }


PRESET = Preset(
    "cloudtrail", "access_log", mapping,
    "AWS CloudTrail: {\"Records\": [...]} files (.json, .json.gz) or one event a line",
    gaps=("no purpose, customer, ticket or row count in the format: purpose is null on "
          "every row",
          "only data events the trail was set to log are there (S3 object and DynamoDB item "
          "events are off by default)"),
    keep_mapped="@access",
)
