"""Where a load keeps its tables: memory for a small company, a file for a large log."""

from __future__ import annotations

from pathlib import Path

from privacylib.intake import ingest

from conftest import load_dir, write_csv


def _company(folder):
    write_csv(folder / "consents.csv", ["consent_id", "customer_id", "purpose", "granted_at"],
              [["c1", "u1", "marketing", "2026-10-01T00:00:00Z"]])
    return folder


def _database(loaded) -> str:
    return loaded.con.execute("SELECT path FROM duckdb_databases() "
                              "WHERE database_name = current_database()").fetchall()[0][0]


def test_a_small_company_loads_in_memory(data_dir):
    loaded = load_dir(_company(data_dir))
    assert _database(loaded) is None
    assert loaded.datasets["consents"].rows_loaded == 1


def test_a_large_input_loads_into_a_private_file(data_dir, monkeypatch):
    monkeypatch.setattr(ingest, "IN_MEMORY_BYTES", 10)
    loaded = load_dir(_company(data_dir))
    assert _database(loaded).endswith("audit.duckdb")
    assert loaded.datasets["consents"].rows_loaded == 1


def test_a_private_file_is_not_written_again_when_it_closes(tmp_path):
    # DuckDB checkpoints at shutdown: 3.6 s at a 10M-event log's kernel exit,
    # for a file deleted right after. A file of ours (a kept load) still is.
    import duckdb

    from privacylib.intake.connection import connect

    for private in (True, False):
        con = connect(None if private else tmp_path / "kept.duckdb")
        path = con.execute("SELECT path FROM duckdb_databases() "
                           "WHERE database_name = current_database()").fetchall()[0][0]
        con.execute("CREATE TABLE t AS SELECT range AS i FROM range(100000)")
        con.execute("CHECKPOINT")
        con.execute("UPDATE t SET i = i + 1")  # a change in the WAL, not yet in the file
        before = Path(path).stat().st_size
        con.close()
        after = duckdb.connect(path, read_only=True)  # replays the WAL, if kept
        assert after.execute("SELECT min(i) FROM t").fetchall() == [(1,)]
        after.close()
        assert (Path(path).stat().st_size == before) == private, private
