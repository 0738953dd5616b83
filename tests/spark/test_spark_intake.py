"""The access log read by Spark (privacylib/spark/intake.py) is DuckDB's load
of the same folder: the same rows and rejects, column for column, in
(_source_file, _source_line) order, and the same DatasetLoad.

The folders are tiny and hostile: daily CSV files, a .csv.gz, a BOM file and
a GBK one; a Parquet folder; a JSON Lines folder; with unreadable values,
blank keys, a key repeated within and across files, malformed lines, a
quoted value with a line break, extra columns that only some files have.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
from pathlib import Path

import pytest

from privacylib.config.mapping import mapping_from_dict
from privacylib.errors import UsageError
from privacylib.intake.ingest import load

# Imported before the session starts: it points Spark's Python workers at this
# interpreter (they type the files with privacylib and DuckDB).
from privacylib.spark.intake import read_dataset

from conftest import SAMPLE, write_csv

pytest.importorskip("pyspark")
pytestmark = pytest.mark.spark

HEADER = ["event_id", "ts", "actor_id", "customer_id", "system", "data_category", "action",
          "purpose", "ticket_id", "record_count", "result"]
LOAD_FIELDS = ("status", "files", "format", "encodings", "rows_read", "rows_loaded",
               "rows_rejected", "filtered", "missing_columns", "extra_columns", "warnings",
               "error", "earliest", "latest")
DUCK_TYPES = {"VARCHAR": "string", "BIGINT": "bigint", "BOOLEAN": "boolean",
              "TIMESTAMP WITH TIME ZONE": "timestamp", "VARCHAR[]": "array<string>"}


def _event(eid: str, ts: str | None = "2026-10-01 09:00:00", more: tuple | list = (),
           **kw: object) -> list[object]:
    row = {"event_id": eid, "ts": ts, "actor_id": "E1", "customer_id": "C1", "system": "crm",
           "data_category": "contact", "action": "read", "purpose": "support",
           "ticket_id": "T1", "record_count": 1, "result": "success", **kw}
    return [*(row[h] for h in HEADER), *more]


def _same_load(spark, folder: Path, mapping: dict | None = None) -> dict:
    """Assert Spark's read equals DuckDB's load; DuckDB's DatasetLoad, as a dict."""
    m = mapping_from_dict(mapping or {})
    duck = load(folder, mapping=m, progress=False)
    got = read_dataset(spark, folder, mapping=m)
    try:
        return _assert_same(duck, got)
    finally:
        got.unpersist()


def _assert_same(duck, got) -> dict:
    want = duck.datasets["access_log"]
    for field in LOAD_FIELDS:
        assert getattr(got.load, field) == getattr(want, field), field
    for table, frame in (("access_log", got.table), ("access_log__rejects", got.rejects)):
        desc = duck.con.execute(f"DESCRIBE {table}").fetchall()
        assert [(f.name, f.dataType.simpleString()) for f in frame.schema.fields] == [
            (name, DUCK_TYPES[kind]) for name, kind, *_ in desc], table
        names = [r[0] for r in desc]
        expected = duck.con.execute(f"SELECT * FROM {table}").fetchall()
        actual = [tuple(r[n] for n in names) for r in frame.toArrow().to_pylist()]
        assert _ordered(actual) == _ordered(expected), table
    return {f: getattr(want, f) for f in LOAD_FIELDS}


def _ordered(rows: list[tuple]) -> list[tuple]:
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r[-2:] + r))


@pytest.fixture(scope="module")
def sample(spark):
    """The sample company loaded by DuckDB, and its access log read by Spark."""
    duck, got = load(SAMPLE / "exports", progress=False), read_dataset(spark, SAMPLE / "exports")
    yield duck, got
    got.unpersist()


def test_the_sample_company_s_access_log(sample) -> None:
    got = _assert_same(*sample)
    assert got["rows_read"] == got["rows_loaded"] + got["rows_rejected"] > 20_000
    assert len(got["files"]) > 20 and got["rows_rejected"] > 0


