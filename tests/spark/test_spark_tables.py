"""The access log read from a table of Spark's catalog (spark/intake_tables.py),
attacked as a hostile lake and a careless user would: real tables of the
session's in-memory catalog (each with an explicit location, so nothing is
written where the tests run), read through `read_dataset(..., table=...)`.

Where only the naming is at stake, `table_files` is called alone: it lists,
it reads no file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from privacylib.audit.result import RunResult, SparkInput
from privacylib.config.mapping import mapping_from_dict
from privacylib.config.policy import Policy
from privacylib.contract import BY_NAME
from privacylib.digests import sha256_file
from privacylib.intake.ingest import load
from privacylib.spark.intake import read_dataset
from privacylib.spark.intake_tables import table_files
from spark.test_spark_intake import HEADER, LOAD_FIELDS, _event, _parquet_log

pytest.importorskip("pyspark")
pytestmark = pytest.mark.spark

LOG = BY_NAME["access_log"]


@pytest.fixture
def tables(spark):
    """Names of tables (and databases) made by a test, dropped after it."""
    made: dict[str, list[str]] = {"table": [], "database": []}
    yield made
    for name in made["table"]:
        spark.sql("DROP TABLE IF EXISTS IDENTIFIER(:t)", args={"t": name})
    for name in made["database"]:
        spark.sql("DROP DATABASE IF EXISTS IDENTIFIER(:d) CASCADE", args={"d": name})


def _table(spark, tables: dict, name: str, path: str | Path, source: str = "parquet") -> str:
    spark.catalog.createTable(name, path=str(path), source=source)
    tables["table"].append(name)
    return name


def _names(spark, table: str, mapping: dict | None = None) -> list[str]:
    m = mapping_from_dict(mapping or {}).for_dataset("access_log")
    return [f.name for f in table_files(spark, table, LOG, m).files]


def _spark_json(path: Path, rows: list[list[object]]) -> None:
    """A file as Spark's JSON writer makes it (measured, pyspark 4): JSON
    Lines, compact, a null left out of its line. Written here: a Spark job
    each would double the test's time."""
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({h: v for h, v in zip(HEADER, r, strict=True)
                                        if v is not None}, separators=(",", ":"),
                                       ensure_ascii=False) + "\n" for r in rows))


def _log_schema():
    from pyspark.sql import types as T

    return T.StructType([T.StructField(h, T.LongType() if h == "record_count"
                                       else T.StringType()) for h in HEADER])


def test_a_json_table_is_its_files_loaded_as_json_lines_and_reads_the_same_twice(
        spark, tmp_path: Path, tables: dict) -> None:
    """Spark's JSON files are JSON Lines: the table reads as DuckDB loads the
    same files as an access_log/ folder of .jsonl files (rows, rejects,
    counts); a null Spark leaves out of its line is a null, not a gap. Read
    twice, the same rows, lines and hashes."""
    where = tmp_path / "lake" / "js"
    _spark_json(where / "part-00000-c000.json", [_event("J1"), _event("J2", ts="later"),
                                                 _event(""), _event("K", ts=None)])
    _spark_json(where / "part-00001-c000.json", [_event("K"), _event("J3", ticket_id=None)])
    spark.catalog.createTable("js_events", path=str(where), source="json", schema=_log_schema())
    tables["table"].append(name := "js_events")
    folder = tmp_path / "data" / "access_log"
    folder.mkdir(parents=True)
    for f in sorted(where.glob("*.json")):
        shutil.copy(f, folder / (f.stem + ".jsonl"))
    duck = load(tmp_path / "data", progress=False)
    want = duck.datasets["access_log"]
    first, second = (read_dataset(spark, tmp_path / "data", table=name) for _ in range(2))
    try:
        got = first.load
        assert (got.status, got.format, got.rows_loaded, got.rows_rejected) == (
            "loaded", "jsonl", 3, 3)
        assert [f.removeprefix(f"{name}/") + "l" for f in got.files] == [
            f.removeprefix("access_log/") for f in want.files]
        for field in set(LOAD_FIELDS) - {"files"}:
            assert getattr(got, field) == getattr(want, field), field
        respell = (f"{name}/", "access_log/", ".json", ".jsonl")
        for table, frame in (("access_log", first.table), ("access_log__rejects", first.rejects)):
            names = [r[0] for r in duck.con.execute(f"DESCRIBE {table}").fetchall()]
            expected = sorted(duck.con.execute(f"SELECT * FROM {table}").fetchall(),
                              key=lambda r: tuple((v is None, str(v)) for v in r))
            assert [tuple(r[n] for n in names) for r in _dicts(frame, *respell)] == expected
        for a, b in ((first.table, second.table), (first.rejects, second.rejects)):
            assert _dicts(a) == _dicts(b)
        assert first.inputs == second.inputs == [
            {"path": f"{name}/{p.name}", "sha256": sha256_file(p), "size": p.stat().st_size}
            for p in sorted(where.glob("*.json"))]
    finally:
        first.unpersist()
        second.unpersist()


