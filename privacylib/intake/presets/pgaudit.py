"""pgaudit -> access_log: the AUDIT records of a PostgreSQL log (reader:
intake/readers/pgaudit.py), CLASS and COMMAND to the contract's actions.

Data access is READ and WRITE except PREPARE (its EXECUTE is logged again as
the real command); DDL, ROLE, FUNCTION, MISC and MISC_SET are filtered, and
so is an OBJECT record that repeats a SESSION record (the reader marks it).
`COPY … TO` (READ COPY) is an export; the contract has no insert, so
INSERT is an update. Add a command with `values: {action: {"WRITE MERGE": update}}`.
"""

from __future__ import annotations

from typing import Any

from privacylib.intake.presets import Option, Preset

ACTIONS = {
    "READ SELECT": "read", "READ DECLARE CURSOR": "read", "READ COPY": "export",
    "WRITE INSERT": "update", "WRITE UPDATE": "update", "WRITE COPY": "update",
    "WRITE MERGE": "update", "WRITE DELETE": "delete", "WRITE TRUNCATE TABLE": "delete",
    "WRITE TRUNCATE": "delete",
}


def _prefix_problem(value: Any) -> str | None:
    from privacylib.intake.readers.pgaudit import prefix_problem

    return prefix_problem(value)


def mapping(options: dict[str, Any]) -> dict[str, Any]:
    prefix = options.get("prefix") or ""
    out: dict[str, Any] = {
        "columns": {"time": "ts", "user": "actor_id", "database": "system",
                    "object_name": "data_category", "access": "action",
                    "rows": "record_count", "client": "source_ip"},
        "constants": {"purpose": None},
        # STATEMENT_ID restarts in every backend: the key is the session and
        # its log line when the prefix has them, else the file and line.
        "key": ["session", "session_line"] if "%c" in prefix and "%l" in prefix
        else "@file_line",
        "values": {"action": dict(ACTIONS)},
        # An OBJECT record repeating a SESSION record (both audit modes on).
        "drop": {"logged_twice": ["yes"]},
    }
    if "%n" in prefix:
        out["timestamp_format"] = "epoch_s"
    return out


PRESET = Preset(
    "pgaudit", "access_log", mapping,
    "PostgreSQL server log (stderr) or psql output holding pgaudit AUDIT records",
    options={"prefix": Option(None, _prefix_problem,
                              "the server's log_line_prefix, e.g. '%m [%p] %q%u@%d '; "
                              "by default none, '%m [%p] ', Debian's and AWS RDS's are tried")},
    gaps=("no purpose, customer or ticket in the format: purpose is null on every row",
          "a row count only with pgaudit.log_rows = on (off by default): without it "
          "record_count is 1 on every row, so a bulk export's size is not seen (U02)",
          "it logs what ran: a denied statement is an ERROR line, not an AUDIT record, "
          "so no row is denied"),
    keep_mapped="access",
)
