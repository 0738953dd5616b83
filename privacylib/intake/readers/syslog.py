"""syslog / auth.log: RFC 3164 lines (`Feb 21 21:54:44 host sshd[3402]: …`,
`<PRI>` optional, the day space-padded), rsyslog's ISO timestamps, and RFC
5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`, `-` for nothing),
mixed in one file as a relay writes them.

RFC 3164 has no year: the preset's `year`, else the year the file was last
written; a line whose month is after that month (a December line in a file
rotated in January) is a year earlier; and the month going back in the file
(December, then January) starts a new year. Times have no zone: the
dataset's time zone applies.

User, source address and outcome are read from sshd's and sudo's texts
(Accepted/Failed/Invalid user; `user : TTY=… ; COMMAND=…`, refusals such as
`user NOT in sudoers`); `access` is `sshd:login`, `sudo:command`, or
`<program>:other` for anything else (PAM, disconnects, useradd…).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from privacylib.intake.readers.native import Parsed, Record, native_reader

FIELDS = ("time", "host", "program", "pid", "user", "source_ip", "access", "outcome",
          "run_as", "command", "message")
MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                      "Sep", "Oct", "Nov", "Dec"), start=1)}
_SD = r'(?:-|(?:\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\])+)'
RFC5424 = re.compile(rf"^<\d{{1,3}}>1 (\S+) (\S+) (\S+) (\S+) \S+ {_SD} ?(.*)$")
RFC3164 = re.compile(r"^(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d:\d\d:\d\d) (\S+) "
                     r"([^:\[\s]+)(?:\[(\d+)\])?: ?(.*)$")
ISO = re.compile(r"^(?:<\d{1,3}>)?(\d{4}-\d\d-\d\dT\S+) (\S+) ([^:\[\s]+)(?:\[(\d+)\])?: ?(.*)$")
SSHD = [(re.compile(r"Accepted \S+ for (\S+) from (\S+)"), "success"),
        (re.compile(r"Failed \S+ for (?:invalid user )?(\S+) from (\S+)"), "denied"),
        (re.compile(r"Invalid user (\S*) from (\S+)"), "denied")]
SUDO = re.compile(r"^\s*(\S+) : (.*COMMAND=.*)$")


def message_fields(program: str, text: str) -> dict[str, Any]:
    """User, source, outcome and access of an sshd or sudo message."""
    text = text.removeprefix("\ufeff").strip()
    if program == "sshd":
        for pattern, outcome in SSHD:
            if m := pattern.search(text):
                return {"user": m[1] or None, "source_ip": m[2], "outcome": outcome,
                        "access": "sshd:login"}
    if program == "sudo" and (m := SUDO.match(text)):
        parts = [p.strip() for p in m[2].split(" ; ")]
        pairs = dict(p.split("=", 1) for p in parts if re.match(r"^[A-Z]+=", p))
        refused = [p for p in parts if not re.match(r"^[A-Z]+=", p)]
        return {"user": m[1], "outcome": "denied" if refused else "success",
                "access": "sudo:command", "run_as": pairs.get("USER"),
                "command": pairs.get("COMMAND")}
    return {"access": f"{program.lower()}:other"}


def _frame(line: str) -> tuple[Any, ...] | None:
    """(time or (month, day, clock), host, program, pid, message)."""
    if m := RFC5424.match(line):
        return (None if m[1] == "-" else m[1]), m[2], m[3], (None if m[4] == "-" else m[4]), m[5]
    if m := RFC3164.match(line):
        return (MONTHS.get(m[1]), int(m[2]), m[3]), m[4], m[5], m[6], m[7]
    if m := ISO.match(line):
        return m[1], m[2], m[3], m[4], m[5]
    return None


def parse(lines: Iterable[tuple[int, str]], name: str, options: dict[str, Any],
          ) -> Iterator[Parsed]:
    modified = datetime.fromtimestamp(options.get("@modified") or 0, UTC)
    framed = []
    for number, line in lines:
        if line.strip() and (f := _frame(line)) is not None:
            framed.append((number, f))
    # Years of year-less lines: count back from the last, one per month going back.
    months = [f[0][0] for _, f in framed if isinstance(f[0], tuple) and f[0][0]]
    wraps = sum(1 for a, b in pairwise(months) if b < a)
    year = options.get("year")
    if year is None:
        year = modified.year - (1 if months and months[-1] > modified.month else 0)
    year -= wraps
    last = months[0] if months else 0
    for number, (when, host, program, pid, text) in framed:
        if isinstance(when, tuple):
            month, day, clock = when
            if month and month < last:
                year += 1
            last = month or last
            when = f"{year}-{month:02d}-{day:02d} {clock}" if month else None
        yield Record(number, {"time": when, "host": host, "program": program, "pid": pid,
                              "message": text, **message_fields(program, text)})


SYSLOG = native_reader("syslog", FIELDS, parse)
