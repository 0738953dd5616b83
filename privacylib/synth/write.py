"""Writing the synthetic company as a data folder, the way exports arrive.

Small datasets are single files in a mix of the contract's formats and
encodings (employees with Chinese headers and a BOM, customers in GB18030,
the store inventory as JSON Lines); the access log is a folder of daily files.
"""

from __future__ import annotations

import csv
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from privacylib.synth import reference as ref
from privacylib.synth.company import Company

ENCODINGS = {"employees": "utf-8-sig", "customers": "gb18030"}
JSON_LINES = {"data_stores"}
LOG_COLUMNS = (
    "event_id",
    "ts",
    "actor_id",
    "customer_id",
    "system",
    "data_category",
    "action",
    "purpose",
    "ticket_id",
    "record_count",
    "result",
    "source_ip",
)

BACKGROUND_SQL = """
SELECT 'EV' || lpad(event_seq::VARCHAR, 10, '0') AS event_id, {ts} AS ts, actor_id,
       customer_id, {system} AS system, data_category::VARCHAR AS data_category,
       action::VARCHAR AS action, purpose::VARCHAR AS purpose,
       CASE WHEN ticket IS NOT NULL THEN 'TK' || ticket END AS ticket_id,
       {count} AS record_count, CASE WHEN denied THEN 'denied' END AS result, source_ip
FROM background
"""


def write_tables(co: Company, folder: Path) -> None:
    for dataset, rows in co.rows.items():
        if dataset in JSON_LINES:
            with (folder / f"{dataset}.jsonl").open("w", encoding="utf-8") as fh:
                for row in rows:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            continue
        columns = list(dict.fromkeys(k for row in rows for k in row))
        with (folder / f"{dataset}.csv").open(
            "w", encoding=ENCODINGS.get(dataset, "utf-8"), newline=""
        ) as fh:
            writer = csv.DictWriter(fh, columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


def _local_day(text: str | None) -> str:
    """The local date of a planted event's time, for the file it goes in."""
    try:
        if text.endswith("Z"):
            return (datetime.fromisoformat(text[:-1]) + timedelta(hours=8)).strftime("%Y-%m-%d")
        return datetime.fromisoformat(text[:19]).strftime("%Y-%m-%d")
    except (AttributeError, ValueError):
        return "2026-10-21"  # unreadable or missing times sit in an ordinary day's file


def write_access_log(co: Company, days, folder: Path, fmt: str, threads: int = 2) -> None:
    """Write each day's background events with that day's planted events."""
    log = folder / "access_log"
    log.mkdir()
    planted: dict[str, list[dict]] = {}
    for event in co.events:
        planted.setdefault(_local_day(event["ts"]), []).append(event)
    outside = sorted(d for d in planted if not "2026-10-01" <= d <= "2026-10-31")
    for day in outside:  # the export runs a little past the month on both sides
        _write_planted(log / f"{day}.{'csv.gz' if fmt == 'csv' else 'parquet'}", planted[day], fmt)
    with ThreadPoolExecutor(threads) as pool:
        jobs = [
            pool.submit(
                _write_day,
                log,
                (ref.PERIOD_START + timedelta(days=d)),
                table,
                planted.get(f"{ref.PERIOD_START + timedelta(days=d):%Y-%m-%d}", []),
                fmt,
            )
            for d, table in days
        ]
        for job in jobs:
            job.result()


def _planted_table(events: list[dict]) -> pa.Table:
    return pa.table(
        {
            c: pa.array([None if e[c] is None else str(e[c]) for e in events], pa.string())
            for c in LOG_COLUMNS
        }
    )


def _quiet() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con


def _write_planted(path: Path, events: list[dict], fmt: str) -> None:
    con = _quiet()
    con.register("planted", _planted_table(events))
    option = "(HEADER)" if fmt == "csv" else "(FORMAT parquet)"
    con.execute(f"COPY (SELECT * FROM planted) TO '{path}' {option}")
    con.close()


def _write_day(log: Path, day: datetime, table: pa.Table, events: list[dict], fmt: str) -> None:
    con = _quiet()
    con.execute("SET threads = 1")  # days are written in parallel instead
    con.register("background", table)
    system = (
        "CASE data_category::VARCHAR "
        + " ".join(f"WHEN '{c}' THEN '{s}'" for c, s in ref.SYSTEM_OF.items())
        + " END"
    )
    name = f"{day:%Y-%m-%d}"
    if fmt == "csv":
        sql = BACKGROUND_SQL.format(
            ts="strftime(ts, '%Y-%m-%d %H:%M:%S')", system=system, count="record_count::VARCHAR"
        )
        if events:
            con.register("planted", _planted_table(events))
            sql += " UNION ALL SELECT * FROM planted"
        con.execute(f"COPY ({sql}) TO '{log / name}.csv.gz' (HEADER)")
    else:
        sql = BACKGROUND_SQL.format(ts="ts", system=system, count="record_count")
        con.execute(f"COPY ({sql}) TO '{log / name}.parquet' (FORMAT parquet)")
        if events:  # a late second batch of the day, all text
            _write_planted(log / f"{name}-b.parquet", events, fmt)
    con.close()