def test_daily_csv_files_gz_bom_and_gbk(spark, tmp_path: Path) -> None:
    log = tmp_path / "access_log"
    write_csv(log / "2026-10-01.csv", [*HEADER, "email"], [
        _event("A1", more=["a@example.com"]),
        _event("A2", ts="not a time", more=["nobody"]),  # unreadable; a bad e-mail
        _event("", purpose="blank key", more=[""]),
        _event("K1", purpose="line\nbreak", more=["k@example.com"]),
        _event("A3", record_count="many", action="delete", more=["x"]),
        _event("K2", more=["not-an-address"]),  # a bad e-mail on a loaded row
        _event("K2", actor_id="again", more=[""]),  # repeated within one file
        _event("A4", system="test-sys", more=[""])])  # dropped by the mapping
    with (log / "2026-10-01.csv").open("a", encoding="utf-8") as fh:
        fh.write("A5,2026-10-01 10:00:00,E1,too,many,columns,read,x,y,1,success,z,w,v\n\n")
        fh.write(",".join(map(str, _event("A6"))) + ",\n")  # after a malformed and an empty line
    write_csv(log / "2026-10-02.csv", [*HEADER, "channel"], [
        _event("K1", ts="2026-10-02 08:00", more=["web"]),  # loaded first on 10-01
        _event("K1", ts="2026-10-02 09:00", more=["app"]),  # and again, within this file
        _event("B1", action="EXPORT", more=["web"])], encoding="utf-8-sig")
    write_csv(log / "2026-10-03.csv.gz", HEADER, [
        _event("K2", ts="2026-10-03T01:02:03+08:00"), _event("C1", ts="2026/10/03 10:00:00"),
        _event("C2", result="maybe")])
    write_csv(log / "2026-10-04.csv", HEADER, [
        _event("D1", purpose="客户服务"), _event("D2", purpose="投诉处理", action="导出")],
        encoding="gbk")
    got = _same_load(spark, tmp_path, {"access_log": {"drop": {"system": ["test-sys"]}}})
    # The folder is as hostile as meant: each kind of trouble is in the load.
    assert got["filtered"] and got["extra_columns"] == ["email", "channel"]
    assert {"gb18030", "utf-8"} <= set(got["encodings"])
    assert any("values outside" in w for w in got["warnings"])
    assert any(w.startswith("email:") for w in got["warnings"])


def test_a_key_repeated_across_files_is_rejected_where_duckdb_rejects_it(
        spark, tmp_path: Path) -> None:
    write_csv(tmp_path / "access_log" / "a.csv", HEADER, [_event("K"), _event("M")])
    write_csv(tmp_path / "access_log" / "b.csv", HEADER, [_event("K"), _event("K")])
    got = read_dataset(spark, tmp_path)
    try:
        # Said outright, not only "as DuckDB": the first row of K is a.csv's.
        assert sorted((r["_source_file"], r["_source_line"], r["_reject_reason"]) for r in
                      got.rejects.where("_reject_reason LIKE 'duplicate%'").collect()) == [
            ("access_log/b.csv", 2, "duplicate key: first loaded from access_log/a.csv:2"),
            ("access_log/b.csv", 3, "duplicate key: first loaded from access_log/a.csv:2")]
        _assert_same(load(tmp_path, progress=False), got)
    finally:
        got.unpersist()


def test_a_folder_spark_lists_is_read_as_a_local_one(spark, tmp_path: Path) -> None:
    """A data folder by address (file:// here; hdfs://, s3a://… alike): its
    files found by Spark's listing, judged by the loader's own rules."""
    write_csv(tmp_path / "access_log.csv.gz", HEADER, [_event("G1"), _event("G1")])
    write_csv(tmp_path / "access_logs_old.csv", HEADER, [_event("O1")])  # not the dataset's
    (tmp_path / "mapping.yaml").write_text("access_log: {}\n")
    with pytest.raises(UsageError, match=r"mapping\.yaml"):  # never silently left out
        read_dataset(spark, f"file://{tmp_path}")
    got = read_dataset(spark, f"file://{tmp_path}", mapping=mapping_from_dict({}))
    try:
        assert _assert_same(load(tmp_path, progress=False), got)["files"] == [
            "access_log.csv.gz"]
    finally:
        got.unpersist()
    write_csv(tmp_path / "access_log" / "a.csv", HEADER, [_event("G2")])
    assert read_dataset(spark, f"file://{tmp_path}/", mapping=mapping_from_dict({})).load.error \
        == load(tmp_path, progress=False).datasets["access_log"].error != ""


def test_a_parquet_folder(spark, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    def table(rows: list[list[object]]) -> pa.Table:
        cols = list(zip(*rows, strict=True))
        return pa.table({h: pa.array(c, pa.int64() if h == "record_count" else pa.string())
                         for h, c in zip(HEADER, cols, strict=True)})

    folder = tmp_path / "access_log"
    folder.mkdir()
    pq.write_table(table([_event("P1"), _event("P2", ts="yesterday"), _event(""),
                          _event("K", action="erase")]), folder / "2026-10-01.parquet")
    pq.write_table(table([_event("K"), _event("P3", ts=None), _event("P4")]),
                   folder / "2026-10-02.parquet")
    got = _same_load(spark, tmp_path)
    assert got["format"] == "parquet" and got["rows_rejected"] == 3


def test_a_json_lines_folder(spark, tmp_path: Path) -> None:
    folder = tmp_path / "access_log"
    folder.mkdir()

    def lines(*rows: object) -> str:
        return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)

    def obj(eid: str, extra: dict | None = None, **kw: object) -> dict:
        return {**dict(zip(HEADER, _event(eid, **kw), strict=True)), **(extra or {})}

    (folder / "2026-10-01.jsonl").write_text(lines(
        obj("J1"), obj("J2", ts="later"), "[1, 2]", "", obj("K", {"note": "extra"})))
    (folder / "2026-10-02.jsonl.gz").write_bytes(gzip.compress(lines(
        obj("K"), "{not json", obj(""), obj("J3", record_count="2.0")).encode(), mtime=0))
    got = _same_load(spark, tmp_path)
    assert got["rows_rejected"] == 5 and got["extra_columns"] == ["note"]


