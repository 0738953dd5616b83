"""Running the controls on Spark: the same results as controls/engine.py.

What is the engine's own is reused as it is: the datasets a control needs
(`_blocked`: skipped, error, nothing to examine), the judgement of a
control's rows (`judge`: the row contract, no_data never pass, findings with
the same finding_key, reason and evidence), a failed query's error
(`query_failed`), the parameters (`bind`), the scope and the time plausibility. What
differs is where the queries run: each control's query (transpiled, or its
Spark variant) and its population count run in Spark, with the parameters
bound as Spark named parameters and Spark's session time zone set to the
policy's. Findings, checked counts and evidence (capped by the controls
themselves) are collected to the driver.

A company's own controls (controls/custom.py) run in DuckDB's sandbox, as
they do in a DuckDB audit: the sandbox, not Spark, is what shuts them in.
"""

from __future__ import annotations

import time
from datetime import time as clock
from typing import TYPE_CHECKING, Any

from privacylib.config.period import Period
from privacylib.controls.catalog import Control, load_catalog
from privacylib.controls.engine import (
    AuditResult,
    ControlResult,
    Scope,
    _blocked,
    bind,
    judge,
    prepare_run,
    query_failed,
    run_controls,
)
from privacylib.intake.ingest import LoadResult
from privacylib.spark.frames import publish_frames
from privacylib.spark.session import session_zone
from privacylib.spark.tables import publish, publish_prepared
from privacylib.spark.variants import spark_count, spark_query
from privacylib.vocab import Outcome

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


class CountError(ValueError):
    """A population count that is not one whole number >= 0."""


def spark_params(params: dict[str, Any]) -> dict[str, Any]:
    """The engine's parameters as Spark binds them: a time of day (business
    hours) as text, 'HH:MM:SS' as DuckDB shows a TIME. The transpiled query
    compares it with the local time as 'HH:mm:ss.SSSSSS' text (TIME_TEXT):
    zero-padded, so text order is time order; a local time equal to the bound
    to the second is the longer text, so it is not before it, as in DuckDB."""
    return {k: v.isoformat() if isinstance(v, clock) else v for k, v in params.items()}


def run_controls_spark(loaded: LoadResult, period: Period, spark: SparkSession, *,
                       scope: Scope | None = None,
                       controls: tuple[Control, ...] | None = None,
                       frames: dict[str, DataFrame] | None = None) -> AuditResult:
    """Run the controls (all by default) over the loaded data, in Spark.

    `frames`: datasets Spark read itself (spark/intake.py), by name; they
    replace DuckDB's tables of those names (spark/frames.py)."""
    controls = load_catalog() if controls is None else controls
    builtin = [c for c in controls if not c.custom]
    params = spark_params(bind(period, loaded.policy, loaded.present("role_assignments")))
    frames = frames or {}
    prepared = prepare_run(loaded, period, scope, builtin, skip=frozenset(frames))
    # Every dataset a control names, an absent one too: DuckDB holds it as an
    # empty table, which is what a control reading an optional dataset needs;
    # and what the engine prepares for a run, which the controls read as
    # DuckDB made it.
    needed = {n for c in builtin for n in (*c.datasets, *c.optional_datasets)}
    publish(spark, loaded.con, needed - set(frames))
    made = publish_frames(spark, loaded, period, scope, frames, prepared)
    publish_prepared(spark, loaded.con, [n for n in prepared if n not in made])
    results: dict[str, ControlResult] = {}
    counts: dict[str, int] = {}
    with session_zone(spark, loaded.policy.timezone):
        for control in builtin:
            results[control.id] = _run_one(spark, loaded, control, params, counts, period,
                                           scope)
    custom = tuple(c for c in controls if c.custom)
    for control in (c for c in custom if set(c.datasets) & set(frames)):
        results[control.id] = _unreadable(control, set(control.datasets) & set(frames))
    custom = tuple(c for c in custom if c.id not in results)
    if custom:
        for r in run_controls(loaded, period, scope=scope, controls=custom).results:
            results[r.control.id] = r
    return AuditResult(period, scope, [results[c.id] for c in controls])


def _unreadable(control: Control, names: set[str]) -> ControlResult:
    """A company's control runs in DuckDB's sandbox, which does not hold a
    dataset Spark read: an error, never a verdict over an empty table."""
    shown = ", ".join(sorted(names))
    return ControlResult(control, Outcome.ERROR,
                         f"a company's own control cannot read {shown}, which Spark read: "
                         "it runs in DuckDB's sandbox",
                         f"企业自定义控制无法读取由 Spark 读取的数据集：{shown}", incomplete=True)


def _count(spark: SparkSession, control: Control, params: dict[str, Any],
           counts: dict[str, int]) -> int:
    sql = spark_count(control)
    if sql not in counts:
        used = {k: v for k, v in params.items() if k in control.population.parameters}
        rows = spark.sql(sql, args=used).collect()
        value = rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else None
        if not isinstance(value, int) or value < 0:
            raise CountError(f"the population count gave {rows[:2]!r}, not one whole number >= 0")
        counts[sql] = value
    return counts[sql]


def _run_one(spark: SparkSession, loaded: LoadResult, control: Control, params: dict[str, Any],
             counts: dict[str, int], period: Period, scope: Scope | None) -> ControlResult:
    from py4j.protocol import Py4JError, Py4JNetworkError
    from pyspark.errors import PySparkException

    blocked = _blocked(loaded, control)
    if blocked:
        return blocked
    started = time.perf_counter()
    used = {k: v for k, v in params.items() if k in control.parameters}
    try:
        checked = _count(spark, control, params, counts)
        query = spark_query(control)
        rows = [r.asDict() for r in spark.sql(
            f"SELECT * FROM ({query}) AS `finding` ORDER BY `subject_id`", args=used).collect()]
    except Py4JNetworkError:
        raise  # the JVM is gone: the run's error (session.said_if_lost), not this control's
    except (PySparkException, Py4JError, CountError) as exc:
        return query_failed(control, exc, started)
    return judge(loaded, control, rows, checked, started, period, scope)
