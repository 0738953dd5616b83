"""mysql-audit -> access_log: Percona's audit_log plugin (JSON lines or
header-less CSV) and audit_log_filter JSON arrays (reader:
intake/readers/mysql.py). Times are UTC (`… UTC`, `…Z`, or no marker).

Data access is a statement whose command class the table below names;
housekeeping (audit start/stop, connect, quit, change user), `show_*`,
`set_option`, DDL, grants, and a statement's start/end events are filtered.
A statement that failed for another reason than a denial touched nothing:
filtered too (drop outcome failed).
"""

from __future__ import annotations

from typing import Any

from privacylib.intake.presets import Preset

ACTIONS = {
    "select": "read", "read": "read", "select_into_outfile": "export",
    "insert": "update", "insert_select": "update", "update": "update", "update_multi": "update",
    "replace": "update", "replace_select": "update", "load": "update",
    "delete": "delete", "delete_multi": "delete", "truncate": "delete",
}


def mapping(options: dict[str, Any]) -> dict[str, Any]:
    return {
        "columns": {"time": "ts", "user": "actor_id", "db": "system", "table": "data_category",
                    "access": "action", "ip": "source_ip", "outcome": "result"},
        "constants": {"purpose": None},
        # `record` restarts when the log is reopened: no key in the source.
        "key": "@file_line",
        "timezone": "UTC",
        "drop": {"outcome": ["failed"]},
        "values": {"action": dict(ACTIONS)},
    }


PRESET = Preset(
    "mysql-audit", "access_log", mapping,
    "MySQL/Percona audit log: audit_log plugin JSON or CSV, audit_log_filter JSON",
    gaps=("no purpose, customer, ticket or row count in the format: purpose is null on "
          "every row",
          "data_category is the first table named in the statement (the plugin writes no "
          "table); map it with values: {data_category: {…}}"),
    keep_mapped="access",
)
