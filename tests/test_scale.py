"""A million events from a folder of daily CSV.gz files, and from Parquet."""

from __future__ import annotations

import duckdb
import pytest

from conftest import load_dir, rows

DAYS, PER_DAY = 10, 100_000


def _write_log(folder, fmt):
    """Daily files; every 10,000th event has an unreadable time, and every
    day repeats the key of its first event at its end."""
    (folder / "access_log").mkdir(parents=True)
    con = duckdb.connect()
    for day in range(DAYS):
        query = f"""
            SELECT CASE WHEN i = {PER_DAY - 1} THEN 'E{day:02d}-0' ELSE 'E{day:02d}-' || i END
                       AS event_id,
                   CASE WHEN i % 10000 = 5 THEN 'not a time'
                        ELSE strftime(TIMESTAMP '2026-10-01' + INTERVAL ({day}) DAY
                             + INTERVAL (i % 86400) SECOND, '%Y-%m-%d %H:%M:%S') END AS ts,
                   'A' || (i % 300) AS actor_id, 'C' || (i % 50000) AS customer_id,
                   'crm' AS system, 'contact' AS data_category, 'read' AS action,
                   'service' AS purpose, (1 + i % 3)::VARCHAR AS record_count
            FROM range({PER_DAY}) t(i)"""
        target = folder / "access_log" / f"2026-10-{day + 1:02d}.{fmt}"
        options = "(HEADER)" if fmt == "csv.gz" else "(FORMAT parquet)"
        con.execute(f"COPY ({query}) TO '{target}' {options}")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv.gz", "parquet"])
def test_a_million_events_are_all_accounted_for(data_dir, fmt):
    _write_log(data_dir, fmt)
    result = load_dir(data_dir)
    d = result.datasets["access_log"]
    bad_times = DAYS * (PER_DAY // 10000)
    assert d.rows_read == DAYS * PER_DAY
    assert d.rows_rejected == bad_times + DAYS
    assert d.rows_loaded == DAYS * PER_DAY - bad_times - DAYS
    assert rows(result, "SELECT _reject_column, count(*) FROM access_log__rejects "
                        "GROUP BY 1 ORDER BY 1") == [("event_id", DAYS), ("ts", bad_times)]
    # Lines (CSV: header is line 1; Parquet: row numbers) survive the parallel scan.
    first_line = 2 if fmt == "csv.gz" else 1
    assert rows(result, "SELECT _source_file, _source_line FROM access_log "
                        "WHERE event_id = 'E07-54321'") == [
        (f"access_log/2026-10-08.{fmt}", 54321 + first_line)]
    assert rows(result, "SELECT _source_line, _reject_reason FROM access_log__rejects "
                        "WHERE _source_file = 'access_log/2026-10-03.' || $f "
                        "AND _reject_column = 'event_id'", {"f": fmt}) == [
        (PER_DAY - 1 + first_line,
         f"duplicate key: first loaded from access_log/2026-10-03.{fmt}:{first_line}")]
    assert rows(result, "SELECT sum(record_count) FROM access_log")[0][0] > d.rows_loaded


@pytest.mark.slow
def test_lines_of_a_large_csv_split_across_threads(data_dir):
    """A plain CSV of 30 MB is read in parallel chunks, whose rows may reach the
    table out of order: each row's line must still be its own, and the first
    row of a repeated key the one that is loaded."""
    n = 375_000
    duckdb.connect().execute(f"""
        COPY (SELECT CASE WHEN i = {n - 1} THEN 'CS0' ELSE 'CS' || i END AS consent_id,
                     'C' || (i // 3) AS customer_id, 'analytics' AS purpose,
                     strftime(TIMESTAMP '2026-01-01' + INTERVAL (i) MINUTE,
                              '%Y-%m-%d %H:%M:%S') AS granted_at,
                     CASE WHEN i = {n - 1} THEN 'pre_checked' ELSE 'e_signature' END AS method,
                     'false' AS separate, NULL AS withdrawn_at
              FROM range({n}) t(i))
        TO '{data_dir / "consents.csv"}' (HEADER)""")
    for _ in range(2):  # the order rows reach the table varies from run to run
        result = load_dir(data_dir)
        assert rows(result, "SELECT count(*) FROM consents WHERE _source_line <> "
                            "CAST(substr(consent_id, 3) AS INTEGER) + 2") == [(0,)]
        assert rows(result, "SELECT _source_line, method FROM consents "
                            "WHERE consent_id = 'CS0'") == [(2, "e_signature")]
        assert rows(result, "SELECT _source_line, _reject_reason FROM consents__rejects") == [
            (n + 1, "duplicate key: first loaded from consents.csv:2")]
