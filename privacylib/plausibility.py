"""Is the data about the audited period at all? Time ranges and their warnings.

A log whose year was lost (syslog, read as 1900) or that belongs to another
month loads without a single reject, and every event control would then look
at nothing. Each dataset's earliest and latest main timestamp is measured on
load and shown in data_quality.csv; against a period, implausible ranges
become warnings, and the controls that found nothing to examine say why.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import duckdb

from .readers import quote_ident

if TYPE_CHECKING:
    from .ingest import DatasetLoad, LoadResult
    from .period import Period

# The instant that places a row of each dataset in time (an expression over
# the dataset's columns). Datasets without one (purposes, data_stores…) have
# no time range.
MAIN_TIMESTAMP: dict[str, str] = {
    "access_log": "ts",
    "consents": "granted_at",
    "customers": "created_at",
    "records": "collected_at",
    "notices": "published_at",
    "employees": "hired_at",
    "role_assignments": "valid_from",
    "backups": "coalesce(completed_at, started_at)",
    "restore_tests": "tested_at",
    "sharing": "shared_at",
    "dsr_requests": "received_at",
    "incidents": "detected_at",
    "training": "completed_at",
}
# Logs that a company in operation writes every period: none in the period
# means the wrong files or the wrong period, not a quiet month.
CONTINUOUS = ("access_log", "backups")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Farther than this from the period, a row is unlikely to belong to this audit.
FAR = timedelta(days=366)


def measure_time_ranges(con: duckdb.DuckDBPyConnection,
                        datasets: dict[str, DatasetLoad]) -> None:
    """Fill each loaded dataset's earliest and latest main timestamp."""
    for name, expr in MAIN_TIMESTAMP.items():
        d = datasets.get(name)
        if d is None or d.status != "loaded" or not d.rows_loaded:
            continue
        d.earliest, d.latest = con.execute(
            f"SELECT min({expr}), max({expr}) FROM main.{quote_ident(name)}").fetchall()[0]


def check_times(loaded: LoadResult, period: Period | None) -> None:
    """Set each dataset's period_warnings (about its times, against the period)."""
    for name, d in loaded.datasets.items():
        d.period_warnings = time_warnings(loaded.con, name, d, period)


def time_warnings(con: duckdb.DuckDBPyConnection, name: str, d: DatasetLoad,
                  period: Period | None) -> list[str]:
    """Warnings about a dataset's timestamps: before 1970, far from the
    period, or (for continuous logs) none in the period."""
    expr = MAIN_TIMESTAMP.get(name)
    if name in CONTINUOUS and d.status == "loaded" and not d.rows_loaded:
        return ["no row at all: a log that is written every day should not be empty"]
    if name in CONTINUOUS and d.status == "loaded" and d.earliest is None:
        return [f"no row has a readable {expr}: check the timestamp format (mapping.yaml "
                "timestamp_format) and the rejects"]
    if expr is None or d.earliest is None:
        return []
    table = f"main.{quote_ident(name)}"
    warnings = []
    old = _count(con, f"SELECT count(*) FROM {table} WHERE {expr} < $t", {"t": EPOCH})
    if old:
        warnings.append(f"{old} row(s) dated before 1970 (earliest {iso_utc(d.earliest)}): "
                        "a lost year or a wrong timestamp format? set timestamp_format in "
                        "mapping.yaml")
    if period is None:
        return warnings
    # Old rows are normal in a register (staff hired years ago); in a log they
    # are not. Rows long after the period are implausible anywhere.
    low = period.start - FAR if name in CONTINUOUS else EPOCH
    far = _count(con, f"SELECT count(*) FROM {table} WHERE {expr} >= $t AND "
                      f"({expr} < $lo OR {expr} >= $hi)",
                 {"t": EPOCH, "lo": low, "hi": period.end + FAR})
    if far:
        warnings.append(f"{far} row(s) dated more than a year "
                        f"{'from' if name in CONTINUOUS else 'after'} the audited period "
                        f"(range {iso_utc(d.earliest)} .. {iso_utc(d.latest)})")
    if name in CONTINUOUS:
        inside = _count(con, f"SELECT count(*) FROM {table} WHERE {expr} >= $lo "
                             f"AND {expr} < $hi", {"lo": period.start, "hi": period.end})
        if not inside:
            warnings.append(f"no row in the audited period {period.describe()} "
                            f"(range {iso_utc(d.earliest)} .. {iso_utc(d.latest)})")
    return warnings


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> int:
    return con.execute(sql, params).fetchall()[0][0]


def iso_utc(value: datetime | None) -> str:
    return "—" if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
