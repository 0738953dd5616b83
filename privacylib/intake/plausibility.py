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

from privacylib.config.period import utc_text
from privacylib.sqlnames import quote_ident

if TYPE_CHECKING:
    from privacylib.config.period import Period
    from privacylib.intake.ingest import DatasetLoad, LoadResult

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
    if period is None and d.earliest >= EPOCH:
        return []  # nothing to count: its earliest row says it all
    # Old rows are normal in a register (staff hired years ago); in a log they
    # are not. Rows long after the period are implausible anywhere.
    low = period.start - FAR if period and name in CONTINUOUS else EPOCH
    high = period.end + FAR if period else datetime.max.replace(tzinfo=UTC)
    start, end = (period.start, period.end) if period else (EPOCH, EPOCH)
    # One pass over the table for the three counts (a log has millions of rows).
    old, far, inside = con.execute(
        f"SELECT count(*) FILTER ({expr} < $epoch), "
        f"count(*) FILTER ({expr} >= $epoch AND ({expr} < $low OR {expr} >= $high)), "
        f"count(*) FILTER ({expr} >= $start AND {expr} < $end) "
        f"FROM main.{quote_ident(name)}",
        {"epoch": EPOCH, "low": low, "high": high, "start": start, "end": end}).fetchall()[0]
    span = f"(range {utc_text(d.earliest)} .. {utc_text(d.latest)})"
    warnings = []
    if old:
        warnings.append(f"{old} row(s) dated before 1970 (earliest {utc_text(d.earliest)}): "
                        "a lost year or a wrong timestamp format? set timestamp_format in "
                        "mapping.yaml")
    if period is None:
        return warnings
    if far:
        warnings.append(f"{far} row(s) dated more than a year "
                        f"{'from' if name in CONTINUOUS else 'after'} the audited period {span}")
    if name in CONTINUOUS and not inside:
        warnings.append(f"no row in the audited period {period.describe()} {span}")
    return warnings
