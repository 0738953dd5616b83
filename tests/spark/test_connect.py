"""`--engine spark --spark-master sc://…`: the real command against a real
Spark Connect server, pyspark's own, started here on a free loopback port.

The command runs in a subprocess on purpose: this worker may already hold a
classic Spark session (conftest.py), and a Python process holds a classic or
a Connect session, not both. One audit, on a server given the tiny-plan
settings of conftest.TINY, keeps the suite's time small.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from spark.conftest import TINY

from conftest import SAMPLE

pytest.importorskip("pyspark")
pytestmark = pytest.mark.spark

DATA = SAMPLE / "exports"
# The server starts in 5-15 s on a quiet 2-core machine; a busy one is slower.
DEADLINE = 180
# The queries of an audit run as jobs of a Connect session (the server's log at INFO).
JOB_LINE = "Starting job: Spark Connect"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _tail(log: Path, lines: int = 40) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else "(no log)"
    return "\n".join(text.splitlines()[-lines:])


class Server:
    """A Spark Connect server (sbin/start-connect-server.sh --wait) in a process
    group of its own, its logs, pid, conf and work folders under `root`."""

    def __init__(self, root: Path) -> None:
        import pyspark

        self.home = Path(pyspark.__file__).parent
        self.root, self.port = root, _free_port()
        self.log = root / "server.log"
        self.url = f"sc://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> float:
        """Start it; the seconds until its port answers (a failure with its log's tail
        if it exits or does not answer within DEADLINE)."""
        for name in ("log", "pid", "conf", "work"):
            (self.root / name).mkdir()
        conf = {**TINY, "spark.ui.enabled": "false",
                "spark.connect.grpc.binding.address": "127.0.0.1",
                "spark.connect.grpc.binding.port": str(self.port),
                "spark.connect.grpc.port.maxRetries": "0",  # not another port in silence
                "spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1",
                "spark.local.dir": str(self.root / "work"),
                "spark.sql.warehouse.dir": str(self.root / "work" / "warehouse")}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARK_", "PYSPARK_"))}
        env.update(SPARK_HOME=str(self.home), SPARK_LOG_DIR=str(self.root / "log"),
                   SPARK_PID_DIR=str(self.root / "pid"), SPARK_CONF_DIR=str(self.root / "conf"))
        command = ["bash", str(self.home / "sbin" / "start-connect-server.sh"), "--wait",
                   "--master", "local[2]", *[a for k, v in conf.items() for a in ("--conf",
                                                                                 f"{k}={v}")]]
        started = time.monotonic()
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(command, cwd=self.root / "work", env=env, stdout=out,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        while not _answers(self.port):
            if self.proc.poll() is not None:
                pytest.fail(f"the Spark Connect server exited ({self.proc.returncode}) before "
                            f"it answered on port {self.port}:\n{_tail(self.log)}")
            if time.monotonic() - started > DEADLINE:
                pytest.fail(f"the Spark Connect server did not answer on port {self.port} "
                            f"within {DEADLINE} s:\n{_tail(self.log)}")
            time.sleep(0.25)
        return time.monotonic() - started

    def stop(self) -> None:
        """Its whole process group (the script, spark-submit's JVM): asked, then made to."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from privacylib.spark.session import CONNECT_MODULES, _importable

    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.skip("no Java to run a Spark Connect server")
    missing = [m for m in CONNECT_MODULES if not _importable(m)]
    if missing:
        pytest.skip(f"no Spark Connect client ({missing[0]} is missing)")
    made = Server(tmp_path_factory.mktemp("connect"))
    if not (made.home / "sbin" / "start-connect-server.sh").exists():
        pytest.skip("this pyspark ships no Spark Connect server")
    try:
        made.start()
        yield made
    finally:
        made.stop()


def cli(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "privacylib.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=600)


def audited(run: Path) -> dict:
    """What a run found: per control (outcome, checked, findings), every
    finding's row, and each dataset's rows read, loaded, rejected, filtered."""
    import pyarrow.parquet as pq

    result = json.loads((run / "result.json").read_text(encoding="utf-8"))
    rows = pq.read_table(run / result["findings"]["path"]).to_pylist()
    return {"controls": {c["id"]: (c["outcome"], c["checked"], c["findings"])
                         for c in result["controls"]},
            "findings": sorted(rows, key=lambda r: (r["control_id"], r["subject_id"])),
            "quality": result["quality"]}


def test_the_sample_company_audited_over_spark_connect_is_the_duckdb_audit(
        server: Server, shared_runs, signing_keys, tmp_path: Path) -> None:
    import pyspark

    out = tmp_path / "runs"
    proc = cli("run", "--data", DATA, "--period", "2026-10", "--out", out,
               "--engine", "spark", "--spark-master", server.url)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]
    run = out / "2026-10"
    on_connect, duck = audited(run), audited(shared_runs.out("october") / "2026-10")
    assert on_connect["controls"] == duck["controls"]
    assert on_connect["findings"] == duck["findings"]
    assert on_connect["quality"] == duck["quality"]
    assert len(duck["findings"]) > 50  # a real audit, not 36 passes
    # The queries ran on that server, as jobs of a Connect session.
    assert JOB_LINE in server.log.read_text(encoding="utf-8", errors="replace")
    engine = json.loads((run / "manifest.json").read_text(encoding="utf-8"))["engine"]
    assert (engine["name"], engine["version"], engine["master"]) == (
        "spark", pyspark.__version__, server.url)
    # The server's own word for its version (here the same pyspark's).
    assert engine["session_version"] == pyspark.__version__
    verified = cli("verify", run, "--public-key", signing_keys[1])
    assert verified.returncode == 0 and "PROVEN" in verified.stdout, (
        verified.stdout + verified.stderr)


# A Connect client of its own (a script: pyspark's Connect client ends a
# `python -c` process, taking it for a doctest run): a table over the chunk
# size handed over in chunks, whole and unchanged.
CHUNKS = """
import json, sys
import pyarrow as pa
from privacylib.spark import session
session.CHUNK_BYTES = 4096
spark = session.spark_session(sys.argv[1])
sent, create = [], spark.createDataFrame
spark.createDataFrame = lambda table: sent.append(table.num_rows) or create(table)
table = pa.table({"n": list(range(3000)), "text": [f"row {i}" for i in range(3000)]})
rows = [(r.n, r.text) for r in session.frame(spark, table).collect()]
print(json.dumps({"sent": sent, "same": sorted(rows) == list(zip(*table.to_pydict().values()))}))
"""


def test_a_large_table_goes_to_the_server_in_chunks_and_arrives_whole(
        server: Server, tmp_path: Path) -> None:
    script = tmp_path / "chunks.py"
    script.write_text(CHUNKS, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), server.url], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(got["sent"]) > 1 and sum(got["sent"]) == 3000, got
    assert got["same"], "the rows the server holds are not the table's"