def _dicts(frame, prefix: str = "", to: str = "", suffix: str = "",
           to_suffix: str = "") -> list[dict]:
    """A frame's rows as dicts, sorted; a table's file names spelled as a folder's."""
    def spelled(v: object) -> object:
        if prefix and isinstance(v, str) and prefix in v:
            return v.replace(prefix, to).replace(suffix, to_suffix)
        return v
    rows = [{k: spelled(v) for k, v in r.items()} for r in frame.toArrow().to_pylist()]
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r.values()))


def test_a_table_of_another_database_by_any_of_its_names(spark, tmp_path: Path,
                                                         tables: dict) -> None:
    """lake.events, spark_catalog.lake.events, and either written in another
    case: the files are named after the name given, spelled as the catalog
    spells it (the same table, the same evidence)."""
    spark.sql("CREATE DATABASE lake_t LOCATION :at", args={"at": str(tmp_path / "lake.db")})
    tables["database"].append("lake_t")
    _parquet_log(tmp_path / "ev" / "d=1", {"e.parquet": [_event("E1")]})
    _table(spark, tables, "lake_t.events", tmp_path / "ev")
    spark.sql("ALTER TABLE lake_t.events RECOVER PARTITIONS")
    for given, named in (("lake_t.events", "lake_t.events"), ("LAKE_T.Events", "lake_t.events"),
                         ("spark_catalog.lake_t.events", "spark_catalog.lake_t.events"),
                         ("Spark_Catalog.Lake_T.EVENTS", "spark_catalog.lake_t.events")):
        assert _names(spark, given) == [f"{named}/d=1/e.parquet"], given
    assert "no table events" in read_dataset(spark, tmp_path, table="events").load.error


def test_file_names_with_spaces_unicode_and_percent_read_as_named(
        spark, tmp_path: Path, tables: dict) -> None:
    """Spark gives its files' addresses URL-encoded and DESCRIBE its location
    decoded: a file is named as it is on disk, under the table's folder,
    whatever either spelling; its rejects say that name, its hash is the file's."""
    where = tmp_path / "a b%20c ü"
    _parquet_log(where, {"x y.parquet": [_event("X1", ts="never")],
                         "ü%z.parquet": [_event("U1")], "p%41.parquet": [_event("P1")]})
    name = _table(spark, tables, "odd", where)
    got = read_dataset(spark, tmp_path, table=name)
    try:
        files = sorted(where.iterdir())
        assert got.load.files == [f"odd/{p.name}" for p in files] == [
            "odd/p%41.parquet", "odd/x y.parquet", "odd/ü%z.parquet"]
        assert (got.load.rows_loaded, got.load.rows_rejected) == (2, 1)
        assert [(r["_source_file"], r["_source_line"]) for r in got.rejects.collect()] == [
            ("odd/x y.parquet", 1)]
        assert got.inputs == [{"path": f"odd/{p.name}", "sha256": sha256_file(p),
                               "size": p.stat().st_size} for p in files]
    finally:
        got.unpersist()


def test_files_whose_paths_decode_alike_are_each_read_as_themselves(spark, tmp_path: Path,
                                                                    tables: dict) -> None:
    """p%41 is not pA, and a '#' does not end a path: each file is read under
    its own name, with its own rows (spark/intake_files.path_key)."""
    _parquet_log(tmp_path / "pct", {"p%41.parquet": [_event("A")], "pA.parquet": [_event("B")]})
    _parquet_log(tmp_path / "h#1", {"a.parquet": [_event("C")], "b.parquet": [_event("D")]})
    for name, want in (("pct", [("pct/p%41.parquet", "A"), ("pct/pA.parquet", "B")]),
                       ("hash", [("hash/a.parquet", "C"), ("hash/b.parquet", "D")])):
        _table(spark, tables, name, tmp_path / ("pct" if name == "pct" else "h#1"))
        got = read_dataset(spark, tmp_path, table=name)
        try:
            assert got.load.status == "loaded", got.load.error
            assert sorted((r["_source_file"], r["event_id"]) for r in got.table.collect()) == want
        finally:
            got.unpersist()


