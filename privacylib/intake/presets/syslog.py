"""syslog -> access_log: sshd logins and sudo commands of auth.log/secure or
a relay's file (reader: intake/readers/syslog.py). These are accesses to a
host that holds personal data, not to records: a login or a sudo command is
a read by default (`values: {action: {"sudo:command": export}}` changes
it), a failed login or refused sudo is denied. Every other line is filtered.
"""

from __future__ import annotations

from typing import Any

from privacylib.intake.presets import Option, Preset

ACTIONS = {"sshd:login": "read", "sudo:command": "read"}


def _year(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 1970 <= value <= 2100
    return None if ok else "is not a year"


def mapping(options: dict[str, Any]) -> dict[str, Any]:
    return {
        "columns": {"time": "ts", "user": "actor_id", "host": "system",
                    "source_ip": "source_ip", "access": "action", "outcome": "result"},
        "constants": {"purpose": None, "data_category": None},
        "key": "@file_line",
        "values": {"action": dict(ACTIONS)},
    }


def _year_gap(options: dict[str, Any]) -> list[str]:
    return [] if options.get("year") else [
        "RFC 3164 lines have no year: taken from when the file was last written (set "
        "source.year if the file was copied or touched since)"]


PRESET = Preset(
    "syslog", "access_log", mapping,
    "syslog/auth.log (RFC 3164, RFC 5424, ISO timestamps): sshd logins and sudo commands",
    options={"year": Option(None, _year, "the year of the file's last line, e.g. year: 2026")},
    gaps=("no purpose, customer, data category or ticket in the format: purpose and "
          "data_category are null on every row (map the host with values: {data_category: "
          "…} or a constant)",
          "times without a zone are the host's local time: set timezone beside source"),
    keep_mapped="access",
    option_gaps=_year_gap,
)
