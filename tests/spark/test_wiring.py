"""Choosing the engine: the command line, the batch file, the manifest, and a
clear usage error (exit 2) when pyspark or Java is missing; and a driver
that dies, said in words. No Spark session in this process (the last test's
is a subprocess's)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from privacylib.cli import main
from privacylib.config.params import AuditConfig, resolve
from privacylib.errors import UsageError
from privacylib.trail.manifest import engine_record

from conftest import SAMPLE

DATA = str(SAMPLE / "exports")


def _run(*extra: str, tmp_path: Path) -> list[str]:
    return ["run", "--data", DATA, "--period", "2026-10", "--out", str(tmp_path), *extra]


def test_without_pyspark_engine_spark_says_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # `import pyspark` fails
    assert main(_run("--engine", "spark", tmp_path=tmp_path)) == 2
    err = capsys.readouterr().err
    assert "pyspark" in err and "privacy-workbook[spark]" in err and "Traceback" not in err
    assert not any(tmp_path.iterdir()), "nothing is run or written"


def test_without_java_engine_spark_says_to_install_java(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyspark")
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(UsageError, match="Java") as caught:
        resolve(AuditConfig(data=DATA, period="2026-10", engine="spark"))
    assert "openjdk-17-jre-headless" in caught.value.hint
    # Spark Connect runs the JVM on the server: no local Java needed, but its client.
    connect = AuditConfig(data=DATA, period="2026-10", engine="spark",
                          spark_master="sc://spark.example:15002")
    monkeypatch.setattr("privacylib.spark.session._importable", lambda module: True)
    resolve(connect)
    monkeypatch.setattr("privacylib.spark.session._importable", lambda module: module != "grpc")
    # (pyspark's own check would end the process with exit 0: it must not get there.)
    with pytest.raises(UsageError, match=r"Spark Connect .* needs its client") as caught:
        resolve(connect)
    assert "pyspark[connect]" in caught.value.hint


@pytest.mark.parametrize(("params", "message"), [
    ({"engine": "sparkk"}, "engine 'sparkk' is unknown"),
    ({"spark_master": "local[2]"}, "a Spark master is for --engine spark"),
])
def test_a_wrong_engine_setting_is_a_usage_error(params: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        AuditConfig.from_parameters(data=DATA, period="2026-10", **params)


def test_the_command_line_and_the_batch_file_name_the_engine(tmp_path: Path) -> None:
    from privacylib.cli.parser import build_parser
    from privacylib.run.batch import load_batch

    args = build_parser().parse_args(_run("--engine", "spark", "--spark-master",
                                          "spark://head:7077", tmp_path=tmp_path))
    assert (args.engine, args.spark_master) == ("spark", "spark://head:7077")
    assert build_parser().parse_args(_run(tmp_path=tmp_path)).engine == "duckdb"
    pytest.importorskip("pyspark")
    batch = tmp_path / "batch.yaml"
    batch.write_text(f"defaults: {{data: '{DATA}'}}\nengine: spark\nspark_master: 'local[1]'\n"
                     "runs: [{period: 2026-10}, {period: 2026-09, spark_master: 'local[2]'}]\n",
                     encoding="utf-8")
    configs = [c.config for c in load_batch(batch).configs]
    assert sorted((c.period, c.engine, c.spark_master) for c in configs) == [
        ("2026-09", "spark", "local[2]"), ("2026-10", "spark", "local[1]")]


def test_the_manifest_records_the_engine_its_version_and_the_master() -> None:
    duck = engine_record(AuditConfig(data=DATA))
    assert duck["name"] == "duckdb" and duck["version"][0].isdigit()
    spark = engine_record(AuditConfig(data=DATA, engine="spark", spark_master="spark://h:7077"))
    assert (spark["name"], spark["master"]) == ("spark", "spark://h:7077")
    assert spark["transpiler"].startswith("sqlglot")
    assert engine_record(AuditConfig(data=DATA, engine="spark"))["master"] == "local[2]"


# A process of its own: its Spark session's JVM is killed before the controls run.
LOST = """
import sys
from privacylib.audit.engines import run_on_engine
from privacylib.config.params import AuditConfig, resolve
from privacylib.intake.ingest import load
from privacylib.spark.session import SparkLost, spark_session

resolved = resolve(AuditConfig.from_parameters(data=sys.argv[1], period="2026-10",
                                               engine="spark"))
loaded = load(sys.argv[1], progress=False)
spark = spark_session(None)
spark.sparkContext._gateway.proc.kill()
spark.sparkContext._gateway.proc.wait()
try:
    run_on_engine(resolved.config, loaded, resolved.period, resolved.catalog(), None)
except SparkLost as exc:
    print("LOST", exc.exit_code, exc)
"""


@pytest.mark.spark
def test_a_driver_that_dies_is_said_as_such_with_what_to_try(tmp_path: Path) -> None:
    """Not a py4j traceback, nor 36 controls in error over a JVM that is gone."""
    import subprocess

    pytest.importorskip("pyspark")
    script = tmp_path / "lost.py"
    script.write_text(LOST, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), DATA], capture_output=True, text=True,
                          timeout=300)
    assert "LOST 1 Spark's driver (local[2]) ended during the run" in proc.stdout, (
        proc.stdout + proc.stderr[-3000:])
    assert "--driver-memory" in proc.stdout


def test_a_local_driver_gets_memory_unless_the_user_set_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from privacylib.spark import memory
    from privacylib.spark.memory import LOCAL_DRIVER_MAX, local_driver_memory

    for name in ("PYSPARK_SUBMIT_ARGS", "SPARK_DRIVER_MEMORY", "SPARK_CONF_DIR", "SPARK_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(memory, "CGROUP_LIMITS", (tmp_path / "none",))
    half = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    assert local_driver_memory("local[2]") == f"{max(1, min(LOCAL_DRIVER_MAX, half) >> 30)}g"
    assert local_driver_memory("spark://head:7077") is None  # a cluster's is its own
    # A container's limit, not the host's memory: half of 4 GiB.
    (tmp_path / "memory.max").write_text("4294967296\n")
    monkeypatch.setattr(memory, "CGROUP_LIMITS", (tmp_path / "memory.max",))
    assert local_driver_memory("local[2]") == "2g"
    (tmp_path / "memory.max").write_text("max\n")  # cgroup v2: no limit
    assert local_driver_memory("local[2]") == f"{max(1, min(LOCAL_DRIVER_MAX, half) >> 30)}g"
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", "--driver-memory 3g pyspark-shell")
    assert local_driver_memory("local[2]") is None
    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS")
    monkeypatch.setenv("SPARK_DRIVER_MEMORY", "2g")
    assert local_driver_memory("local[*]") is None
    monkeypatch.delenv("SPARK_DRIVER_MEMORY")
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    conf = tmp_path / "spark-defaults.conf"
    conf.write_text("spark.executor.memory 2g\nspark.driver.memoryOverhead 1g\n")
    assert local_driver_memory("local[2]") is not None  # other keys: not the driver's
    # A Java properties file: the key, then whitespace, = or :.
    for line in ("spark.driver.memory   5g", "spark.driver.memory=16g", "spark.driver.memory: 16g"):
        conf.write_text(f"# mine\n{line}\n")
        assert local_driver_memory("local[2]") is None, line
