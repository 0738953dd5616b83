"""Apache Ranger audit events: the JSON of an AuthzAuditEvent, one a line,
as the HDFS destination writes them (no prefix) or after a log4j prefix
(`2026-10-05 09:12:01,533 INFO  xaaudit - {…}`). Lines without an event
(other loggers, BaseAuditHandler status lines) are no records.

`access` (lower case) is the access type the action table reads, not
`action` (the operation: QUERY, read); `result` 1 is allowed, 0 denied.
`additional_info` is kept as the text it is (its content is not valid JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from privacylib.intake.readers.native import Parsed, Record, Refused, loads, native_reader

FIELDS = ("id", "time", "user", "repo", "repo_type", "access", "operation", "resource",
          "res_type", "outcome", "client", "agent", "agent_host", "enforcer", "policy",
          "session", "client_type", "request", "reason", "tags", "event_count", "cluster",
          "zone", "additional_info", "log_time")
_PREFIX = re.compile(r"^(?P<log_time>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[,.]\d+)?)?.*?"
                     r"(?=\{\")")
_KEYS = {"id": "id", "evtTime": "time", "reqUser": "user", "repo": "repo",
         "repoType": "repo_type", "action": "operation", "resource": "resource",
         "resType": "res_type", "cliIP": "client", "agent": "agent", "agentHost": "agent_host",
         "enforcer": "enforcer", "policy": "policy", "sess": "session",
         "cliType": "client_type", "reqData": "request", "reason": "reason", "tags": "tags",
         "event_count": "event_count", "cluster_name": "cluster", "zone_name": "zone",
         "additional_info": "additional_info"}


def _outcome(result: Any) -> str | None:
    text = str(result).strip().lower() if result is not None else ""
    return {"1": "success", "true": "success", "0": "denied", "false": "denied"}.get(text)


def event_fields(ev: dict[str, Any], log_time: str | None) -> dict[str, Any]:
    out = {mine: ev.get(theirs) for theirs, mine in _KEYS.items()}
    access = ev.get("access")
    out["access"] = str(access).lower() if access is not None else None
    out["outcome"] = _outcome(ev.get("result"))
    out["log_time"] = log_time
    return out


def parse(lines: Iterable[tuple[int, str]], name: str, options: dict[str, Any],
          ) -> Iterator[Parsed]:
    for number, line in lines:
        start = line.find('{"')
        if start < 0:
            continue
        head = _PREFIX.match(line)
        try:
            ev = loads(line[start:])
        except json.JSONDecodeError as exc:
            yield Refused(number, f"the audit event is not JSON: {exc.msg}", line)
            continue
        if not isinstance(ev, dict) or not ({"reqUser", "access", "evtTime"} & set(ev)):
            continue  # JSON of another logger, no audit event
        yield Record(number, event_fields(ev, head["log_time"] if head else None))


RANGER = native_reader("ranger", FIELDS, parse)
