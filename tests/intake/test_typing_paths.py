"""The typed SELECT's shortcuts give the values the long way would.

Rows whose text holds no blank skip the trim (schema._edges); these tests
put every blank the loader trims at either edge of a value, beside values
with blanks inside, and check each value against Python's strip.
"""

from __future__ import annotations

import duckdb
import pytest

from privacylib.intake.schema import BLANKS_RE

from conftest import load_dir, rows, write_csv

COLUMNS = ["event_id", "ts", "actor_id", "customer_id", "data_category", "action", "purpose"]


def _cases() -> list[dict[str, str]]:
    """One row per (blank, edge, column), plus rows with blanks inside only."""
    base = {"ts": "2026-10-03 09:15:00", "actor_id": "E1", "customer_id": "C1",
            "data_category": "contact", "action": "read", "purpose": "service"}
    out = []
    for b, blank in enumerate(BLANKS_RE):
        for edge in ("start", "end", "both"):
            for column in ("actor_id", "customer_id", "purpose", "ts"):
                row = dict(base, event_id=f"E-{b}-{edge}-{column}")
                value = row[column]
                row[column] = (blank + value if edge != "end" else value) + \
                              (blank if edge != "start" else "")
                out.append(row)
    # Blanks inside values only: kept as they are.
    out.append(dict(base, event_id="inside", customer_id="C\u30001", purpose="a b\tc"))
    # A blank inside one value and at the edge of another.
    out.append(dict(base, event_id="mixed", customer_id="C 1", purpose="service\ufeff"))
    # No blank anywhere.
    out.append(dict(base, event_id="plain"))
    # Nothing but blanks: null.
    out.append(dict(base, event_id="blank", customer_id="\u3000 \t"))
    return out


def _expected(row: dict[str, str]) -> tuple:
    clean = {k: (v.strip(BLANKS_RE) or None) for k, v in row.items()}
    return clean["event_id"], clean["actor_id"], clean["customer_id"], clean["purpose"]


def _check(result, cases) -> None:
    got = {r[0]: r for r in rows(result, "SELECT event_id, actor_id, customer_id, purpose, "
                                         "ts FROM access_log")}
    assert result.datasets["access_log"].rows_rejected == 0
    for case in cases:
        key = case["event_id"].strip(BLANKS_RE)
        assert got[key][:4] == _expected(case), case
        assert got[key][4] is not None


def test_csv_values_with_blank_edges_are_trimmed_and_others_kept(data_dir):
    # A lone \r in a CSV line is a reject of its own (tests/hostile).
    cases = [c for c in _cases() if "\r" not in "".join(c.values())]
    write_csv(data_dir / "access_log.csv", COLUMNS, [[c[k] for k in COLUMNS] for c in cases])
    _check(load_dir(data_dir), cases)


@pytest.mark.parametrize("blank", list(BLANKS_RE))
def test_parquet_values_with_blank_edges_are_trimmed(data_dir, blank):
    cases = [c for c in _cases() if blank in "".join(c.values()) or c["event_id"] == "plain"]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (" + ", ".join(f'"{c}" VARCHAR' for c in COLUMNS) + ")")
    con.executemany("INSERT INTO t VALUES (" + ", ".join("?" for _ in COLUMNS) + ")",
                    [[c[k] for k in COLUMNS] for c in cases])
    con.execute("COPY t TO $p (FORMAT parquet)", {"p": str(data_dir / "access_log.parquet")})
    _check(load_dir(data_dir), cases)