def test_an_absent_log_is_absent_with_empty_tables(spark, tmp_path: Path) -> None:
    write_csv(tmp_path / "consents.csv", ["subject_id"], [["C1"]])
    got = read_dataset(spark, tmp_path)
    assert got.load.status == "absent" and got.table.count() == 0
    assert "event_id" in got.table.columns and "_raw_line" in got.rejects.columns


def test_a_spark_audit_reads_the_log_spark_read(spark, sample) -> None:
    """The controls that read the log (C03-C05 through the consent uses),
    scoped to one department (the scope's check and narrowing done in Spark,
    by the engine's own SQL: the department's actors joined from employees,
    the harder of the scopes; a system scope, a column's filter, is the
    hand-over's test in test_engine_spark.py). One scope: CI's time."""
    scoped = "department=客服中心"
    from privacylib.config.period import resolve_period
    from privacylib.controls.catalog import load_catalog
    from privacylib.controls.engine import Scope, run_controls
    from privacylib.spark.engine import run_controls_spark
    from spark.compare import summary

    duck, got = sample
    # DuckDB's load with its access log taken out (emptied: whatever still
    # read it would find nothing), and the log Spark read in its place.
    other = load(SAMPLE / "exports", progress=False)
    other.con.execute("DELETE FROM main.access_log")
    other.datasets["access_log"] = got.load
    scope = Scope.parse(scoped)
    period = resolve_period("2026-10", tz=duck.policy.timezone)
    controls = tuple(c for c in load_catalog() if "access_log" in c.datasets)
    want = run_controls(duck, period, scope=scope, controls=controls)
    # A company's own control runs in DuckDB's sandbox, which lacks the log Spark read.
    mine = dataclasses.replace(controls[0], id="X01", custom=True)
    have = run_controls_spark(other, period, spark, scope=scope, controls=(*controls, mine),
                              frames={"access_log": got.table})
    *builtin, own = have.results
    assert summary(dataclasses.replace(have, results=builtin)) == summary(want)
    assert (str(own.outcome), own.incomplete) == ("error", True)
    assert "access_log, which Spark read" in own.reason_en
    assert sum(len(r.findings) for r in have.results) > 10  # not a run over nothing
    assert other.datasets["access_log"].period_warnings == \
        duck.datasets["access_log"].period_warnings


