"""Every way a data folder can be unreadable: a clear error, the other datasets load."""

from __future__ import annotations

import gzip

import pytest

from privacylib.config.mapping import load_mapping
from privacylib.config.policy import load_policy
from privacylib.errors import MappingError, PolicyError

from conftest import load_dir, write_csv


def _error(folder, dataset="employees"):
    write_csv(folder / "training.csv", ["actor_id", "completed_at"], [["A1", "2026-01-01"]])
    result = load_dir(folder)
    assert result.datasets["training"].status == "loaded"  # the others still load
    d = result.datasets[dataset]
    assert d.status == "error" and not result.ok
    return d.error


def test_a_folder_holding_other_files(data_dir):
    write_csv(data_dir / "employees" / "a.csv", ["actor_id"], [["A1"]])
    (data_dir / "employees" / "notes.docx").write_bytes(b"x")
    assert "notes.docx" in _error(data_dir) and "not data" in _error(data_dir)


def test_a_csv_without_header(data_dir):
    (data_dir / "employees.csv").write_text("", encoding="utf-8")
    assert "no header line" in _error(data_dir)


def test_a_csv_in_an_unknown_encoding(data_dir):
    (data_dir / "employees.csv").write_bytes(b"actor_id,name\nA1,\xff\xff\xff\n")
    message = _error(data_dir)
    assert "neither UTF-8 nor GB18030" in message and "mapping.yaml" in message


def test_a_truncated_gzip(data_dir):
    data = gzip.compress(b"actor_id,name\n" + b"A1,x\n" * 10000)
    (data_dir / "employees.csv.gz").write_bytes(data[: len(data) // 2])
    assert "employees" in _error(data_dir)


def test_a_broken_parquet_file(data_dir):
    (data_dir / "employees.parquet").write_bytes(b"PAR1 this is not parquet")
    assert "employees.parquet" in _error(data_dir) and "Parquet" in _error(data_dir)


def test_a_broken_workbook(data_dir):
    (data_dir / "employees.xlsx").write_bytes(b"not a zip")
    assert "employees.xlsx" in _error(data_dir) and ".xlsx" in _error(data_dir)


@pytest.mark.parametrize(("second", "warning"), [
    ("note", "column 'note' appears twice; both kept, the second as 'note_2'"),
    ("NOTE", "columns 'note' and 'NOTE' differ only in case; both kept, the second as "
             "'NOTE_2'")])
def test_two_extra_columns_with_one_name_are_both_kept(data_dir, second, warning):
    # Extras are evidence: neither is dropped, and the load says what it did.
    write_csv(data_dir / "employees.csv", ["actor_id", "note", second], [["A1", "a", "b"]])
    d = load_dir(data_dir).datasets["employees"]
    assert d.status == "loaded" and d.warnings == [warning]


@pytest.mark.parametrize("text", ["- a\n- b\n", "timezone: [unclosed\n"])
def test_policy_files_that_are_no_mapping(tmp_path, text):
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError):
        load_policy(path)


@pytest.mark.parametrize("text", ["- a\n", "access_log: {columns: [\n", "access_log: 5\n"])
def test_mapping_files_that_are_not_valid(tmp_path, text):
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError):
        load_mapping(path)


def test_a_gzip_truncated_after_its_head(data_dir):
    rows = "".join(f"A{i},张三{i}\n" for i in range(300000)).encode("gb18030")
    data = gzip.compress(b"actor_id,name\n" + rows)
    (data_dir / "employees.csv.gz").write_bytes(data[: len(data) * 3 // 4])
    assert "employees" in _error(data_dir)
