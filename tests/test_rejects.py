"""Rejects: unreadable values, empty and repeated keys, malformed lines.

Every row read is loaded or rejected, and a reject says where it came from.
"""

from __future__ import annotations

from conftest import load_dir, rows, write_csv

LOG = ["event_id", "ts", "actor_id", "customer_id", "data_category", "action", "purpose"]


def _event(eid, ts="2026-10-01 10:00", actor="A1"):
    return [eid, ts, actor, "C1", "contact", "read", "service"]


def _counts(result, name):
    d = result.datasets[name]
    return d.rows_read, d.rows_loaded, d.rows_rejected


def test_a_repeated_key_keeps_the_first_by_file_name_then_line(data_dir):
    write_csv(data_dir / "access_log" / "b.csv", LOG, [_event("E1", actor="from-b"), _event("E2")])
    write_csv(data_dir / "access_log" / "a.csv", LOG,
              [_event("E1", actor="from-a-line2"), _event("E1", actor="from-a-line3")])
    result = load_dir(data_dir)
    assert rows(result, "SELECT event_id, actor_id FROM access_log ORDER BY 1") == [
        ("E1", "from-a-line2"), ("E2", "A1")]
    assert rows(result, "SELECT _source_file, _source_line, _reject_column, _reject_reason "
                        "FROM access_log__rejects ORDER BY 1, 2") == [
        ("access_log/a.csv", 3, "event_id", "duplicate key: first loaded from access_log/a.csv:2"),
        ("access_log/b.csv", 2, "event_id", "duplicate key: first loaded from access_log/a.csv:2")]
    assert _counts(result, "access_log") == (4, 2, 2)



def test_extra_columns_named_rowid_or_first_at_do_not_confuse_the_duplicates(data_dir):
    """An Oracle export's ROWID column would hide DuckDB's row number, by
    which duplicates are told apart (each row's ROWID is unique here, so a
    match by value would have passed unseen: the values repeat on purpose);
    a column named as the duplicate table's first_at made the rejects'
    query ambiguous. Both were a traceback (exit 1)."""
    write_csv(data_dir / "incidents.csv", ["incident_id", "detected_at", "ROWID", "first_at"],
              [["I1", "2026-02-03 14:00:00", "same", "x"],
               ["I1", "2026-02-04 14:00:00", "same", "y"],
               ["I2", "2026-02-05 14:00:00", "same", "z"]])
    result = load_dir(data_dir)
    assert rows(result, 'SELECT incident_id, "ROWID_source", first_at, _source_line '
                        "FROM incidents ORDER BY 1") == [("I1", "same", "x", 2),
                                                         ("I2", "same", "z", 4)]
    assert rows(result, 'SELECT _source_line, _reject_reason, "ROWID_source", first_at '
                        "FROM incidents__rejects") == [
        (3, "duplicate key: first loaded from incidents.csv:2", "same", "y")]
    assert any("'ROWID' is kept as 'ROWID_source'" in w
               for w in result.datasets["incidents"].warnings)

def test_keys_are_compared_among_readable_rows_only(data_dir):
    # The first E1 cannot be read, so the second E1 is the one loaded.
    write_csv(data_dir / "access_log.csv", LOG, [_event("E1", ts="never"), _event("E1", actor="B")])
    result = load_dir(data_dir)
    assert rows(result, "SELECT event_id, actor_id, _source_line FROM access_log") == [
        ("E1", "B", 3)]
    assert rows(result, "SELECT _reject_column FROM access_log__rejects") == [("ts",)]


def test_an_empty_key_is_a_reject(data_dir):
    write_csv(data_dir / "access_log.csv", LOG, [_event(""), _event("E2")])
    result = load_dir(data_dir)
    assert rows(result, "SELECT _source_line, _reject_reason FROM access_log__rejects") == [
        (2, "event_id: the key is empty")]


