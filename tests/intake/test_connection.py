"""Where a load keeps its tables: memory for a small company, a file for a large log."""

from __future__ import annotations

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
