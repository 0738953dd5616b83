"""Benchmarks, each figure compared in the same run with its baseline.

    python scripts/bench_audit.py [--case controls] --events 1000000 10000000 [--format csv]
    python scripts/bench_audit.py --case small [--repeats 5]
    python scripts/bench_audit.py --case batch --events 1000000 [--repeats 1]
    python scripts/bench_audit.py --case whole --events 10000000 [--format csv]
    python scripts/bench_audit.py --engine spark --events 10000000 [--format csv] [--spark-reads]

Every measurement is a fresh process. Generated companies (privacylib.synth)
are kept under bench-data/ between runs.

controls - the whole audit (load + all 36 controls) against DuckDB alone:
  duckdb - CREATE TABLE AS SELECT * FROM the access log's files (CSV read as
           text, Parquet as stored; nothing checked), in memory
  into a file - the same, into a database file (as the audit's load of a
           large log writes it), checkpointed: the floor under the audit's
           load, which writes the log there typed and checked
  audit  - privacylib.load of all 20 datasets, then run_controls for the
           period 2026-10; its findings are compared with planted.csv
  wall times and peak memory (max RSS) as a Markdown table.
  with --engine spark: the same audit with the controls on Spark (local[2],
  privacylib/spark) beside it, its peak memory the driver's and its JVM's,
  and whether the two engines found the same findings; with --spark-reads,
  Spark reads the access log itself (spark/reads.py), which is its load.
small - `privacy-audit run` on the sample company (data/sample), wall time,
  against the floor of any run: a process that runs an empty notebook through
  papermill (interpreter, kernel start and stop). Median of --repeats, the
  two interleaved so that a busy machine weighs on both.
batch - `privacy-audit batch` of 4 department scopes with 2 workers over a
  generated company of --events events, against one unscoped `privacy-audit
  run` of the same data; the ratio is batch / run.
whole - the whole `privacy-audit run` (kernel, load, controls, every report
  file, leak guard, signature) on a generated company of --events events,
  against DuckDB alone on the same files, as in `controls`.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import csv, json, resource, sys, time
mode, folder, fmt = sys.argv[1:4]
start = time.perf_counter()
out = {}
if mode in ("duckdb", "duckdb-file"):
    import duckdb, tempfile
    work = tempfile.TemporaryDirectory()
    con = duckdb.connect(work.name + "/t.duckdb" if mode == "duckdb-file" else ":memory:")
    con.execute("SET memory_limit = '2GB'")
    files = f"'{folder}/exports/access_log/*', union_by_name = true"
    reader = f"read_csv({files}, all_varchar = true)" if fmt == "csv" else f"read_parquet({files})"
    con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}")
    if mode == "duckdb-file":
        con.execute("CHECKPOINT")  # every row in the file's compressed blocks
    out["rows"] = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
else:
    import privacylib
    from privacylib.controls.engine import run_controls
    from privacylib.config.period import resolve_period
    reads = ("access_log",) if mode == "spark-reads" else ()
    loaded = privacylib.load(folder + "/exports", progress=False, skip=frozenset(reads))
    out["load_seconds"] = time.perf_counter() - start
    if mode.startswith("spark"):
        from privacylib.spark.engine import run_controls_spark
        from privacylib.spark.reads import read_into
        from privacylib.spark.session import spark_session
        spark = spark_session("local[2]")
        # Spark reading the log itself is part of its load (the JVM's start is not).
        began = time.perf_counter()
        frames = read_into(loaded, spark, dict.fromkeys(reads)).frames if reads else None
        out["load_seconds"] += time.perf_counter() - began
    out["rows"] = loaded.datasets["access_log"].rows_read
    if mode.startswith("spark"):
        result = run_controls_spark(loaded, resolve_period("2026-10"), spark, frames=frames)
        # The JVM is a child process: its peak resident memory, read before it stops.
        jvm = spark.sparkContext._gateway.proc.pid
        with open(f"/proc/{jvm}/status") as fh:
            out["jvm_mb"] = next(int(x.split()[1]) for x in fh if x.startswith("VmHWM")) / 1024
    else:
        result = run_controls(loaded, resolve_period("2026-10"))
    out["findings"] = sorted([f.control_id, f.subject_id, f.finding_key]
                             for f in result.findings)
    with open(folder + "/planted.csv", encoding="utf-8") as fh:
        planted = {(r["control_id"], r["subject_id"]) for r in csv.DictReader(fh)}
    found = {(f.control_id, f.subject_id) for f in result.findings}
    out["exact"] = found == planted
    out["missed"], out["extra"] = sorted(planted - found)[:10], sorted(found - planted)[:10]
    out["outcomes"] = sorted({r.outcome for r in result.results})
    out["errors"] = [(r.control.id, r.reason_en) for r in result.results
                     if r.outcome not in ("pass", "fail")]
out["seconds"] = time.perf_counter() - start
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 + out.get("jvm_mb", 0)
print(json.dumps(out))
"""


