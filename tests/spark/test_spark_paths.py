"""Files Spark reads by hostile paths (spark/intake_files.py, intake.py,
intake_task.py): a data folder whose path holds ' ', '%41', '#' and 'ü',
files 'p%41' and 'pA' side by side, names that are Hadoop glob patterns
('{x,y}', 'a[1]', '?', '*', '\\'), and a broken file. Spark's read is
DuckDB's load of the same folder: rows, rejects, file names, and the error.

Measured with pyspark 4 (what the keys are made to fit): binaryFile's `path`
column gives a file's path raw ('file:/d/a b%41 ü#1/p%41.parquet'), while
`DataFrame.inputFiles()` gives it URI-encoded ('file:///d/a%20b%2541%20ü%231/
p%2541.parquet'); a path handed to `load` is a glob pattern unless escaped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from privacylib.config.mapping import mapping_from_dict
from privacylib.intake.ingest import load
from privacylib.spark.intake import read_dataset
from privacylib.spark.intake_files import file_key, glob_escaped, path_key
from spark.test_spark_intake import HEADER, _assert_same, _event, _parquet_log

from conftest import write_csv

pytest.importorskip("pyspark")
pytestmark = pytest.mark.spark

ODD = "a b%41 ü#1"  # a data folder's name Spark's paths must keep as it is
GLOBS = ["{x,y}.csv", "a[1].csv", "q?.csv", "st*r.csv", "b\\s.csv"]


def test_one_key_a_file_however_its_scheme_is_written() -> None:
    """Raw paths keyed as they are: never decoded, a '#' or '?' part of the name."""
    assert path_key("file:/d/p%41.parquet") == path_key("file:///d/p%41.parquet") \
        == path_key("/d/p%41.parquet") == path_key("FILE:////d//p%41.parquet") \
        == "file:///d/p%41.parquet" != path_key("/d/pA.parquet")
    assert path_key("file:/d/h#1/a?b.csv") == "file:///d/h#1/a?b.csv"
    assert path_key("hdfs://nn:8020/d/a b") == "hdfs://nn:8020/d/a b"
    assert path_key("s3a://bucket/d/x.csv") == "s3a://bucket/d/x.csv"
    # inputFiles' spelling of the same file, decoded once ('%25' is a '%').
    assert file_key("file:///d/a%20b%2541%20ü%231/p%2541;x.parquet") == \
        path_key("file:/d/a b%41 ü#1/p%41;x.parquet")
    assert glob_escaped("s3a://b/{x,y}/a[1]*?\\.csv") == "s3a://b/\\{x,y\\}/a\\[1\\]\\*\\?\\\\.csv"


def _same_twice(spark, folder: Path) -> dict:
    """Spark's read of the folder, and of it by address (listed by Spark),
    each equal to DuckDB's load; DuckDB's DatasetLoad as a dict."""
    m = mapping_from_dict({})
    duck = load(folder, mapping=m, progress=False)
    for where in (folder, f"file://{folder}"):
        got = read_dataset(spark, where, mapping=m)
        try:
            want = _assert_same(duck, got)
        finally:
            got.unpersist()
    return want


def test_a_folder_with_space_percent_hash_and_umlaut_and_names_that_are_globs(
        spark, tmp_path: Path) -> None:
    """p%41 and pA are two files, each read under its own name, in a folder
    whose '#' once cut every file's path to one; each address is loaded
    literally ('{x,y}.csv' was no file: PATH_NOT_FOUND out of the read)."""
    names = ["p%41.csv", "pA.csv", "ü #%.csv", *GLOBS]
    for i, name in enumerate(names):
        write_csv(tmp_path / ODD / "access_log" / name, HEADER,
                  [_event(f"G{i}"), _event(f"H{i}", record_count="many")])
    got = _same_twice(spark, tmp_path / ODD)
    assert got["files"] == sorted(f"access_log/{n}" for n in names)
    assert (got["rows_loaded"], got["rows_rejected"]) == (len(names), len(names))


def test_a_glob_name_reads_its_own_file_not_the_one_it_would_match(
        spark, tmp_path: Path) -> None:
    """a[1].csv beside a1.csv: each file's rows under its own name. (Said
    outright, not as DuckDB's load: DuckDB's reader takes a[1].csv for a
    pattern too, and reads a1.csv in its place.)"""
    write_csv(tmp_path / "access_log" / "a[1].csv", HEADER, [_event("BRACKET")])
    write_csv(tmp_path / "access_log" / "a1.csv", HEADER, [_event("PLAIN")])
    got = read_dataset(spark, tmp_path)
    try:
        assert got.load.files == ["access_log/a1.csv", "access_log/a[1].csv"]
        assert sorted((r["_source_file"], r["event_id"]) for r in got.table.collect()) == [
            ("access_log/a1.csv", "PLAIN"), ("access_log/a[1].csv", "BRACKET")]
        assert (got.load.rows_read, got.load.rows_rejected) == (2, 0)
    finally:
        got.unpersist()


def test_a_broken_file_s_error_names_it_the_same_on_every_read(spark, tmp_path: Path) -> None:
    """The reader's message says the file where it is, as DuckDB's load says
    it, never the task's copy (a new temporary folder each read)."""
    folder = tmp_path / ODD
    _parquet_log(folder / "access_log", {"a.parquet": [_event("A1")]})
    broken = folder / "access_log" / "part-0.parquet"
    broken.write_bytes(b"PAR1 garbage, not a Parquet file")
    want = load(folder, progress=False).datasets["access_log"]
    errors = []
    for _ in range(2):
        got = read_dataset(spark, folder)
        errors.append(got.load.error)
        assert (got.load.status, got.load.files, got.load.error) == (
            "error", want.files, want.error)
    assert errors[0] == errors[1]
    assert errors[0].startswith("access_log/part-0.parquet is not a readable Parquet file")
    assert f"'{broken}'" in errors[0] and "privacylib-spark-" not in errors[0]
    # By address (a folder Spark lists): the file said by its address.
    listed = read_dataset(spark, f"file://{folder}", mapping=mapping_from_dict({})).load
    assert listed.error == want.error.replace(f"'{broken}'", f"'file://{broken}'")
