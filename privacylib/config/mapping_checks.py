"""Checks of mapping.yaml's keys that need more than a type: constants typed
against the contract, keys, row filters, timestamp formats and default years.

Each check appends every problem it finds to `problems` (nothing is raised
here), so a user sees the whole list in one go.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from types import MappingProxyType
from typing import Any

import duckdb

from privacylib.contract import Dataset, Kind
from privacylib.errors import Problem, suggest

# Aliases of timestamp_format that are no strptime format: seconds or
# milliseconds since 1970-01-01 UTC.
EPOCH_FORMATS = {"epoch_s": "epoch_s", "%s": "epoch_s", "epoch_ms": "epoch_ms"}
# Keys made from a file's name and a record's line, for sources with no key.
FILE_LINE = "@file_line"
_TRUE, _FALSE = ("true", "1", "yes", "y", "是"), ("false", "0", "no", "n", "否")
_YEARS = ("%Y", "%y", "%G", "%c", "%x")


def split_path(name: str) -> list[str]:
    """A JSON path as written in the mapping: parts split on dots; `\\.` is a
    dot inside a key and `\\\\` a backslash. A name without an unescaped dot
    is one part (a top-level key)."""
    parts, current, escaped = [], [], False
    for ch in name:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current) + ("\\" if escaped else ""))
    return parts


def is_path(name: str) -> bool:
    return len(split_path(name)) > 1


def check_path(name: str, at: str, problems: list[Problem]) -> None:
    if is_path(name) and any(not p for p in split_path(name)):
        problems.append(Problem(at, f"'{name}' is not a JSON path: a part between dots is empty",
                                "write parts as a.b.c; a dot inside a key as \\."))


def constant_text(ds: Dataset, column: str, value: Any, at: str,
                  problems: list[Problem]) -> str | None:
    """The constant as the text the loader parses, or None (a problem added)
    when it cannot be a value of the contract column."""
    col = ds.column(column)
    kind = col.kind

    def bad(why: str, hint: str = "") -> None:
        problems.append(Problem(at, f"{value!r} {why}", hint))

    if value is None or isinstance(value, dict):
        bad("is no value", f"give one {kind.value} value")
        return None
    if kind is Kind.LIST:
        items = value if isinstance(value, list) else [value]
        if any(isinstance(i, (list, dict)) or i is None for i in items):
            bad("is not a list of words", "e.g. [marketing, analytics]")
            return None
        return json.dumps([str(i) for i in items], ensure_ascii=False)
    if isinstance(value, list):
        bad(f"is a list, but {column} holds one {kind.value} value")
        return None
    if kind is Kind.BOOLEAN:
        word = str(value).strip().lower()
        if isinstance(value, bool) or word in _TRUE + _FALSE:
            return "true" if (value is True or word in _TRUE) else "false"
        bad(f"is not a boolean ({column} is true or false)", "write true or false")
        return None
    if kind is Kind.INTEGER:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
            return value.strip()
        bad(f"is not a whole number ({column} is an integer)")
        return None
    if kind is Kind.TIMESTAMP:
        if isinstance(value, (dt.datetime, dt.date)):
            return value.isoformat()
        try:
            dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            bad(f"is not a timestamp ({column})", "write it as ISO 8601, e.g. 2026-01-31T09:00Z")
            return None
        return str(value).strip()
    text = str(value).strip()
    if kind is Kind.ENUM and col.values and text.lower() not in col.values:
        bad(f"is not a value of {column}", "use one of: " + ", ".join(col.values))
        return None
    if kind is Kind.ENUM and col.upper and not re.fullmatch(r"[A-Za-z]{2}", text):
        bad(f"is not a two-letter country code ({column})")
        return None
    return text


def key_names(ds: Dataset, value: Any, at: str, problems: list[Problem]) -> tuple[str, ...]:
    """`key:` as source names, or (FILE_LINE,)."""
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(
            isinstance(n, str) and n.strip() for n in names):
        problems.append(Problem(at, "must be a source column, a list of them, or "
                                    f"'{FILE_LINE}'", "e.g. key: [session_id, statement_id]"))
        return ()
    if len(ds.key) != 1:
        problems.append(Problem(at, f"{ds.name} has no single key column to build"
                                + (f" (its key is {', '.join(ds.key)})" if ds.key else ""),
                                "map each key column under columns instead"))
        return ()
    names = [n.strip() for n in names]
    if FILE_LINE in names and len(names) > 1:
        problems.append(Problem(at, f"'{FILE_LINE}' stands alone", f"write key: '{FILE_LINE}'"))
        return ()
    for n in names:
        if n.startswith("@") and n != FILE_LINE:
            problems.append(Problem(at, f"'{n}' is not a key source",
                                    f"did you mean '{FILE_LINE}'?"))
        check_path(n, at, problems)
    return tuple(names)


def filter_rules(value: Any, at: str, problems: list[Problem],
                 ) -> dict[str, tuple[str | None, ...]]:
    """`keep:`/`drop:` as {source name: accepted raw values}; null matches an
    empty or missing value."""
    if not isinstance(value, dict) or not value:
        problems.append(Problem(at, "must map source columns to lists of values",
                                "e.g. keep: {eventName: [GetObject, PutObject]}"))
        return {}
    rules = {}
    for src, values in value.items():
        where = f"{at}.{src}"
        listed = values if isinstance(values, list) else [values]
        if not listed or any(isinstance(v, (list, dict)) for v in listed):
            problems.append(Problem(where, "must be a value or a list of values"))
            continue
        check_path(str(src), where, problems)
        rules[str(src).strip()] = tuple(
            None if v is None else ("true" if v is True else "false" if v is False
                                    else str(v).strip()) for v in listed)
    return rules


def timestamp_format(value: str, default_year: Any, at: str,
                     problems: list[Problem]) -> str | None:
    """The format, `epoch_s` or `epoch_ms`; checked by DuckDB's own parser,
    which reads the values, so a format passing here cannot fail the load."""
    fmt = value.strip()
    if fmt.lower() in EPOCH_FORMATS:
        return EPOCH_FORMATS[fmt.lower()]
    if "%" not in fmt:
        problems.append(Problem(at, f"'{fmt}' has no % directive",
                                "e.g. %d.%m.%Y %H:%M, or epoch_s / epoch_ms"))
        return None
    con = duckdb.connect()
    try:
        con.execute("SELECT try_strptime('', $f)", {"f": fmt}).fetchall()
    except duckdb.Error as exc:
        reason = str(exc).split("Error: ", 1)[-1].split("\n")[0]
        problems.append(Problem(at, f"'{fmt}' is not a supported timestamp format: {reason}",
                                "see the strptime directives of DuckDB; epoch seconds are "
                                "timestamp_format: epoch_s, milliseconds epoch_ms"))
        return None
    finally:
        con.close()
    if not any(y in fmt for y in _YEARS) and default_year is None:
        problems.append(Problem(at, f"'{fmt}' has no year",
                                "add default_year: YYYY beside it"))
    return fmt


def default_year(value: Any, fmt: str | None, at: str, problems: list[Problem]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1970 <= value <= 2100:
        problems.append(Problem(at, f"{value!r} is not a year", "e.g. default_year: 2026"))
        return None
    if fmt is None or fmt in EPOCH_FORMATS.values():
        problems.append(Problem(at, "applies to a timestamp_format without a year, "
                                    "and there is none",
                                "add timestamp_format, e.g. %b %d %H:%M:%S"))
        return None
    if any(y in fmt for y in _YEARS):
        problems.append(Problem(at, f"timestamp_format '{fmt}' has its own year",
                                "remove default_year"))
        return None
    return value

def constants(ds: Dataset, value: Any, at: str, problems: list[Problem]) -> MappingProxyType:
    if not isinstance(value, dict):
        problems.append(Problem(at, "must map contract columns to values",
                                "e.g. constants: {method: explicit}"))
        return MappingProxyType({})
    out = {}
    for col, const in value.items():
        where = f"{at}.{col}"
        if col not in ds.column_names:
            problems.append(Problem(where, f"is not a column of {ds.name}",
                                    suggest(str(col), ds.column_names)))
        elif col in ds.key:
            problems.append(Problem(where, f"is the key of {ds.name}: a constant would make "
                                           "every row after the first a duplicate",
                                    "map a source column, or use key: '@file_line'"))
        else:
            text = constant_text(ds, col, const, where, problems)
            if text is not None:
                out[col] = text
    return MappingProxyType(out)


def cross_checks(ds: Dataset, out: dict[str, Any], where: str, problems: list[Problem]) -> None:
    """What two keys say of one column must not contradict."""
    fed = {d: s for s, dsts in out.get("columns", {}).items() for d in dsts}
    for col in out.get("constants", {}):
        if col in fed:
            problems.append(Problem(f"{where}.constants.{col}",
                                    f"is also mapped from '{fed[col]}' under columns",
                                    "keep one of the two"))
    if out.get("key") and ds.key and ds.key[0] in fed:
        problems.append(Problem(f"{where}.key", f"builds {ds.key[0]}, which columns also maps "
                                f"from '{fed[ds.key[0]]}'", "keep one of the two"))
    for src in out.get("ignore", ()):
        if src in out.get("columns", {}):
            problems.append(Problem(f"{where}.ignore", f"'{src}' is also mapped under columns",
                                    "remove it from one of the two"))
