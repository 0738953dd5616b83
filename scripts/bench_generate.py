"""Benchmark: generating the synthetic company (target: 10M events < 60 s, < 4 GB).

    python scripts/bench_generate.py [--events 10000000] [--format csv|parquet|both]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile

CHILD = """
import json, resource, sys, time
from privacylib.synth import generate
start = time.perf_counter()
made = generate(sys.argv[1], int(sys.argv[2]), fmt=sys.argv[3])
print(json.dumps({"seconds": time.perf_counter() - start, "events": made.events,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--format", choices=["csv", "parquet", "both"], default="both")
    args = parser.parse_args()
    print("| events | format | seconds | peak (MB) | size on disk (MB) |")
    print("|---|---|---|---|---|")
    for fmt in ["csv", "parquet"] if args.format == "both" else [args.format]:
        tmp = tempfile.mkdtemp()
        try:
            out = subprocess.run([sys.executable, "-c", CHILD, f"{tmp}/co", str(args.events), fmt],
                                 check=True, capture_output=True, text=True).stdout
            got = json.loads(out.strip().splitlines()[-1])
            size = sum(f.stat().st_size for f in __import__("pathlib").Path(tmp).rglob("*")
                       if f.is_file()) / 2**20
            print(f"| {got['events']:,} | {fmt} | {got['seconds']:.1f} | {got['peak_mb']:.0f} | "
                  f"{size:.0f} |")
        finally:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
