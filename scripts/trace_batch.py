"""Where a batch's time goes: `privacy-audit batch` of 4 department scopes
(2 workers) over a generated company, with each stage's start and end, and
the CPU each process had used by then.

    python scripts/trace_batch.py [--events 1000000]

The company is the one scripts/bench_audit.py generates (bench-data/). The
batch's worker processes are spawned: they import this file again (as
__mp_main__), so the same stages are traced in them. Kernels are not traced
(their CPU shows in their worker's children's time when the worker closes
them). Stages are wrapped by name: a renamed function makes this fail, not
trace less. A measurement tool, not part of the package.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

LOG = "PRIVACYLIB_TRACE_LOG"
STAGES = [("privacylib.run.batch", "load_batch"), ("privacylib.run.batch", "shared_loads"),
          ("privacylib.intake.cache", "load"), ("privacylib.intake.cache", "_copy_to_file"),
          ("privacylib.run.batch", "_run_groups"), ("privacylib.run.batch", "prepare_run"),
          ("privacylib.run.runner", "_run"), ("papermill", "execute_notebook"),
          ("privacylib.run.runner", "_to_html"), ("privacylib.run.runner", "guard_run"),
          ("privacylib.trail.publish", "publish_run")]


def mark(label: str) -> None:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(os.environ[LOG], "a", encoding="utf-8") as fh:
        fh.write(json.dumps([time.time(), os.getpid(), own.ru_utime + own.ru_stime,
                             kids.ru_utime + kids.ru_stime, label]) + "\n")


def traced(module: str, name: str) -> None:
    owner = importlib.import_module(module)
    inner = getattr(owner, name)

    @functools.wraps(inner)
    def wrapper(*args, **kwargs):
        mark(f"> {name}")
        try:
            return inner(*args, **kwargs)
        finally:
            mark(f"< {name}")

    setattr(owner, name, wrapper)


def install(*, worker: bool) -> None:
    mark("process start")
    if worker:  # the batch's own log is gone by its exit
        atexit.register(mark, "exit")
    import privacylib.run.batch  # noqa: F401  (the worker's own imports, timed)

    mark("imported")
    for module, name in STAGES:
        traced(module, name)
    from privacylib.run import kernel

    close = kernel.KernelSupply.close

    def closing(self):
        mark("> kernel close")
        close(self)
        mark("< kernel close")

    kernel.KernelSupply.close = closing


def report(log: Path) -> None:
    rows = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    start, names = rows[0][0], {}
    print("| at (s) | process | CPU so far (s) | children's CPU (s) | stage |\n"
          "|---|---|---|---|---|")
    for at, pid, cpu, kids, label in rows:
        who = names.setdefault(pid, "batch" if not names else f"worker {len(names)}")
        print(f"| {at - start:.2f} | {who} | {cpu:.2f} | {kids:.2f} | {label} |")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1]
                        / "bench-data")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_audit import DEPARTMENTS, company

    exports = company(args.data, args.events, "csv") / "exports"
    with tempfile.TemporaryDirectory(prefix="trace-batch-") as tmp:
        config = Path(tmp) / "batch.yaml"
        config.write_text(json.dumps({  # JSON is YAML
            "defaults": {"data": str(exports), "period": "2026-10"},
            "matrix": {"scope": [f"department={d}" for d in DEPARTMENTS]},
            "out": str(Path(tmp) / "runs"), "workers": 2}, ensure_ascii=False),
            encoding="utf-8")
        os.environ[LOG] = str(Path(tmp) / "trace.jsonl")
        install(worker=False)
        from privacylib.cli import main as cli

        code = cli(["batch", "--config", str(config)])
        mark(f"batch returned {code}")
        report(Path(os.environ[LOG]))


if __name__ == "__main__":
    main()
elif __name__ == "__mp_main__" and os.environ.get(LOG):  # a batch worker
    install(worker=True)
