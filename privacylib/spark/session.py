"""The Spark session the controls run in: found, or made for a master.

pyspark and a Java runtime are optional: without them `--engine spark` is a
usage error saying what to install, never an ImportError's traceback. One
session serves a process (Spark allows one SparkContext per JVM); its time
zone is set for each run to the policy's (`zone`), and put back after.

Spark Connect (`sc://host:15002`) runs the queries in the server's JVM: the
client only needs its gRPC packages. The server is reached once before the
run, with a short patience: pyspark's own retries wait ten minutes or more
for a server that is not there, in silence. A table handed to it (`frame`)
travels in the plan and is held whole in the server's driver: a large one is
sent in chunks, each stored by the server before the next is sent.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import reduce
from typing import TYPE_CHECKING

from privacylib.errors import PrivacyLibError, UsageError
from privacylib.spark.memory import local_driver_memory

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

DEFAULT_MASTER = "local[2]"
INSTALL = "pip install 'privacy-workbook[spark]'"
CONNECT_MODULES = ("grpc", "grpc_status", "google.protobuf", "zstandard")
JAVA = "a Java 17+ runtime (Debian/Ubuntu: apt-get install openjdk-17-jre-headless)"
# Tries to reach a Connect server before giving up: about 5 s (50 ms × 4ⁿ backoff).
REACH_RETRIES = 4
# Arrow bytes of one chunk of a table sent to a Connect server. Measured: a
# 1M-event access log (158 MB) sent whole ran a 1 GB server driver out of
# memory (so did 4 GB); in chunks of this size it ran.
CHUNK_BYTES = 16 << 20


class SparkLost(PrivacyLibError):
    """Spark's JVM (the local driver, or the Connect server) went away during
    the run: nothing is published, and the message says what to try."""

    exit_code = 1


@contextmanager
def said_if_lost(master: str | None) -> Iterator[None]:
    """Within: a JVM gone (py4j finds no one at its port) is a SparkLost naming
    the likely cause, not a traceback of py4j's sockets."""
    from py4j.protocol import Py4JNetworkError

    try:
        yield
    except (Py4JNetworkError, ConnectionError) as exc:
        where = master or DEFAULT_MASTER
        given = local_driver_memory(where)
        had = (f"it had {given}, privacylib's default for a local master: half the "
               "machine's memory, at most 8 GB" if given else "it had what Spark's settings say")
        raise SparkLost(
            f"Spark's driver ({where}) ended during the run ({type(exc).__name__}): most "
            "likely out of memory; nothing was published",
            hint=f"give the driver more memory than it had ({had}): PYSPARK_SUBMIT_ARGS="
                 "'--driver-memory 16g pyspark-shell', or spark.driver.memory in "
                 "spark-defaults.conf; then run it again") from exc


def require_spark(master: str | None = None) -> None:
    """A usage error (exit 2) unless pyspark, and for a local master Java, are there."""
    try:
        import pyspark  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError as exc:
        raise UsageError(f"--engine spark needs pyspark and sqlglot ({exc.name} is missing)",
                         hint=f"install them: {INSTALL}") from None
    remote = (master or "").startswith("sc://")
    if remote and re.search(r";\s*token\s*=", master or "", re.IGNORECASE):
        # The master is recorded in the signed manifest and shown in reports.
        raise UsageError("a Spark Connect token in --spark-master would be written into "
                         "the run's manifest", hint="drop ;token=… from the URL and set "
                         "SPARK_CONNECT_AUTHENTICATE_TOKEN instead (pyspark reads it)")
    # pyspark's Connect client ends the process (sys.exit) when its modules
    # are missing: they are looked for first.
    missing = [m for m in CONNECT_MODULES if remote and not _importable(m)]
    if missing:
        raise UsageError(f"Spark Connect ({master}) needs its client ({missing[0]} is missing)",
                         hint="pip install 'pyspark[connect]'")
    if not remote and not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        raise UsageError("--engine spark needs Java to start Spark, and none was found",
                         hint=f"install {JAVA}, or set JAVA_HOME")


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its parent package is missing (google.protobuf)
        return False


