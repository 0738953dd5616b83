"""pgaudit: the `AUDIT:` records of a PostgreSQL server log (stderr format, or
psql's transcript of them, as in pgaudit's regression output).

A record is the line holding `<prefix><SEVERITY>:  AUDIT: ` and one CSV
record (AUDIT_TYPE, STATEMENT_ID, SUBSTATEMENT_ID, CLASS, COMMAND,
OBJECT_TYPE, OBJECT_NAME, STATEMENT, PARAMETER[, ROWS]); a quoted statement
with line breaks continues on the following lines, which have no prefix.
Every other line of the log is no record (connections, errors, psql echo).

Records are split by the prefix, never by quotes alone: a line starting a
log message (the prefix and a severity) ends the record before it, so a
statement whose quote is never closed, or one with another backend's line
written inside it, is a reject at its first line and the records after it
are read as they are (not swallowed into it).

The prefix is the server's `log_line_prefix`: its escapes (%m %t %n %u %d
%p %r %h %c %l %a %q …) become named fields. Given as the preset's `prefix`,
only that one is read; by default the common ones are tried in turn (none,
as in psql output; PostgreSQL's '%m [%p] '; Debian's '%m [%p] %q%u@%d ';
AWS RDS's '%t:%r:%u@%d:[%p]:').
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from privacylib.intake.readers.native import Parsed, Record, Refused, native_reader

AUDIT_FIELDS = ("audit_type", "statement_id", "substatement_id", "class", "command",
                "object_type", "object_name", "statement", "parameter", "rows")
PREFIX_FIELDS = ("time", "user", "database", "pid", "client", "session", "session_line",
                 "application")
FIELDS = (*PREFIX_FIELDS, "severity", *AUDIT_FIELDS, "access", "logged_twice")
DEFAULT_PREFIXES = ("", "%m [%p] ", "%m [%p] %q%u@%d ", "%t:%r:%u@%d:[%p]:")

_TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
_ZONE = r"(?: [A-Za-z][A-Za-z0-9+-]*| [+-]\d+)?"
# Escape -> (field or None, pattern). Values are non-greedy: the literal text
# after an escape ends it.
ESCAPES: dict[str, tuple[str | None, str]] = {
    "m": ("time", f"{_TIME}\\.\\d{{3}}{_ZONE}"), "t": ("time", f"{_TIME}{_ZONE}"),
    "n": ("time", r"\d+\.\d+"), "s": (None, f"{_TIME}{_ZONE}"),
    "u": ("user", r".*?"), "d": ("database", r".*?"), "a": ("application", r".*?"),
    "p": ("pid", r"\d+"), "P": (None, r"\d*"), "r": ("client", r"[^\s(]*?(?:\(\d+\))?"),
    "h": ("client", r"[^\s]*?"), "c": ("session", r"[0-9a-f]+\.[0-9a-f]+"),
    "l": ("session_line", r"\d+"), "i": (None, r".*?"), "e": (None, r"[0-9A-Z]{5}"),
    "v": (None, r"[\d/]*"), "x": (None, r"\d*"), "b": (None, r".*?"), "Q": (None, r"-?\d*"),
    "L": (None, r".*?"), "%": (None, "%"),
}
_AUDIT = r"(?P<severity>LOG|NOTICE|WARNING|INFO|DEBUG\d?|ERROR):  AUDIT: (?P<rest>.*)"
# Any log message's start after the prefix: what ends a record's continuation.
_MESSAGE = (r"(?:LOG|NOTICE|WARNING|INFO|DEBUG\d?|ERROR|FATAL|PANIC|DETAIL|HINT|QUERY|"
            r"CONTEXT|LOCATION|STATEMENT):  .*")


def prefix_problem(prefix: Any) -> str | None:
    """Why a log_line_prefix cannot be read (None when it can)."""
    if not isinstance(prefix, str):
        return "must be text: the server's log_line_prefix"
    unknown = sorted({m for m in re.findall(r"%(.)", prefix.replace("%%", ""))
                      if m not in ESCAPES and m != "q"})
    if unknown:
        return "has escapes PostgreSQL does not write: " + ", ".join("%" + u for u in unknown)
    return None


@lru_cache(maxsize=64)
def prefix_pattern(prefix: str, tail: str = _AUDIT) -> re.Pattern[str]:
    """The regex of one AUDIT line under `prefix` (fields named as FIELDS);
    with tail=_MESSAGE, of the first line of any log message."""
    out, seen, optional = [], set(), False
    parts = re.split(r"(%.)", prefix)
    for part in parts:
        if part == "%q":  # background processes stop the prefix here
            out.append("(?:")
            optional = True
            continue
        if len(part) == 2 and part[0] == "%" and part[1] in ESCAPES:
            field, pattern = ESCAPES[part[1]]
            if field and field not in seen:
                seen.add(field)
                out.append(f"(?P<{field}>{pattern})")
            else:
                out.append(f"(?:{pattern})")
        else:
            out.append(re.escape(part))
    if optional:
        out.append(")?")
    return re.compile("^" + "".join(out) + tail + "$")


def _balanced(text: str) -> bool:
    return text.count('"') % 2 == 0


def _access(fields: dict[str, Any]) -> str | None:
    if fields.get("class") and fields.get("command"):
        return f"{fields['class']} {fields['command']}".lower()  # as presets require
    return None


def _client(value: str | None) -> str | None:
    return re.sub(r"\(\d+\)$", "", value) if value else None  # host(port) -> host


def parse(lines: Iterable[tuple[int, str]], name: str, options: dict[str, Any],
          ) -> Iterator[Parsed]:
    seen = _Repeats()
    for parsed in _parse(lines, options):
        if isinstance(parsed, Record):
            seen.mark(parsed.fields)
        yield parsed


class _Repeats:
    """With both session and object auditing on, pgaudit logs one access
    twice: a SESSION and an OBJECT record of the same statement, substatement,
    command and object, in the same backend, in either order. The second of
    the two is marked `logged_twice` (the preset drops it: counted as
    filtered, not lost)."""

    def __init__(self) -> None:
        # backend -> (statement id, {record key: audit types seen})
        self.current: dict[Any, tuple[Any, dict[tuple[Any, ...], set[str]]]] = {}

    def mark(self, fields: dict[str, Any]) -> None:
        backend = fields.get("session") or fields.get("pid")
        statement = fields.get("statement_id")
        if self.current.get(backend, (None, {}))[0] != statement:
            self.current[backend] = (statement, {})
        audit_type = (fields.get("audit_type") or "").upper()
        if audit_type not in ("SESSION", "OBJECT"):
            return
        key = (fields.get("substatement_id"), fields.get("class"), fields.get("command"),
               fields.get("object_name"))
        types = self.current[backend][1].setdefault(key, set())
        if ({"SESSION", "OBJECT"} - {audit_type}) & types:
            fields["logged_twice"] = "yes"
        types.add(audit_type)


def _parse(lines: Iterable[tuple[int, str]], options: dict[str, Any]) -> Iterator[Parsed]:
    given = options.get("prefix")
    prefixes = (given,) if isinstance(given, str) else DEFAULT_PREFIXES
    patterns = [prefix_pattern(p) for p in prefixes]
    starts = [prefix_pattern(p, _MESSAGE) for p in prefixes]
    # An AUDIT record whose quoted statement is still open: (line, prefix
    # fields, its lines so far).
    pending: tuple[int, dict[str, Any], list[str]] | None = None
    for number, line in lines:
        if pending is not None:
            if not any(p.match(line) for p in starts):
                pending[2].append(line)
                if _balanced("\n".join(pending[2])):
                    yield _record(pending[0], pending[1], "\n".join(pending[2]))
                    pending = None
                continue
            # A new log message while the quote is open: the record is cut
            # (an unclosed quote, or another backend's line written inside).
            yield _cut(pending, f"the next log message (line {number:,}) starts before its "
                       "quoted statement ends: the quote is never closed, or a line of "
                       "another process is written inside it")
            pending = None
        if "AUDIT: " not in line:
            continue
        found = next((m for p in patterns if (m := p.match(line))), None)
        if found is None:
            yield Refused(number, _unframed(line), line)
            continue
        head = {k: v for k, v in found.groupdict().items() if k != "rest"}
        if _balanced(found["rest"]):
            yield _record(number, head, found["rest"])
        else:
            pending = (number, head, [found["rest"]])
    if pending is not None:
        yield _cut(pending, "the log ends before its quoted statement does (the log is cut)")


# A csvlog line starts with its time and a comma; a jsonlog line is an object.
_CSVLOG = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? [^\s,]+,(?:"|,)')


def _unframed(line: str) -> str:
    """Why an AUDIT line's prefix was not matched: csvlog and jsonlog are
    not read (no prefix would help), else the prefix is another."""
    kind = ("csvlog" if _CSVLOG.match(line) else
            "jsonlog" if line.lstrip().startswith("{") else None)
    if kind:
        return (f"looks like a PostgreSQL {kind} line, which is not read: only the stderr "
                "log (log_destination = stderr) is; if this is one, set source.prefix in "
                "mapping.yaml to its log_line_prefix")
    return "an AUDIT line whose prefix is not the log_line_prefix (set source.prefix in " \
           "mapping.yaml)"


def _cut(pending: tuple[int, dict[str, Any], list[str]], why: str) -> Refused:
    first, _, texts = pending
    span = f" (lines {first:,} to {first + len(texts) - 1:,})" if len(texts) > 1 else ""
    return Refused(first, f"an AUDIT record whose quoted statement never ends{span}: {why}",
                   "\n".join(texts))


def _record(number: int, head: dict[str, Any], text: str) -> Parsed:
    try:
        values = next(csv.reader([text], strict=True))
    except (csv.Error, StopIteration) as exc:
        return Refused(number, f"an AUDIT record that is no CSV record: {exc}", text)
    if len(values) not in (9, 10):
        return Refused(number, f"an AUDIT record of {len(values)} fields (pgaudit writes 9, "
                       "or 10 with pgaudit.log_rows)", text)
    fields: dict[str, Any] = {k: (v or None) for k, v in head.items()}
    fields["client"] = _client(fields.get("client"))
    fields.update({k: (v if v != "" else None) for k, v in zip(AUDIT_FIELDS, values,
                                                                strict=False)})
    fields["access"] = _access(fields)
    return Record(number, fields)


PGAUDIT = native_reader("pgaudit", FIELDS, parse)