def test_a_location_however_spelled(spark, tmp_path: Path, tables: dict) -> None:
    """file:/x/, file:///x, /x/, file:////x//: the files are named under it
    alike (a folder within an unpartitioned table's is none of its files: Spark
    reads none of it either)."""
    _parquet_log(tmp_path / "loc", {"a.parquet": [_event("L1")]})
    (tmp_path / "loc" / "in here").mkdir()
    shutil.copy(tmp_path / "loc" / "a.parquet", tmp_path / "loc" / "in here" / "b.parquet")
    at = tmp_path / "loc"
    for i, spelled in enumerate((f"file:{at}/", f"file://{at}", f"{at}/", f"file:///{at}//")):
        name = _table(spark, tables, f"loc{i}", spelled)
        assert _names(spark, name) == [f"loc{i}/a.parquet"]
        assert spark.table(name).count() == 1


def test_an_empty_table_is_absent_as_an_empty_folder_is(spark, tmp_path: Path,
                                                         tables: dict) -> None:
    """No files, no rows: absent (its controls skipped, never a pass over
    nothing), as DuckDB says of an empty access_log/ folder."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "data" / "access_log").mkdir(parents=True)
    (tmp_path / "data" / "consents.csv").write_text("subject_id\nC1\n")
    spark.sql("CREATE TABLE empty_log (event_id STRING, ts STRING) USING parquet "
              "LOCATION :at", args={"at": str(tmp_path / "empty")})
    tables["table"].append("empty_log")
    got = read_dataset(spark, tmp_path / "data", table="empty_log")
    want = load(tmp_path / "data", progress=False).datasets["access_log"]
    assert got.load.status == want.status == "absent"
    assert (got.load.rows_read, got.table.count(), got.rejects.count()) == (0, 0, 0)


def test_the_lake_as_it_is_now_and_a_file_that_is_not_parquet(spark, tmp_path: Path,
                                                               tables: dict) -> None:
    """Files the lake gained since the session last listed the table are
    read (Spark keeps a listing); one that is no Parquet file is the load's
    error naming it, never a quiet gap."""
    _parquet_log(tmp_path / "t", {"a.parquet": [_event("A1")]})
    name = _table(spark, tables, "grows", tmp_path / "t")
    assert _names(spark, name) == ["grows/a.parquet"]
    shutil.copy(tmp_path / "t" / "a.parquet", tmp_path / "t" / "b.parquet")
    assert _names(spark, name) == ["grows/a.parquet", "grows/b.parquet"]
    (tmp_path / "t" / "part-0.parquet").write_bytes(b"PAR1 garbage, not a Parquet file")
    got = read_dataset(spark, tmp_path, table=name)
    assert (got.load.status, got.table.count(), got.rejects.count()) == ("error", 0, 0)
    assert "grows/part-0.parquet is not a readable Parquet file" in got.load.error
    assert got.load.files == ["grows/a.parquet", "grows/b.parquet", "grows/part-0.parquet"]


def test_a_partition_column_named_in_another_case(spark, tmp_path: Path, tables: dict) -> None:
    """SYSTEM=crm/ holds the contract's `system`, Day=1/ the mapping's `DAY`:
    each refused, whatever the case."""
    import pyarrow.parquet as pq

    for name, folder, column in (("pc", "SYSTEM=crm", "system"), ("pd", "Day=1", "ticket_id")):
        _parquet_log(tmp_path / name / folder, {"a.parquet": [_event("P1")]})
        path = tmp_path / name / folder / "a.parquet"
        pq.write_table(pq.read_table(path).drop([column]), path)
        _table(spark, tables, name, tmp_path / name)
        spark.sql("ALTER TABLE IDENTIFIER(:t) RECOVER PARTITIONS", args={"t": name})
    for name, mapping, said in (("pc", {}, "SYSTEM"),
                                ("pd", {"access_log": {"columns": {"DAY": "ticket_id"}}}, "Day")):
        got = read_dataset(spark, tmp_path, table=name, mapping=mapping_from_dict(mapping))
        assert got.load.status == "error" and got.table.count() == 0, name
        assert f"partition column(s) {said} are in its folders' names" in got.load.error


def test_a_spark_timestamp_in_parquet_is_read_as_the_instant_it_is(
        spark, tmp_path: Path, tables: dict) -> None:
    """Spark writes a TIMESTAMP to Parquet as INT96 by default: its UTC wall
    time, no zone. Read in the policy's zone (Asia/Shanghai) it would move by
    8 hours: refused, unless the log's zone is UTC; a JSON table's times
    carry their offset and are read as they are. (The files are written as
    Spark writes them, measured with pyspark 4: a Spark job each would
    double the test's time.)"""
    from datetime import UTC, datetime

    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyspark.sql import types as T

    instant = datetime(2026, 10, 1, 9, tzinfo=UTC)
    row = dict(zip(HEADER, _event("T1"), strict=True))
    (tmp_path / "tp").mkdir()
    pq.write_table(pa.table({h: [instant if h == "ts" else v] for h, v in row.items()}),
                   tmp_path / "tp" / "part-0.parquet", use_deprecated_int96_timestamps=True)
    _spark_json(tmp_path / "tj" / "part-0.json", [_event("T1", ts="2026-10-01T09:00:00.000Z")])
    schema = T.StructType([T.StructField("ts", T.TimestampType()) if f.name == "ts" else f
                           for f in _log_schema().fields])
    for name, folder, source in (("typed_parquet", "tp", "parquet"),
                                 ("typed_json", "tj", "json")):
        spark.catalog.createTable(name, path=str(tmp_path / folder), source=source,
                                  schema=schema)
        tables["table"].append(name)
    refused = read_dataset(spark, tmp_path, table="typed_parquet")
    assert refused.load.status == "error" and "column(s) ts are Spark TIMESTAMPs" in \
        refused.load.error and "read in Asia/Shanghai" in refused.load.error
    utc = mapping_from_dict({"access_log": {"timezone": "Etc/UTC"}})
    # The log's zone is the mapping's, else the policy's: either UTC reads it.
    for table, mapping, policy in (("typed_parquet", utc, None),
                                   ("typed_parquet", None, Policy(timezone="GMT")),
                                   ("typed_json", None, None)):
        got = read_dataset(spark, tmp_path, table=table, mapping=mapping, policy=policy)
        try:
            assert got.load.status == "loaded", got.load.error
            assert [r["ts"].replace(tzinfo=UTC) for r in got.table.collect()] == [instant], table
        finally:
            got.unpersist()


# A result.json written before Spark read catalog tables (trimmed): no spark_inputs.
OLD_RESULT = {
    "access_by_hour": [], "code_names": [["crm", "CRM"]], "exceptions": [], "format": 1,
    "comparison": {"new": 0, "previous_period": None, "previous_run": None, "recurring": 0,
                   "resolved": []},
    "controls": [{"checked": 22, "family": "collection", "findings": 3, "id": "C01",
                  "outcome": "fail", "reason": "", "severity": "high", "title": "收集目的明确"}],
    "findings": {"digest": "sha256-x", "path": "findings.parquet", "rows": 3},
    "quality": [{"dataset": "employees", "error": "", "rows_filtered": 0, "rows_loaded": 412,
                 "rows_read": 413, "rows_rejected": 1, "status": "loaded", "warnings": ""}],
    "run": {"as_of": "2026-10-31T16:00:00+00:00", "bounds": "[2026-09-30T16:00Z, "
            "2026-10-31T16:00Z)", "lang": "zh", "local_end": "2026-11-01 00:00",
            "local_start": "2026-10-01 00:00", "masked": True, "period": "2026-10",
            "period_end": "2026-10-31T16:00:00+00:00",
            "period_start": "2026-09-30T16:00:00+00:00", "policy_digest": "sha256-y",
            "scope": "", "timezone": "Asia/Shanghai"},
    "verdict": {"failed_by_severity": {"high": 1}, "incomplete": [],
                "open_findings_by_severity": {"high": 3}, "outcomes": {"fail": 1}},
}


def test_a_result_json_without_spark_inputs_still_reads() -> None:
    import dataclasses
    import json

    old = RunResult.from_dict(OLD_RESULT)
    assert old.spark_inputs == () and old.outcome("C01") == "fail"
    new = dataclasses.replace(old, spark_inputs=(SparkInput("access_log", "t/a b.parquet",
                                                            "ab" * 32, 7),))
    assert RunResult.from_dict(json.loads(new.to_json())) == new
