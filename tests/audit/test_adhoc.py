"""The analyst's own questions: audit.sql and %%sql, masked and read-only, for real
(the sample company loaded into DuckDB, an IPython shell in-process)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest

from privacylib.audit.adhoc import QueryFailed, QueryRefused
from privacylib.audit.magic import parameters
from privacylib.audit.run import Audit, AuditConfig, run_audit
from privacylib.errors import UsageError
from privacylib.trail.access import views

from conftest import SAMPLE, sample_identifiers

# A raw identifier of the sample company anywhere in a text.
RAW = re.compile("|".join(re.escape(s) for s in sorted(sample_identifiers(), key=len,
                                                       reverse=True)))
RAW_IDS = """
    SELECT customer_id AS x, 身份证号 AS doc, '请回电 ' || 手机号 || ' / ' || 邮箱 AS note,
           TRY_CAST(手机号 AS BIGINT) AS mobile_as_number, 姓名 AS who, [customer_id] AS ids,
           {'c': customer_id, 'n': 姓名} AS nested, customer_id
    FROM customers ORDER BY _source_line"""  # customer_id orders pseudonyms, here


@pytest.fixture(scope="module")
def audit(tmp_path_factory) -> Audit:
    store = tmp_path_factory.mktemp("store") / "audit-store.duckdb"
    return run_audit(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10",
                                 store=str(store)))


def _text(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False) + " ".join(map(str, frame.columns))


def test_raw_identifiers_under_any_alias_come_back_masked(audit: Audit) -> None:
    raw = audit.loaded.con.execute("SELECT customer_id, 手机号 FROM customers "
                                   "ORDER BY _source_line").fetchall()
    found = audit.sql(RAW_IDS)
    assert len(found) == len(raw) > 1000
    assert RAW.search(_text(found)) is None, RAW.search(_text(found))
    # The report's pseudonyms: the same customer has the same one here.
    assert found["x"].tolist() == [audit.masker.pseudonym(c) for c, _ in raw]
    assert found["customer_id"].tolist() == found["x"].tolist()
    assert found["ids"][0] == [found["x"][0]] and found["nested"][0]["c"] == found["x"][0]
    first_mobile = raw[0][1]
    # The snapshot holds masked mobiles: nothing to compute a number from.
    assert found["mobile_as_number"].isna().all()
    assert f"{first_mobile[:3]}****{first_mobile[-4:]}" in found["note"][0]
    assert re.fullmatch(r"\d{6}\*{8}[\dX]{4}", found["doc"][0])
    assert found["who"][0].endswith("*") and found["nested"][0]["n"] == found["who"][0]


def test_what_holds_no_identifier_stays_as_it_is(audit: Audit) -> None:
    found = audit.sql("SELECT actor_id, count(*) AS n, min(ts) AS first FROM access_log "
                      "WHERE action = $action GROUP BY ALL ORDER BY n DESC, actor_id LIMIT 3",
                      {"action": "export"})
    raw = audit.loaded.con.execute(
        "SELECT actor_id, count(*) AS n, min(ts) FROM access_log WHERE action = 'export' "
        "GROUP BY ALL ORDER BY n DESC, actor_id LIMIT 3").fetchall()
    assert found["actor_id"].tolist() == [r[0] for r in raw]  # staff ids stay readable
    assert found["n"].tolist() == [r[1] for r in raw] and found["n"].dtype == "int64"
    assert [t.timestamp() for t in found["first"]] == [r[2].timestamp() for r in raw]
    assert "access_log" in audit.sql("SHOW TABLES")["name"].tolist()
    # The controls' macros are there, as in the controls.
    assert len(audit.sql("SELECT local_day(ts, 'Asia/Shanghai') FROM access_log LIMIT 1")) == 1


def test_a_column_name_is_masked_too(audit: Audit) -> None:
    (mobile,) = audit.loaded.con.execute("SELECT 手机号 FROM customers LIMIT 1").fetchone()
    found = audit.sql(f'SELECT 1 AS "{mobile}"')
    assert list(found.columns) == [f"{mobile[:3]}****{mobile[-4:]}"]


def test_values_are_bound_never_pasted(audit: Audit) -> None:
    quote = "C0000001' OR '1'='1"
    assert audit.sql("SELECT * FROM customers WHERE customer_id = $c", {"c": quote}).empty
    assert len(audit.sql("SELECT * FROM customers WHERE customer_id = ?", ["C0000001"])) == 1


def test_unmasked_needs_a_reason_and_is_recorded(audit: Audit) -> None:
    query = "SELECT customer_id, 手机号 FROM customers WHERE customer_id = $c"
    with pytest.raises(UsageError, match="need a reason"):
        audit.sql(query, {"c": "C0000001"}, unmasked=True)
    with pytest.raises(UsageError, match="need a reason"):
        audit.sql(query, {"c": "C0000001"}, unmasked=True, reason="   ")
    assert not Path(audit.config.store).exists()  # nothing recorded: nothing shown
    found = audit.sql(query, {"c": "C0000001"}, unmasked=True, reason="DSR 2026-117")
    assert found["customer_id"].tolist() == ["C0000001"]
    assert RAW.search(_text(found))  # the real number, as asked for
    (view,) = views(audit.config.store).to_dict("records")
    assert view["reason"] == "DSR 2026-117" and view["kind"] == "ad hoc sql"
    assert query in view["subject"] and "C0000001" in view["subject"]


def test_unmasked_without_a_store_is_refused(audit: Audit) -> None:
    storeless = dataclasses.replace(audit, config=dataclasses.replace(audit.config, store=None))
    with pytest.raises(UsageError, match="audit store"):
        storeless.sql("SELECT 1", unmasked=True, reason="why")


# Everything an analyst could type to change the data or the store, or reach
# outside them: (statement, the type it is refused as; None: refused by DuckDB's
# read-only, no-external-access connection).
ATTACKS = [
    ("COPY access_log TO '{tmp}/out.csv'", "COPY"),
    ("COPY (SELECT * FROM customers) TO '{tmp}/out.csv'", "COPY"),
    ("COPY FROM DATABASE memory TO x", "PRAGMA"),
    ("EXPORT DATABASE '{tmp}/export'", "EXPORT"),
    ("IMPORT DATABASE '{tmp}/export'", "PRAGMA"),
    ("ATTACH '{tmp}/other.duckdb' AS other", "ATTACH"),
    ("DETACH memory", "DETACH"),
    ("USE memory", "SET"),
    ("INSTALL httpfs", "LOAD"),
    ("LOAD httpfs", "LOAD"),
    ("UPDATE EXTENSIONS", "unknown"),
    ("SET enable_external_access = true", "SET"),
    ("RESET lock_configuration", "SET"),
    ("SET VARIABLE v = 1", "SET"),
    ("PRAGMA enable_profiling", "PRAGMA"),
    ("CALL pragma_version()", "CALL"),
    ("CHECKPOINT", "CALL"),
    ("CREATE TABLE t AS SELECT * FROM customers", "CREATE"),
    ("CREATE TEMP MACRO local_day(ts, tz) AS 1", "CREATE"),
    ("CREATE SECRET s (TYPE s3, KEY_ID 'k', SECRET 's')", "CREATE"),
    ("INSERT INTO customers (customer_id) VALUES ('C9')", "INSERT"),
    ("UPDATE customers SET customer_id = 'C9'", "UPDATE"),
    ("DELETE FROM customers", "DELETE"),
    ("DROP TABLE customers", "DROP"),
    ("ALTER TABLE customers RENAME TO c", "ALTER"),
    ("COMMENT ON TABLE customers IS 'x'", "ALTER"),
    ("VACUUM", "VACUUM"),
    ("BEGIN TRANSACTION", "TRANSACTION"),
    ("PREPARE p AS SELECT 1", "PREPARE"),
    ("EXPLAIN SELECT 1", "EXPLAIN"),
    ("PIVOT customers ON 姓名", "MULTI"),
    ("SELECT 1; DROP TABLE customers", "2 statements"),
    ("SELECT * FROM read_csv('/etc/passwd')", None),
    ("SELECT * FROM read_text('/etc/hostname')", None),
    ("SELECT * FROM '{secret}'", None),
    ("SELECT * FROM read_csv_auto('{secret}')", None),
    ("SELECT * FROM glob('/etc/*')", None),
    ("SELECT * FROM read_parquet('https://example.com/x.parquet')", None),
]


@pytest.mark.parametrize(("statement", "refused_as"), ATTACKS, ids=[a[0][:40] for a in ATTACKS])
def test_nothing_typed_can_change_the_data_or_reach_outside(audit: Audit, tmp_path: Path,
                                                            secret: Path, statement: str,
                                                            refused_as: str | None) -> None:
    counts = _counts(audit)
    with pytest.raises(QueryRefused) as exc:
        audit.sql(statement.format(tmp=tmp_path, secret=secret))
    message = str(exc.value)
    if refused_as is None:
        assert "reaches outside the audit's data" in message
    else:
        assert refused_as in message and "one SELECT" in message, message
    assert list(tmp_path.iterdir()) == []  # nothing written
    assert _counts(audit) == counts  # nothing changed
    assert len(audit.sql("SELECT * FROM customers")) == counts["customers"]


@pytest.fixture(scope="module")
def secret(tmp_path_factory) -> Path:
    """A readable file outside the audit's data."""
    path = tmp_path_factory.mktemp("elsewhere") / "salaries.csv"
    path.write_text("name,salary\nx,1\n", encoding="utf-8")
    return path


