"""Reading timestamps in SQL: the standard forms, a mapping's strptime format,
epoch seconds or milliseconds, and a default year for formats without one.

Standard forms: ISO 8601 or YYYY/MM/DD, an optional time with up to nine
decimals, and an optional zone: `Z`, `UTC`, `GMT`, `+08`, `+0800` or
`+08:00`. A value without a zone is in the dataset's time zone ($tz).
Ambiguous abbreviations (`CST` is China or US Central) are not read: set
the zone in the mapping. Epoch values outside 1990-2099 are not read, so a
millisecond value taken for seconds is a reject, not year 50,000.
"""

from __future__ import annotations

from typing import Any

from privacylib.config.mapping import DatasetMapping

_DATE = r"\d{4}[-/]\d{1,2}[-/]\d{1,2}"
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?"
TS_NAIVE = f"{_DATE}{_TIME}"
# An offset of a real zone: -12:00 to +14:00 (a +99:00 was read as 99 hours).
_OFFSET = r"[+-](?:0\d|1[0-4])(?::?[0-5]\d)?"
TS_OFFSET = f"{_DATE}{_TIME} ?(?:Z|z|UTC|GMT|{_OFFSET})"
_NUMBER = r"[+-]?\d+(?:\.\d+)?"
# Seconds since 1970 of 1990-01-01 and 2100-01-01 UTC: the epoch range read.
EPOCH_MIN, EPOCH_MAX = 631_152_000, 4_102_444_800
_DIVISOR = {"epoch_s": 1, "epoch_ms": 1000}
STANDARD = "a timestamp (ISO 8601, YYYY/MM/DD HH:MM:SS or a date)"


def is_utc(zone: str | None) -> bool:
    """Whether `zone` keeps UTC's time all year (UTC, Etc/UTC, GMT, Etc/UCT…)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not zone:
        return False
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return all(tz.utcoffset(datetime(2026, month, 1)) == timedelta(0) for month in (1, 7))


def zone_words(zone: str | None) -> dict[str, str]:
    """{abbreviation: offset} of the zone mapping.yaml names for a dataset,
    from the zone's own rules (2000-2037): CET +01:00 and CEST +02:00 for
    Europe/Berlin, CST +08:00 for Asia/Shanghai. A server writes its
    log_timezone's abbreviation (PostgreSQL's %m): abbreviations are refused
    elsewhere (CST is China or US Central), but not the zone's own where the
    mapping says which zone the log is in. One used with two offsets is left
    out; so are numeric ones (+08), which the offset form reads."""
    from datetime import datetime
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not zone or is_utc(zone):
        return {}
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return {}
    seen: dict[str, set[str]] = {}
    for year in range(2000, 2038):
        for month in range(1, 13):
            moment = datetime(year, month, 15, 12, tzinfo=tz)
            name, offset = moment.tzname() or "", moment.utcoffset()
            if name.isalpha() and offset is not None:
                minutes = int(offset.total_seconds()) // 60
                sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
                seen.setdefault(name, set()).add(f"{sign}{minutes // 60:02d}:{minutes % 60:02d}")
    return {name: offsets.pop() for name, offsets in sorted(seen.items()) if len(offsets) == 1}


def readable(mapping: DatasetMapping) -> str:
    """What a timestamp of this dataset must look like, for a reject's reason."""
    fmt = mapping.timestamp_format
    if fmt == "epoch_s":
        return ("epoch seconds from 1990 to 2099 (a 13-digit value is milliseconds: "
                "timestamp_format epoch_ms)")
    if fmt == "epoch_ms":
        return ("epoch milliseconds from 1990 to 2099 (a 10-digit value is seconds: "
                "timestamp_format epoch_s)")
    if fmt:
        year = f", year {mapping.default_year}" if mapping.default_year else ""
        return f"a timestamp in the format '{fmt}'{year} or {STANDARD}"
    return STANDARD


