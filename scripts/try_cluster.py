"""An audit on a real Spark standalone cluster, beside the same audit on DuckDB.

    python scripts/try_cluster.py [--data DIR] [--period 2026-10] [--reads] [--connect]

Starts a standalone master and one worker from pyspark's own jars (bin/
spark-class), on loopback ports of their own, each in a folder of its own;
runs `privacy-audit run --engine spark --spark-master spark://…` (with
--reads: `--spark-reads access_log`, Spark's executors reading the log's
files) and `privacy-audit run` on DuckDB over the same folder; and says
with --connect, the audit goes through a Spark Connect server in front of
the cluster (`--spark-master sc://…`), as a client away from the cluster
would. It says whether the two audits agree: every control's outcome, checked count and
finding count, every finding (control, subject, key), data_quality.csv and
the rejects; that `privacy-audit verify` proves the cluster's run; and that
the work ran in the worker's executors (their logs under its work folder).
Then stops the cluster. Not a test: a cluster is three more JVMs, beyond the
suite's time; docs/benchmarks.md and the README keep what it printed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "exports"
DEADLINE = 180
# Settings of a small company's plans (tests/spark/conftest.TINY).
TINY = {"spark.sql.shuffle.partitions": "2", "spark.sql.codegen.wholeStage": "false",
        "spark.sql.adaptive.enabled": "false"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def start(name: str, args: list[str], root: Path, script: str = "bin/spark-class",
          ) -> subprocess.Popen:
    """A daemon of the cluster (spark-class CLASS ARGS, or another of Spark's
    scripts) in a process group of its own."""
    folder = root / name
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARK_", "PYSPARK_"))}
    env.update(SPARK_HOME=str(spark_home()), SPARK_LOG_DIR=str(folder),
               SPARK_PID_DIR=str(folder), SPARK_CONF_DIR=str(folder),
               SPARK_LOCAL_DIRS=str(folder), PYSPARK_PYTHON=sys.executable)
    with (folder / "log").open("wb") as out:
        return subprocess.Popen(["bash", str(spark_home() / script), *args],
                                cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def start_connect(url: str, root: Path) -> tuple[subprocess.Popen, str]:
    """A Spark Connect server whose master is the cluster: (process, sc:// URL)."""
    port = free_port()
    conf = {**TINY, "spark.ui.enabled": "false", "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.connect.grpc.binding.port": str(port)}
    proc = start("connect", ["--wait", "--master", url,
                             *[a for k, v in conf.items() for a in ("--conf", f"{k}={v}")]],
                 root, "sbin/start-connect-server.sh")
    began = time.monotonic()
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"sc://127.0.0.1:{port}"
        if proc.poll() is not None or time.monotonic() - began > DEADLINE:
            sys.exit("the Spark Connect server did not start:\n"
                     + (root / "connect" / "log").read_text(errors="replace")[-3000:])
        time.sleep(0.25)


def wait_for(log: Path, text: str, proc: subprocess.Popen) -> float:
    began = time.monotonic()
    while text not in (log.read_text(errors="replace") if log.exists() else ""):
        if proc.poll() is not None or time.monotonic() - began > DEADLINE:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            sys.exit(f"the cluster did not start ({text!r} not seen):\n{tail}")
        time.sleep(0.25)
    return time.monotonic() - began


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def audit(data: Path, period: str, out: Path, *extra: str) -> tuple[float, Path]:
    tiny = " ".join(f"--conf {k}={v}" for k, v in TINY.items())
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable,
           "PYSPARK_SUBMIT_ARGS": f"{tiny} --conf spark.driver.host=127.0.0.1 "
                                  "--conf spark.driver.bindAddress=127.0.0.1 pyspark-shell"}
    began = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "privacylib.cli", "run", "--data", str(data),
                           "--period", period, "--out", str(out), *extra],
                          capture_output=True, text=True, env=env, timeout=3600)
    if proc.returncode not in (0, 3):
        sys.exit(f"privacy-audit run {' '.join(extra)} failed ({proc.returncode}):\n"
                 f"{proc.stdout}{proc.stderr[-4000:]}")
    return time.perf_counter() - began, out / period


