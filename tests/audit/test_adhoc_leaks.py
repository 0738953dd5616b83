"""Ad hoc SQL cannot compute a raw identifier: the snapshot it queries holds none.

Each case transforms identifiers in SQL (glued, re-encoded, reversed, cut,
computed on) so that masking the output text cannot recognise them, and a
decoder undoes the transformation in Python: none of what it gets back may be
a raw identifier of the sample company. Joins on customer_id still work, and
an unmasked query (with a reason, recorded) still gets the raw values.
"""

from __future__ import annotations

import base64
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from privacylib.audit.adhoc import SqlSession
from privacylib.audit.run import Audit, AuditConfig, run_audit
from privacylib.masking.masker import Masker, known_names, unmasked
from privacylib.trail.access import views

from conftest import SAMPLE, sample_identifiers

SECRETS = frozenset(sample_identifiers())
_TOKEN = re.compile(r"[A-Za-z0-9@._+-]+")


@pytest.fixture(scope="module")
def audit(tmp_path_factory) -> Audit:
    store = tmp_path_factory.mktemp("store") / "audit-store.duckdb"
    return run_audit(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10",
                                 store=str(store)))


@pytest.fixture(scope="module")
def names(audit: Audit) -> frozenset[str]:
    found = known_names(audit.loaded.con)
    assert len(found) > 1000
    return found


# The output net may have masked a cell that happened to look like an
# identifier: such a cell decodes to nothing.
def _hex(value: str) -> list[str]:
    try:
        return [bytes.fromhex(value).decode("utf-8", "replace")]
    except ValueError:
        return []


def _b64(value: str) -> list[str]:
    try:
        return [base64.b64decode(value, validate=True).decode("utf-8", "replace")]
    except ValueError:
        return []


def _number(value: Any, undo: Callable[[float], float]) -> list[str]:
    try:
        return [str(round(undo(float(value))))]
    except (TypeError, ValueError):
        return []  # NULL, or masked text


def _pieces(value: str, size: int) -> list[str]:
    return [value[i:i + size] for i in range(0, len(value), size)]


# (what the reviewer named, the query, a decoder: one result row -> candidates)
Decoder = Callable[[dict[str, Any]], list[str]]
CASES: list[tuple[str, str, Decoder]] = [
    ("map keys", "SELECT map([customer_id, 手机号], [1, 2]) AS m FROM customers",
     lambda r: [str(k) for k in r["m"]]),
    ("string_agg glues ids", "SELECT string_agg(customer_id, '' ORDER BY customer_id) AS s, "
     "string_agg(手机号, '' ORDER BY customer_id) AS p FROM customers",
     lambda r: re.findall(r"C\d{7}", r["s"]) + _pieces(r["p"], 11)),
    ("list aggregation glued", "SELECT array_to_string(list(身份证号 ORDER BY customer_id), '') "
     "AS s FROM customers", lambda r: _pieces(r["s"], 18)),
    ("concat without separator", "SELECT customer_id || 手机号 AS s FROM customers",
     lambda r: [r["s"][:8], r["s"][8:]]),
    ("lower()", "SELECT lower(customer_id) AS s, lower(邮箱) AS e FROM customers",
     lambda r: [r["s"].upper(), r["e"]]),
    ("upper()", "SELECT upper(customer_id) || 'x' AS s FROM customers",
     lambda r: [r["s"][:-1]]),
    ("hex()", "SELECT hex(手机号) AS h, hex(customer_id) AS c FROM customers",
     lambda r: _hex(r["h"]) + _hex(r["c"])),
    ("base64", "SELECT to_base64(encode(身份证号)) AS b, base64(encode(customer_id)) AS c "
     "FROM customers", lambda r: _b64(r["b"]) + _b64(r["c"])),
    ("reverse()", "SELECT reverse(手机号) AS m, reverse(customer_id) AS c, reverse(邮箱) AS e "
     "FROM customers", lambda r: [r["m"][::-1], r["c"][::-1], r["e"][::-1]]),
    ("substring pieces", "SELECT substr(身份证号, 1, 9) AS a, substr(身份证号, 10) AS b, "
     "substr(customer_id, 1, 4) AS c, substr(customer_id, 5) AS d FROM customers",
     lambda r: [r["a"] + r["b"], r["c"] + r["d"]]),
    ("arithmetic on a numeric id", "SELECT TRY_CAST(手机号 AS BIGINT) * 10 AS times, "
     "TRY_CAST(手机号 AS BIGINT) + 100000000000 AS plus FROM customers",
     lambda r: _number(r["times"], lambda n: n / 10)
     + _number(r["plus"], lambda n: n - 100_000_000_000)),
    ("casting", "SELECT CAST(TRY_CAST(手机号 AS BIGINT) AS BIT) AS bits, "
     "TRY_CAST(手机号 AS DOUBLE) / 1e11 AS scaled FROM customers",
     lambda r: _number(r["bits"] and int(r["bits"], 2), lambda n: n)
     + _number(r["scaled"], lambda n: n * 1e11)),
    ("a rejected row, reversed", "SELECT reverse(手机号 || '/' || 身份证号 || '/' || name) "
     "AS s FROM employees__rejects", lambda r: r["s"][::-1].split("/")),
]


