"""ranger -> access_log: Apache Ranger audit events (reader:
intake/readers/ranger.py), the action from the access type.

Data access: READ/SELECT read; WRITE/UPDATE/CREATE/ALTER/INSERT update;
DROP/DELETE/TRUNCATE delete; HDFS EXECUTE (directory traversal) and every
other access type are filtered. evtTime is UTC without a marker (the log4j
prefix is the JVM's local time, kept as log_time). Denied events are kept.
"""

from __future__ import annotations

from typing import Any

from privacylib.intake.presets import Preset

ACTIONS = {"read": "read", "select": "read", "write": "update", "update": "update",
           "create": "update", "alter": "update", "insert": "update", "drop": "delete",
           "delete": "delete", "truncate": "delete"}


def mapping(options: dict[str, Any]) -> dict[str, Any]:
    return {
        "columns": {"id": "event_id", "time": "ts", "user": "actor_id", "repo": "system",
                    "resource": "data_category", "access": "action", "client": "source_ip",
                    "outcome": "result"},
        "constants": {"purpose": None},
        "timezone": "UTC",
        "values": {"action": dict(ACTIONS)},
    }


PRESET = Preset(
    "ranger", "access_log", mapping,
    "Apache Ranger audit events: HDFS audit files or log4j lines (xaaudit - {…})",
    gaps=("no purpose, customer, ticket or row count in the format: purpose is null on "
          "every row (event_count counts folded events, not records)",),
    keep_mapped="access",
)
