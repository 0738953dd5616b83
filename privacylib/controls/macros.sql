-- The words the control rules share, written once as DuckDB macros.
--
-- The engine installs these on its connection before it runs any control
-- (privacylib/controls/macros.py). They are TEMP macros: they live on that
-- connection only and are never written into a database file.
--
-- Macros are expanded into the query that calls them before it is planned, so
-- they cost nothing at run time. A macro body cannot read a prepared parameter:
-- a control passes $tz, $period_start, $as_of... as arguments, and those stay
-- bound parameters of the control's own query.
--
-- Every instant in the data is a TIMESTAMPTZ; `tz` is the policy's time zone
-- name ($tz). Reference for control writers: docs/controls-sql.md.

-- The wall-clock time of an instant in the policy's time zone (a TIMESTAMP
-- without zone): "local time".
CREATE OR REPLACE TEMP MACRO local_ts(ts, tz) AS timezone(tz, ts);

-- The calendar day an instant falls on in the policy's time zone: "one local
-- day" (U02, U03 count per local day, not per UTC day).
CREATE OR REPLACE TEMP MACRO local_day(ts, tz) AS CAST(timezone(tz, ts) AS DATE);

-- An instant as the findings show it: local date and time to the second,
-- 'YYYY-MM-DD HH:MM:SS'.
CREATE OR REPLACE TEMP MACRO local_text(ts, tz) AS
    strftime(timezone(tz, ts), '%Y-%m-%d %H:%M:%S');

-- An instant shown to the minute, 'YYYY-MM-DD HH:MM' (detections, completions,
-- tests: the seconds add nothing).
CREATE OR REPLACE TEMP MACRO local_minute_text(ts, tz) AS
    strftime(timezone(tz, ts), '%Y-%m-%d %H:%M');

-- The local day of an instant as text, 'YYYY-MM-DD' (trainings, receipts, scans).
CREATE OR REPLACE TEMP MACRO local_day_text(ts, tz) AS
    strftime(timezone(tz, ts), '%Y-%m-%d');

-- "In the period": at or after its start and before its end, [start, end).
-- An instant at the end's exact instant belongs to the next period.
CREATE OR REPLACE TEMP MACRO in_period(ts, period_start, period_end) AS
    ts >= period_start AND ts < period_end;

-- "n days" as n times 24 hours. Not calendar days: a calendar-day interval on
-- a TIMESTAMPTZ follows the session's TimeZone (and its DST changes), and a
-- limit must not depend on the session.
CREATE OR REPLACE TEMP MACRO exact_days(n) AS to_hours(24 * n);

-- "In the last n days at as_of": in (as_of - n days, as_of]. A01 and S12 look
-- back this way for a training or a passing restore test.
CREATE OR REPLACE TEMP MACRO in_last_days(ts, as_of, n) AS
    ts > as_of - exact_days(n) AND ts <= as_of;

-- "Held at an instant": a role, a grant or an employment valid from
-- valid_from (inclusive) until valid_to (exclusive); a missing bound is open.
CREATE OR REPLACE TEMP MACRO valid_at(ts, valid_from, valid_to) AS
    (valid_from IS NULL OR valid_from <= ts) AND (valid_to IS NULL OR ts < valid_to);

-- "A consent active at an instant": granted at or before it and not withdrawn
-- by then. A consent withdrawn at the very instant no longer covers it; one
-- without granted_at was never granted, so it covers nothing.
CREATE OR REPLACE TEMP MACRO consent_active_at(ts, granted_at, withdrawn_at) AS
    granted_at <= ts AND (withdrawn_at IS NULL OR ts < withdrawn_at);

-- The whole minutes from the period's start to an instant of the period: the
-- key of the period's clock (the TEMP table `period_clock`, controls/clock.py), which
-- holds the zone's UTC offset minute by minute.
CREATE OR REPLACE TEMP MACRO period_minute(ts, period_start) AS
    (epoch_us(ts) - epoch_us(period_start)) // 60000000;

-- local_ts(ts, tz) from the offset the period's clock holds for the instant's
-- minute: an addition instead of a calendar computation per row (the same
-- value: see controls/clock.py). Without an offset (a minute in which the zone
-- changes its offset, or an instant outside the period), the calendar's.
CREATE OR REPLACE TEMP MACRO local_ts_by(ts, utc_offset, tz) AS
    coalesce(make_timestamp(epoch_us(ts) + utc_offset), timezone(tz, ts));
