"""syslog / auth.log: RFC 3164 lines (`Feb 21 21:54:44 host sshd[3402]: …`,
`<PRI>` optional, the day space-padded), rsyslog's ISO timestamps, and RFC
5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`, `-` for nothing),
mixed in one file as a relay writes them.

RFC 3164 has no year: the preset's `year`, else the year the file was last
written, is the year of the file's last stretch of lines (a year earlier
when that stretch's latest month is after the month the file was written: a
December log rotated in January). A new year starts only on a real wrap:
the month going back by more than half a year (December, then January); a
log a little out of order (December, then November) stays in its year, and
a line more than half a year ahead of the months before it (a late December
line after January) belongs to the year before. Times have no zone: the
dataset's time zone applies.

Every line that is not blank is a record or a reject: a line in none of the
three forms is refused with its text, never dropped unseen.

User, source address and outcome are read from sshd's and sudo's texts
(Accepted/Failed/Invalid user; `user : TTY=… ; COMMAND=…`, refusals such as
`user NOT in sudoers`); `access` is `sshd:login`, `sudo:command`, or
`<program>:other` for anything else (PAM, disconnects, useradd…).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from privacylib.intake.readers.native import Parsed, Record, Refused, native_reader

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
# OpenSSH 9.8 and later log a session's messages as sshd-session (Debian,
# Ubuntu, Fedora, Arch): its logins were "other" and filtered, unseen.
SSHD_PROGRAMS = frozenset({"sshd", "sshd-session"})


def message_fields(program: str, text: str) -> dict[str, Any]:
    """User, source, outcome and access of an sshd or sudo message."""
    text = text.removeprefix("\ufeff").strip()
    if program in SSHD_PROGRAMS:
        for pattern, outcome in SSHD:
            if m := pattern.search(text):
                return {"user": m[1] or None, "source_ip": m[2], "outcome": outcome,
                        "access": "sshd:login"}
    if program == "sudo" and (m := SUDO.match(text)):
        # COMMAND= is last, and its own " ; " (sh -c 'a ; b') is the command's:
        # split before it only (a command with one was taken for a refusal).
        head, _, command = m[2].partition("COMMAND=")
        parts = [p.strip() for p in head.split(" ; ") if p.strip()]
        pairs = dict(p.split("=", 1) for p in parts if re.match(r"^[A-Z]+=", p))
        refused = [p for p in parts if not re.match(r"^[A-Z]+=", p)]
        return {"user": m[1], "outcome": "denied" if refused else "success",
                "access": "sudo:command", "run_as": pairs.get("USER"),
                "command": command.strip()}
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


# Half a year: a month step back by more than this is a new year, a step
# forward by more than this a late line of the year before.
_HALF_YEAR = 6
NOT_SYSLOG = ("not a syslog line: no RFC 3164 ('Oct  5 09:12:01 host program[pid]: …'), "
              "RFC 5424 or ISO-timestamped line")


def year_offsets(months: list[int]) -> tuple[list[int], int]:
    """Each month's year relative to the first line's (0, 1, …), and the
    latest month of the last year's stretch (which anchors the years)."""
    offsets, era, high = [], 0, months[0] if months else 0
    for month in months:
        if high - month > _HALF_YEAR:  # December, then January: a new year
            era, high = era + 1, month
            offsets.append(era)
        elif month - high > _HALF_YEAR:  # a late December line after January
            offsets.append(era - 1)
        else:
            high = max(high, month)
            offsets.append(era)
    return offsets, high


def parse(lines: Iterable[tuple[int, str]], name: str, options: dict[str, Any],
          ) -> Iterator[Parsed]:
    modified = datetime.fromtimestamp(options.get("@modified") or 0, UTC)
    framed = []
    for number, line in lines:
        if not line.strip():
            continue
        if (f := _frame(line)) is None:
            yield Refused(number, NOT_SYSLOG, line)
        else:
            framed.append((number, f))
    months = [f[0][0] for _, f in framed if isinstance(f[0], tuple) and f[0][0]]
    offsets, high = year_offsets(months)
    last_year = options.get("year")
    if last_year is None:
        last_year = modified.year - (1 if months and high > modified.month else 0)
    first_year = last_year - (max(offsets) if offsets else 0)
    dated = iter(offsets)
    for number, (when, host, program, pid, text) in framed:
        if isinstance(when, tuple):
            month, day, clock = when
            year = first_year + next(dated) if month else 0
            when = f"{year}-{month:02d}-{day:02d} {clock}" if month else None
        yield Record(number, {"time": when, "host": host, "program": program, "pid": pid,
                              "message": text, **message_fields(program, text)})


SYSLOG = native_reader("syslog", FIELDS, parse)