def _counts(audit: Audit) -> dict[str, int]:
    con = audit.loaded.con
    tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE "
                                        "schema_name = 'main'").fetchall()]
    return {t: con.execute(f'SELECT count(*) FROM main."{t}"').fetchall()[0][0] for t in tables}


def test_the_analysts_connection_is_locked_down(audit: Audit) -> None:
    settings = audit.sql("SELECT name, value FROM duckdb_settings() WHERE name IN "
                         "('enable_external_access', 'lock_configuration', 'access_mode')")
    assert dict(zip(settings["name"], settings["value"], strict=True)) == {
        "enable_external_access": "false", "lock_configuration": "true",
        "access_mode": "read_only"}
    kernel_frame = pd.DataFrame({"secret": ["x"]})  # noqa: F841 - a replacement scan would find it
    with pytest.raises(QueryFailed, match="kernel_frame"):
        audit.sql("SELECT * FROM kernel_frame")


def test_a_failing_query_is_named_and_its_message_masked(audit: Audit) -> None:
    (doc,) = audit.loaded.con.execute(
        "SELECT 身份证号 FROM customers WHERE customer_id = 'C0000001'").fetchone()
    # DuckDB quotes the value it cannot cast: the snapshot's (masked there) or
    # a parameter's (masked in the message).
    for query, params in (("SELECT CAST(身份证号 AS DATE) FROM customers WHERE customer_id = $c",
                           {"c": "C0000001"}), ("SELECT CAST($d AS DATE)", {"d": doc})):
        with pytest.raises(QueryFailed) as exc:
            audit.sql(query, params)
        assert "the query failed" in str(exc.value) and doc not in str(exc.value)
        assert f"{doc[:6]}********{doc[-4:]}" in str(exc.value)
    with pytest.raises(QueryFailed, match="not valid SQL"):
        audit.sql("SELEC 1")