def timestamp_sql(v: str, native: str, mapping: DatasetMapping, params: dict[str, Any]) -> str:
    """The TIMESTAMPTZ of `v` (of DuckDB type `native`), or NULL when unreadable.
    Parameters it needs are added to `params` ($tz is there already)."""
    if native in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        return v
    if native.startswith("TIMESTAMP") or native == "DATE":
        return f"timezone($tz, CAST({v} AS TIMESTAMP))"
    text = v if native == "VARCHAR" else f"CAST({v} AS VARCHAR)"
    # DuckDB reads "… UTC" but neither "…UTC" nor "… Z": zone words become +00:00.
    # Nor "… +05:45": the space before an offset goes.
    iso = (f"regexp_replace(regexp_replace(replace(replace({text}, '/', '-'), ',', '.'), "
           f"' ?(Z|z|UTC|GMT)$', '+00:00'), ' ({_OFFSET})$', '\\1')")
    # Most values are in DuckDB's own form (YYYY-MM-DD HH:MM:SS[.ffffff]), which
    # the regexes below accept and pass to the same cast unchanged: a value
    # that DuckDB casts and writes back as it was skips them (they were half
    # the typing of a large log). The range leaves out what DuckDB writes and
    # the standard form refuses: years BC or past 9999, infinity.
    naive = f"TRY_CAST({text} AS TIMESTAMP)"
    own_form = (f"WHEN CAST({naive} AS VARCHAR) = {text} AND {naive} BETWEEN "
                f"TIMESTAMP '0001-01-01' AND TIMESTAMP '9999-12-31 23:59:59.999999' "
                f"THEN timezone($tz, {naive}) ")
    words = zone_words(mapping.timezone)
    if words:  # "… CEST" where mapping.yaml names the log's zone (Europe/Berlin)
        named = "|".join(words)
        as_offset = text
        for word, offset in words.items():
            as_offset = f"regexp_replace({as_offset}, ' {word}$', '{offset}')"
        own_form += (f"WHEN regexp_full_match({text}, '{_DATE}{_TIME} (?:{named})') "
                     f"THEN TRY_CAST(replace({as_offset}, '/', '-') AS TIMESTAMPTZ) ")
    standard = (f"CASE {own_form}WHEN regexp_full_match({text}, '{TS_OFFSET}') "
                f"THEN TRY_CAST({iso} AS TIMESTAMPTZ) "
                f"WHEN regexp_full_match({text}, '{TS_NAIVE}') "
                f"THEN timezone($tz, TRY_CAST({iso} AS TIMESTAMP)) END")
    fmt = mapping.timestamp_format
    if not fmt:
        return standard
    if fmt in _DIVISOR:
        seconds = f"(TRY_CAST({text} AS DOUBLE) / {_DIVISOR[fmt]})"
        epoch = (f"CASE WHEN regexp_full_match({text}, '{_NUMBER}') AND {seconds} >= "
                 f"{EPOCH_MIN} AND {seconds} < {EPOCH_MAX} THEN to_timestamp({seconds}) END")
        return f"coalesce({epoch}, {standard})"
    if mapping.default_year:
        params["ts_format"] = "%Y " + fmt
        params["ts_year"] = f"{mapping.default_year} "
        custom = f"try_strptime(concat($ts_year, {text}), $ts_format)"
    else:
        params["ts_format"] = fmt
        custom = f"try_strptime({text}, $ts_format)"
    if "%z" not in fmt and "%Z" not in fmt:
        custom = f"timezone($tz, {custom})"
    return f"coalesce({custom}, {standard})"


def reason_sql(v: str, mapping: DatasetMapping) -> str:
    """SQL text of what an unreadable timestamp `v` should have been; a value
    ending in a zone abbreviation is told why it is not read."""
    what = readable(mapping).replace("'", "''")
    text = f"CAST({v} AS VARCHAR)"
    return (f"CASE WHEN regexp_matches({text}, '\\d ?[A-Za-z]{{3,5}}$') AND NOT "
            f"regexp_matches({text}, '(UTC|GMT)$') "
            f"THEN '{what}; zone abbreviations other than UTC and GMT are ambiguous (CST is "
            f"China or US Central): set the log''s zone as timezone in mapping.yaml, and "
            f"its own are read (CST for Asia/Shanghai, CET and CEST for Europe/Berlin)' "
            f"ELSE '{what}' END")
