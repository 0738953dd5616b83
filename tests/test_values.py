"""Each value form of the data contract, read through the real loader."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conftest import load_dir, rows, write_csv

SH = "Asia/Shanghai"


def _ts(data_dir, values, mapping=None):
    write_csv(data_dir / "incidents.csv", ["incident_id", "detected_at"],
              [[f"I{i}", v] for i, v in enumerate(values)])
    result = load_dir(data_dir, mapping)
    got = dict(rows(result, "SELECT incident_id, detected_at FROM incidents"))
    return [got.get(f"I{i}") for i in range(len(values))], result


@pytest.mark.parametrize(("text", "utc"), [
    ("2026-10-03T09:15:00", datetime(2026, 10, 3, 1, 15, tzinfo=UTC)),  # local Shanghai
    ("2026-10-03 09:15:00", datetime(2026, 10, 3, 1, 15, tzinfo=UTC)),
    ("2026-10-03T09:15:00Z", datetime(2026, 10, 3, 9, 15, tzinfo=UTC)),
    ("2026-10-03T09:15:00+08:00", datetime(2026, 10, 3, 1, 15, tzinfo=UTC)),
    ("2026-10-03 09:15:00-05:00", datetime(2026, 10, 3, 14, 15, tzinfo=UTC)),
    ("2026-10-03T09:15:00.250+08:00", datetime(2026, 10, 3, 1, 15, 0, 250000, tzinfo=UTC)),
    # A space before the offset (it was a reject though the form is accepted).
    ("2026-10-03 09:15:00 +05:45", datetime(2026, 10, 3, 3, 30, tzinfo=UTC)),
    ("2026-10-03 09:15:00 -0330", datetime(2026, 10, 3, 12, 45, tzinfo=UTC)),
    ("2026-10-03 09:15:00+14:00", datetime(2026, 10, 2, 19, 15, tzinfo=UTC)),
    ("2026/10/03 09:15:00", datetime(2026, 10, 3, 1, 15, tzinfo=UTC)),
    ("2026/1/5 09:15", datetime(2026, 1, 5, 1, 15, tzinfo=UTC)),
    ("2026-10-03", datetime(2026, 10, 2, 16, 0, tzinfo=UTC)),  # local midnight
    ("  2026-10-03 09:15:00 ", datetime(2026, 10, 3, 1, 15, tzinfo=UTC)),
])
def test_timestamp_forms_are_absolute_instants(data_dir, text, utc):
    got, result = _ts(data_dir, [text])
    assert got == [utc]
    assert result.datasets["incidents"].rows_rejected == 0


@pytest.mark.parametrize("text", ["abc", "2026-13-01", "2026-02-30 10:00", "03/10/2026",
                                  "2026-10-03 25:00", "1696300000",
                                  # No zone is that far off (it was read as 99 hours).
                                  "2026-10-03 09:15:00+99:00", "2026-10-03 09:15:00-15:00"])
def test_unreadable_timestamp_is_a_reject_naming_the_column(data_dir, text):
    got, result = _ts(data_dir, [text])
    assert got == [None]
    (col, reason), = rows(result, "SELECT _reject_column, _reject_reason FROM incidents__rejects")
    assert col == "detected_at"
    assert text.strip() in reason and "timestamp" in reason


def test_mapping_timezone_applies_to_values_without_offset_only(data_dir):
    got, _ = _ts(data_dir, ["2026-10-03 09:15:00", "2026-10-03 09:15:00+08:00"],
                 {"incidents": {"timezone": "UTC"}})
    assert got == [datetime(2026, 10, 3, 9, 15, tzinfo=UTC),
                   datetime(2026, 10, 3, 1, 15, tzinfo=UTC)]


def test_policy_timezone_is_the_default(data_dir):
    from privacylib import Policy

    write_csv(data_dir / "incidents.csv", ["incident_id", "detected_at"],
              [["I1", "2026-10-03 09:15"]])
    result = load_dir(data_dir, policy=Policy(timezone="Europe/Berlin"))
    assert rows(result, "SELECT detected_at FROM incidents") == [
        (datetime(2026, 10, 3, 7, 15, tzinfo=UTC),)]


def test_mapping_timestamp_format(data_dir):
    got, result = _ts(data_dir, ["03.10.2026 09:15", "2026-10-03 09:15", "3.10.26"],
                      {"incidents": {"timestamp_format": "%d.%m.%Y %H:%M"}})
    assert got[:2] == [datetime(2026, 10, 3, 1, 15, tzinfo=UTC)] * 2
    assert got[2] is None
    assert result.datasets["incidents"].rows_rejected == 1


@pytest.mark.parametrize(("text", "value"), [
    ("true", True), ("FALSE", False), ("1", True), ("0", False), ("Yes", True), ("no", False),
    ("Y", True), ("n", False), ("是", True), ("否", False), (" True ", True), ("", None),
])
def test_boolean_forms(data_dir, text, value):
    write_csv(data_dir / "data_categories.csv", ["data_category", "sensitive"], [["c", text]])
    result = load_dir(data_dir)
    assert rows(result, "SELECT sensitive FROM data_categories") == [(value,)]


def test_unreadable_boolean_is_a_reject(data_dir):
    write_csv(data_dir / "data_categories.csv", ["data_category", "sensitive"],
              [["a", "maybe"], ["b", "2"], ["c", "真"]])
    result = load_dir(data_dir)
    d = result.datasets["data_categories"]
    assert (d.rows_read, d.rows_loaded, d.rows_rejected) == (3, 0, 3)


@pytest.mark.parametrize(("text", "value"), [
    ('["app", "web"]', ["app", "web"]), ("app;web", ["app", "web"]), ("app|web", ["app", "web"]),
    ("app; web ;", ["app", "web"]), ("app", ["app"]), ("[]", []),
])
def test_list_forms(data_dir, text, value):
    write_csv(data_dir / "notices.csv", ["notice_version", "published_at", "purposes"],
              [["v1", "2026-01-01", text]])
    result = load_dir(data_dir)
    assert rows(result, "SELECT purposes FROM notices") == [(value,)]


def test_broken_json_list_is_a_reject(data_dir):
    write_csv(data_dir / "notices.csv", ["notice_version", "published_at", "purposes"],
              [["v1", "2026-01-01", '["app", '], ["v2", "2026-01-01", "[1, 2]"]])
    result = load_dir(data_dir)
    assert rows(result, "SELECT _reject_column FROM notices__rejects") == [("purposes",)]
    assert rows(result, "SELECT purposes FROM notices") == [(["1", "2"],)]


@pytest.mark.parametrize(("text", "value"), [("12", 12), ("+3", 3), ("0", 0), ("7.0", 7),
                                             ("", 1), (" 5 ", 5)])
def test_integers_and_the_record_count_default(data_dir, text, value):
    write_csv(data_dir / "access_log.csv",
              ["event_id", "ts", "actor_id", "data_category", "action", "purpose", "record_count"],
              [["E1", "2026-10-01 10:00", "A", "c", "read", "p", text]])
    result = load_dir(data_dir)
    assert rows(result, "SELECT record_count FROM access_log") == [(value,)]


@pytest.mark.parametrize("text", ["12x", "1.5", "1e3", "1,000", "99999999999999999999999"])
def test_unreadable_integer_is_a_reject(data_dir, text):
    write_csv(data_dir / "access_log.csv",
              ["event_id", "ts", "actor_id", "data_category", "action", "purpose", "record_count"],
              [["E1", "2026-10-01 10:00", "A", "c", "read", "p", text]])
    result = load_dir(data_dir)
    assert rows(result, "SELECT _reject_column FROM access_log__rejects") == [("record_count",)]


def test_enumerations_are_normalised_and_defaults_applied(data_dir):
    write_csv(data_dir / "access_log.csv",
              ["event_id", "ts", "actor_id", "data_category", "action", "purpose", "result"],
              [["E1", "2026-10-01 10:00", "A", "c", " EXPORT ", "p", "Denied"],
               ["E2", "2026-10-01 10:00", "A", "c", "read", "p", None]])
    write_csv(data_dir / "sharing.csv",
              ["share_id", "recipient", "recipient_country", "data_category", "purpose",
               "shared_at"],
              [["S1", "r", "us", "c", "p", "2026-10-01"], ["S2", "r", "", "c", "p", "2026-10-01"]])
    write_csv(data_dir / "consents.csv", ["consent_id", "customer_id", "purpose", "granted_at"],
              [["K1", "C1", "p", "2026-10-01"]])
    result = load_dir(data_dir)
    assert rows(result, "SELECT action, result FROM access_log ORDER BY event_id") == [
        ("export", "denied"), ("read", "success")]
    assert rows(result, "SELECT recipient_country FROM sharing ORDER BY share_id") == [
        ("US",), ("CN",)]
    assert rows(result, "SELECT separate FROM consents") == [(False,)]


def test_unknown_enumeration_value_is_kept_and_warned(data_dir):
    write_csv(data_dir / "access_log.csv",
              ["event_id", "ts", "actor_id", "data_category", "action", "purpose"],
              [["E1", "2026-10-01 10:00", "A", "c", "view", "p"]])
    result = load_dir(data_dir)
    assert rows(result, "SELECT action FROM access_log") == [("view",)]
    (warning,) = result.datasets["access_log"].warnings
    assert "action" in warning and "'view'" in warning and "mapping.yaml" in warning


def test_value_mapping(data_dir):
    write_csv(data_dir / "access_log.csv",
              ["event_id", "ts", "actor_id", "data_category", "action", "purpose"],
              [["E1", "2026-10-01 10:00", "A", "联系方式", "查询", "p"],
               ["E2", "2026-10-01 10:00", "A", "c", "导出", "p"]])
    mapping = {"access_log": {"values": {"action": {"查询": "read", "导出": "export"},
                                         "data_category": {"联系方式": "contact"}}}}
    result = load_dir(data_dir, mapping)
    assert rows(result, "SELECT data_category, action FROM access_log ORDER BY event_id") == [
        ("contact", "read"), ("c", "export")]
    assert result.datasets["access_log"].warnings == []



def test_a_value_map_over_a_typed_parquet_column_maps_its_text(data_dir):
    """A value map gives text: a Parquet column that was a boolean or a
    timestamp is then read as that text, and a mapped value that cannot be
    read is that row's reject (it was DuckDB's binder error, exit 1)."""
    import duckdb

    duckdb.connect().execute(
        "COPY (SELECT * FROM (VALUES ('CS1', 'C1', 'p', TIMESTAMP '2026-01-01 10:00:00', true),"
        " ('CS2', 'C1', 'p', TIMESTAMP '2026-01-02 10:00:00', false))"
        " t(consent_id, customer_id, purpose, granted_at, separate)) TO $path (FORMAT parquet)",
        {"path": str(data_dir / "consents.parquet")})
    mapping = {"consents": {"values": {"separate": {"false": "是"},
                                       "granted_at": {"2026-01-02 10:00:00": "garbage"}}}}
    result = load_dir(data_dir, mapping)
    assert rows(result, "SELECT consent_id, granted_at, separate FROM consents") == [
        ("CS1", datetime(2026, 1, 1, 2, 0, tzinfo=UTC), True)]
    assert rows(result, "SELECT consent_id, _source_line, _reject_column, granted_at "
                        "FROM consents__rejects") == [("CS2", 2, "granted_at", "garbage")]

def test_empty_and_blank_cells_are_null(data_dir):
    write_csv(data_dir / "employees.csv", ["actor_id", "name", "department"],
              [["A1", "", "  "], ["A2", "\u3000张三\u3000", "客服"]])
    result = load_dir(data_dir)
    assert rows(result, "SELECT actor_id, name, department FROM employees ORDER BY 1") == [
        ("A1", None, None), ("A2", "张三", "客服")]


def test_a_zones_own_abbreviations_are_read_where_the_mapping_names_the_zone(data_dir):
    """PostgreSQL writes its log_timezone's abbreviation (%m): a server in
    China writes CST, one in Berlin CET or CEST, and every record was a reject
    whose hint could not be followed. Where mapping.yaml names the log's zone,
    that zone's own abbreviations are read; any other stays refused."""
    got, result = _ts(data_dir, ["2026-10-03 09:15:00 CST", "2026-10-03 09:15:00 EST"],
                      {"incidents": {"timezone": "Asia/Shanghai"}})
    assert got == [datetime(2026, 10, 3, 1, 15, tzinfo=UTC), None]
    got, _ = _ts(data_dir, ["2026-10-03 09:15:00.5 CEST", "2026/12/03 09:15 CET"],
                 {"incidents": {"timezone": "Europe/Berlin"}})
    assert got == [datetime(2026, 10, 3, 7, 15, 0, 500000, tzinfo=UTC),
                   datetime(2026, 12, 3, 8, 15, tzinfo=UTC)]
    # Without the mapping's zone (the policy's is no statement about the log):
    got, result = _ts(data_dir, ["2026-10-03 09:15:00 CST"])
    assert got == [None]
    (reason,) = rows(result, "SELECT _reject_reason FROM incidents__rejects")[0]
    assert "ambiguous" in reason and "timezone in mapping.yaml" in reason
