"""timestamp_format and default_year of mapping.yaml, checked when the
mapping is read: by DuckDB's own strptime parser, which reads the values, so
a format that passes here cannot fail the load."""

from __future__ import annotations

from typing import Any

import duckdb

from privacylib.errors import Problem

# Aliases of timestamp_format that are no strptime format: seconds or
# milliseconds since 1970-01-01 UTC.
EPOCH_FORMATS = {"epoch_s": "epoch_s", "%s": "epoch_s", "epoch_ms": "epoch_ms"}
# Directives that give a value its year.
_YEARS = ("%Y", "%y", "%G", "%c", "%x")


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