@pytest.mark.parametrize(("what", "query", "decode"), CASES, ids=[c[0] for c in CASES])
def test_no_transformation_brings_back_a_raw_identifier(audit: Audit, what: str, query: str,
                                                        decode: Decoder) -> None:
    found = audit.sql(query)
    assert len(found) > 0, what
    decoded = {c for row in found.to_dict("records") for c in decode(row)}
    leaked = sorted(decoded & SECRETS)
    assert leaked == [], f"{what}: {len(leaked)} raw identifiers, e.g. {leaked[:3]}"


def test_free_text_is_masked_in_the_snapshot_too() -> None:
    # A note, a rejected row's raw line: identifiers inside text of any column.
    source = duckdb.connect()
    source.execute("CREATE TABLE tickets AS SELECT 'call 13812345678 about C0000001, "
                   "mail zhang.san@qq.com' AS note, 42 AS n")
    session = SqlSession.over(source, Masker(b"k", customer_ids={"C0000001"}), tz="UTC")
    try:
        found = session.query("SELECT reverse(note) AS r, upper(note) AS u FROM tickets")
        (text,) = found["r"]
        for raw in ("13812345678", "C0000001", "zhang.san@qq.com"):
            assert raw not in text[::-1] and raw.upper() not in found["u"][0]
        assert Masker(b"k").pseudonym("C0000001") in text[::-1]
        assert session.query("SELECT n FROM tickets")["n"].tolist() == [42]
    finally:
        session.close()


def test_an_identifier_the_recogniser_does_not_know_is_masked_by_its_column() -> None:
    # A mobile one digit short is no mobile to the recogniser, yet it is the
    # person's number as the company holds it (the leak guard would flag it).
    source = duckdb.connect()
    source.execute("CREATE TABLE contacts AS SELECT * FROM (VALUES ('C0000001', '1381234567', "
                   "'未知', 'E7')) t(customer_id, 手机号, 邮箱, actor_id)")
    session = SqlSession.over(source, Masker(b"k"), tz="UTC")
    try:
        found = session.query("SELECT reverse(手机号) AS m, 邮箱, actor_id FROM contacts")
        assert found.to_dict("records") == [{"m": "7654******", "邮箱": "未知", "actor_id": "E7"}]
    finally:
        session.close()


