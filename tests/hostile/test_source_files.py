"""Native sources given odd files: empty, garbage, a folder of files with
any suffix, a dataset given twice."""

from __future__ import annotations

import privacylib


def _load(folder, mapping: str):
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    return privacylib.load(folder, progress=False).datasets["access_log"]


def test_an_empty_log_loads_no_row(tmp_path):
    (tmp_path / "access_log.log").write_text("", encoding="utf-8")
    d = _load(tmp_path, "access_log: {source: pgaudit}\n")
    assert (d.status, d.rows_read) == ("loaded", 0)


def test_garbage_is_rejected_with_the_reason_not_an_error(tmp_path):
    (tmp_path / "access_log").write_bytes(b"\xff\xfe garbage\n\x00\x01\n")
    d = _load(tmp_path, "access_log: {source: mysql-audit}\n")
    assert d.status == "loaded", d.error
    assert (d.rows_read, d.rows_loaded, d.rows_rejected) == (2, 0, 2)


def test_a_folder_of_rotated_logs_with_any_suffix(tmp_path):
    folder = tmp_path / "access_log"
    folder.mkdir()
    line = "NOTICE:  AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.t,select 1,<none>\n"
    for name in ("postgresql.log", "postgresql.log.1", "postgresql-2026-10-05"):
        (folder / name).write_text(line, encoding="utf-8")
    (folder / ".hidden").write_text("x", encoding="utf-8")
    d = _load(tmp_path, "access_log: {source: pgaudit}\n")
    assert d.status == "loaded", d.error
    assert (d.rows_read, d.rows_loaded) == (3, 3)
    assert sorted(d.files) == ["access_log/postgresql-2026-10-05", "access_log/postgresql.log",
                               "access_log/postgresql.log.1"]


def test_a_dataset_given_twice_is_still_an_error(tmp_path):
    (tmp_path / "access_log.log").write_text("", encoding="utf-8")
    (tmp_path / "access_log.out").write_text("", encoding="utf-8")
    d = _load(tmp_path, "access_log: {source: pgaudit}\n")
    assert d.status == "error" and "given 2 times" in d.error