def spark_session(master: str | None = None) -> SparkSession:
    """The process's Spark session: the active one, else one made for `master`
    (local[2] by default; spark://… a cluster; sc://… Spark Connect)."""
    require_spark(master)
    from pyspark.sql import SparkSession

    master = master or DEFAULT_MASTER
    if master.startswith("sc://"):
        return _connect(master)
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if master.startswith("local"):
        # A local Spark's Python workers run this interpreter, where privacylib
        # and DuckDB are (spark/intake_task.py types files in them), not the
        # `python3` of PATH; read when the session starts. A cluster's
        # executors need privacylib installed in their own Python.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName("privacy-audit")
    memory = local_driver_memory(master)
    if memory:
        builder = builder.config("spark.driver.memory", memory)
    builder = (builder
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               # ANSI mode, as DuckDB: a bad cast or an overflow is an error, not a null.
               .config("spark.sql.ansi.enabled", "true"))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _connect(master: str) -> SparkSession:
    """A Spark Connect session on `master`'s server, reached now (a usage
    error, exit 2, when it cannot be) and with ANSI mode on, as locally."""
    from pyspark.errors import PySparkException
    from pyspark.sql import SparkSession
    from pyspark.sql.connect.client.retries import DefaultPolicy

    # The server keeps a session's tables until it times out (an hour) unless
    # the client releases it: pyspark does at exit when asked to (read here).
    os.environ.setdefault("SPARK_CONNECT_RELEASE_SESSION_ON_EXIT", "true")
    try:
        spark = SparkSession.builder.remote(master).getOrCreate()
    except ImportError as exc:  # pyspark's own check: pandas or pyarrow too old for Connect
        raise UsageError(f"Spark Connect ({master}) cannot start its client: {exc}",
                         hint="pip install 'pyspark[connect]'") from None
    except PySparkException as exc:
        raise UsageError(f"--spark-master {master} is not a Spark Connect URL: {exc}",
                         hint="sc://HOST:15002") from None
    client = spark.client
    patient = client.get_retry_policies()
    client.set_retry_policies([DefaultPolicy(max_retries=REACH_RETRIES)])
    try:
        # A server's default may differ; the controls' casts are DuckDB's, strict.
        spark.conf.set("spark.sql.ansi.enabled", "true")
    except PySparkException as exc:
        client.set_retry_policies([DefaultPolicy(max_retries=0)])
        spark.stop()  # not kept for the next run, nor retried at exit
        raise UsageError(f"the Spark Connect server {master} does not answer: {_why(exc)}",
                         hint="start it (Spark's sbin/start-connect-server.sh) or check the "
                              "host and port") from None
    # Reached: a server busy or restarting later in the run is waited for.
    client.set_retry_policies(patient)
    return spark


def _why(exc: Exception) -> str:
    """gRPC's reason for a failed call (its `details`), not the error's repr."""
    found = re.search(r'details = "([^"]*)"', str(exc))
    return found.group(1) if found else str(exc).splitlines()[0]


def frame(spark: SparkSession, table: pa.Table) -> DataFrame:
    """`table` as a Spark DataFrame. Over Spark Connect a table larger than
    CHUNK_BYTES goes in chunks, each kept by the server (a local checkpoint,
    spilling to its disk) before the next: the driver holds one at a time."""
    from pyspark.storagelevel import StorageLevel

    if not _remote(spark) or table.nbytes <= CHUNK_BYTES:
        return spark.createDataFrame(table)
    rows = max(1, table.num_rows * CHUNK_BYTES // table.nbytes)
    parts = [spark.createDataFrame(table.slice(start, rows))
             .localCheckpoint(eager=True, storageLevel=StorageLevel.MEMORY_AND_DISK)
             for start in range(0, table.num_rows, rows)]
    return reduce(lambda a, b: a.unionAll(b), parts)


def _remote(spark: SparkSession) -> bool:
    return type(spark).__module__.startswith("pyspark.sql.connect.")


@contextmanager
def session_zone(spark: SparkSession, zone: str) -> Iterator[None]:
    """Within: Spark's session time zone is `zone` (the policy's); restored after."""
    key = "spark.sql.session.timeZone"
    before = spark.conf.get(key)
    spark.conf.set(key, zone)
    try:
        yield
    finally:
        spark.conf.set(key, before)
