"""Hostile data folders: links out of the folder, linked and looping folders,
dangling links, files in a dataset's place that the loader does not read,
.jsonl files that are one JSON document."""

from __future__ import annotations

import json
import os

import pytest

from privacylib.intake.sources import READ_FORMATS

from conftest import load_dir, rows, write_csv

LOG = ["event_id", "ts", "actor_id", "customer_id", "data_category", "action", "purpose"]
EMP = ["actor_id", "name"]


def events(prefix: str, n: int) -> list[list[str]]:
    return [[f"{prefix}{i}", "2026-10-01 10:00", "A1", "C1", "contact", "read", "service"]
            for i in range(n)]


@pytest.fixture
def outside(tmp_path):
    secret = tmp_path / "secret.key"
    secret.write_text("customer_id\n-----BEGIN PRIVATE KEY-----\n")
    return secret


def test_a_file_link_out_of_the_data_folder_is_refused(data_dir, outside):
    (data_dir / "customers.csv").symlink_to(outside)
    result = load_dir(data_dir)
    d = result.datasets["customers"]
    assert (d.status, d.rows_read) == ("error", 0)
    assert "customers.csv is a link to" in d.error and "outside the data folder" in d.error
    assert rows(result, "SELECT count(*) FROM customers") == [(0,)]
    assert result.datasets["employees"].status == "absent"  # the others go on


def test_a_folder_link_out_of_the_data_folder_is_refused(data_dir, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    write_csv(elsewhere / "day.csv", LOG, events("X", 3))
    write_csv(data_dir / "access_log" / "2026-10-01.csv", LOG, events("E", 2))
    (data_dir / "access_log" / "more").symlink_to(elsewhere, target_is_directory=True)
    d = load_dir(data_dir).datasets["access_log"]
    assert d.status == "error"
    assert "access_log/more is a link to" in d.error and "outside the data folder" in d.error


def test_a_deep_file_link_out_of_the_data_folder_is_refused(data_dir, outside):
    write_csv(data_dir / "access_log" / "2026" / "10" / "01.csv", LOG, events("E", 2))
    (data_dir / "access_log" / "2026" / "10" / "02.csv").symlink_to(outside)
    d = load_dir(data_dir).datasets["access_log"]
    assert d.status == "error" and "access_log/2026/10/02.csv is a link to" in d.error


def test_a_linked_folder_inside_the_data_folder_is_read(data_dir):
    write_csv(data_dir / "access_log" / "2026-10-01.csv", LOG, events("E", 2))
    write_csv(data_dir / "archive" / "october" / "2026-10-02.csv", LOG, events("F", 3))
    (data_dir / "access_log" / "october").symlink_to(data_dir / "archive" / "october",
                                                     target_is_directory=True)
    result = load_dir(data_dir)
    d = result.datasets["access_log"]
    assert (d.status, d.rows_read, d.rows_loaded) == ("loaded", 5, 5)
    assert d.files == ["access_log/2026-10-01.csv", "access_log/october/2026-10-02.csv"]
    assert rows(result, "SELECT _source_file, _source_line FROM access_log "
                        "WHERE event_id = 'F2'") == [("access_log/october/2026-10-02.csv", 4)]


def test_a_file_link_inside_the_data_folder_is_read(data_dir):
    write_csv(data_dir / "exports" / "staff.csv", EMP, [["A1", "x"], ["A2", "y"]])
    (data_dir / "employees.csv").symlink_to(os.path.join("exports", "staff.csv"))
    d = load_dir(data_dir).datasets["employees"]
    assert (d.status, d.rows_read, d.rows_loaded, d.files) == ("loaded", 2, 2, ["employees.csv"])


def test_a_link_loop_is_read_once(data_dir):
    write_csv(data_dir / "access_log" / "a" / "1.csv", LOG, events("E", 2))
    (data_dir / "access_log" / "a" / "again").symlink_to(data_dir / "access_log",
                                                         target_is_directory=True)
    d = load_dir(data_dir).datasets["access_log"]
    assert (d.status, d.rows_read, d.files) == ("loaded", 2, ["access_log/a/1.csv"])


def test_a_dangling_link_is_reported(data_dir, tmp_path):
    write_csv(data_dir / "access_log" / "2026-10-01.csv", LOG, events("E", 2))
    (data_dir / "access_log" / "2026-10-02.csv").symlink_to(tmp_path / "gone.csv")
    (data_dir / "employees.csv").symlink_to(data_dir / "nothing.csv")
    result = load_dir(data_dir)
    for name, link in [("access_log", "access_log/2026-10-02.csv"),
                       ("employees", "employees.csv")]:
        d = result.datasets[name]
        assert d.status == "error" and f"{link} is a link that leads nowhere" in d.error


def test_links_elsewhere_in_the_folder_do_not_matter(data_dir, outside, tmp_path):
    (data_dir / "notes.txt").symlink_to(outside)
    (data_dir / "old").symlink_to(tmp_path / "gone")
    write_csv(data_dir / "employees.csv", EMP, [["A1", "x"]])
    assert load_dir(data_dir).ok


@pytest.mark.parametrize("name", ["access_log.xml", "access_log.yaml.gz", "access_log.xls",
                                  "employees.log", "Employees.TXT"])
def test_a_file_in_a_format_not_read_is_named_not_absent(data_dir, name):
    (data_dir / name).write_text("whatever")
    dataset = name.lower().split(".")[0]
    d = load_dir(data_dir).datasets[dataset]
    assert d.status == "error"
    assert f"dataset {dataset} is given as {name}, a format the loader does not read" in d.error
    assert READ_FORMATS in d.error and ".csv.gz" in READ_FORMATS


@pytest.mark.parametrize(("text", "what"), [
    ("whatever", "access_log.json is not a JSON document"),
    ('{"a": 1, "b": [1]}', "access_log.json holds an object with the keys a, b, not an array"),
    ("3", "access_log.json holds a single int, not an array of records"),
])
def test_a_json_document_that_holds_no_records_is_named(data_dir, text, what):
    (data_dir / "access_log.json").write_text(text)
    d = load_dir(data_dir).datasets["access_log"]
    assert d.status == "error" and what in d.error


def test_a_readable_file_wins_over_a_stray_one(data_dir):
    write_csv(data_dir / "employees.csv", EMP, [["A1", "x"]])
    (data_dir / "employees.csv.bak").write_text("old")
    assert load_dir(data_dir).datasets["employees"].status == "loaded"


ONE = {"actor_id": "A1", "name": "x"}


@pytest.mark.parametrize("text, what", [
    (json.dumps([ONE, ONE]), "holds a JSON array"),
    (json.dumps([ONE, ONE], indent=2), "holds a JSON array"),
    (json.dumps({"Records": [ONE, ONE]}), "holds a single JSON document (1 line(s))"),
    (json.dumps({"Records": [ONE, ONE]}, indent=2), "holds a single JSON document (12 line(s))"),
])
def test_a_json_document_in_a_jsonl_file_is_named_as_such(data_dir, text, what):
    (data_dir / "employees.jsonl").write_text(text + "\n")
    d = load_dir(data_dir).datasets["employees"]
    assert d.status == "error"
    assert f"employees.jsonl {what}, not one JSON object per line" in d.error
    assert "columns found" not in d.error


def test_a_jsonl_file_with_a_missing_column_still_says_so(data_dir):
    (data_dir / "employees.jsonl").write_text(json.dumps({"name": "x", "tags": [1]}) + "\n")
    d = load_dir(data_dir).datasets["employees"]
    assert d.status == "error" and "required column 'actor_id' is missing" in d.error
