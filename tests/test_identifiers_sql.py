"""The SQL shortcut of the identifier checks (masking/identifier_sql.py):
every value it calls valid breaks no rule in Python, and a column's counts
are those of the Python checks alone."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privacylib.masking.identifier_sql import surely_valid
from privacylib.masking.identifiers import PROVINCES, check_column, check_values, problems

WEIGHTS = [2 ** (17 - i) % 11 for i in range(1, 18)]


def gb11643(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _id(region: str, born: str, seq: str) -> str:
    return region + born + seq + gb11643(region + born + seq)


GOOD_ID = _id("440103", "19920115", "941")
ODD = [
    GOOD_ID, GOOD_ID.lower(), _id("440103", "19920230", "941"), _id("990103", "19920115", "941"),
    _id("440103", "17991231", "941"), _id("440103", "21000101", "941"), GOOD_ID[:17] + "0",
    GOOD_ID[:17] + "x", " " + GOOD_ID, GOOD_ID + "\u3000", "４４" + GOOD_ID[2:],
    GOOD_ID[:6] + " " + GOOD_ID[6:], GOOD_ID[:17], "440103920115941", "",
    "13812345678", "12812345678", "1381234567", "+86 138 1234 5678", "138-1234-5678",
    "１３８１２３４５６７８", "138123456789", "8613812345678",
    "zhang@qq.com", "zhang@qq", "张三@126.com", "a@b.c", "-a@b.cn", "a..b@x.cn", "a@-x.cn",
    "a b@x.cn", "a@x..cn", "_a@x.cn", "a@x.cn ", "Zhou.Zhu+1@Mail-1.Example.COM",
]
KINDS = ("resident_id", "mobile", "email")


def _surely(kind: str, values: list[str]) -> list[bool]:
    cond = surely_valid(kind, "v", PROVINCES)
    got = duckdb.execute(f"SELECT v, coalesce({cond}, false) FROM unnest($v) "
                         "WITH ORDINALITY AS u(v, i) ORDER BY i", {"v": values}).fetchall()
    return [ok for _, ok in got]


@pytest.mark.parametrize("kind", KINDS)
def test_what_sql_calls_valid_breaks_no_rule(kind):
    verdicts = _surely(kind, ODD)
    assert [v for v, ok in zip(ODD, verdicts, strict=True) if ok and problems(v, kind)] == []
    # The shortcut takes the common form (else it would save nothing).
    assert any(verdicts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*sorted(PROVINCES), "00", "99"]).flatmap(
    lambda p: st.tuples(st.just(p), st.text("0123456789", min_size=16, max_size=16),
                        st.sampled_from("0123456789Xx"))), min_size=1, max_size=20))
def test_random_id_numbers_agree_with_python(parts):
    # Real birth dates come often enough from the middle digits only when forced.
    values = [p + "0101" + ("19" + d[2:4]) + "0" + d[5] + "1" + d[7] + d[8:11] + c
              for p, d, c in parts]
    values += [v[:17] + gb11643(v[:17]) for v in values]
    for v, ok in zip(values, _surely("resident_id", values), strict=True):
        assert not ok or problems(v, "resident_id") == [], v


@pytest.mark.parametrize("kind", KINDS)
def test_column_counts_equal_the_python_checks(kind):
    con = duckdb.connect()
    con.execute('CREATE TABLE customers ("v" VARCHAR)')
    con.executemany("INSERT INTO customers VALUES (?)", [[v] for v in [*ODD, None, None]])
    assert check_column(con, "customers", "v", kind) == check_values([*ODD, None], kind)
