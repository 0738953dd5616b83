"""Hostile native files: what a reviewer fed the presets' readers, and what
each must give (a counted reject with its line, or a clear error naming the
file, never a traceback or rows that vanish)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import privacylib
from privacylib.intake.readers.pgaudit import parse as pgaudit_parse
from privacylib.intake.readers.syslog import parse as syslog_parse
from privacylib.intake.readers.syslog import year_offsets

from conftest import rows

DEEP = "[" * 100_000 + "]" * 100_000


def _load(tmp_path: Path, name: str, text: str | bytes, mapping: str):
    folder = tmp_path / "d"
    folder.mkdir()
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    result = privacylib.load(folder, progress=False)
    return result, result.datasets[name.split(".")[0]], path


def _balanced(d) -> None:
    assert d.status == "loaded", d.error
    assert d.rows_read == d.rows_loaded + d.rows_rejected + d.rows_filtered


# 1. Kantara: the same receipt twice ------------------------------------------

def _receipt(rid: str, purposes: list[str]) -> dict:
    return {"consentReceiptID": rid, "consentTimestamp": 1759627921, "piiPrincipalId": "C9",
            "services": [{"service": "shop", "purposes": [
                {"purpose": p, "consentType": "explicit"} for p in purposes]}]}


def test_a_receipt_given_twice_is_rejected_as_duplicates_not_a_crash(tmp_path):
    # Both rows of line 2 repeat line 1's keys: two duplicates, one per row.
    r = json.dumps(_receipt("a", ["delivery", "ads"]))
    result, d, _ = _load(tmp_path, "consents.jsonl", f"{r}\n{r}\n",
                         "consents: {source: kantara}\n")
    _balanced(d)
    assert (d.rows_read, d.rows_loaded, d.rows_rejected) == (4, 2, 2)
    assert rows(result, "SELECT _source_line, consent_id, _reject_reason FROM "
                        "consents__rejects ORDER BY 2") == [
        (2, "a:1:1", "duplicate key: first loaded from consents.jsonl:1"),
        (2, "a:1:2", "duplicate key: first loaded from consents.jsonl:1")]


def test_a_duplicate_takes_only_itself_not_the_other_rows_of_its_line(tmp_path):
    # Line 2 repeats a:1:1 but brings a new purpose too: that one loads.
    text = (json.dumps(_receipt("a", ["delivery"])) + "\n"
            + json.dumps(_receipt("a", ["delivery", "ads"])) + "\n")
    result, d, _ = _load(tmp_path, "consents.jsonl", text, "consents: {source: kantara}\n")
    _balanced(d)
    assert (d.rows_read, d.rows_loaded, d.rows_rejected) == (3, 2, 1)
    assert rows(result, "SELECT consent_id, _source_line FROM consents ORDER BY 1") == [
        ("a:1:1", 1), ("a:1:2", 2)]


# 2. pgaudit: records are split by the prefix ---------------------------------

PG = "access_log:\n  source: {name: pgaudit, prefix: '%m [%p] '}\n"


def _pg(pid: int, sid: int, statement: str, ms: int = 0) -> str:
    return (f"2026-10-05 09:12:01.{ms:03d} UTC [{pid}] LOG:  AUDIT: SESSION,{sid},1,READ,"
            f"SELECT,TABLE,public.t,{statement},<none>")


def test_an_unclosed_quote_swallows_no_later_record(tmp_path):
    text = "\n".join([_pg(7, 1, '"select 1', 1), _pg(7, 2, "select 2", 2),
                      _pg(7, 3, "select 3", 3), _pg(8, 1, '"select\n  4"', 4)]) + "\n"
    result, d, _ = _load(tmp_path, "access_log.log", text, PG)
    _balanced(d)
    assert (d.rows_read, d.rows_loaded, d.rows_rejected) == (4, 3, 1)
    (reason,) = rows(result, "SELECT _source_line, _reject_reason FROM access_log__rejects")
    assert reason[0] == 1 and "never ends" in reason[1] and "line 2" in reason[1]
    assert rows(result, "SELECT _source_line, statement FROM access_log ORDER BY 1") == [
        (2, "select 2"), (3, "select 3"), (4, "select\n  4")]


def test_another_backends_line_inside_a_statement_is_not_absorbed(tmp_path):
    # pid 7's statement is cut by pid 8's line: 7's record is a reject at
    # its line, 8's loads as written.
    text = "\n".join([_pg(7, 1, '"select a,', 1), _pg(8, 1, "select 1", 2),
                      '   b from t"']) + "\n"
    result, d, _ = _load(tmp_path, "access_log.log", text, PG)
    _balanced(d)
    assert (d.rows_read, d.rows_loaded, d.rows_rejected) == (2, 1, 1)
    assert rows(result, "SELECT _source_line, statement FROM access_log") == [(2, "select 1")]
    assert rows(result, "SELECT _source_line FROM access_log__rejects") == [(1,)]


def test_without_a_prefix_a_severity_word_starts_a_record():
    # psql output: no prefix, so "NOTICE:  " is where a record starts.
    lines = ['NOTICE:  AUDIT: SESSION,1,1,READ,SELECT,,,"select 1,<none>',
             "NOTICE:  AUDIT: SESSION,2,1,READ,SELECT,,,select 2,<none>"]
    got = list(pgaudit_parse(enumerate(lines, start=1), "x.out", {}))
    assert [type(g).__name__ for g in got] == ["Refused", "Record"]
    assert got[0].line == 1 and got[1].fields["statement"] == "select 2"


# 3. syslog: the year and the lines that are no record -------------------------

def test_the_year_rolls_only_on_a_real_wrap():
    assert year_offsets([12, 11, 12]) == ([0, 0, 0], 12)  # out of order, one year
    assert year_offsets([11, 12, 1, 2]) == ([0, 0, 1, 1], 2)  # December, then January
    assert year_offsets([12, 11, 1]) == ([0, 0, 1], 1)  # a step back, then the wrap
    assert year_offsets([12, 1, 12, 1]) == ([0, 1, 0, 1], 1)  # a late December line


def _ssh(month: str, day: int, user: str) -> str:
    return (f"{month} {day:2d} 10:00:00 h sshd[1]: Accepted password for {user} from "
            "10.0.0.1 port 1 ssh2")


def test_a_log_a_little_out_of_order_stays_in_its_year(tmp_path):
    text = "\n".join([_ssh("Dec", 2, "a"), _ssh("Nov", 30, "b"), _ssh("Dec", 3, "c")]) + "\n"
    result, d, _ = _load(tmp_path, "access_log.log", text,
                         "access_log:\n  source: {name: syslog, year: 2026}\n"
                         "  timezone: UTC\n")
    _balanced(d)
    assert rows(result, "SELECT actor_id, year(ts) FROM access_log ORDER BY 1") == [
        ("a", 2026), ("b", 2026), ("c", 2026)]


def test_the_file_date_anchors_the_last_year_across_a_wrap(tmp_path):
    recs = list(syslog_parse(enumerate([_ssh("Dec", 31, "a"), _ssh("Jan", 1, "b"),
                                        _ssh("Dec", 31, "late")], start=1), "x",
                             {"@modified": datetime(2027, 1, 3, tzinfo=UTC).timestamp()}))
    assert [r.fields["time"][:10] for r in recs] == ["2026-12-31", "2027-01-01", "2026-12-31"]


def test_lines_that_are_no_syslog_are_counted_rejects(tmp_path):
    text = "\n".join([_ssh("Oct", 5, "a"), "garbage here", "", "--- cut ---",
                      _ssh("Oct", 5, "b")]) + "\n"
    result, d, _ = _load(tmp_path, "access_log.log", text,
                         "access_log:\n  source: {name: syslog, year: 2026}\n"
                         "  timezone: UTC\n")
    _balanced(d)
    assert (d.rows_read, d.rows_loaded, d.rows_rejected) == (4, 2, 2)
    assert [r[0] for r in rows(result, "SELECT _source_line FROM access_log__rejects "
                                       "ORDER BY 1")] == [2, 4]
    assert "not a syslog line" in rows(result, "SELECT any_value(_reject_reason) FROM "
                                               "access_log__rejects")[0][0]


# 4. Clear messages: deep nesting, a cut CloudTrail file, a cut .gz ------------

def test_deeply_nested_json_is_a_dataset_error_naming_the_file(tmp_path):
    for name, mapping in [("access_log.json", ""),
                          ("access_log.json", "access_log: {source: cloudtrail}\n"),
                          ("consents.json", "consents: {source: kantara}\n")]:
        folder = tmp_path / name.split(".")[0] / str(len(mapping))
        folder.mkdir(parents=True)
        _, d, _ = _load(folder, name, DEEP, mapping)
        assert d.status == "error", name
        assert name in d.error and "nested thousands of levels deep" in d.error


def test_a_deeply_nested_line_is_a_reject_at_its_line(tmp_path):
    text = json.dumps(_receipt("a", ["delivery"])) + "\n" + '{"b": ' + DEEP + "}\n"
    result, d, _ = _load(tmp_path, "consents.jsonl", text, "consents: {source: kantara}\n")
    _balanced(d)
    assert rows(result, "SELECT _source_line, _reject_reason LIKE '%nested thousands%' "
                        "FROM consents__rejects") == [(2, True)]


def test_a_cloudtrail_file_cut_short_says_so(tmp_path):
    whole = json.dumps({"Records": [{"eventName": "GetObject", "eventTime":
                                     "2026-10-05T01:00:00Z", "eventSource": "s3.amazonaws.com"}]},
                       indent=2)
    _, d, _ = _load(tmp_path, "access_log.json", whole[:len(whole) // 2],
                    "access_log: {source: cloudtrail}\n")
    assert d.status == "error"
    assert "access_log.json is not a complete CloudTrail file" in d.error
    assert "breaks off at line" in d.error and "copy it again" in d.error
    assert "@access" not in d.error  # no longer blames the preset's own columns


def test_a_gzip_file_cut_short_names_the_file(tmp_path):
    data = gzip.compress(("\n".join(_ssh("Oct", 5, f"u{i}") for i in range(2000))).encode())
    _, d, _ = _load(tmp_path, "access_log.log.gz", data[:len(data) // 2],
                    "access_log:\n  source: {name: syslog, year: 2026}\n")
    assert d.status == "error"
    assert "access_log.log.gz cannot be read to its end" in d.error


def test_a_deep_element_of_a_mysql_filter_array_is_a_reject_saying_what_is_lost():
    from privacylib.intake.readers.mysql import parse as mysql_parse

    event = json.dumps({"timestamp": "2026-10-05 01:00:00", "class": "general",
                        "event": "status", "login": {"user": "u"}})
    lines = ["[", event + ",", DEEP + ",", event, "]"]
    got = list(mysql_parse(enumerate(lines, start=1), "a.log", {}))
    assert [type(g).__name__ for g in got] == ["Record", "Refused"]
    assert got[1].line == 2  # the element's position
    assert "nested thousands" in got[1].reason and "rest of the file" in got[1].reason


def test_a_deep_ranger_event_is_a_reject_at_its_line():
    from privacylib.intake.readers.ranger import parse as ranger_parse

    lines = ['2026-10-05 09:12:01,533 INFO xaaudit - {"reqUser": ' + DEEP + "}"]
    (only,) = list(ranger_parse(enumerate(lines, start=1), "r.log", {}))
    assert only.line == 1 and "nested thousands" in only.reason


def test_a_cloudtrail_file_without_any_event_says_so(tmp_path):
    _, d, _ = _load(tmp_path, "access_log.json", '{"Records": ["a", "b"]}',
                    "access_log: {source: cloudtrail}\n")
    assert d.status == "error"
    assert "access_log.json holds no CloudTrail event" in d.error and "@access" not in d.error