def test_a_connect_server_that_does_not_answer_is_a_usage_error_in_seconds(
        tmp_path: Path) -> None:
    from privacylib.spark.session import CONNECT_MODULES, _importable

    if not all(_importable(m) for m in CONNECT_MODULES):
        pytest.skip("no Spark Connect client")
    nobody = f"sc://127.0.0.1:{_free_port()}"  # free: nothing listens there
    started = time.monotonic()
    proc = cli("run", "--data", DATA, "--period", "2026-10", "--out", tmp_path / "runs",
               "--engine", "spark", "--spark-master", nobody)
    # pyspark's own retries would wait ten minutes or more, saying nothing.
    assert time.monotonic() - started < 120
    assert proc.returncode == 2, proc.stdout + proc.stderr[-4000:]
    assert f"the Spark Connect server {nobody} does not answer" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "runs" / "2026-10").exists()


def test_a_token_in_the_connect_url_is_refused_before_it_reaches_the_manifest() -> None:
    from privacylib.errors import UsageError
    from privacylib.spark.session import require_spark

    with pytest.raises(UsageError, match="token") as caught:
        require_spark("sc://spark.example:15002/;use_ssl=true;token=s3cret")
    assert "SPARK_CONNECT_AUTHENTICATE_TOKEN" in caught.value.hint
    assert "s3cret" not in str(caught.value)
