"""Spark variants: a control whose DuckDB SQL cannot be transpiled faithfully
has its Spark SQL written out in privacylib/spark/variants/<ID>.sql.

A variant file opens with `--` lines saying why it exists (a test reads
them: tests/spark/test_variants.py), then the Spark SQL query, with the same
`:name` parameters and the same columns as the control's own query. The
variants live here, not beside the controls, so the catalog (which reads
every controls/sql/*.sql as a control) never takes one for a control.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from privacylib.controls.catalog import Control
from privacylib.controls.header import split_file
from privacylib.spark.transpile import to_spark

VARIANTS_DIR = Path(__file__).parent / "variants"


@cache
def variants() -> dict[str, tuple[str, str]]:
    """{control id: (why, Spark SQL)} of every variant file."""
    out = {}
    for path in sorted(VARIANTS_DIR.glob("*.sql")):
        why, sql = split_file(path.read_text(encoding="utf-8"))
        out[path.stem] = (why.strip(), sql)
    return out


def spark_query(control: Control) -> str:
    """The control's query in Spark SQL: its variant, else its own transpiled."""
    found = variants().get(control.id)
    return found[1] if found and not control.custom else to_spark(control.sql)


def spark_count(control: Control) -> str:
    """The population count in Spark SQL (counts are plain enough to transpile)."""
    return to_spark(control.population.count_sql)
