"""Benchmark: loading N access events with privacylib against DuckDB alone.

    python scripts/bench_load.py --events 10000000 [--format csv|parquet|both]

Generates the synthetic company with N access events (daily files) under
bench-data/ (kept between runs), then measures, each in a fresh process:
  duckdb  - DuckDB alone: CREATE TABLE AS SELECT * FROM the log's files
            (CSV read as text, Parquet as stored; nothing checked)
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


def generate(folder: Path, events: int, fmt: str) -> None:
    """The synthetic company (privacylib.synth), kept between runs."""
    from privacylib.synth import generate as make

    if not (folder / "exports").exists():
        make(folder, events, fmt=fmt)


CHILD = """
import json, resource, sys, time
mode, folder, fmt = sys.argv[1:4]
start = time.perf_counter()
if mode == "duckdb":
    import duckdb
    con = duckdb.connect()
    con.execute("SET memory_limit = '2GB'")
    # Text as text: the dirty rows would stop DuckDB's type sniffing otherwise.
    files = f"'{folder}/exports/access_log/*', union_by_name = true"
    reader = f"read_csv({files}, all_varchar = true)" if fmt == "csv" else f"read_parquet({files})"
    con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}")
    rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
else:
    import privacylib
    result = privacylib.load(folder + "/exports", progress=False)
    rows = result.datasets["access_log"].rows_read
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
        assert base["rows"] == ours["rows"], (base, ours)  # every line read by both
        print(f"| {ours['rows']:,} | {fmt} | {base['seconds']:.1f} | {ours['seconds']:.1f} | "
              f"{ours['seconds'] / base['seconds']:.1f}x | {base['peak_mb']:.0f} | "
              f"{ours['peak_mb']:.0f} |" + (f" (generated in {gen:.0f} s)" if gen > 1 else ""))


if __name__ == "__main__":
    main()