def measure(mode: str, folder: Path, fmt: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(folder), fmt],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{mode} on {folder} exited {done.returncode}:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=["controls", "small", "batch", "whole"],
                        default="controls")
    parser.add_argument("--events", type=int, nargs="+", default=None,
                        help="controls: 1000000 10000000; batch: 1000000")
    parser.add_argument("--format", choices=["csv", "parquet", "both"], default="both")
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb",
                        help="controls: spark adds the audit with the controls on Spark")
    parser.add_argument("--spark-reads", action="store_true",
                        help="with --engine spark: Spark reads the access log itself")
    parser.add_argument("--data", type=Path, default=ROOT / "bench-data")
    parser.add_argument("--repeats", type=int, default=None,
                        help="small: 5 (the median is reported); batch: 1")
    args = parser.parse_args()
    import duckdb

    print(f"machine: {platform.machine()}, {platform.system()}, {_cores()} cores, Python "
          f"{platform.python_version()}, DuckDB {duckdb.__version__}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}, load average {_load()}")
    try:
        _case(args)
    finally:
        print(f"load average at the end: {_load()}")


def _case(args: argparse.Namespace) -> None:
    if args.case == "small":
        small_run(args.repeats or 5)
    elif args.case == "batch":
        for events in args.events or [1_000_000]:
            batch_run(company(args.data, events, "csv"), args.repeats or 1)
    elif args.case == "whole":
        print("| events | format | DuckDB alone (s) | privacy-audit run (s) | ratio |\n"
              "|---|---|---|---|---|")
        for events in args.events or [10_000_000]:
            for fmt in ["csv", "parquet"] if args.format == "both" else [args.format]:
                whole_run(company(args.data, events, fmt), fmt)
    else:
        sizes = args.events or [1_000_000, 10_000_000]
        if args.engine == "spark":
            spark_controls(sizes, args.format, args.data,
                           "spark-reads" if args.spark_reads else "spark")
        else:
            controls(sizes, args.format, args.data)


