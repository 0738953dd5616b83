"""The Spark session the controls run in: found, or made for a master.

pyspark and a Java runtime are optional: without them `--engine spark` is a
usage error saying what to install, never an ImportError's traceback. One
session serves a process (Spark allows one SparkContext per JVM); its time
zone is set for each run to the policy's (`zone`), and put back after.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from privacylib.errors import UsageError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[2]"
INSTALL = "pip install 'privacy-workbook[spark]'"
CONNECT_MODULES = ("grpc", "grpc_status", "google.protobuf", "zstandard")
JAVA = "a Java 17+ runtime (Debian/Ubuntu: apt-get install openjdk-17-jre-headless)"


def require_spark(master: str | None = None) -> None:
    """A usage error (exit 2) unless pyspark, and for a local master Java, are there."""
    try:
        import pyspark  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError as exc:
        raise UsageError(f"--engine spark needs pyspark and sqlglot ({exc.name} is missing)",
                         hint=f"install them: {INSTALL}") from None
    remote = (master or "").startswith("sc://")
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
        return SparkSession.builder.remote(master).getOrCreate()
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = (SparkSession.builder.master(master).appName("privacy-audit")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               # ANSI mode, as DuckDB: a bad cast or an overflow is an error, not a null.
               .config("spark.sql.ansi.enabled", "true"))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


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