# Timestamps and whole numbers: values in DuckDB's own form skip the regexes
# (timestamps.timestamp_sql, schema._Builder.parse); every other form must
# still be read, or refused, as before.
TIMESTAMPS = [
    "2026-10-03 09:15:00", "2026-10-03 09:15:00.5", "2026-10-03 09:15:00.120",
    "2026-10-03 09:15:00.000001", "0900-01-01 00:00:00", "2026-10-03T09:15:00",
    "2026-10-03 09:15", "2026-10-03", "2026/10/03 09:15:00", "2026-10-03 09:15:00,5",
    "2026-10-03T09:15:00Z", "2026-10-03 09:15:00 UTC", "2026-10-03 09:15:00+08",
    "2026-10-03 09:15:00-05:00", "2026-10-03 09:15:00.1234567",
    "2026-10-03 24:00:00", "infinity", "-infinity", "10000-01-01 00:00:00",
    "0044-03-15 00:00:00 (BC)", "2026-02-30 10:00:00", "2026-10-03 09:15:00 CST",
    "20261003 091500", "epoch", "2026-1-5 9:05:00",
]


def _regexes_only(expr: str) -> str:
    """The timestamp SQL without its fast branch: what it was before."""
    start = expr.index("WHEN CAST(")
    return expr[:start] + expr[expr.index("WHEN regexp_full_match"):]


def test_timestamps_in_duckdbs_own_form_read_as_the_regexes_read_them():
    from privacylib.config.mapping import DatasetMapping
    from privacylib.intake.timestamps import timestamp_sql

    params = {"tz": "Asia/Shanghai"}
    fast = timestamp_sql("t", "VARCHAR", DatasetMapping(), params)
    assert "WHEN CAST(" in fast
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    got = con.execute(f"SELECT t, {fast}, {_regexes_only(fast)} FROM unnest($v) AS u(t)",
                      {**params, "v": TIMESTAMPS}).fetchall()
    assert [(t, a) for t, a, _ in got] == [(t, b) for t, _, b in got]
    read = {t for t, a, _ in got if a is not None}
    assert {"2026-10-03 09:15:00", "2026-10-03T09:15:00Z", "2026/10/03 09:15:00"} <= read
    assert not read & {"infinity", "10000-01-01 00:00:00", "0044-03-15 00:00:00 (BC)",
                       "2026-10-03 09:15:00 CST", "2026-02-30 10:00:00"}


def test_rare_timestamp_and_number_forms_still_load_through_the_loader(data_dir):
    write_csv(data_dir / "access_log.csv", [*COLUMNS, "record_count"], [
        [f"E{i}", ts, "E1", "C1", "contact", "read", "service", n] for i, (ts, n) in enumerate([
            ("2026-10-03 09:15:00", "5"), ("2026/10/03 09:15:00", "+5"),
            ("2026-10-03T01:15:00Z", "007"), ("2026-10-03 09:15:00,0", "5.0"),
            ("2026-10-03 01:15:00 UTC", "-0"), ("2026-10-03 09:15", "5"),
            ("infinity", "5"), ("2026-10-03 09:15:00", "5.5"),
        ])])
    result = load_dir(data_dir)
    loaded = rows(result, "SELECT event_id, CAST(ts AS VARCHAR), record_count FROM access_log "
                          "ORDER BY event_id")
    assert loaded == [(f"E{i}", "2026-10-03 01:15:00+00", n)
                      for i, n in enumerate([5, 5, 7, 5, 0, 5])]
    rejected = rows(result, "SELECT event_id, _reject_column FROM access_log__rejects "
                            "ORDER BY event_id")
    assert rejected == [("E6", "ts"), ("E7", "record_count")]


@pytest.mark.parametrize(("text", "value"), [
    ("5", 5), ("-3", -3), ("+5", 5), ("007", 7), ("5.0", 5), ("-0", 0),
    ("9223372036854775807", 9223372036854775807), ("99999999999999999999", None),
    ("5.5", None), ("1e3", None), ("٣", None),
])
def test_whole_numbers_read_as_before(text, value):
    from privacylib.config.mapping import DatasetMapping
    from privacylib.contract import Column, Kind
    from privacylib.intake.schema import _Builder

    expr = _Builder(DatasetMapping(), "UTC").parse(Column("n", Kind.INTEGER), "v", "VARCHAR")
    assert duckdb.execute(f"SELECT {expr} FROM (SELECT ? AS v)", [text]).fetchall() == [(value,)]
