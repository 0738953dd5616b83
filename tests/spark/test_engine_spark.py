"""Spark and DuckDB give the same audit: every golden case of every control,
and the whole sample company (findings, checked counts, evidence, rejects).

All the tests that need a Spark session are here, in one module: the suite's
workers split by module, so one JVM starts (conftest.py).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from controls.golden import GoldenCase, load_all

from privacylib.config.period import resolve_period
from privacylib.controls.catalog import load_catalog, select
from privacylib.intake.ingest import load
from spark.compare import both, load_tables, summary

from conftest import SAMPLE

pytest.importorskip("pyspark")
pytestmark = pytest.mark.spark
CASES = load_all()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_golden_case_on_both_engines(tmp_path: Path, spark, case: GoldenCase) -> None:
    loaded = load_tables(tmp_path, case.tables, case.policy)
    duck, on_spark = both(loaded, case.period, spark, [case.control_id])
    (result,) = on_spark.results
    assert summary(on_spark) == summary(duck), (case.file, case.title, result.reason_en)
    # Not only the same as DuckDB: what the case itself expects.
    assert (str(result.outcome), result.checked) == (case.expect.outcome, case.expect.checked)
    assert {f.subject_id for f in result.findings} == set(case.expect.subjects)
    assert [f.evidence for f in on_spark.findings] == [f.evidence for f in duck.findings]


@pytest.mark.slow
def test_the_sample_company_is_the_same_audit_on_both_engines(spark) -> None:
    loaded = load(SAMPLE / "exports", progress=False)
    duck, on_spark = both(loaded, "2026-10", spark)
    assert summary(on_spark) == summary(duck)
    assert sum(len(r.findings) for r in on_spark.results) > 50  # a real audit, not 36 passes
    assert {(f.control_id, f.subject_id): f.evidence for f in on_spark.findings} == {
        (f.control_id, f.subject_id): f.evidence for f in duck.findings}
    # The load is privacylib's on both engines: the same rejects and reconciliation.
    assert all(d.rows_read == d.rows_loaded + d.rows_rejected + d.rows_filtered
               for d in loaded.datasets.values())
    assert sum(d.rows_rejected for d in loaded.datasets.values()) > 0


@pytest.mark.slow
def test_a_generated_company_in_parquet_scoped_to_one_system_is_the_same_audit(
        tmp_path_factory: pytest.TempPathFactory, spark) -> None:
    from privacylib.controls.engine import Scope, run_controls
    from privacylib.spark.engine import run_controls_spark
    from privacylib.synth import generate

    made = generate(tmp_path_factory.mktemp("company") / "c", 3000, seed=12, fmt="parquet")
    loaded = load(made.folder, progress=False)
    period, scope = resolve_period("2026-10", tz=loaded.policy.timezone), Scope("system", "crm")
    duck = run_controls(loaded, period, scope=scope)
    # The scope is the DuckDB load's, narrowed before it is handed to Spark.
    on_spark = run_controls_spark(loaded, period, spark, scope=scope)
    assert summary(on_spark) == summary(duck)
    assert sum(len(r.findings) for r in on_spark.results) > 20


def test_a_query_spark_cannot_run_is_that_controls_error_and_the_others_go_on(
        tmp_path: Path, spark, monkeypatch: pytest.MonkeyPatch) -> None:
    from privacylib.spark import engine

    case = next(c for c in CASES if c.control_id == "U01" and c.expect.outcome == "fail")
    loaded = load_tables(tmp_path, case.tables, case.policy)
    real = engine.spark_query
    monkeypatch.setattr(engine, "spark_query", lambda c: "SELECT nonsense(" if c.id == "U01"
                        else real(c))
    controls = select(load_catalog(), ids=["U01", "U04"])
    period = resolve_period(case.period, tz=loaded.policy.timezone)
    result = engine.run_controls_spark(loaded, period, spark, controls=controls)
    broken, other = result.results
    assert (str(broken.outcome), broken.incomplete) == ("error", True)
    assert "the query failed" in broken.reason_en and "查询失败" in broken.reason_zh
    assert str(other.outcome) in ("pass", "fail", "no_data")


def test_the_session_zone_is_the_policys_during_the_run_and_put_back(tmp_path: Path,
                                                                     spark) -> None:
    from privacylib.config.policy import policy_from_dict
    from privacylib.spark.engine import run_controls_spark

    case = next(c for c in CASES if c.control_id == "U04" and "zone" in c.title)
    policy = case.policy or policy_from_dict({"timezone": "Europe/Berlin"})
    loaded = load_tables(tmp_path, case.tables, policy)
    before = spark.conf.get("spark.sql.session.timeZone")
    period = resolve_period(case.period, tz=loaded.policy.timezone)
    result = run_controls_spark(loaded, period, spark, controls=select(load_catalog(),
                                                                       ids=["U04"]))
    assert {f.subject_id for f in result.findings} == set(case.expect.subjects)
    assert spark.conf.get("spark.sql.session.timeZone") == before


def test_a_companys_own_controls_run_in_duckdbs_sandbox(tmp_path: Path, spark) -> None:
    from privacylib.spark.engine import run_controls_spark

    builtin = select(load_catalog(), ids=["U01"])[0]
    mine = dataclasses.replace(builtin, id="X01", custom=True)
    case = next(c for c in CASES if c.control_id == "U01" and c.expect.outcome == "fail")
    loaded = load_tables(tmp_path, case.tables, case.policy)
    period = resolve_period(case.period, tz=loaded.policy.timezone)
    result = run_controls_spark(loaded, period, spark, controls=(builtin, mine))
    theirs, ours = result.results
    assert ours.control.id == "X01" and {f.subject_id for f in ours.findings} == {
        f.subject_id for f in theirs.findings} == set(case.expect.subjects)


# Instants around New York's DST changes (2026-03-08, 2026-11-01) and midnights.
INSTANTS = ["2026-03-08 06:59:59+00", "2026-03-08 07:00:00+00", "2026-11-01 05:30:00+00",
            "2026-11-01 06:30:00+00", "2026-10-31 23:59:59.999+00", "2026-10-04 16:00:00+00"]


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Shanghai", "Asia/Kolkata"])
def test_the_macros_give_the_same_values_on_both_engines(spark, zone: str) -> None:
    import duckdb

    from privacylib.controls.macros import install_macros
    from privacylib.spark.session import session_zone
    from privacylib.spark.transpile import to_spark

    sql = ("SELECT strftime(local_ts(t, $tz), '%Y-%m-%d %H:%M:%S') AS a, "
           "strftime(local_day(t, $tz), '%Y-%m-%d') AS b, local_text(t, $tz) AS c, "
           "local_minute_text(t, $tz) AS d, local_day_text(t, $tz) AS e, "
           "isodow(local_ts(t, $tz)) AS f, in_last_days(t, $as_of, 2) AS g, "
           "in_period(t, $as_of - exact_days(1), $as_of) AS h "
           "FROM (SELECT CAST($t AS TIMESTAMPTZ) AS t) AS x")
    con = duckdb.connect()
    install_macros(con)
    con.execute("SET TimeZone = 'UTC'")
    for text in INSTANTS:
        instant = con.execute("SELECT CAST($t AS TIMESTAMPTZ)", {"t": text}).fetchall()[0][0]
        as_of = con.execute("SELECT CAST('2026-11-02 00:00:00+00' AS TIMESTAMPTZ)").fetchall()[0][0]
        params = {"tz": zone, "t": instant, "as_of": as_of}
        want = con.execute(sql.replace("CAST($t AS TIMESTAMPTZ)", "$t"), params).fetchall()
        with session_zone(spark, zone):
            got = spark.sql(to_spark(sql.replace("CAST($t AS TIMESTAMPTZ)", "$t")),
                            args=params).collect()
        assert [tuple(r) for r in got] == want, (zone, text)
