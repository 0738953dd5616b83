"""The audited period [start, end) and as_of (= end), as absolute instants.

`2026-10` is the local calendar month in the policy's time zone; a start or
end given alone is a date or a timestamp, local when it has no offset. A
date-only end is the period's last day, inclusive (2026-10-01..2026-10-31 is
October); a timestamp end is exact and exclusive.
Conversions go through DuckDB, the same engine that reads the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import duckdb

from privacylib.errors import UsageError
from privacylib.intake.schema import TS_NAIVE, TS_OFFSET


@dataclass(frozen=True)
class Period:
    # First instant in the period (inclusive).
    start: datetime
    # First instant after it (exclusive); also as_of, for state controls.
    end: datetime
    # How the user wrote it, for titles and folder names ("2026-10").
    label: str

    @property
    def as_of(self) -> datetime:
        return self.end

    def describe(self) -> str:
        """The exact half-open bounds, in UTC: [2026-09-30T16:00Z, 2026-10-31T16:00Z)."""
        return f"[{utc_text(self.start)}, {utc_text(self.end)})"

    def as_of_date(self, tz: str) -> date:
        """The local calendar day of as_of (exceptions hold through a day)."""
        con = duckdb.connect()
        try:
            return con.execute("SELECT CAST(timezone($tz, $t) AS DATE)",
                               {"tz": tz, "t": self.end}).fetchone()[0]
        finally:
            con.close()


def utc_text(t: datetime | None) -> str:
    """An instant in UTC for a sentence: 2026-10-31T16:00Z (seconds when any)."""
    if t is None:
        return "—"
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ").replace(":00Z", "Z")


def _instant(text: str, tz: str, what: str) -> datetime:
    text = text.strip()
    con = duckdb.connect()
    try:
        if re.fullmatch(TS_OFFSET, text):
            found = con.execute("SELECT TRY_CAST(replace($t, '/', '-') AS TIMESTAMPTZ)",
                                {"t": text}).fetchall()
        elif re.fullmatch(TS_NAIVE, text):
            found = con.execute("SELECT timezone($tz, TRY_CAST(replace($t, '/', '-') "
                                "AS TIMESTAMP))", {"t": text, "tz": tz}).fetchall()
        else:
            found = [(None,)]
    finally:
        con.close()
    if found[0][0] is None:
        raise UsageError(f"{what} '{text}' is not a date or timestamp",
                         hint="write it like 2026-10-01 or 2026-10-01T00:00:00+08:00")
    return found[0][0]


def _is_date(text: str) -> bool:
    return re.fullmatch(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}", text.strip()) is not None


def _next_day(text: str) -> str:
    year, month, day = (int(p) for p in re.split(r"[-/]", text.strip()))
    try:
        return (date(year, month, day) + timedelta(days=1)).isoformat()
    except (ValueError, OverflowError):  # 2026-02-30; 9999-12-31 has no day after it
        raise UsageError(f"period end '{text}' is not a date",
                         hint="write it like 2026-10-31") from None


def resolve_period(period: str | None = None, start: str | None = None, end: str | None = None,
                   *, tz: str = "Asia/Shanghai") -> Period:
    """A Period from --period YYYY-MM, or from --period-start and --period-end."""
    if period and (start or end):
        raise UsageError("give either --period or --period-start/--period-end, not both")
    if period:
        m = re.fullmatch(r"(\d{4})-(\d{2})", period.strip())
        if not m or not 1 <= int(m[2]) <= 12:
            raise UsageError(f"period '{period}' is not a month like 2026-10")
        year, month = int(m[1]), int(m[2])
        following = f"{year + month // 12}-{month % 12 + 1:02d}-01"
        return Period(_instant(f"{year}-{month:02d}-01", tz, "period"),
                      _instant(following, tz, "period"), period.strip())
    if not (start and end):
        raise UsageError("the audit needs a period", hint="--period 2026-10, or both "
                         "--period-start and --period-end")
    begin = _instant(start, tz, "period start")
    # People write the last day of a period, not the day after it: a date
    # alone ends the period at the end of that local day.
    finish = _instant(_next_day(end) if _is_date(end) else end, tz, "period end")
    if finish <= begin:
        raise UsageError(f"the period ends ({end}) before it starts ({start})")
    return Period(begin, finish, f"{start.strip()}..{end.strip()}")
