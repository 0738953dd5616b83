"""Benchmark: loading N access events with privacylib against DuckDB alone.

    python scripts/bench_load.py --events 10000000 [--format csv|parquet|both]

Writes a synthetic access log of N events as 31 daily files under
bench-data/ (kept between runs), then measures, each in a fresh process:
  duckdb  - DuckDB alone: CREATE TABLE AS SELECT * FROM the files (types sniffed)
  load    - privacylib.load of the same folder: typing, rejects, duplicates
and prints wall time and peak memory (max RSS) as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAYS = 31

EVENTS_SQL = """
SELECT 'E' || lpad(({day} * {per} + i)::VARCHAR, 10, '0') AS event_id,
       strftime(TIMESTAMP '2026-10-01' + INTERVAL ({day}) DAY
                + INTERVAL (8 * 3600 + (i * 7919) % 43200) SECOND, '%Y-%m-%d %H:%M:%S') AS ts,
       'A' || lpad(((i * 31) % 400)::VARCHAR, 4, '0') AS actor_id,
       'C' || lpad(((i * 7) % 200000)::VARCHAR, 7, '0') AS customer_id,
       (['crm', 'billing', 'app'])[1 + i % 3] AS system,
       (['contact', 'order', 'payment', 'identity'])[1 + i % 4] AS data_category,
       (['read', 'read', 'read', 'update', 'export'])[1 + i % 5] AS action,
       (['service', 'marketing', 'risk'])[1 + i % 3] AS purpose,
       CASE WHEN i % 5 = 4 THEN 'T' || i END AS ticket_id, 1 + i % 3 AS record_count,
       CASE WHEN i % 50 = 0 THEN 'denied' ELSE 'success' END AS result,
       '10.1.' || (i % 250) || '.' || (i % 200) AS source_ip
FROM range({per}) t(i)
"""


def generate(folder: Path, events: int, fmt: str) -> None:
    import duckdb

    if (folder / "access_log").exists():
        return
    (folder / "access_log").mkdir(parents=True)
    con = duckdb.connect()
    per = events // DAYS
    for day in range(DAYS):
        out = folder / "access_log" / f"2026-10-{day + 1:02d}.{'csv.gz' if fmt == 'csv' else fmt}"
        option = "(HEADER)" if fmt == "csv" else "(FORMAT parquet)"
        con.execute(f"COPY ({EVENTS_SQL.format(day=day, per=per)}) TO '{out}' {option}")


CHILD = """
import json, resource, sys, time
mode, folder, fmt = sys.argv[1:4]
start = time.perf_counter()
if mode == "duckdb":
    import duckdb
    con = duckdb.connect()
    con.execute("SET memory_limit = '2GB'")
    reader = "read_csv" if fmt == "csv" else "read_parquet"
    con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}('{folder}/access_log/*')")
    rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
else:
    import privacylib
    result = privacylib.load(folder, progress=False)
    rows = result.datasets["access_log"].rows_loaded
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(mode: str, folder: Path, fmt: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(folder), fmt],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--format", choices=["csv", "parquet", "both"], default="both")
    parser.add_argument("--data", type=Path, default=ROOT / "bench-data")
    args = parser.parse_args()
    import duckdb

    print(f"machine: {platform.machine()}, {platform.system()}, Python "
          f"{platform.python_version()}, DuckDB {duckdb.__version__}")
    print("| events | format | DuckDB alone (s) | privacylib.load (s) | ratio | "
          "DuckDB peak (MB) | load peak (MB) |")
    print("|---|---|---|---|---|---|---|")
    for fmt in (["csv", "parquet"] if args.format == "both" else [args.format]):
        folder = args.data / f"{args.events}-{fmt}"
        t0 = time.perf_counter()
        generate(folder, args.events, fmt)
        gen = time.perf_counter() - t0
        base, ours = measure("duckdb", folder, fmt), measure("load", folder, fmt)
        assert base["rows"] == ours["rows"], (base, ours)
        print(f"| {ours['rows']:,} | {fmt} | {base['seconds']:.1f} | {ours['seconds']:.1f} | "
              f"{ours['seconds'] / base['seconds']:.1f}x | {base['peak_mb']:.0f} | "
              f"{ours['peak_mb']:.0f} |" + (f" (generated in {gen:.0f} s)" if gen > 1 else ""))


if __name__ == "__main__":
    main()
