"""One Spark session for every Spark test of a run (local[2], tiny plans).

pyspark is optional: without it these tests skip; CI installs it (.ci/run).
Starting the JVM costs 10-30 s on a small machine, so it is done once, and
the Spark tests that need it are in one module (test_engine_spark.py): the
suite's workers split tests by module, so only one worker starts a JVM.
"""

from __future__ import annotations

import pytest

# For tables of a few rows: one shuffle partition, no code generation and no
# adaptive re-planning (each costs more than the data; measured 135 s → 34 s
# for seven golden cases of C04, S06, U03).
TINY = {"spark.sql.shuffle.partitions": "1", "spark.sql.codegen.wholeStage": "false",
        "spark.sql.adaptive.enabled": "false"}


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark")
    pytest.importorskip("sqlglot")
    from privacylib.spark.session import spark_session

    session = spark_session("local[2]")
    for key, value in TINY.items():
        session.conf.set(key, value)
    yield session
    session.stop()