# ---- %%sql --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shell(audit: Audit):
    from IPython.core.interactiveshell import InteractiveShell

    ipython = InteractiveShell.instance()
    ipython.user_ns["audit"] = audit
    assert ipython.run_cell("%load_ext privacylib.audit.magic").success
    yield ipython
    InteractiveShell.clear_instance()


def test_the_sql_magic_gives_the_same_masked_result(shell, audit: Audit) -> None:
    shell.user_ns.update(customer="C0000001", since="2025-01-01")
    cell = ("%%sql\nSELECT customer_id AS who, '{customer}' AS literal, 手机号 FROM customers\n"
            "WHERE customer_id = {customer} AND created_at >= CAST($since AS DATE)")
    result = shell.run_cell(cell)
    assert result.success, result.error_in_exec
    frame = result.result
    assert RAW.search(_text(frame)) is None
    assert frame["who"].tolist() == [audit.masker.pseudonym("C0000001")]
    assert frame["literal"].tolist() == ["{customer}"]  # a quoted text is not a parameter
    expected = audit.sql("SELECT customer_id AS who, '{customer}' AS literal, 手机号 FROM "
                         "customers WHERE customer_id = $c", {"c": "C0000001"})
    pd.testing.assert_frame_equal(frame, expected)


def test_the_sql_magic_finds_a_named_audit_and_refuses_what_audit_sql_refuses(shell, audit):
    shell.user_ns["other"] = audit
    assert len(shell.run_cell("%%sql --audit other\nSELECT 1 AS one").result) == 1
    refused = shell.run_cell("%%sql\nDELETE FROM customers")
    assert isinstance(refused.error_in_exec, QueryRefused)
    missing = shell.run_cell("%%sql\nSELECT {nowhere}")
    assert isinstance(missing.error_in_exec, UsageError)
    assert "nowhere" in str(missing.error_in_exec)
    no_audit = shell.run_cell("%%sql --audit nobody\nSELECT 1")
    assert "'nobody' is not defined" in str(no_audit.error_in_exec)
    unmasked = shell.run_cell("%%sql --unmasked\nSELECT 1")
    assert "need a reason" in str(unmasked.error_in_exec)


def test_parameters_outside_quotes_and_comments_are_bound() -> None:
    query, names = parameters("SELECT '{a}', \"{b}\", {c}, $d -- {e}\n/* $f */ FROM t "
                              "WHERE x = {c}")
    assert names == ["c", "d"]
    assert query == "SELECT '{a}', \"{b}\", $c, $d -- {e}\n/* $f */ FROM t WHERE x = $c"


def test_the_sql_magic_leaves_literals_as_typed(shell) -> None:
    # `nowhere` is no notebook variable: inside these literals it is no parameter.
    result = shell.run_cell("%%sql\nSELECT $$ {nowhere} $nowhere $$ AS dollar, "
                            "E'it\\'s {nowhere}' AS escaped")
    assert result.success, result.error_in_exec
    assert result.result.to_dict("records") == [{"dollar": " {nowhere} $nowhere ",
                                                 "escaped": "it's {nowhere}"}]
