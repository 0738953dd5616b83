"""MySQL / Percona audit logs, in the three shapes their writers use, told
apart by the file's first character:

- `{` Percona's audit_log plugin, JSON: one `{"audit_record": {...}}` a line
  (or a bare event object a line);
- `[` audit_log_filter (MySQL Enterprise Audit, Percona's component): one
  JSON array of events, pretty-printed or one a line, the closing `]`
  missing while the file is written; a record's line is its position from 1;
- otherwise the audit_log plugin's CSV: no header, the layout chosen by the
  first field (Audit 6 fields; connection records and statements 12 each,
  different meanings); a quoted statement may hold raw line breaks.

XML (audit_log_format OLD/NEW) is refused with a hint. Each record becomes
the same fields: the actor is the user before `[` of `user[priv] @ host
[ip]`; `access` (lower case) is what the action table reads: the statement's
command class, a table_access event, or the record kind for housekeeping;
`outcome` is success, denied (1044, 1045, 1142, 1143, 1227) or failed.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from privacylib.intake.readers.native import (
    Parsed,
    Record,
    Refused,
    loads,
    native_reader,
    raw_decode,
)

FIELDS = ("time", "user", "account", "host", "ip", "db", "table", "connection_id", "status",
          "kind", "command", "statement", "access", "outcome")
HOUSEKEEPING = ("audit", "noaudit", "connect", "quit", "change user")
DENIED = {"1044", "1045", "1142", "1143", "1227"}
_CONNECTION = ("name", "record", "timestamp", "connection_id", "status", "user", "priv_user",
               "os_login", "proxy_user", "host", "ip", "db")
_STATEMENT = ("name", "record", "timestamp", "command_class", "connection_id", "status",
              "sqltext", "user", "host", "os_user", "ip", "db")
_AUDIT = ("name", "record", "timestamp", "mysql_version", "startup_options", "os_version")
_TABLE = re.compile(r"\b(?:from|into(?!\s+(?:out|dump)file\b)|update|join|table)\s+([`\"\w.$]+)",
                    re.IGNORECASE)
_OUTFILE = re.compile(r"\binto\s+(?:out|dump)file\b", re.IGNORECASE)


def _actor(raw: Any) -> str | None:
    """root[root] @ localhost [] -> root; a bare name stays as it is."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    return raw.split("[", 1)[0].split(" @ ", 1)[0].strip() or None


def _outcome(status: Any) -> str:
    text = "" if status is None else str(status).strip()
    if text in ("", "0"):
        return "success"
    return "denied" if text in DENIED else "failed"


def _table(sql: Any) -> str | None:
    found = _TABLE.search(sql) if isinstance(sql, str) else None
    return found.group(1).strip("`\"") if found else None


def plugin_fields(rec: dict[str, Any]) -> dict[str, Any]:
    """A record of the audit_log plugin (JSON object or CSV row by name)."""
    kind = str(rec.get("name") or "")
    command = rec.get("command_class")
    sql = rec.get("sqltext")
    if kind.lower() in HOUSEKEEPING or not command:
        access = kind.lower()
    elif command == "select" and isinstance(sql, str) and _OUTFILE.search(sql):
        access = "select_into_outfile"
    else:
        access = str(command).lower()
    return {"time": rec.get("timestamp"), "user": _actor(rec.get("user")),
            "account": rec.get("user") or None, "host": rec.get("host") or None,
            "ip": rec.get("ip") or None, "db": rec.get("db") or None, "table": _table(sql),
            "connection_id": rec.get("connection_id"), "status": rec.get("status"),
            "kind": kind, "command": command, "statement": sql, "access": access,
            "outcome": _outcome(rec.get("status"))}


def filter_fields(ev: dict[str, Any], has_table_access: bool) -> dict[str, Any]:
    """An audit_log_filter event. A statement is counted once: its
    table_access events when the file has them, else its general/status;
    and a statement that failed by its general/status always, since it
    opened no table (a SELECT refused with 1142 was filtered, unseen)."""
    cls, event = str(ev.get("class") or ""), str(ev.get("event") or "")
    account = ev.get("account") if isinstance(ev.get("account"), dict) else {}
    login = ev.get("login") if isinstance(ev.get("login"), dict) else {}
    data = next((ev[k] for k in ("table_access_data", "general_data", "query_data")
                 if isinstance(ev.get(k), dict)), {})
    sql = data.get("query")
    if cls == "table_access":
        access = event
    elif cls == "general" and event == "status" and (
            not has_table_access or str(data.get("status") or 0) != "0"):
        access = str(data.get("sql_command") or "")
    else:
        access = f"{cls}:{event}" if event else cls
    user = account.get("user") or login.get("user")
    return {"time": ev.get("timestamp"), "user": _actor(user), "account": user,
            "host": account.get("host"), "ip": login.get("ip") or None, "db": data.get("db"),
            "table": data.get("table") or _table(sql), "connection_id": ev.get("connection_id"),
            "status": data.get("status"), "kind": f"{cls}/{event}" if event else cls,
            "command": data.get("sql_command"), "statement": sql, "access": access.lower(),
            "outcome": _outcome(data.get("status"))}


def parse(lines: Iterable[tuple[int, str]], name: str, options: dict[str, Any],
          ) -> Iterator[Parsed]:
    it = iter(lines)
    head: list[tuple[int, str]] = []
    for number, line in it:
        head.append((number, line))
        if line.strip():
            break
    first = head[-1][1].lstrip()[:1] if head else ""
    rest = _chain(head, it)
    if first == "[":
        yield from _array(rest)
    elif first == "{":
        yield from _json_lines(rest)
    elif first == "<":
        yield Refused(head[-1][0], "an XML audit log (audit_log_format OLD or NEW), which is "
                      "not read: set audit_log_format=JSON or CSV", head[-1][1])
    elif first:
        yield from _csv(rest)


def _chain(head: list[tuple[int, str]], it: Iterator[tuple[int, str]],
           ) -> Iterator[tuple[int, str]]:
    yield from head
    yield from it


def _json_lines(lines: Iterable[tuple[int, str]]) -> Iterator[Parsed]:
    for number, line in lines:
        if not line.strip():
            continue
        try:
            obj = loads(line)
        except json.JSONDecodeError as exc:
            yield Refused(number, f"line is not a JSON object: {exc.msg}", line)
            continue
        if isinstance(obj, dict) and isinstance(obj.get("audit_record"), dict):
            yield Record(number, plugin_fields(obj["audit_record"]))
        elif isinstance(obj, dict) and "class" in obj:
            yield Record(number, filter_fields(obj, False))
        elif isinstance(obj, dict) and "name" in obj and "record" in obj:
            # The plugin's record without its {"audit_record": …} wrapper, as
            # the docstring promised (such a line was a reject).
            yield Record(number, plugin_fields(obj))
        else:
            yield Refused(number, "line is no audit record ({\"audit_record\": …} or an "
                          "audit_log_filter event)", line)


def _array(lines: Iterable[tuple[int, str]]) -> Iterator[Parsed]:
    text = "\n".join(line for _, line in lines)
    decoder, pos, events = json.JSONDecoder(), text.index("[") + 1, []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            break  # a file still being written has no closing bracket
        try:
            obj, pos = raw_decode(decoder, text, pos)
        except json.JSONDecodeError as exc:
            # A JSON array cannot be picked up again after a bad element: say
            # that the rest of the file is in this reject, not lost unseen.
            events.append(Refused(len(events) + 1, f"element is not JSON: {exc.msg}; the "
                                  "rest of the file (from this element) cannot be read",
                                  text[pos:pos + 200]))
            break
        events.append(obj)
    has_table_access = any(isinstance(e, dict) and e.get("class") == "table_access"
                           for e in events)
    for index, ev in enumerate(events, start=1):
        if isinstance(ev, Refused):
            yield ev
        elif isinstance(ev, dict):
            yield Record(index, filter_fields(ev, has_table_access))
        else:
            yield Refused(index, "element is not a JSON object", json.dumps(ev)[:200])


def _csv(lines: Iterable[tuple[int, str]]) -> Iterator[Parsed]:
    numbers: list[int] = []

    def feed() -> Iterator[str]:
        for number, line in lines:
            numbers.append(number)
            yield line + "\n"

    reader = csv.reader(feed(), strict=False)
    start = 1
    for row in reader:
        first, start = start, len(numbers) + 1
        if not row or not any(v.strip() for v in row):
            continue
        layout = (_AUDIT if row[0] in ("Audit", "NoAudit") else
                  _CONNECTION if row[0].lower() in HOUSEKEEPING else _STATEMENT)
        if len(row) != len(layout):
            yield Refused(first, f"a {row[0]} record of {len(row)} fields (the plugin writes "
                          f"{len(layout)})", ",".join(row))
            continue
        yield Record(first, plugin_fields(dict(zip(layout, (v or None for v in row),
                                                   strict=True))))


MYSQL_AUDIT = native_reader("mysql-audit", FIELDS, parse)
