"""`privacy-audit run --engine spark --spark-reads access_log`: Spark reads the
access log itself, end to end (issue #17).

The wiring (the option, the batch key, the notebook's parameter, the
manifest) needs no Spark session. The run itself is the real command, in a
subprocess (this worker may hold a Spark session of its own), on the sample
company with a customer only the access log knows: the same audit as a
DuckDB run of the same folder, and that customer masked in every file of the
run folder. The two runs are made once and read by every assert.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest

from privacylib.cli.parser import build_parser
from privacylib.config.params import AuditConfig, resolve
from privacylib.errors import UsageError
from privacylib.run.runner import NOTEBOOK
from privacylib.trail.manifest import engine_record
from spark.conftest import TINY

from conftest import SAMPLE

DATA = str(SAMPLE / "exports")
# A customer no dataset but the access log names: one access for a purpose
# that needs consent (a C03 finding whose evidence quotes it as a ticket, free
# text) and one rejected line quoting it.
LOG_ONLY = "CXLOG00777"
EXTRA = [
    ["EV7700000001", "2026-10-20 10:00:00", "E0041", LOG_ONLY, "crm", "contact", "read",
     "marketing", LOG_ONLY, "1", "", "10.1.1.1"],
    ["EV7700000002", "not-a-time", "E0041", LOG_ONLY, "crm", "contact", "read", "marketing",
     LOG_ONLY, "1", "", "10.1.1.1"],
]


# --- the wiring ----------------------------------------------------------------------------
@pytest.mark.parametrize(("params", "message"), [
    ({"spark_reads": "access_log"}, "--spark-reads is for --engine spark"),
    ({"engine": "spark", "spark_reads": "access_log,consents"},
     "Spark cannot read consents itself"),
    ({"engine": "spark", "spark_reads": "access_log=lake.events; DROP TABLE x"},
     "not a table name"),
    ({"engine": "spark", "spark_reads": "access_log=a.b.c.d"}, "not a table name"),
    # Half written (an empty $TABLE), or two sources: never read as another source.
    ({"engine": "spark", "spark_reads": "access_log="}, "both named"),
    ({"engine": "spark", "spark_reads": "=lake.events"}, "both named"),
    ({"engine": "spark", "spark_reads": "access_log=lake.a,access_log=lake.b"},
     "two sources for access_log"),
    ({"engine": "spark", "spark_reads": "access_log,access_log=lake.a"},
     "two sources for access_log"),
])
def test_a_wrong_spark_reads_is_a_usage_error_naming_what_is_accepted(params: dict,
                                                                       message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        AuditConfig.from_parameters(data=DATA, period="2026-10", **params)
    if "consents" in message:
        assert "accepts: access_log" in caught.value.hint
    # A configuration made by hand is checked when it is resolved.
    with pytest.raises(UsageError, match="--engine spark"):
        resolve(AuditConfig(data=DATA, period="2026-10", spark_reads="access_log"))


def test_the_option_the_batch_key_and_the_manifest(tmp_path: Path) -> None:
    from privacylib.run.batch import load_batch

    args = build_parser().parse_args(["run", "--data", DATA, "--period", "2026-10",
                                      "--engine", "spark", "--spark-reads", "access_log"])
    assert args.spark_reads == "access_log"
    config = AuditConfig.from_parameters(data=DATA, engine="spark",
                                         spark_reads=" access_log , access_log")
    assert (config.spark_reads, config.spark_datasets) == ("access_log", ("access_log",))
    assert engine_record(config)["reads"] == ["access_log"]
    assert engine_record(dataclasses.replace(config, spark_reads=None))["reads"] == []
    # From a table of Spark's catalog: written one way, recorded by the manifest.
    table = AuditConfig.from_parameters(data=DATA, engine="spark",
                                        spark_reads="access_log = lake.events_2026")
    assert (table.spark_reads, table.spark_datasets, table.spark_tables) == (
        "access_log=lake.events_2026", ("access_log",), {"access_log": "lake.events_2026"})
    assert engine_record(table)["tables"] == {"access_log": "lake.events_2026"}
    assert engine_record(config)["tables"] == {}
    pytest.importorskip("pyspark")
    batch = tmp_path / "batch.yaml"
    batch.write_text(f"defaults: {{data: '{DATA}'}}\nengine: spark\nspark_reads: access_log\n"
                     "runs: [{period: 2026-10}]\n", encoding="utf-8")
    assert [c.config.spark_reads for c in load_batch(batch).configs] == ["access_log"]


def test_the_notebook_takes_every_parameter_of_the_configuration() -> None:
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cells = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    declared = [line.split("=")[0].strip() for line in cells[0].splitlines()
                if "=" in line and not line.startswith("#")]
    fields = [f.name for f in dataclasses.fields(AuditConfig)]
    assert declared == [*fields, "run_id", "signer", "resolved"]
    assert all(f"{name}={name}" in cells[1] for name in fields), "each is passed on"


class _ReadBySpark:
    """Just what Audit asks of a SparkRead to know what Spark read."""

    datasets: ClassVar[dict[str, None]] = {"access_log": None}


def test_the_explorer_and_ad_hoc_sql_refuse_the_log_spark_read_in_words(sample_audit) -> None:
    from privacylib.explore import views

    audit = dataclasses.replace(sample_audit, spark_read=_ReadBySpark())
    said = "cannot read access_log: Spark read it in this audit"
    for ask in (lambda: views.actor_events(audit, "E0041", {}), lambda: views.customer_ids(audit),
                lambda: views.customer_trail(audit, "C0001841"),
                lambda: audit.sql('SELECT count(*) FROM main."access_log" a, employees e')):
        with pytest.raises(UsageError, match=said):
            ask()
    # What DuckDB holds still answers; and an audit Spark read nothing for is unchanged.
    assert len(audit.sql("SELECT actor_id FROM employees")) > 10
    assert len(views.actor_events(sample_audit, "E0041", {})) > 0


# --- the run ------------------------------------------------------------------------------
def started(*args: object) -> subprocess.Popen:
    # Spark's own place for settings: the tiny-plan ones of the other Spark
    # tests (conftest.TINY), for a company of a few thousand rows; the
    # session's own shuffle partitions (4) stay. The module: 108 s to 65 s.
    tiny = " ".join(f"--conf {k}={v}" for k, v in TINY.items())
    return subprocess.Popen([sys.executable, "-m", "privacylib.cli", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYSPARK_SUBMIT_ARGS": f"{tiny} pyspark-shell"})


def finished(proc: subprocess.Popen) -> subprocess.CompletedProcess:
    out, err = proc.communicate(timeout=900)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def cli(*args: object) -> subprocess.CompletedProcess:
    return finished(started(*args))


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """The folder (the sample, and the log-only customer), its DuckDB run and
    its Spark run reading the log itself."""
    pytest.importorskip("pyspark")
    root = tmp_path_factory.mktemp("spark-reads")
    data = root / "exports"
    shutil.copytree(DATA, data)
    with gzip.open(data / "access_log" / "2026-10-31b.csv.gz", "wt", encoding="utf-8",
                   newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["event_id", "ts", "actor_id", "customer_id", "system",
                         "data_category", "action", "purpose", "ticket_id", "record_count",
                         "result", "source_ip"])
        writer.writerows(EXTRA)
    made: dict = {"data": data}
    # Side by side: the Spark run waits on its JVM much of its time.
    procs = {name: started("run", "--data", data, "--period", "2026-10", "--out", root / name,
                           *extra)
             for name, extra in (("spark", ("--engine", "spark", "--spark-reads", "access_log")),
                                 ("duckdb", ()))}
    for name, proc in procs.items():
        done = finished(proc)
        assert done.returncode == 0, done.stdout + done.stderr[-4000:]
        made[name] = root / name / "2026-10"
        made[name + "_stdout"] = done.stdout
    return made


def _audited(run: Path) -> dict:
    import pyarrow.parquet as pq

    result = json.loads((run / "result.json").read_text(encoding="utf-8"))
    rows = pq.read_table(run / result["findings"]["path"]).to_pylist()
    return {"controls": {c["id"]: (c["outcome"], c["checked"], c["findings"])
                         for c in result["controls"]},
            "findings": sorted((r["control_id"], r["subject_id"], r["finding_key"])
                               for r in rows),
            "access_by_hour": result["access_by_hour"]}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


@pytest.mark.spark
def test_spark_reading_the_log_is_the_duckdb_audit(runs: dict[str, Path],
                                                   signing_keys) -> None:
    duck, spark = runs["duckdb"], runs["spark"]
    on_spark, on_duck = _audited(spark), _audited(duck)
    assert on_spark == on_duck
    assert len(on_duck["findings"]) > 50  # a real audit, not 36 passes
    assert sum(map(sum, on_duck["access_by_hour"])) > 20_000  # every event counted
    assert any(s == "EV7700000001" for c, s, _ in on_duck["findings"] if c == "C03")
    assert (spark / "data_quality.csv").read_bytes() == (duck / "data_quality.csv").read_bytes()
    rejects = _files(spark / "rejects")
    assert rejects == _files(duck / "rejects") and "access_log.csv" in rejects
    manifest = json.loads((spark / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["engine"]["name"], manifest["engine"]["reads"]) == ("spark", ["access_log"])
    import pyspark

    assert manifest["engine"]["session_version"] == pyspark.__version__
    duck_engine = json.loads((duck / "manifest.json").read_text(encoding="utf-8"))["engine"]
    assert "session_version" not in duck_engine
    # The log's files are hashed as the run's inputs, as in any run, and as
    # Spark's tasks read them: the same bytes.
    hashed = {e["path"]: e["sha256"] for e in manifest["inputs"]}
    assert "access_log/2026-10-31b.csv.gz" in hashed
    read = {e["path"]: e["sha256"] for e in manifest["spark_inputs"]}
    assert read == {p: h for p, h in hashed.items() if p.startswith("access_log/")}
    assert {e["dataset"] for e in manifest["spark_inputs"]} == {"access_log"}
    verified = cli("verify", spark, "--public-key", signing_keys[1])
    assert verified.returncode == 0 and "PROVEN" in verified.stdout, (
        verified.stdout + verified.stderr)


@pytest.mark.spark
def test_a_customer_only_the_log_knows_is_masked_in_every_file(runs: dict[str, Path]) -> None:
    from privacylib.intake.ingest import load
    from privacylib.masking.leakguard import raw_values, scan_folder
    from privacylib.masking.masker import Masker, load_key

    # The oracle: the raw values of the folder as DuckDB loads it whole.
    raw = raw_values(load(runs["data"], progress=False).con)
    assert raw.values.get(LOG_ONLY) == "customer_id"
    spark = runs["spark"]
    leaks = [leak.line() for leak in scan_folder(spark, raw)]
    assert leaks == []
    pseudonym = Masker(load_key()).pseudonym(LOG_ONLY)
    shown = {p.name for p in spark.rglob("*") if p.suffix in (".csv", ".html", ".ipynb")
             and pseudonym in p.read_text(encoding="utf-8")}
    # It was there to leak: findings, the report, the notebook, the rejects.
    assert {"findings.csv", "report.html", "report.ipynb", "access_log.csv"} <= shown, shown
    assert not any(LOG_ONLY in p.read_text(encoding="utf-8", errors="replace")
                   for p in spark.rglob("*") if p.suffix in (".csv", ".html", ".ipynb"))


def test_the_ad_hoc_snapshot_leaves_out_a_dataset_read_elsewhere(tmp_path: Path) -> None:
    import duckdb

    from privacylib.audit.snapshot import copy
    from privacylib.masking.masker import ELSEWHERE

    source = duckdb.connect()
    source.execute("CREATE TABLE access_log (customer_id VARCHAR); "
                   "CREATE TABLE access_log__rejects (customer_id VARCHAR); "
                   "CREATE TABLE employees (actor_id VARCHAR); "
                   f"CREATE SCHEMA {ELSEWHERE}; "
                   f"CREATE TABLE {ELSEWHERE}.access_log AS SELECT '{LOG_ONLY}' AS customer_id")
    copy(source, tmp_path / "snapshot.duckdb", None)
    copied = duckdb.connect(str(tmp_path / "snapshot.duckdb"), read_only=True)
    assert sorted(t for (t,) in copied.execute("SHOW TABLES").fetchall()) == [
        "access_log__rejects", "employees"]
    with pytest.raises(duckdb.CatalogException, match="access_log"):
        copied.execute("SELECT count(*) FROM access_log")


class _Hashed:
    """A SparkRead's record of the files it read (and nothing read from DuckDB's place)."""

    datasets: ClassVar[dict[str, None]] = {}

    @staticmethod
    def inputs() -> list[dict]:
        return [{"dataset": "access_log", "path": "access_log/13812345678.csv",
                 "sha256": "0" * 64, "size": 1}]


def test_the_files_spark_read_are_named_as_the_run_masks(sample_audit) -> None:
    """result.json's spark_inputs: masked in a masked run, as they are with --no-mask."""
    from privacylib.audit.result import FindingsFile, from_audit
    from privacylib.masking.masker import unmasked

    written = FindingsFile("findings.parquet", 0, "sha256-x")
    masked = dataclasses.replace(sample_audit, spark_read=_Hashed())
    plain = dataclasses.replace(masked, masker=unmasked())
    assert [f.path for f in from_audit(plain, written).spark_inputs] == [
        "access_log/13812345678.csv"]
    shown = from_audit(masked, written).spark_inputs[0]
    assert "13812345678" not in shown.path and shown.sha256 == "0" * 64
