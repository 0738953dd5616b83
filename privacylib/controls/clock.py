"""The period's clock: the policy zone's UTC offset, minute by minute.

Turning an instant into local time (`timezone($tz, ts)`, ICU) costs about
60 ns a row: at 10M events each control that needs the local day or time of
every access (U02, U03, U04) spent most of its time there. Within one minute
the offset of a zone does not change (tzdata changes offsets at most once in
any minute, and at whole minutes since the 1970s), so the engine works out
the offset once per minute of the period, here, and a control looks it up
(`local_ts_by`, macros.sql): a join on a small table and an addition instead
of a calendar computation per row.

`period_clock` holds one row per minute of the period, `minute` the
whole minutes since $period_start (`period_minute(ts, $period_start)`) and
`offset_us` the zone's offset in microseconds throughout that minute, NULL
when the offset changes inside it: the lookup then falls back to the
calendar (`local_ts_by`). Instants outside the period are not covered (their
minute is out of range or shared with the period's first one): only accesses
in the period may be looked up. It is a TEMP table, as the macros are TEMP
macros: it lives on the connection only, is never written into a database
file, and the controls name it unqualified (DuckDB looks in temp first).
"""

from __future__ import annotations

import duckdb

from privacylib.config.period import Period

CLOCK = "period_clock"


def prepare_clock(con: duckdb.DuckDBPyConnection, period: Period, tz: str) -> None:
    """Create (or replace) the TEMP table `period_clock` for the period in zone tz."""
    # The offset at the minute's first and last microsecond: equal, it held
    # throughout (one change at most in a minute); unequal, no offset for it.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {CLOCK} AS
        SELECT minute, CASE WHEN first_us = last_us THEN first_us END AS offset_us
        FROM (
            SELECT minute,
                   epoch_us(timezone($tz, make_timestamptz(us))) - us AS first_us,
                   epoch_us(timezone($tz, make_timestamptz(us + 59999999)))
                       - (us + 59999999) AS last_us
            FROM (SELECT m.range AS minute, epoch_us($start) + m.range * 60000000 AS us
                  FROM range(0, (epoch_us($end) - epoch_us($start)) // 60000000 + 1) m)
        )""", {"tz": tz, "start": period.start, "end": period.end})
