"""Each new mapping.yaml key applied by the loader to a tiny file: rows read,
loaded, rejected and filtered, and the exact values; and the errors that
only the files can reveal (a path, key or filter column the source lacks)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from conftest import load_dir, rows, write_csv

CONSENT = ["rid", "cust", "purpose", "granted"]
# What a bare test log lacks of access_log's required columns.
FILLED = {"ts": "2026-10-01T09:00:00Z", "actor_id": "A1", "data_category": "contact",
          "action": "read", "purpose": "service"}


def _counts(result, dataset):
    d = result.datasets[dataset]
    assert d.status == "loaded", d.error
    assert d.rows_read == d.rows_loaded + d.rows_rejected + d.rows_filtered
    return d.rows_read, d.rows_loaded, d.rows_rejected, d.rows_filtered


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_a_constant_fills_every_row(data_dir):
    write_csv(data_dir / "consents.csv", CONSENT, [["r1", "c1", "ads", "2026-01-02"],
                                                   ["r2", "c2", "ads", "2026-01-03"]])
    result = load_dir(data_dir, {"consents": {
        "columns": {"rid": "consent_id", "cust": "customer_id", "granted": "granted_at"},
        "constants": {"method": "Explicit", "separate": True}}})
    assert _counts(result, "consents") == (2, 2, 0, 0)
    assert rows(result, "SELECT DISTINCT method, separate FROM consents") == [("explicit", True)]


def test_a_constant_wins_over_a_source_column_of_that_name(data_dir):
    write_csv(data_dir / "consents.csv", [*CONSENT, "method"],
              [["r1", "c1", "ads", "2026-01-02", "implied"]])
    result = load_dir(data_dir, {"consents": {
        "columns": {"rid": "consent_id", "cust": "customer_id", "granted": "granted_at"},
        "constants": {"method": "explicit"}}})
    d = result.datasets["consents"]
    assert rows(result, "SELECT method, method_source FROM consents") == [("explicit", "implied")]
    assert d.extra_columns == ["method_source"]
    assert "column 'method' is kept as 'method_source': the mapping sets method to a " \
           "constant" in d.warnings


def test_one_source_column_feeds_two_contract_columns(data_dir):
    write_csv(data_dir / "consents.csv", CONSENT, [["d03b-1", "c1", "ads", "2026-01-02"]])
    result = load_dir(data_dir, {"consents": {"columns": {
        "rid": ["consent_id", "evidence_ref"], "cust": "customer_id", "granted": "granted_at"}}})
    assert _counts(result, "consents") == (1, 1, 0, 0)
    assert rows(result, "SELECT consent_id, evidence_ref FROM consents") == [("d03b-1", "d03b-1")]


ACCESS = ["session", "statement", "actor_id", "ts", "data_category", "action", "purpose"]


def _access(session, statement, action="read"):
    return [session, statement, "A1", "2026-10-01 09:00", "contact", action, "service"]


def test_a_key_built_from_two_columns(data_dir):
    write_csv(data_dir / "access_log.csv", ACCESS, [
        _access("1", "5"), _access("2", "5"), _access("1", "5", "update"),
        _access("a:b", "c"), _access("a", "b:c"), _access("", "9")])
    result = load_dir(data_dir, {"access_log": {"key": ["session", "statement"]}})
    # Same session and statement twice: a duplicate; a:b + c and a + b:c stay two keys.
    assert _counts(result, "access_log") == (6, 4, 2, 0)
    assert rows(result, "SELECT event_id FROM access_log ORDER BY _source_line") == [
        ("1:5",), ("2:5",), ("a\\:b:c",), ("a:b\\:c",)]
    assert rows(result, "SELECT _source_line, _reject_reason FROM access_log__rejects "
                        "ORDER BY 1") == [(4, "duplicate key: first loaded from "
                                              "access_log.csv:2"),
                                          (7, "event_id: the key is empty")]


def test_a_key_from_file_and_line(data_dir):
    write_csv(data_dir / "access_log.csv", ACCESS, [_access("1", "5"), _access("1", "5")])
    (data_dir / "access_log.csv").write_text(
        (data_dir / "access_log.csv").read_text().replace("\n1,5", "\n\n1,5", 1))
    result = load_dir(data_dir, {"access_log": {"key": "@file_line"}})
    assert _counts(result, "access_log") == (2, 2, 0, 0)
    # physical lines: the header is line 1, line 2 is empty
    assert rows(result, "SELECT event_id FROM access_log ORDER BY 1") == [
        ("access_log.csv:3",), ("access_log.csv:4",)]


def test_a_key_column_not_in_the_source_is_named(data_dir):
    write_csv(data_dir / "access_log.csv", ACCESS, [_access("1", "5")])
    d = load_dir(data_dir, {"access_log": {"key": ["session", "statment"]}}).datasets[
        "access_log"]
    assert d.status == "error"
    assert "'statment' (named under key in mapping.yaml) is not a column of the source" in d.error


def test_nested_paths_read_case_sensitively(data_dir):
    _jsonl(data_dir / "access_log.jsonl", [
        {"id": "e1", "t": "2026-10-01T09:00:00Z", "who": {"arn": "arn:x/Bob", "ARN": "no"},
         "r": {"requestID": "R1"}, "cat": "contact", "act": "read", "p": "x"},
        {"id": "e2", "t": "2026-10-01T09:00:00Z", "who": {"arn": "arn:x/Al"},
         "r": {"requestId": "R2"}, "cat": "contact", "act": "read", "p": "x"},
        {"id": "e3", "t": "2026-10-01T09:00:00Z", "who": {"a.b": {"c": "dotted"}},
         "cat": "contact", "act": "read", "p": "x"}])
    result = load_dir(data_dir, {"access_log": {"columns": {
        "id": "event_id", "t": "ts", "who.arn": "actor_id", "r.requestID": "ticket_id",
        "who.a\\.b.c": "system", "cat": "data_category", "act": "action", "p": "purpose"}}})
    assert _counts(result, "access_log") == (3, 3, 0, 0)
    assert rows(result, "SELECT actor_id, ticket_id, system FROM access_log ORDER BY 1 "
                        "NULLS LAST") == [("arn:x/Al", None, None), ("arn:x/Bob", "R1", None),
                                          (None, None, "dotted")]


def test_an_unknown_path_is_named(data_dir):
    _jsonl(data_dir / "access_log.jsonl", [{"id": "e1", "who": {"arn": "x"}}])
    d = load_dir(data_dir, {"access_log": {"columns": {"who.Arn": "actor_id", "id": "event_id"}}
                            }).datasets["access_log"]
    assert d.status == "error"
    assert "no record has the path(s) 'who.Arn' named in mapping.yaml" in d.error
    assert "paths are case-sensitive" in d.error


def test_ignored_columns_are_neither_loaded_nor_kept(data_dir):
    write_csv(data_dir / "access_log.csv", [*ACCESS, "access", "note"],
              [[*_access("1", "5", "update"), "read", "n"]])
    result = load_dir(data_dir, {"access_log": {"columns": {"session": "event_id"},
                                                "ignore": ["statement", "ACCESS"]}})
    assert _counts(result, "access_log") == (1, 1, 0, 0)
    assert result.datasets["access_log"].extra_columns == ["note"]
    assert rows(result, "SELECT action FROM access_log") == [("update",)]


def test_filters_count_what_they_leave_out(data_dir):
    write_csv(data_dir / "access_log.csv", [*ACCESS, "category", "name"], [
        [*_access("1", "1"), "Data", "GetObject"], [*_access("2", "1"), " Data ", "PutObject"],
        [*_access("3", "1"), "Management", "GetObject"], [*_access("4", "1"), "data", "GetObject"],
        [*_access("5", "1"), "", "GetObject"], [*_access("6", "1", "peek?"), "Data", "Kill"],
        [*_access("7", "1"), "Data", "ListBucket"]])
    result = load_dir(data_dir, {"access_log": {
        "columns": {"session": "event_id"},
        "keep": {"category": ["Data", None], "name": ["GetObject", "PutObject", "ListBucket"]},
        "drop": {"name": "ListBucket"}}})
    d = result.datasets["access_log"]
    # kept: 1, 2 (trimmed), 5 (empty matches null); case-sensitive: 4 is out;
    # 6 is filtered before typing, so its odd action is no reject.
    assert _counts(result, "access_log") == (7, 3, 0, 4)
    assert d.filtered == {"keep (category, name)": 3, "drop (name)": 1}
    assert rows(result, "SELECT event_id FROM access_log ORDER BY 1") == [("1",), ("2",), ("5",)]
    assert any("rows read 7 = loaded 3 + rejected 0 + filtered 4" in w for w in d.warnings)


def test_an_unreadable_line_is_rejected_not_filtered(data_dir):
    (data_dir / "access_log.jsonl").write_text(
        json.dumps({"id": "e1", "kind": "Data"}) + "\n[1, 2]\n"
        + json.dumps({"id": "e2", "kind": "Mgmt"}) + "\n", encoding="utf-8")
    result = load_dir(data_dir, {"access_log": {"columns": {"id": "event_id"},
                                                "keep": {"kind": "Data"}, "constants": FILLED}})
    assert _counts(result, "access_log") == (3, 1, 1, 1)


def test_a_filter_on_a_missing_column_is_named(data_dir):
    write_csv(data_dir / "access_log.csv", ACCESS, [_access("1", "5")])
    d = load_dir(data_dir, {"access_log": {"columns": {"session": "event_id"},
                                           "drop": {"eventName": ["x"]}}}).datasets["access_log"]
    assert d.status == "error"
    assert "'eventName' (named under drop in mapping.yaml) is not a column of the source" \
        in d.error


def test_epoch_seconds_and_milliseconds(data_dir):
    write_csv(data_dir / "consents.csv", CONSENT, [
        ["r1", "c1", "ads", "1559734117"], ["r2", "c1", "ads", "1559734117000"],
        ["r3", "c1", "ads", "1559734117.25"], ["r4", "c1", "ads", "2019-06-05T11:28:37Z"]])
    mapping = {"columns": {"rid": "consent_id", "cust": "customer_id", "granted": "granted_at"}}
    result = load_dir(data_dir, {"consents": {**mapping, "timestamp_format": "epoch_s"}})
    assert _counts(result, "consents") == (4, 3, 1, 0)
    assert rows(result, "SELECT granted_at FROM consents ORDER BY consent_id") == [
        (datetime(2019, 6, 5, 11, 28, 37, tzinfo=UTC),),
        (datetime(2019, 6, 5, 11, 28, 37, 250000, tzinfo=UTC),),
        (datetime(2019, 6, 5, 11, 28, 37, tzinfo=UTC),)]
    (reason,) = rows(result, "SELECT _reject_reason FROM consents__rejects")[0]
    assert reason.startswith("granted_at: cannot read '1559734117000' as epoch seconds from "
                             "1990 to 2099 (a 13-digit value is milliseconds")
    result = load_dir(data_dir, {"consents": {**mapping, "timestamp_format": "epoch_ms"}})
    assert _counts(result, "consents") == (4, 2, 2, 0)
    assert rows(result, "SELECT consent_id FROM consents ORDER BY 1") == [("r2",), ("r4",)]


def test_zone_words_and_offsets(data_dir):
    write_csv(data_dir / "consents.csv", CONSENT, [
        ["r1", "c1", "a", "2021-06-30T15:07:58 UTC"], ["r2", "c1", "a", "2021-06-30T15:07:58Z"],
        ["r3", "c1", "a", "2021-06-30T23:07:58+08:00"], ["r4", "c1", "a", "2021-06-30 23:07:58"],
        ["r5", "c1", "a", "2021-06-30 15:07:58 GMT"], ["r6", "c1", "a", "2021-06-30 09:07:58 CST"]])
    result = load_dir(data_dir, {"consents": {"columns": {
        "rid": "consent_id", "cust": "customer_id", "granted": "granted_at"}}})
    # r4 has no zone: the policy's Asia/Shanghai; CST is ambiguous and refused.
    assert _counts(result, "consents") == (6, 5, 1, 0)
    assert rows(result, "SELECT DISTINCT granted_at FROM consents") == [
        (datetime(2021, 6, 30, 15, 7, 58, tzinfo=UTC),)]
    (reason,) = rows(result, "SELECT _reject_reason FROM consents__rejects")[0]
    assert reason.startswith("granted_at: cannot read '2021-06-30 09:07:58 CST' as a timestamp")
    assert "(CST is China or US Central): set the log's zone as timezone in mapping.yaml" \
        in reason


def test_zone_words_with_a_timestamp_format(data_dir):
    write_csv(data_dir / "consents.csv", CONSENT, [
        ["r1", "c1", "a", "30.06.2021 15:07:58 UTC"], ["r2", "c1", "a", "30.06.2021 17:07:58"]])
    m = {"columns": {"rid": "consent_id", "cust": "customer_id", "granted": "granted_at"}}
    result = load_dir(data_dir, {"consents": {**m, "timestamp_format": "%d.%m.%Y %H:%M:%S %Z"}})
    assert _counts(result, "consents") == (2, 1, 1, 0)
    result = load_dir(data_dir, {"consents": {**m, "timestamp_format": "%d.%m.%Y %H:%M:%S",
                                              "timezone": "Europe/Berlin"}})
    assert rows(result, "SELECT granted_at FROM consents") == [
        (datetime(2021, 6, 30, 15, 7, 58, tzinfo=UTC),)]


def test_a_default_year_for_syslog_times(data_dir):
    write_csv(data_dir / "consents.csv", CONSENT, [
        ["r1", "c1", "a", "Feb 21 21:54:44"], ["r2", "c1", "a", "Oct  5 10:00:01"]])
    result = load_dir(data_dir, {"consents": {
        "columns": {"rid": "consent_id", "cust": "customer_id", "granted": "granted_at"},
        "timestamp_format": "%b %d %H:%M:%S", "default_year": 2026, "timezone": "UTC"}})
    assert _counts(result, "consents") == (2, 2, 0, 0)
    assert rows(result, "SELECT granted_at FROM consents ORDER BY 1") == [
        (datetime(2026, 2, 21, 21, 54, 44, tzinfo=UTC),),
        (datetime(2026, 10, 5, 10, 0, 1, tzinfo=UTC),)]


def test_extra_columns_differing_only_in_case_are_kept_with_a_warning(data_dir):
    _jsonl(data_dir / "access_log.jsonl", [
        {"event_id": "e1", "requestID": "R1"}, {"event_id": "e2", "requestId": "R2"}])
    result = load_dir(data_dir, {"access_log": {"constants": FILLED}})
    d = result.datasets["access_log"]
    assert _counts(result, "access_log") == (2, 2, 0, 0)
    assert d.extra_columns == ["requestID", "requestId_2"]
    assert "columns 'requestID' and 'requestId' differ only in case; both kept, the second " \
           "as 'requestId_2'" in d.warnings
    assert rows(result, 'SELECT event_id, "requestID", "requestId_2" FROM access_log '
                        "ORDER BY 1") == [("e1", "R1", None), ("e2", None, "R2")]
