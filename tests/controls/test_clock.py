"""The period's clock (controls/clock.py): local time from the offset it holds
per minute is the calendar's own, across DST changes, half-hour changes and a
change in the middle of a minute; instants outside the period fall back."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from privacylib.config.period import resolve_period
from privacylib.controls.clock import prepare_clock
from privacylib.controls.macros import install_macros

# Zone, period: a DST change in New York (Nov 1), Lord Howe's half-hour one
# (Oct 4), none in Shanghai, and Monrovia's change from -0:44:30 (1972-01-07),
# which falls in the middle of a minute.
CASES = [("America/New_York", "2026-11"), ("Australia/Lord_Howe", "2026-10"),
         ("Asia/Shanghai", "2026-10"), ("Africa/Monrovia", "1972-01")]

# Every instant of the period's first and last hour, every 37 seconds, and
# every second of the days around the changes: local time both ways.
SAME = """
    WITH instants AS (
        SELECT make_timestamptz(epoch_us($start) + s.range * 37000000) AS ts
        FROM range(0, (epoch_us($end) - epoch_us($start)) // 37000000 + 1) s
        UNION ALL
        SELECT make_timestamptz(epoch_us($change) + s.range * 1000000 + 999999 * (s.range % 2))
        FROM range(-86400 * 2, 86400 * 2) s
    )
    SELECT count(*) FILTER (WHERE k.offset_us IS NULL),
           count(*) FILTER (WHERE local_ts_by(i.ts, k.offset_us, $tz) <> local_ts(i.ts, $tz)),
           count(*)
    FROM instants i
    LEFT JOIN period_clock k ON k.minute = period_minute(i.ts, $start)
    WHERE in_period(i.ts, $start, $end)
"""
CHANGES = {"America/New_York": datetime(2026, 11, 1, 6, tzinfo=UTC),
           "Australia/Lord_Howe": datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
           "Asia/Shanghai": datetime(2026, 10, 15, tzinfo=UTC),
           "Africa/Monrovia": datetime(1972, 1, 7, 0, 44, 30, tzinfo=UTC)}


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    install_macros(con)
    return con


@pytest.mark.parametrize(("tz", "month"), CASES)
def test_local_time_from_the_clock_is_the_calendars(con, tz: str, month: str) -> None:
    period = resolve_period(month)
    prepare_clock(con, period, tz)
    minutes = con.execute("SELECT count(*), min(minute), max(minute) FROM period_clock").fetchall()
    assert minutes == [((period.end - period.start).total_seconds() // 60 + 1, 0,
                        (period.end - period.start).total_seconds() // 60)]
    without, differ, seen = con.execute(SAME, {"tz": tz, "start": period.start,
                                               "end": period.end,
                                               "change": CHANGES[tz]}).fetchall()[0]
    assert seen > 100_000 and differ == 0
    # Only Monrovia changes inside a minute: that minute has no offset and
    # its instants are converted by the calendar.
    assert (without > 0) == (tz == "Africa/Monrovia")


def test_an_instant_without_an_offset_falls_back_to_the_calendar(con) -> None:
    ts = datetime(2026, 9, 30, 15, 59, 30, tzinfo=UTC)
    assert con.execute("SELECT local_ts_by($ts, NULL, 'Asia/Shanghai')", {"ts": ts}
                       ).fetchall() == [(datetime(2026, 9, 30, 23, 59, 30),)]


def test_the_clock_is_temporary_and_replaced_per_run(tmp_path) -> None:
    path = str(tmp_path / "company.duckdb")
    with duckdb.connect(path) as con:
        prepare_clock(con, resolve_period("2026-10"), "Asia/Shanghai")
        prepare_clock(con, resolve_period("2026-11"), "UTC")  # another run: replaced
        assert con.execute("SELECT count(*), max(offset_us) FROM period_clock").fetchall() == [
            (30 * 24 * 60 + 1, 0)]
    with duckdb.connect(path) as con, pytest.raises(duckdb.CatalogException):
        con.execute("SELECT * FROM period_clock")