# --- a table of Spark's catalog (--spark-reads access_log=TABLE) ---------------------------
def _parquet_log(folder: Path, days: dict[str, list[list[object]]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True)
    for name, rows in days.items():
        cols = list(zip(*rows, strict=True))
        pq.write_table(pa.table({h: pa.array(c, pa.int64() if h == "record_count" else
                                             pa.string())
                                 for h, c in zip(HEADER, cols, strict=True)}), folder / name)


@pytest.fixture
def table_name(spark, request):
    """A table name of its own for each test, dropped after it."""
    name = "t_" + request.node.name.split("[")[0][-40:]
    yield name
    spark.sql("DROP VIEW IF EXISTS IDENTIFIER(:t)", args={"t": name + "_v"})
    spark.sql("DROP TABLE IF EXISTS IDENTIFIER(:t)", args={"t": name})


def _renamed(rows: list[tuple], old: str, new: str) -> list[tuple]:
    return sorted(tuple(v.replace(old, new) if isinstance(v, str) else v for v in r)
                  for r in rows)


def test_a_parquet_table_is_read_as_its_folder_is_loaded(spark, tmp_path: Path,
                                                         table_name: str) -> None:
    """The same rows, rejects and counts as DuckDB's load of the table's files
    as a folder; files named after the table, each hashed as read."""
    from privacylib.digests import sha256_file

    log = tmp_path / "access_log"
    _parquet_log(log, {"2026-10-02.parquet": [_event("K"), _event("P3", ts=None), _event("P4")],
                       "2026-10-01.parquet": [_event("P1"), _event("P2", ts="yesterday"),
                                              _event(""), _event("K", action="erase")]})
    spark.catalog.createTable(table_name, path=str(log), source="parquet")
    duck = load(tmp_path, progress=False)
    got = read_dataset(spark, tmp_path / "elsewhere", table=table_name)
    try:
        want = duck.datasets["access_log"]
        assert got.load.files == [f"{table_name}/2026-10-01.parquet",
                                  f"{table_name}/2026-10-02.parquet"]
        for field in set(LOAD_FIELDS) - {"files"}:
            assert getattr(got.load, field) == getattr(want, field), field
        assert (want.rows_loaded, want.rows_rejected) == (4, 3)
        for table, frame in (("access_log", got.table), ("access_log__rejects", got.rejects)):
            names = [r[0] for r in duck.con.execute(f"DESCRIBE {table}").fetchall()]
            actual = [tuple(r[n] for n in names) for r in frame.toArrow().to_pylist()]
            expected = duck.con.execute(f"SELECT * FROM {table}").fetchall()
            assert _renamed(actual, table_name + "/", "") == _renamed(expected, "access_log/",
                                                                        ""), table
        assert got.inputs == [{"path": f"{table_name}/{p.name}", "sha256": sha256_file(p),
                               "size": p.stat().st_size} for p in sorted(log.iterdir())]
    finally:
        got.unpersist()


def test_a_partitioned_table(spark, tmp_path: Path, table_name: str) -> None:
    """A partition column's values are in folder names: one the dataset
    needs refuses the table; another is left out, and said."""
    _parquet_log(tmp_path / "t" / "day=2026-10-01", {"a.parquet": [_event("A1"), _event("A2")]})
    _parquet_log(tmp_path / "t" / "day=2026-10-02", {"b.parquet": [_event("B1")]})
    spark.catalog.createTable(table_name, path=str(tmp_path / "t"), source="parquet")
    spark.sql("ALTER TABLE IDENTIFIER(:t) RECOVER PARTITIONS", args={"t": table_name})
    got = read_dataset(spark, tmp_path, table=table_name)
    try:
        assert (got.load.status, got.load.rows_loaded) == ("loaded", 3)
        assert got.load.files == [f"{table_name}/day=2026-10-01/a.parquet",
                                  f"{table_name}/day=2026-10-02/b.parquet"]
        assert any("partition column(s) day" in w for w in got.load.warnings)
    finally:
        got.unpersist()
    refused = read_dataset(spark, tmp_path, table=table_name,
                           mapping=mapping_from_dict({"access_log": {"columns": {
                               "day": "system", "system": "data_category"}}}))
    assert refused.load.status == "error" and "partition column(s) day" in refused.load.error


def test_a_table_whose_files_are_not_its_rows_is_refused_in_words(spark, tmp_path: Path,
                                                                   table_name: str) -> None:
    write_csv(tmp_path / "c" / "a.csv", HEADER, [_event("A1")])
    spark.catalog.createTable(table_name, path=str(tmp_path / "c"), source="csv")
    spark.sql(f"CREATE TEMPORARY VIEW {table_name}_v AS SELECT 1 AS event_id")
    for table, said in ((table_name, "no header row"), (table_name + "_v", "temporary view"),
                        ("no_such_table", "Spark has no table no_such_table")):
        got = read_dataset(spark, tmp_path, table=table)
        assert (got.load.status, got.table.count()) == ("error", 0)
        assert said in got.load.error, got.load.error


def test_an_audit_configured_with_a_table_reads_it(spark, tmp_path: Path,
                                                   table_name: str) -> None:
    """spark_reads access_log=TABLE reaches the read (audit/engines.py): the
    log is the table's, in the place of DuckDB's, and every file recorded.
    (The controls over a log Spark read: test_a_spark_audit_reads_the_log_spark_read.)"""
    from privacylib.audit.engines import read_with_spark
    from privacylib.config.params import AuditConfig

    _parquet_log(tmp_path / "lake", {"x.parquet": [_event("A1"), _event("A2", ts="never")]})
    spark.catalog.createTable(table_name, path=str(tmp_path / "lake"), source="parquet")
    write_csv(tmp_path / "data" / "access_log.csv", HEADER, [_event("NOT-READ")])
    config = AuditConfig.from_parameters(data=str(tmp_path / "data"), period="2026-10",
                                         engine="spark", spark_reads=f"access_log={table_name}")
    assert config.spark_tables == {"access_log": table_name}
    loaded = load(tmp_path / "data", progress=False, skip=frozenset({"access_log"}))
    read = read_with_spark(config, loaded)
    try:
        log = loaded.datasets["access_log"]
        assert (log.files, log.rows_loaded, log.rows_rejected) == (
            [f"{table_name}/x.parquet"], 1, 1)
        assert [r["event_id"] for r in read.frames["access_log"].collect()] == ["A1"]
        assert [(f["dataset"], f["path"]) for f in read.inputs()] == [
            ("access_log", f"{table_name}/x.parquet")]
    finally:
        for got in read.datasets.values():
            got.unpersist()
