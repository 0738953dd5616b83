"""Recognising PRC personal identifiers in any text, however they are written.

People write numbers the way they read them: `440308 19990110 1512`,
`138-1234-5678`, `+86 138 1234 5678`, full-width `１３８…`, cards in groups of
four. The text is first normalised character for character (full-width to
ASCII, every dash to `-`, odd spaces to ` `), so a match in the normalised
text is a match at the same place in the original. Digit groups joined by
spaces, dashes or dots form a chunk; an identifier is a run of whole groups
of a chunk: a contiguous digit run is never split, so a 20-digit number is
judged as 20 digits and is no mobile.

Recognised: 18-digit resident ID numbers on their structure (region, a real
birth date, sequence, check character; masked even when the GB 11643
checksum fails, the result is recorded), 15-digit legacy ID numbers,
mainland mobiles (with +86/0086/86 or a trunk 0), bank cards of 13-19 digits
that pass Luhn (ticket and order numbers, which do not, stay readable) and
e-mail addresses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import duckdb
from stdnum import luhn
from stdnum.cn import ric

from privacylib.masking.identifier_sql import surely_valid

# One character for one character, so spans found in the normalised text
# are spans of the original.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: " ", 0x00A0: " ", 0x2212: "-", 0x30FC: "-"})
_WIDTH.update({cp: "-" for cp in range(0x2010, 0x2016)})
# Every other space, zero-width ones included (138<ZWSP>12345678), is a space.
_WIDTH.update({cp: " " for cp in (*range(0x2000, 0x200E), 0x202F, 0x205F, 0x2060, 0xFEFF)})
_WIDTH_TABLE = str.maketrans(_WIDTH)

# Between digit groups: spaces, or one of - . / ( ) or a line break with
# spaces around it: (138)1234-5678, 138/1234/5678, an ID split over two lines.
_SEP = r"(?:[ \t]{0,2}(?:[-./()]|\r?\n)[ \t]{0,2}|[ \t]{1,3})"
# Digit groups joined by separators, at least 11 digits in all (the shortest
# identifier): the regex itself is the cheap pre-check, in C, of every string.
# A check character X: right after the digits, or set apart and no word's first letter.
_CHUNK = re.compile(rf"(?<![0-9])[0-9](?:{_SEP}?[0-9]){{10,}}(?:[Xx]|{_SEP}[Xx](?![A-Za-z]))?")
_GROUP = re.compile(r"[0-9]+|[Xx]")
# An address starts where a run of its characters starts (the lookbehind), so a
# long run without an @ is passed over once, not once per character.
# Letters of any script (张三@126.com, usér@qq.com, a domain 例子.中国).
_EMAIL = re.compile(r"(?<![\w.%+-])(\w)[\w.%+-]*@([\w-]+(?:\.[\w-]+)+)")
# Province-level codes of GB/T 2260 (83: residence permits of Taiwan residents).
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83"})


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    kind: str  # resident_id, legacy_id, mobile, bank_card, email
    mask: str
    # GB 11643 check character matches (resident_id only; None for others).
    checksum_ok: bool | None = None


def normalise(text: str) -> str:
    """Full-width to ASCII and dashes/spaces unified; same length as `text`."""
    return text if text.isascii() else text.translate(_WIDTH_TABLE)


def _date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def resident_id_parts(number: str) -> tuple[bool, bool, bool] | None:
    """(date valid, region's province known, checksum ok) of 17 digits + check, else None."""
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789Xx":
        return None
    number = number.upper()
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    return (1800 <= year <= 2099 and _date(year, month, day), number[:2] in PROVINCES,
            ric.calc_check_digit(number) == number[17])


def legacy_id_parts(number: str) -> tuple[bool, bool] | None:
    """(yymmdd valid, province known) of a 15-digit legacy number, else None."""
    if len(number) != 15 or not number.isdigit():
        return None
    yy, mm, dd = int(number[6:8]), int(number[8:10]), int(number[10:12])
    return _date(1900 + yy, mm, dd), number[:2] in PROVINCES


def is_mobile(number: str) -> bool:
    return len(number) == 11 and number[0] == "1" and number[1] in "3456789" \
        and number.isdigit()


def _card_grouping(groups: list[int]) -> bool:
    # Cards are written whole or in fours (the last group shorter); other
    # groupings of 13-19 digits are dates and numbers side by side.
    return len(groups) == 1 or (all(g == 4 for g in groups[:-1]) and groups[-1] <= 4)


def judge(number: str, groups: list[int] | None = None) -> tuple[str, str, bool | None] | None:
    """(kind, mask, checksum ok) of one candidate, digits only (an ID may end in X)."""
    n = len(number)
    parts = resident_id_parts(number)
    if parts and parts[0]:
        return "resident_id", number[:6] + "*" * 8 + number[-4:].upper(), parts[2]
    if not number.isdigit():
        return None
    legacy = legacy_id_parts(number)
    if legacy and all(legacy):
        return "legacy_id", number[:6] + "*" * 5 + number[-4:], None
    if n == 17:  # an ID whose check character was cut off, or written apart from it
        # Its birth date is enough, as for 18 characters: an unknown region
        # (a made-up or foreign-issued number) is still someone's number.
        head = resident_id_parts(number + "0")
        if head and head[0]:
            return "resident_id", number[:6] + "*" * 8 + number[-3:], None
    for prefix in ("", "86", "0086", "0"):
        if prefix and groups and groups[0] <= len(prefix):
            continue  # `+86 138…`: the mobile alone is masked, the prefix stays as written
        if n == 11 + len(prefix) and number.startswith(prefix) and is_mobile(number[-11:]):
            return "mobile", prefix + number[-11:-8] + "****" + number[-4:], None
    if 13 <= n <= 19 and _card_grouping(groups or [n]) and luhn.is_valid(number):
        return "bank_card", "*" * (n - 4) + number[-4:], None
    return None


def _in_chunk(chunk: re.Match[str]) -> list[Found]:
    if chunk[0].isdigit():  # one contiguous run, the common case: judged whole
        verdict = judge(chunk[0])
        return [Found(chunk.start(), chunk.end(), *verdict)] if verdict else []
    at = chunk.start()
    groups = [(g.start() + at, g.end() + at, g[0]) for g in _GROUP.finditer(chunk[0])]
    found: list[Found] = []
    i = 0
    while i < len(groups):
        last, size = i + 1, len(groups[i][2])
        while last < len(groups) and size + len(groups[last][2]) <= 19:
            size += len(groups[last][2])
            last += 1
        for j in range(last, i, -1):  # the longest run of whole groups first
            texts = [g[2] for g in groups[i:j]]
            number = "".join(texts)
            verdict = judge(number, [len(t) for t in texts])
            if verdict:
                found.append(Found(groups[i][0], groups[j - 1][1], *verdict))
                i = j
                break
        else:
            i += 1
    return found


def find(text: str) -> list[Found]:
    """Every identifier in `text`, in order; spans index `text` itself."""
    if len(text) < 5:  # a@b.c
        return []
    norm = normalise(text)
    found: list[Found] = []
    if "@" in norm:
        found = [Found(m.start(), m.end(), "email", m[1] + "***@" + m[2])
                 for m in _EMAIL.finditer(norm)]
        # Digits of an address go with it, and join no number beside it.
        norm = _EMAIL.sub(lambda m: "\0" * len(m[0]), norm)
    for chunk in _CHUNK.finditer(norm):
        found.extend(_in_chunk(chunk))
    return sorted(found, key=lambda f: f.start) if len(found) > 1 else found


def mask_identifiers(text: str) -> str:
    """`text` with every identifier replaced by its mask; the rest as written."""
    found = find(text)
    if not found:
        return text
    out, at = [], 0
    for f in found:
        out += [text[at:f.start], f.mask]
        at = f.end
    out.append(text[at:])
    return "".join(out)


# Identifier quality as data: a customer table with bad ID numbers is an audit
# finding of its own (the company cannot find the person it says it holds).

KINDS: dict[str, frozenset[str]] = {  # kind -> column headers that hold it
    "resident_id": frozenset({"身份证号", "身份证号码", "身份证", "证件号码", "id_number",
                              "id_no", "resident_id"}),
    "mobile": frozenset({"手机号", "手机号码", "手机", "联系电话", "mobile", "phone"}),
    "bank_card": frozenset({"银行卡号", "卡号", "bank_card", "card_no", "card_number"}),
    "email": frozenset({"邮箱", "电子邮箱", "email", "e-mail", "mail"}),
}
_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass
class IdentifierQuality:
    kind: str
    checked: int = 0  # non-empty values
    failed: int = 0  # values that break at least one rule
    by_rule: dict[str, int] = field(default_factory=dict)  # rule -> values breaking it


def kind_of(column: str) -> str | None:
    """The identifier a column of this name holds, or None."""
    name = column.strip().lower()
    return next((kind for kind, headers in KINDS.items() if name in headers), None)


def problems(value: str, kind: str, as_of: date | None = None) -> list[str]:
    """The rules `value` breaks as an identifier of `kind` ([] when none).

    Rules: format, length, date (a birth date that is no date, or after
    `as_of`), region (unknown province), checksum (GB 11643, Luhn), prefix.
    """
    text = normalise(value).strip()
    if kind == "email":
        return [] if _EMAIL.fullmatch(text) else ["format"]
    number = _SEPARATORS.sub("", text)
    if kind == "mobile":
        for prefix in ("+86", "0086", "86"):
            if number.startswith(prefix) and len(number) == 11 + len(prefix):
                number = number[len(prefix):]
        if not number.isdigit():
            return ["format"]
        return ["length"] if len(number) != 11 else [] if is_mobile(number) else ["prefix"]
    if kind == "bank_card":
        if not number.isdigit():
            return ["format"]
        return ["length"] if not 13 <= len(number) <= 19 else \
            [] if luhn.is_valid(number) else ["checksum"]
    if kind != "resident_id":
        raise ValueError(f"unknown identifier kind {kind!r}; one of {', '.join(KINDS)}")
    parts = resident_id_parts(number)
    legacy = legacy_id_parts(number)
    if parts is None and legacy is None:
        return ["length"] if len(number) not in (15, 18) else ["format"]
    date_ok, region_ok, checksum_ok = parts or (*legacy, True)  # type: ignore[misc]
    if date_ok and as_of:
        born = number[6:14] if parts else "19" + number[6:12]
        date_ok = date(int(born[:4]), int(born[4:6]), int(born[6:])) <= as_of
    return [rule for rule, ok in (("date", date_ok), ("region", region_ok),
                                  ("checksum", checksum_ok)) if not ok]


def check_values(values: Iterable[str | None], kind: str,
                 as_of: date | None = None) -> IdentifierQuality:
    """How many of `values` break their rules, and which rules."""
    quality = IdentifierQuality(kind)
    for value in values:
        if value is None or not str(value).strip():
            continue
        quality.checked += 1
        broken = problems(str(value), kind, as_of)
        quality.failed += bool(broken)
        for rule in broken:
            quality.by_rule[rule] = quality.by_rule.get(rule, 0) + 1
    return quality


def check_column(con: duckdb.DuckDBPyConnection, dataset: str, column: str,
                 kind: str | None = None, as_of: date | None = None) -> IdentifierQuality:
    """check_values over one column of a loaded dataset; the kind from its name if not given."""
    kind = kind or kind_of(column)
    if kind is None:
        raise ValueError(f"column {column!r} of {dataset} holds no known identifier; "
                         f"name its kind ({', '.join(KINDS)})")
    quoted = '"' + column.replace('"', '""') + '"'
    values = f'SELECT CAST({quoted} AS VARCHAR) AS v FROM "{dataset}"'
    surely = surely_valid(kind, "v", PROVINCES, as_of=as_of is not None)
    if surely is None:
        return check_values(_first_column(con.execute(values)), kind, as_of)
    # Values that surely break no rule are counted in SQL; Python checks the rest.
    valid = con.execute(f"SELECT count(*) FROM ({values}) WHERE {surely}").fetchall()[0][0]
    cursor = con.execute(f"SELECT v FROM ({values}) WHERE NOT coalesce({surely}, false)")
    quality = check_values(_first_column(cursor), kind, as_of)
    quality.checked += valid
    return quality


def _first_column(cursor: duckdb.DuckDBPyConnection) -> Iterable[str | None]:
    while batch := cursor.fetchmany(10_000):  # a customer table need not fit in memory
        yield from (row[0] for row in batch)