def test_null_is_a_finding_columns_are_loaded_even_in_a_key(data_dir):
    # collection_fields' key is (system, field, purpose); a null purpose is C01's finding.
    write_csv(data_dir / "collection_fields.csv",
              ["system", "field", "data_category", "purpose", "mandatory"],
              [["app", "phone", "contact", "", "yes"], ["app", "phone", "contact", "", "no"],
               ["app", "phone", "contact", "login", "yes"]])
    write_csv(data_dir / "access_log.csv", LOG, [["E1", "", "", "C1", "contact", "read", ""]])
    result = load_dir(data_dir)
    assert _counts(result, "collection_fields") == (3, 2, 1)  # two null purposes: one repeat
    assert rows(result, "SELECT _reject_reason FROM collection_fields__rejects") == [
        ("duplicate key: first loaded from collection_fields.csv:2",)]
    assert rows(result, "SELECT ts, actor_id, purpose FROM access_log") == [(None, None, None)]


def test_a_row_with_several_bad_values_names_them_all(data_dir):
    write_csv(data_dir / "access_log.csv", [*LOG, "record_count", "note"],
              [[*_event("E1", ts="abc"), "12x", "kept"]])
    result = load_dir(data_dir)
    ((col, reason, ts, count, note),) = rows(
        result, "SELECT _reject_column, _reject_reason, ts, record_count, note "
                "FROM access_log__rejects")
    assert col == "ts, record_count"
    assert "ts: cannot read 'abc'" in reason and "record_count: cannot read '12x'" in reason
    assert (ts, count, note) == ("abc", "12x", "kept")  # the values as they were read


def test_malformed_csv_lines_are_rejects_and_later_lines_stay_right(data_dir):
    path = data_dir / "access_log.csv"
    path.write_text(
        ",".join(LOG) + "\n"
        "E1,2026-10-01 10:00,A1,C1,contact,read,service\n"
        "E2,2026-10-01 10:00,A1,C1,contact,read,service,surplus\n"
        "E3,2026-10-01 10:00\n"
        'E4,2026-10-01 10:00,A1,C1,contact,read,"multi\nline purpose"\n'
        "E5,2026-10-01 10:00,A1,C1,contact,read,service\n", encoding="utf-8")
    result = load_dir(data_dir)
    # E4's quoted value spans lines 5 and 6: E5 is on line 7 of the file.
    assert rows(result, "SELECT event_id, _source_line FROM access_log ORDER BY 1") == [
        ("E1", 2), ("E4", 5), ("E5", 7)]
    rejected = rows(result, "SELECT _source_line, _reject_column, _reject_reason, _raw_line "
                            "FROM access_log__rejects ORDER BY 1")
    assert [(r[0], r[1]) for r in rejected] == [(3, "_row"), (4, "_row")]
    assert "too many columns" in rejected[0][2] and rejected[0][3].startswith("E2,")
    assert "missing columns" in rejected[1][2]
    assert _counts(result, "access_log") == (5, 3, 2)


def test_invalid_utf8_line_is_a_reject_with_a_hint(data_dir):
    path = data_dir / "employees.csv"
    # A head that is valid UTF-8 (so detected as such), then one bad line.
    good = "".join(f"A{i},ok\n" for i in range(200000)).encode()
    path.write_bytes(b"actor_id,name\n" + good + b"B2,\xff\xfe\nB3,fine\n")
    result = load_dir(data_dir)
    rejected = rows(result, "SELECT _source_line, _reject_reason FROM employees__rejects")
    assert len(rejected) == 1 and rejected[0][0] == 200002
    assert "invalid encoding" in rejected[0][1]
    assert _counts(result, "employees") == (200002, 200001, 1)
    assert rows(result, "SELECT _source_line FROM employees WHERE actor_id = 'B3'") == [(200003,)]


def test_reconciliation_holds_for_every_dataset(data_dir):
    write_csv(data_dir / "access_log.csv", LOG, [_event("E1"), _event("E1"), _event("E2", ts="x")])
    write_csv(data_dir / "employees.csv", ["actor_id", "hired_at"], [["A1", "bad"], ["A2", ""]])
    result = load_dir(data_dir)
    for d in result.datasets.values():
        assert d.rows_read == d.rows_loaded + d.rows_rejected
        assert rows(result, f'SELECT count(*) FROM "{d.dataset}"')[0][0] == d.rows_loaded
        assert rows(result, f'SELECT count(*) FROM "{d.dataset}__rejects"')[0][0] == d.rows_rejected