def audited(run: Path) -> dict:
    """What a run found, read as privacylib reads a run folder (the findings
    file checked against result.json's hash and count)."""
    from privacylib.audit.result import open_result, read_findings

    result = open_result(run)
    findings = read_findings(run, result)
    return {"controls": {c.id: (str(c.outcome), c.checked, c.findings) for c in result.controls},
            "findings": sorted(zip(findings["control_id"], findings["subject_id"],
                                   findings["finding_key"], strict=True)),
            "quality": (run / "data_quality.csv").read_bytes(),
            "rejects": {p.name: p.read_bytes() for p in sorted((run / "rejects").glob("*"))}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=SAMPLE)
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--reads", action="store_true",
                        help="the executors read the access log (--spark-reads access_log)")
    parser.add_argument("--connect", action="store_true",
                        help="through a Spark Connect server in front of the cluster")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="try-cluster-") as tmp:
        root = Path(tmp)
        port = free_port()
        url = f"spark://127.0.0.1:{port}"
        master = start("master", ["org.apache.spark.deploy.master.Master", "--host",
                                  "127.0.0.1", "--port", str(port), "--webui-port",
                                  str(free_port())], root)
        worker = connect = None
        try:
            wait_for(root / "master" / "log", "I have been elected leader", master)
            worker = start("worker", ["org.apache.spark.deploy.worker.Worker", url, "--host",
                                      "127.0.0.1", "--cores", "2", "--memory", "4g",
                                      "--webui-port", str(free_port()), "--work-dir",
                                      str(root / "worker" / "work")], root)
            wait_for(root / "worker" / "log", "Successfully registered with master", worker)
            target = url
            if args.connect:
                connect, target = start_connect(url, root)
            extra = ["--engine", "spark", "--spark-master", target]
            extra += ["--spark-reads", "access_log"] if args.reads else []
            on_cluster, cluster_run = audit(args.data, args.period, root / "cluster", *extra)
            on_duck, duck_run = audit(args.data, args.period, root / "duckdb")
            report(root, target, args, (on_cluster, cluster_run), (on_duck, duck_run))
        finally:
            for proc in (connect, worker, master):
                if proc is not None:
                    stop(proc)


def report(root: Path, url: str, args: argparse.Namespace, cluster: tuple[float, Path],
           duck: tuple[float, Path]) -> None:
    got, want = audited(cluster[1]), audited(duck[1])
    executors = sorted((root / "worker" / "work").glob("app-*/*/stderr"))
    tasks = sum(p.read_text(errors="replace").count("Running task") for p in executors)
    verified = subprocess.run([sys.executable, "-m", "privacylib.cli", "verify",
                               str(cluster[1])], capture_output=True, text=True)
    engine = json.loads((cluster[1] / "manifest.json").read_text(encoding="utf-8"))["engine"]
    print(f"data: {args.data}  period: {args.period}  master: {url}  engine: {engine}")
    print("| run | seconds | controls | findings | same controls | same findings | "
          "same data_quality.csv | same rejects |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| DuckDB | {duck[0]:.1f} | {len(want['controls'])} | {len(want['findings'])} "
          "| | | | |")
    same = [got[k] == want[k] for k in ("controls", "findings", "quality", "rejects")]
    how = (" through Spark Connect" if args.connect else "") + (
        " reading the log" if args.reads else "")
    print(f"| standalone cluster{how} | {cluster[0]:.1f} "
          f"| {len(got['controls'])} | {len(got['findings'])} | "
          + " | ".join("yes" if s else "NO" for s in same) + " |")
    print(f"executors: {len(executors)}, tasks they ran: {tasks}; verify: "
          f"{'PROVEN' if 'PROVEN' in verified.stdout else verified.stdout.strip()[-200:]}")
    if not all(same) or not executors or "PROVEN" not in verified.stdout:
        sys.exit(1)


if __name__ == "__main__":
    main()
