"""The shared SQL macros (controls/macros.sql): their values at the boundaries
the rules draw, the session the engine runs the controls in, and a guard that
the control queries do not write out again what a macro says once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pytest

from privacylib.config.period import resolve_period
from privacylib.controls.catalog import load_catalog
from privacylib.controls.macros import install_macros, macro_names, macros_sql
from privacylib.controls.session import AUDIT_SCHEMA, session_for_controls

SHANGHAI = "Asia/Shanghai"
# 2026-10-01 00:00 in Shanghai: local midnight, still 30 September in UTC.
MIDNIGHT_SH = datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    install_macros(con)
    return con


def one(con: duckdb.DuckDBPyConnection, expr: str, **params: Any) -> Any:
    return con.execute(f"SELECT {expr}", params).fetchall()[0][0]


def test_every_macro_in_the_file_is_installed(con):
    installed = {r[0] for r in con.execute(
        "SELECT function_name FROM duckdb_functions() WHERE function_type = 'macro' "
        "AND database_name = 'temp'").fetchall()}
    assert len(macro_names()) == 12
    assert set(macro_names()) <= installed


@pytest.mark.parametrize("session_tz", ["UTC", "America/New_York"])
def test_local_time_at_shanghai_midnight(con, session_tz):
    # Whatever the session's TimeZone, local time is the policy zone's ($tz).
    con.execute("SET TimeZone = $tz", {"tz": session_tz})
    before = MIDNIGHT_SH - timedelta(seconds=1)
    for tz, day, text in ((SHANGHAI, "2026-10-01", "2026-10-01 00:00:00"),
                          ("UTC", "2026-09-30", "2026-09-30 16:00:00")):
        assert one(con, "local_ts($t, $tz)", t=MIDNIGHT_SH, tz=tz) == datetime.fromisoformat(text)
        assert str(one(con, "local_day($t, $tz)", t=MIDNIGHT_SH, tz=tz)) == day
        assert one(con, "local_text($t, $tz)", t=MIDNIGHT_SH, tz=tz) == text
        assert one(con, "local_minute_text($t, $tz)", t=MIDNIGHT_SH, tz=tz) == text[:16]
        assert one(con, "local_day_text($t, $tz)", t=MIDNIGHT_SH, tz=tz) == day
    # One second earlier is the day before in Shanghai.
    assert str(one(con, "local_day($t, $tz)", t=before, tz=SHANGHAI)) == "2026-09-30"
    assert one(con, "local_text($t, $tz)", t=before, tz=SHANGHAI) == "2026-09-30 23:59:59"
    # No instant (max() over no training): no text, which the controls show as "never".
    assert one(con, "local_text(CAST(NULL AS TIMESTAMPTZ), $tz)", tz=SHANGHAI) is None


def test_in_period_holds_the_start_and_not_the_end(con):
    period = resolve_period("2026-10", tz=SHANGHAI)
    assert period.start == MIDNIGHT_SH

    def inside(t: datetime) -> bool | None:
        return one(con, "in_period($t, $s, $e)", t=t, s=period.start, e=period.end)

    assert inside(period.start) is True
    assert inside(period.start - TICK) is False
    assert inside(period.end - TICK) is True
    assert inside(period.end) is False  # the end's exact instant is the next period's
    assert inside(None) is None


def test_exact_days_are_24_hours_whatever_the_session_zone(con):
    # 31 Oct -> 1 Nov 2026 crosses New York's return to standard time: a
    # calendar day there is 25 hours, so a limit in calendar days would
    # depend on the session's TimeZone.
    con.execute("SET TimeZone = 'America/New_York'")
    t = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert one(con, "$t - exact_days(1)", t=t) == t - timedelta(days=1)
    assert one(con, "$t - INTERVAL 1 DAY", t=t) != t - timedelta(days=1)


def test_in_last_days_is_open_before_and_closed_at_as_of(con):
    as_of = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)

    def recent(t: datetime) -> bool:
        return one(con, "in_last_days($t, $as_of, 30)", t=t, as_of=as_of)

    assert recent(as_of) is True
    assert recent(as_of + TICK) is False
    assert recent(as_of - timedelta(days=30)) is False
    assert recent(as_of - timedelta(days=30) + TICK) is True


def test_valid_at_from_inclusive_to_exclusive_open_when_missing(con):
    start, end = MIDNIGHT_SH, MIDNIGHT_SH + timedelta(days=10)

    def held(t: datetime, valid_from: datetime | None, valid_to: datetime | None) -> bool:
        return one(con, "valid_at($t, $f, $u)", t=t, f=valid_from, u=valid_to)

    assert held(start, start, end) is True
    assert held(start - TICK, start, end) is False
    assert held(end - TICK, start, end) is True
    assert held(end, start, end) is False  # terminated at the instant: no longer held
    assert held(start - timedelta(days=999), None, end) is True
    assert held(end + timedelta(days=999), start, None) is True
    assert held(end, None, None) is True


def test_consent_active_at_the_instants_it_changes(con):
    granted, withdrawn = MIDNIGHT_SH, MIDNIGHT_SH + timedelta(hours=5)

    def active(t: datetime, g: datetime | None, w: datetime | None) -> bool:
        return bool(one(con, "consent_active_at($t, $g, $w)", t=t, g=g, w=w))

    assert active(granted, granted, withdrawn)  # granted at the instant: covers it
    assert not active(granted - TICK, granted, withdrawn)
    assert active(withdrawn - TICK, granted, withdrawn)
    assert not active(withdrawn, granted, withdrawn)  # withdrawn at the instant: does not
    assert active(withdrawn + timedelta(days=999), granted, None)
    assert not active(withdrawn, None, None)  # never granted


def settings(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    return con.execute("SELECT current_setting('TimeZone'), "
                       "current_setting('search_path')").fetchall()[0]


def test_the_session_is_put_back_as_it_was_even_after_a_failure():
    con = duckdb.connect()
    con.execute(f"CREATE SCHEMA {AUDIT_SCHEMA}")
    con.execute(f"CREATE TABLE {AUDIT_SCHEMA}.marker AS SELECT 1 AS x")
    con.execute("CREATE SCHEMA elsewhere")
    con.execute("SET TimeZone = 'Europe/Paris'")
    con.execute("SET search_path = 'elsewhere,main'")
    before = settings(con)
    with session_for_controls(con, SHANGHAI):
        assert settings(con) == (SHANGHAI, AUDIT_SCHEMA)
        # Unqualified names are the scoped schema's; the macros are there.
        assert one(con, "(SELECT x FROM marker)") == 1
        assert one(con, "local_day_text($t, $tz)", t=MIDNIGHT_SH, tz=SHANGHAI) == "2026-10-01"
    assert settings(con) == before
    with pytest.raises(duckdb.Error), session_for_controls(con, "UTC"):
        con.execute("SELECT * FROM no_such_dataset")
    assert settings(con) == before


def test_the_macros_are_not_written_into_a_database_file(tmp_path):
    path = str(tmp_path / "company.duckdb")
    with duckdb.connect(path) as con:
        install_macros(con)
        install_macros(con)  # again on the same connection: replaces, no error
        assert one(con, "in_period(2, 1, 3)") is True
    with duckdb.connect(path) as con, pytest.raises(duckdb.CatalogException):
        con.execute("SELECT in_period(2, 1, 3)")


# What each macro replaces, as it was written out in the controls. Each pattern
# matches the macro's own body in macros.sql (so it is no dead pattern), and no
# control query may match it: the duplication cannot creep back. `\$?` takes
# the controls' parameters ($tz) and the macros' arguments (tz) alike.
WRITTEN_OUT = {
    "local_ts / local_day / local_*_text": r"\btimezone\(",
    "in_period": (r"(?P<x>[\w.]+|coalesce\([^()]*\))\s*>=\s*\$?period_start\s+AND\s+"
                  r"(?P=x)\s*<\s*\$?period_end"),
    "exact_days": r"\bto_hours\(\s*24\s*\*",
    "in_last_days": r"(?P<x>[\w.]+)\s*>\s*\$?as_of\s*-.*\s+AND\s+(?P=x)\s*<=\s*\$?as_of",
    "valid_at": r"\(\s*(?P<x>[\w.]+)\s+IS NULL\s+OR\s+(?P=x)\s*<=\s*[\w.$]+\s*\)",
    "consent_active_at": (r"granted_at\s*<=\s*(?P<t>[\w.]+)\s+AND\s+"
                          r"(\(\s*[\w.]*withdrawn_at\s+IS NULL\s+OR\s+)?(?P=t)\s*<\s*"
                          r"[\w.]*withdrawn_at"),
}


@pytest.mark.parametrize("macro", WRITTEN_OUT)
def test_no_control_writes_out_what_a_macro_says(macro):
    pattern = re.compile(WRITTEN_OUT[macro])
    assert pattern.search(macros_sql()), f"the pattern for {macro} no longer finds it"
    # The query only: the YAML header (population count included) is the
    # control's documented contract and stays as written.
    offenders = [c.id for c in load_catalog() if pattern.search(c.sql)]
    assert offenders == [], f"{offenders} write out what {macro} says; use the macro"


def test_every_macro_is_used_by_a_control():
    bodies = " ".join(c.sql for c in load_catalog())
    unused = [m for m in macro_names() if not re.search(rf"\b{m}\(", bodies)]
    assert unused == []
