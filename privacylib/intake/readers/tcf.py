"""IAB TCF consent strings: a text file of one string a line, alone or in a
row of fields (tab, comma or semicolon separated: user id, string, time…),
decoded by intake/tcf.py into one record per purpose whose consent bit is
set. A string that decodes to no purpose is a refusal: one record marked
`refused` (the preset filters it, so it is counted). A malformed string is a
reject naming why. The string is the field given by the preset's
`string_column`, else the first field that looks like one; a first line
with none is a header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from privacylib.intake.readers.native import Parsed, Record, Refused, native_reader
from privacylib.intake.tcf import TcfError, TcString, decode

FIELDS = ("consent_id", "customer", "purpose", "last_updated", "created", "notice_version",
          "tc_string", "version", "cmp_id", "language", "refused")
_LOOKS = re.compile(r"[A-Za-z0-9_-]{20,}(?:\.[A-Za-z0-9_-]+)*")


def _split(line: str) -> list[str]:
    for sep in ("\t", ",", ";"):
        if sep in line:
            return [f.strip().strip('"') for f in line.split(sep)]
    return [line.strip()]


# A UUID, the usual user id beside a TC string, is base64url too: never one.
_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


def _pick(fields: list[str], column: int | None) -> str | None:
    if column is not None:
        return fields[column - 1] if column <= len(fields) else None
    return next((f for f in fields if _LOOKS.fullmatch(f) and not _UUID.fullmatch(f)), None)


def _a_header(text: str | None, column: int | None) -> bool:
    """Whether a first line is a header: without a string_column, it holds
    no TC string; with one, that column holds its name (tc_string, consent:
    short, no digit, which no TC string is; it was a reject)."""
    if column is None:
        return text is None
    return text is not None and len(text) < 30 and not any(c.isdigit() for c in text)


def _iso(moment: Any) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def rows_of(tc: TcString, text: str, row_id: str, customer: str | None) -> list[dict]:
    major = f"tcf{tc.version}"
    common = {"customer": customer, "last_updated": _iso(tc.last_updated),
              "created": _iso(tc.created), "tc_string": text, "version": tc.version,
              "cmp_id": tc.cmp_id, "language": tc.language,
              "notice_version": f"tcf{tc.policy_version or tc.version}/gvl"
                                f"{tc.vendor_list_version}"}
    if not tc.purposes:
        return [{**common, "consent_id": row_id, "refused": "true"}]
    return [{**common, "consent_id": f"{row_id}:{major}:{n}", "purpose": f"{major}:{n}"}
            for n in tc.purposes]


def parse(lines: Iterable[tuple[int, str]], name: str, options: dict[str, Any],
          ) -> Iterator[Parsed]:
    column, who = options.get("string_column"), options.get("customer_column")
    for number, line in lines:
        if not line.strip():
            continue
        fields = _split(line)
        text = _pick(fields, column)
        if number == 1 and _a_header(text, column):
            continue
        if text is None:
            yield Refused(number, "no TC string on the line", line)
            continue
        try:
            tc = decode(text)
        except TcfError as exc:
            yield Refused(number, f"not a well-formed TC string: {exc}", line)
            continue
        customer = fields[who - 1] if who and who <= len(fields) else None
        for row in rows_of(tc, text, f"{name}:{number}", customer or None):
            yield Record(number, row)


IAB_TCF = native_reader("iab-tcf", FIELDS, parse)