def test_names_are_masked_in_the_snapshot_not_only_in_the_output(audit: Audit,
                                                                 names: frozenset[str]) -> None:
    found = audit.sql("SELECT reverse(姓名) AS r, 姓名 || 姓名 AS twice FROM customers "
                      "UNION ALL SELECT reverse(name), name || name FROM employees")
    back = {r[::-1] for r in found["r"]} | {t[:len(t) // 2] for t in found["twice"]}
    assert back & names == set()
    assert all(n.endswith("*") for n in back)  # the surname kept, as the report shows it


def test_the_masked_snapshot_holds_no_raw_identifier_anywhere(audit: Audit) -> None:
    con = audit._sql.con  # the analyst's connection: every table, every cell
    tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    assert "customers__rejects" in tables and len(tables) > 30
    for table in tables:
        text = con.execute(f'SELECT * FROM "{table}"').df().to_csv()
        # The sample's identifiers are tokens of these characters: a set
        # lookup per token (a regex of 8,500 alternatives took minutes).
        found = SECRETS & set(_TOKEN.findall(text))
        assert not found, (table, sorted(found)[:3])
    # The check can fail: the raw tables hold them.
    raw = audit.loaded.con.execute("SELECT * FROM customers").df().to_csv()
    assert len(SECRETS & set(_TOKEN.findall(raw))) > 1000



def test_joins_on_customer_id_still_work(audit: Audit) -> None:
    query = ("SELECT c.customer_id, count(*) AS reads FROM customers c JOIN access_log a "
             "ON a.customer_id = c.customer_id JOIN consents s ON s.customer_id = c.customer_id "
             "GROUP BY ALL")
    found = audit.sql(query)
    raw = audit.loaded.con.execute(query).fetchall()
    assert len(found) == len(raw) > 100
    assert dict(zip(found["customer_id"], found["reads"], strict=True)) == {
        audit.masker.pseudonym(c): n for c, n in raw}
    # A customer's pseudonym is the same in every table: the report's one.
    (first,) = audit.loaded.con.execute(
        "SELECT min(customer_id) FROM access_log").fetchone()
    same = audit.sql("SELECT DISTINCT customer_id FROM access_log WHERE customer_id IN "
                     "(SELECT customer_id FROM customers) AND customer_id = $c", {"c": first})
    assert same["customer_id"].tolist() == [audit.masker.pseudonym(first)]


def test_a_raw_customer_id_given_as_a_parameter_finds_its_customer(audit: Audit) -> None:
    found = audit.sql("SELECT customer_id FROM customers WHERE customer_id IN ($a, $b)",
                      {"a": "C0000001", "b": "C0000002"})
    assert sorted(found["customer_id"]) == sorted(
        audit.masker.pseudonym(c) for c in ("C0000001", "C0000002"))
    listed = audit.sql("SELECT count(*) AS n FROM customers WHERE list_contains($ids, "
                       "customer_id)", {"ids": ["C0000001", "C0000002", "nobody"]})
    assert listed["n"].tolist() == [2]


def test_unmasked_gets_raw_values_from_a_raw_snapshot_made_only_then(audit: Audit) -> None:
    session = SqlSession.over(audit.loaded.con, audit.masker, tz="Asia/Shanghai",
                              store=audit.config.store)
    try:
        assert [p.name for p in session.folder.iterdir()] == ["masked.duckdb"]
        query = "SELECT lower(customer_id) AS c, reverse(手机号) AS m FROM customers " \
                "WHERE customer_id = $c"
        found = session.query(query, {"c": "C0000001"}, unmasked=True, reason="DSR 2026-118")
        (mobile,) = audit.loaded.con.execute(
            "SELECT 手机号 FROM customers WHERE customer_id = 'C0000001'").fetchone()
        assert found.to_dict("records") == [{"c": "c0000001", "m": mobile[::-1]}]
        assert sorted(p.name for p in session.folder.iterdir()) == ["masked.duckdb",
                                                                   "raw.duckdb"]
        recorded = views(audit.config.store)
        assert "DSR 2026-118" in recorded["reason"].tolist()
        assert query in recorded["subject"].iloc[-1]
        # Masked queries after it still read the masked snapshot.
        again = session.query(query, {"c": "C0000001"})
        assert again["c"].tolist() == [audit.masker.pseudonym("C0000001").lower()]
    finally:
        folder = session.folder
        session.close()
    assert not folder.exists()


def test_an_audit_run_unmasked_has_one_raw_snapshot(audit: Audit) -> None:
    session = SqlSession.over(audit.loaded.con, unmasked(), tz="UTC")
    try:
        found = session.query("SELECT lower(customer_id) AS c FROM customers "
                              "WHERE customer_id = 'C0000001'")
        assert found["c"].tolist() == ["c0000001"]
        assert [p.name for p in session.folder.iterdir()] == ["raw.duckdb"]
    finally:
        session.close()


def test_a_killed_kernels_snapshot_is_removed_by_the_next_session(tmp_path: Path) -> None:
    # A kernel killed with SIGKILL runs no atexit: its folder stays, until a
    # later session sees that its process is gone.
    script = ("import os, signal, duckdb\n"
              "from privacylib.audit.adhoc import SqlSession\n"
              "from privacylib.masking.masker import Masker\n"
              "con = duckdb.connect()\n"
              "con.execute(\"CREATE TABLE customers AS SELECT 'C0000001' AS customer_id\")\n"
              "session = SqlSession.over(con, Masker(b'k'), tz='UTC')\n"
              "print(session.folder, flush=True)\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    left = Path(done.stdout.strip())
    assert left.is_dir() and left.name.startswith("privacylib-sql-")
    mine = SqlSession.over(duckdb.connect(), Masker(b"k"), tz="UTC")
    try:
        assert not left.exists()
        assert mine.folder.exists()  # a live session's folder is kept
        other = SqlSession.over(duckdb.connect(), Masker(b"k"), tz="UTC")
        assert mine.folder.exists() and other.folder != mine.folder
        other.close()
    finally:
        mine.close()
