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
