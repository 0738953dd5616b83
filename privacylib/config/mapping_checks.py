"""Checks of mapping.yaml's keys that need more than a type: columns (one
source to several contract columns), values, constants typed against the
contract, keys, row filters, JSON paths (timestamp formats: timeformat.py).

Each check appends every problem it finds to `problems` (nothing is raised
here), so a user sees the whole list in one go.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from types import MappingProxyType
from typing import Any

from privacylib.contract import Dataset, Kind
from privacylib.errors import Problem, suggest

# Keys made from a file's name and a record's line, for sources with no key.
FILE_LINE = "@file_line"
_TRUE, _FALSE = ("true", "1", "yes", "y", "是"), ("false", "0", "no", "n", "否")


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

    if isinstance(value, dict):
        bad("is no value", f"give one {kind.value} value")
        return None
    if kind is Kind.LIST:
        items = value if isinstance(value, (list, tuple)) else [value]
        if isinstance(value, str) and value.startswith("["):  # as written back, JSON
            with contextlib.suppress(ValueError):
                items = json.loads(value)
        if any(isinstance(i, (list, dict)) or i is None for i in items):
            bad("is not a list of words", "e.g. [marketing, analytics]")
            return None
        return json.dumps([str(i) for i in items], ensure_ascii=False)
    if isinstance(value, (list, tuple)):
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
        from privacylib.intake.timestamps import TS_NAIVE, TS_OFFSET  # it imports the mapping

        text = str(value).strip()
        try:  # the loader's forms, and a real date (2026-W01-1 is Python's only)
            if not re.fullmatch(f"{TS_OFFSET}|{TS_NAIVE}", text):
                raise ValueError(text)
            dt.datetime.fromisoformat(re.sub(r" ?(Z|z|UTC|GMT)$", "+00:00", text)
                                      .replace("/", "-"))
        except ValueError:
            bad(f"is not a timestamp ({column})", "write it as ISO 8601, e.g. 2026-01-31T09:00Z")
            return None
        return text
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
    names = [value] if isinstance(value, str) else value  # tuples: as written back
    if names in ([], ()):
        return ()  # the same as no key (a mapping written back from its parsed form)
    if not isinstance(names, (list, tuple)) or not all(
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
        listed = values if isinstance(values, (list, tuple)) else [values]
        if not listed or any(isinstance(v, (list, dict)) for v in listed):
            problems.append(Problem(where, "must be a value or a list of values"))
            continue
        check_path(str(src), where, problems)
        rules[str(src).strip()] = tuple(
            None if v is None else ("true" if v is True else "false" if v is False
                                    else str(v).strip()) for v in listed)
    return rules






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
        elif const is None:
            # The source has no such field: the column counts as given and is
            # null on every row, so the controls that need it find what is missing.
            out[col] = None
        else:
            text = constant_text(ds, col, const, where, problems)
            if text is not None:
                out[col] = text
    return MappingProxyType(out)


def cross_checks(ds: Dataset, out: dict[str, Any], where: str, problems: list[Problem]) -> None:
    """What two keys say of one column must not contradict."""
    fed = {d: s for s, dsts in out.get("columns", {}).items()
           for d in ((dsts,) if isinstance(dsts, str) else dsts)}
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


def _str_map(raw: Any) -> dict[str, str | None] | None:
    """{source value: value}; a value of null makes the value empty (null),
    where it was the text 'None'."""
    if not isinstance(raw, dict) or any(k is None or isinstance(k, (list, dict)) for k in raw):
        return None
    if any(isinstance(v, (list, dict)) for v in raw.values()):
        return None
    return {str(k).strip(): None if v is None else str(v).strip() for k, v in raw.items()}


def columns(ds: Dataset, value: Any, at: str, problems: list[Problem]) -> MappingProxyType:
    if not isinstance(value, dict):
        problems.append(Problem(at, "must map source names to contract names"))
        return MappingProxyType({})
    out, taken = {}, {}
    for src, dsts in value.items():
        src, where = str(src).strip(), f"{at}.{src}"
        targets = dsts if isinstance(dsts, (list, tuple)) else [dsts]
        if not targets or not all(isinstance(t, str) and t.strip() for t in targets):
            problems.append(Problem(where, "must be a contract column or a list of them"))
            continue
        check_path(src, where, problems)
        good = []
        for dst in (t.strip() for t in targets):
            if dst not in ds.column_names:
                problems.append(Problem(where, f"'{dst}' is not a column of {ds.name}",
                                        suggest(dst, ds.column_names)))
            elif dst in taken:
                problems.append(Problem(where, f"'{dst}' is already fed by '{taken[dst]}'",
                                        "map each contract column from one source column"))
            else:
                taken[dst] = src
                good.append(dst)
        out[src] = good[0] if len(good) == 1 else tuple(good)
    return MappingProxyType(out)


def values(ds: Dataset, value: Any, at: str, problems: list[Problem]) -> MappingProxyType:
    if not isinstance(value, dict):
        problems.append(Problem(at, "must map contract columns to {source: value}"))
        return MappingProxyType({})
    vals = {}
    for col, pairs in value.items():
        col_map = _str_map(pairs)
        if col not in ds.column_names:
            problems.append(Problem(f"{at}.{col}", f"is not a column of {ds.name}",
                                    suggest(str(col), ds.column_names)))
        elif col_map is None:
            problems.append(Problem(f"{at}.{col}", "must map source values to values"))
        else:
            vals[col] = MappingProxyType({k.lower(): v for k, v in col_map.items()})
    return MappingProxyType(vals)
