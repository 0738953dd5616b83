"""Benchmark: the whole audit (load + all 36 controls) against DuckDB alone.

    python scripts/bench_audit.py --events 1000000 10000000 [--format csv|parquet|both]

For each size and format, generates the synthetic company (privacylib.synth)
under bench-data/ (kept between runs), then measures, each in a fresh process:
  duckdb - DuckDB alone: CREATE TABLE AS SELECT * FROM the access log's files
           (CSV read as text, Parquet as stored; nothing checked)
  audit  - privacylib.load of all 20 datasets, then run_controls for the
           period 2026-10; its findings are compared with planted.csv
and prints wall times and peak memory (max RSS) as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import csv, json, resource, sys, time
mode, folder, fmt = sys.argv[1:4]
start = time.perf_counter()
out = {}
if mode == "duckdb":
    import duckdb
    con = duckdb.connect()
    con.execute("SET memory_limit = '2GB'")
    files = f"'{folder}/exports/access_log/*', union_by_name = true"
    reader = f"read_csv({files}, all_varchar = true)" if fmt == "csv" else f"read_parquet({files})"
    con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}")
    out["rows"] = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
else:
    import privacylib
    from privacylib.controls.engine import run_controls
    from privacylib.config.period import resolve_period
    loaded = privacylib.load(folder + "/exports", progress=False)
    out["load_seconds"] = time.perf_counter() - start
    out["rows"] = loaded.datasets["access_log"].rows_read
    result = run_controls(loaded, resolve_period("2026-10"))
    with open(folder + "/planted.csv", encoding="utf-8") as fh:
        planted = {(r["control_id"], r["subject_id"]) for r in csv.DictReader(fh)}
    found = {(f.control_id, f.subject_id) for f in result.findings}
    out["exact"] = found == planted
    out["missed"], out["extra"] = sorted(planted - found)[:10], sorted(found - planted)[:10]
    out["outcomes"] = sorted({r.outcome for r in result.results})
    out["errors"] = [(r.control.id, r.reason_en) for r in result.results
                     if r.outcome not in ("pass", "fail")]
out["seconds"] = time.perf_counter() - start
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def measure(mode: str, folder: Path, fmt: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(folder), fmt],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--format", choices=["csv", "parquet", "both"], default="both")
    parser.add_argument("--data", type=Path, default=ROOT / "bench-data")
    args = parser.parse_args()
    import duckdb

    from privacylib.synth import generate

    print(f"machine: {platform.machine()}, {platform.system()}, Python "
          f"{platform.python_version()}, DuckDB {duckdb.__version__}")
    print("| events | format | DuckDB alone (s) | load (s) | load + 36 controls (s) | ratio | "
          "DuckDB peak (MB) | audit peak (MB) | findings = planted |")
    print("|---|---|---|---|---|---|---|---|---|")
    for events in args.events:
        for fmt in ["csv", "parquet"] if args.format == "both" else [args.format]:
            folder = args.data / f"{events}-{fmt}"
            if not (folder / "exports").exists():
                generate(folder, events, fmt=fmt)
            base, audit = measure("duckdb", folder, fmt), measure("audit", folder, fmt)
            assert base["rows"] == audit["rows"], (base, audit)  # every line read by both
            print(f"| {audit['rows']:,} | {fmt} | {base['seconds']:.1f} | "
                  f"{audit['load_seconds']:.1f} | {audit['seconds']:.1f} | "
                  f"{audit['seconds'] / base['seconds']:.1f}x | {base['peak_mb']:.0f} | "
                  f"{audit['peak_mb']:.0f} | {'yes' if audit['exact'] else 'NO'} |", flush=True)
            if not audit["exact"]:
                print(f"  missed {audit['missed']}, extra {audit['extra']}, "
                      f"not run {audit['errors']}", flush=True)


if __name__ == "__main__":
    main()
