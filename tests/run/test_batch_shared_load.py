"""A batch loads data read by several runs once (intake/cache.py): the runs
that start from the kept load write exactly what runs of their own write, and
a kept load whose inputs changed, or which is broken, is not used."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from privacylib.audit.run import run_audit
from privacylib.config.params import AuditConfig, resolve
from privacylib.intake.cache import DATABASE, META, OPENED, load_key, open_load, told_of, write_load
from privacylib.run.batch import (
    _one,
    by_scope,
    kept_load_for,
    load_batch,
    shared_loads,
)
from privacylib.run.kernel import KernelSupply
from privacylib.run.runner import NOTEBOOK, execute, prepare_run
from privacylib.sqlnames import quote_ident
from privacylib.trail.manifest import file_entries

from conftest import SAMPLE

COMPARED = ("findings.csv", "findings.parquet", "controls.csv", "data_quality.csv")


def _batch_file(tmp_path: Path, data: Path, scopes: list[str], periods: list[str]) -> Path:
    path = tmp_path / "batch.yaml"
    path.write_text(json.dumps({"defaults": {"data": str(data)}, "out": "batch",
                                "matrix": {"scope": scopes, "period": periods}, "workers": 1},
                               ensure_ascii=False), encoding="utf-8")
    return path


def test_runs_from_the_kept_load_write_what_runs_of_their_own_write(tmp_path):
    # The batch's own steps, one scope after the other in this process (the
    # kept load is then still there to tell how many runs opened it), in one
    # kernel: the second run's notebook ran where the first one's had.
    # Two scopes of one period: two runs (each a whole notebook) are what it
    # takes to show one load serving several; the suite's time is CI's budget.
    batch = load_batch(_batch_file(tmp_path, SAMPLE / "exports", ["system=crm",
                                   "department=客服中心"], ["2026-10"]))
    loads = shared_loads(batch.configs, tmp_path / "kept")
    assert len(loads) == 1  # one data folder, policy and mapping: one load for both runs
    # One kernel serves both runs, as in a batch's worker (run/kernel.py).
    kernels = KernelSupply(str(NOTEBOOK.parent))
    try:
        kernel = kernels.get()
        # Each scope's runs one after the other in one kernel, as a worker runs them.
        outcomes = [_one(r.to_json(), batch.out, None, None, loads, kernels)
                    for group in by_scope(batch.configs) for r in group]
        assert kernels.get() is kernel
    finally:
        kernels.close()
    assert {o.status for o in outcomes} <= {"done", "findings"}, outcomes
    (folder,) = loads.values()
    assert len((Path(folder) / OPENED).read_text(encoding="utf-8").split()) == 2

    # The same runs, each loading the data itself, each scope's periods in order
    # (history), into a store of their own.
    for resolved in [r for group in by_scope(batch.configs) for r in group]:
        own = execute(dataclasses.replace(resolved.config, store=None), tmp_path / "own")
        shared = batch.out / own.name
        for name in COMPARED:
            assert (shared / name).read_bytes() == (own / name).read_bytes(), (own.name, name)


@pytest.fixture
def company(tmp_path) -> Path:
    data = tmp_path / "exports"
    shutil.copytree(SAMPLE / "exports", data)
    return data


def _resolved(data: Path, **kw: str):
    return resolve(AuditConfig(data=str(data), period="2026-10", **kw))


def _kept(root: Path, data: Path) -> tuple[Path, str]:
    resolved = _resolved(data)
    key = load_key(data, file_entries(data), resolved.policy_sha256, resolved.mapping_sha256)
    root.mkdir(exist_ok=True)
    return write_load(root, key, resolved), key


def test_a_run_whose_inputs_changed_is_not_given_the_kept_load(tmp_path, company):
    folder, key = _kept(tmp_path / "kept", company)
    record = prepare_run(_resolved(company, store=str(tmp_path / "s.duckdb")), tmp_path)
    assert kept_load_for(record, {key: str(folder)}) == (folder, key)

    consents = company / "consents.csv"
    consents.write_text("\n".join(consents.read_text(encoding="utf-8").splitlines()[:-1])
                        + "\n", encoding="utf-8")  # one consent fewer since the batch loaded
    record = prepare_run(_resolved(company, store=str(tmp_path / "s.duckdb")), tmp_path)
    assert kept_load_for(record, {key: str(folder)})[0] is None
    # Another policy is another load too (its time zone types the timestamps).
    policy = tmp_path / "policy.yaml"
    policy.write_text("timezone: Asia/Tokyo\n", encoding="utf-8")
    other = _resolved(company, policy=str(policy))
    assert open_load(folder, key, other) is None


def test_the_kept_load_is_the_load_and_a_broken_one_is_not_used(tmp_path, company):
    folder, key = _kept(tmp_path / "kept", company)
    resolved = _resolved(company)
    fresh = run_audit(resolved)
    with told_of(folder, key):
        kept = run_audit(resolved)
    assert len((folder / OPENED).read_text(encoding="utf-8").split()) == 1
    assert kept.loaded.datasets == fresh.loaded.datasets
    assert kept.findings().equals(fresh.findings())

    assert open_load(folder, "0" * 64, resolved) is None  # another key
    database = folder / DATABASE
    whole = database.read_bytes()
    database.write_bytes(whole[: len(whole) // 2])  # a batch killed while copying, say
    assert open_load(folder, key, resolved) is None
    with told_of(folder, key):  # the run loads the data itself, and audits it all
        again = run_audit(resolved)
    assert again.findings().equals(fresh.findings())
    assert len((folder / OPENED).read_text(encoding="utf-8").split()) == 1

    database.write_bytes(whole)
    (folder / META).unlink()  # a load never finished has no load.json
    assert open_load(folder, key, resolved) is None


def test_a_kept_load_is_what_the_run_audits(tmp_path, company):
    """Told of a kept load, a run reads it, not the files: a consent removed
    from the kept database (its hash made to agree) shows in the findings."""
    import duckdb

    from privacylib.digests import sha256_file

    folder, key = _kept(tmp_path / "kept", company)
    resolved = _resolved(company)
    con = duckdb.connect(str(folder / DATABASE))
    con.execute("DELETE FROM consents")
    con.execute("CHECKPOINT")
    con.close()
    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    meta["database_sha256"] = sha256_file(folder / DATABASE)
    (folder / META).write_text(json.dumps(meta), encoding="utf-8")
    with told_of(folder, key):
        kept = run_audit(resolved)
    fresh = run_audit(resolved)
    count = "SELECT count(*) FROM consents"
    assert kept.loaded.con.execute(count).fetchall() == [(0,)]
    assert fresh.loaded.con.execute(count).fetchall()[0][0] > 0
    assert not kept.findings().equals(fresh.findings())


@pytest.mark.parametrize("in_memory", [True, False], ids=["loaded-in-memory", "loaded-in-file"])
def test_the_kept_database_holds_every_table_of_the_load(tmp_path, company, monkeypatch,
                                                         in_memory):
    # A small company is loaded in memory and copied into the file; a large
    # one straight into the file: both hold what a run's own load holds.
    from privacylib.intake import ingest

    with monkeypatch.context() as patch:  # the kept load's size rule is the load's
        patch.setattr(ingest, "IN_MEMORY_BYTES", 1 << 40 if in_memory else 0)
        folder, key = _kept(tmp_path / "kept", company)
    resolved = _resolved(company)
    kept = open_load(folder, key, resolved)
    fresh = run_audit(resolved).loaded
    assert kept is not None and kept.datasets == fresh.datasets
    tables = "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1"
    names = [t for (t,) in fresh.con.execute(tables).fetchall()]
    assert [t for (t,) in kept.con.execute(tables).fetchall()] == names
    for name in names:
        rows = f"SELECT * FROM {quote_ident(name)} ORDER BY ALL"
        assert kept.con.execute(rows).fetchall() == fresh.con.execute(rows).fetchall(), name


def test_a_kernel_that_serves_runs_keeps_one_copy_of_the_kept_load(tmp_path, company):
    # Each run copies the kept database; the next run in the same kernel
    # removes the last one's copy (a 10M-event log's copy is hundreds of MB).
    folder, key = _kept(tmp_path / "kept", company)
    first = open_load(folder, key, _resolved(company))
    second = open_load(folder, key, _resolved(company))
    assert first is not None and second is not None
    databases = [r.con.execute("SELECT path FROM duckdb_databases() WHERE database_name = "
                               "current_database()").fetchall()[0][0] for r in (first, second)]
    assert not Path(databases[0]).exists() and Path(databases[1]).exists()
    assert second.con.execute("SELECT count(*) FROM access_log").fetchall()[0][0] > 0


def test_runs_whose_log_spark_reads_are_given_no_kept_load(tmp_path):
    """Their run loads only the other datasets in DuckDB: a kept load of the
    whole folder would be made for nothing."""
    pytest.importorskip("pyspark")
    data = str(SAMPLE / "exports")
    spark = [resolve(AuditConfig.from_parameters(data=data, period=p, engine="spark",
                                                 spark_reads="access_log"))
             for p in ("2026-09", "2026-10")]
    assert shared_loads(spark, tmp_path / "spark") == {}
    duck = [resolve(AuditConfig.from_parameters(data=data, period=p))
            for p in ("2026-09", "2026-10")]
    assert len(shared_loads(duck, tmp_path / "duck")) == 1  # the same pair, loaded once