def controls(sizes: list[int], fmt_choice: str, data: Path) -> None:
    print("| events | format | DuckDB alone (s) | into a file (s) | load (s) | "
          "load + 36 controls (s) | ratio | DuckDB peak (MB) | audit peak (MB) | "
          "findings = planted |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for events in sizes:
        for fmt in ["csv", "parquet"] if fmt_choice == "both" else [fmt_choice]:
            folder = company(data, events, fmt)
            base, audit = measure("duckdb", folder, fmt), measure("audit", folder, fmt)
            into_file = measure("duckdb-file", folder, fmt)
            # every line read by all three
            assert base["rows"] == audit["rows"] == into_file["rows"], (base, audit)
            print(f"| {audit['rows']:,} | {fmt} | {base['seconds']:.1f} | "
                  f"{into_file['seconds']:.1f} | "
                  f"{audit['load_seconds']:.1f} | {audit['seconds']:.1f} | "
                  f"{audit['seconds'] / base['seconds']:.1f}x | {base['peak_mb']:.0f} | "
                  f"{audit['peak_mb']:.0f} | {'yes' if audit['exact'] else 'NO'} |", flush=True)
            if not audit["exact"]:
                print(f"  missed {audit['missed']}, extra {audit['extra']}, "
                      f"not run {audit['errors']}", flush=True)


def spark_controls(sizes: list[int], fmt_choice: str, data: Path, mode: str) -> None:
    """The audit with its controls on DuckDB and on Spark (local[2]): the
    same load (mode spark), or the log read by Spark itself (spark-reads)."""
    print("| events | format | Spark | DuckDB audit (s) | Spark audit (s) | of which load (s) | "
          "DuckDB peak (MB) | Spark peak, driver + JVM (MB) | same findings |")
    print("|---|---|---|---|---|---|---|---|---|")
    how = "reads the log" if mode == "spark-reads" else "given DuckDB's load"
    for events in sizes:
        for fmt in ["csv", "parquet"] if fmt_choice == "both" else [fmt_choice]:
            folder = company(data, events, fmt)
            duck, spark = measure("audit", folder, fmt), measure(mode, folder, fmt)
            same = duck["findings"] == spark["findings"]
            print(f"| {duck['rows']:,} | {fmt} | {how} | {duck['seconds']:.1f} | "
                  f"{spark['seconds']:.1f} | {spark['load_seconds']:.1f} | "
                  f"{duck['peak_mb']:.0f} | {spark['peak_mb']:.0f} | "
                  f"{'yes' if same else 'NO'} |", flush=True)


def company(data: Path, events: int, fmt: str) -> Path:
    """The generated company of `events` events, made on first use."""
    folder = data / f"{events}-{fmt}"
    if not (folder / "exports").exists():
        from privacylib.synth import generate

        generate(folder, events, fmt=fmt)
    return folder


AUDIT = [sys.executable, "-m", "privacylib.cli"]
# The floor under any run: interpreter, papermill, a kernel started and stopped.
EMPTY_NOTEBOOK = """
import sys
sys.modules.setdefault("rfc3987_syntax", None)  # as the runner does (run/runner.py)
import nbformat, papermill
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
papermill.execute_notebook(nb, None, kernel_name="python3", progress_bar=False)
"""


def timed(command: list[str], *, ok: tuple[int, ...] = (0,)) -> float:
    """Wall seconds of `command` in a fresh process; its exit code must be in `ok`."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return seconds


# A run with findings exits 0; incomplete 3; --fail-on is not given, so never 4.
RUN_OK = (0, 3)


def small_run(repeats: int) -> None:
    sample = ROOT / "data" / "sample" / "exports"
    runs, floors = [], []
    with tempfile.TemporaryDirectory(prefix="bench-small-") as tmp:
        for n in range(repeats):
            floors.append(timed([sys.executable, "-c", EMPTY_NOTEBOOK]))
            # A new output folder each time: no run compares with an earlier one.
            runs.append(timed([*AUDIT, "run", "--data", str(sample), "--period", "2026-10",
                               "--out", f"{tmp}/r{n}"], ok=RUN_OK))
    print("| case | repeats | median (s) | min (s) | max (s) |\n|---|---|---|---|---|")
    for name, values in (("privacy-audit run, sample company (21k events)", runs),
                         ("floor: empty notebook through papermill", floors)):
        print(f"| {name} | {repeats} | {statistics.median(values):.2f} | {min(values):.2f} | "
              f"{max(values):.2f} |")
    print(f"\nrun - floor (medians): {statistics.median(runs) - statistics.median(floors):.2f} s")


DEPARTMENTS = ["客服中心", "财务部", "市场部", "风控部"]


def batch_run(folder: Path, repeats: int) -> None:
    exports = folder / "exports"
    singles, batches = [], []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        for n in range(repeats):
            out = Path(tmp) / f"b{n}"
            out.mkdir()
            config = out / "batch.yaml"
            config.write_text(json.dumps({  # JSON is YAML
                "defaults": {"data": str(exports), "period": "2026-10"},
                "matrix": {"scope": [f"department={d}" for d in DEPARTMENTS]},
                "out": str(out / "runs"), "workers": 2}, ensure_ascii=False), encoding="utf-8")
            singles.append(timed([*AUDIT, "run", "--data", str(exports), "--period", "2026-10",
                                  "--out", str(out / "single")], ok=RUN_OK))
            batches.append(timed([*AUDIT, "batch", "--config", str(config)], ok=RUN_OK))
            shutil.rmtree(out)
    single, batch = statistics.median(singles), statistics.median(batches)
    print("| events | one unscoped run (s) | batch: 4 department scopes, 2 workers (s) | ratio |"
          "\n|---|---|---|---|")
    print(f"| {folder.name} | {single:.1f} | {batch:.1f} | {batch / single:.2f}x |")


def whole_run(folder: Path, fmt: str) -> None:
    base = measure("duckdb", folder, fmt)
    with tempfile.TemporaryDirectory(prefix="bench-whole-") as tmp:
        seconds = timed([*AUDIT, "run", "--data", str(folder / "exports"), "--period",
                         "2026-10", "--out", tmp], ok=RUN_OK)
    print(f"| {base['rows']:,} | {fmt} | {base['seconds']:.1f} | {seconds:.1f} | "
          f"{seconds / base['seconds']:.1f}x |", flush=True)


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _load() -> str:
    import os

    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


if __name__ == "__main__":
    main()
