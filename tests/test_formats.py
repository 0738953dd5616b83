"""Every format and encoding of the data contract, single files and folders."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import duckdb
import openpyxl
import pytest

from conftest import load_dir, rows, write_csv

HEADER = ["actor_id", "name", "department", "hired_at"]
ROWS = [["A1", "张三", "客服中心", "2024-01-02 09:00"], ["A2", "李四", "财务部", ""]]
EXPECTED = [("A1", "张三", "客服中心", datetime(2024, 1, 2, 1, 0, tzinfo=UTC)),
            ("A2", "李四", "财务部", None)]


def _employees(result):
    return rows(result, "SELECT actor_id, name, department, hired_at FROM employees ORDER BY 1")


@pytest.mark.parametrize(("suffix", "encoding", "reported"), [
    (".csv", "utf-8", "utf-8"), (".csv", "utf-8-sig", "utf-8"), (".csv", "gb18030", "gb18030"),
    (".csv", "gbk", "gb18030"), (".csv.gz", "utf-8", "utf-8"), (".csv.gz", "gb18030", "gb18030"),
])
def test_csv_encodings_are_detected(data_dir, suffix, encoding, reported):
    write_csv(data_dir / f"employees{suffix}", HEADER, ROWS, encoding=encoding)
    result = load_dir(data_dir)
    assert _employees(result) == EXPECTED
    assert result.datasets["employees"].encodings == [reported]


def test_encoding_from_the_mapping_wins(data_dir):
    # Bytes that are valid UTF-8 and valid GBK: only the mapping can tell.
    write_csv(data_dir / "employees.csv", HEADER, ROWS, encoding="gbk")
    result = load_dir(data_dir, {"employees": {"encoding": "gbk"}})
    assert _employees(result) == EXPECTED



def test_a_utf8_file_read_in_the_mappings_gb18030_is_warned_of(data_dir):
    """A folder of GB18030 files and one UTF-8 file, with encoding: gb18030
    in mapping.yaml: the UTF-8 file's text is garbled (客服中心 as
    瀹㈡湇涓績), with no error. Said for that file only; a GBK file whose
    bytes happen to be valid UTF-8 is not (test above)."""
    folder = data_dir / "employees"
    folder.mkdir()
    write_csv(folder / "a.csv", HEADER, ROWS[:1], encoding="gb18030")
    write_csv(folder / "b.csv", HEADER, ROWS[1:], encoding="utf-8")
    result = load_dir(data_dir, {"employees": {"encoding": "gb18030"}})
    (warning,) = result.datasets["employees"].warnings
    assert warning.startswith("employees/b.csv: read as gb18030") and "UTF-8" in warning
    # UTF-8's byte order mark is proof: read as UTF-8 (as GB18030, its header
    # was garbled, and the dataset an error of missing columns).
    (folder / "a.csv").unlink()
    write_csv(folder / "b.csv", HEADER, ROWS[1:], encoding="utf-8-sig")
    result = load_dir(data_dir, {"employees": {"encoding": "gb18030"}})
    assert _employees(result) == EXPECTED[1:]
    (warning,) = result.datasets["employees"].warnings
    assert warning.startswith("employees/b.csv: read as UTF-8, which its byte order mark")

def test_tsv(data_dir):
    write_csv(data_dir / "employees.tsv", HEADER, ROWS, delimiter="\t")
    assert _employees(load_dir(data_dir)) == EXPECTED



@pytest.mark.parametrize(("name", "sep", "said"), [
    ("employees.csv", "\t", "separated by tabs, not by the commas"),
    ("employees.csv", ";", "separated by semicolons"),
    ("employees.tsv", ",", "separated by commas, not by the tabs")])
def test_a_file_separated_otherwise_than_its_name_says_is_told(data_dir, name, sep, said):
    """It was "required column missing (columns found: actor_id\tname…)"."""
    (data_dir / name).write_text(sep.join(HEADER) + "\n" + sep.join(ROWS[0]) + "\n",
                                 encoding="utf-8")
    d = load_dir(data_dir).datasets["employees"]
    assert d.status == "error" and said in d.error and "its header is one column" in d.error


def test_json_lines_named_json_is_told_to_be_named_jsonl(data_dir):
    (data_dir / "employees.json").write_text(
        "\n".join(json.dumps(dict(zip(HEADER, row, strict=True)), ensure_ascii=False)
                  for row in ROWS) + "\n", encoding="utf-8")
    d = load_dir(data_dir).datasets["employees"]
    assert d.status == "error" and "name it .jsonl" in d.error

def _xlsx(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, table in sheets.items():
        sheet = book.create_sheet(title)
        for row in table:
            sheet.append(row)
    book.save(path)


def test_excel_first_sheet_with_native_cells(data_dir):
    _xlsx(data_dir / "employees.xlsx", {"人员": [
        HEADER, ["A1", "张三", "客服中心", datetime(2024, 1, 2, 9, 0)],
        [None, None, None, None],  # an empty row is no row
        ["A2", "李四", "财务部", None]]})
    result = load_dir(data_dir)
    assert _employees(result) == EXPECTED
    assert rows(result, "SELECT _source_line FROM employees ORDER BY 1") == [(2,), (4,)]


def test_excel_sheet_named_in_mapping(data_dir):
    _xlsx(data_dir / "employees.xlsx", {"说明": [["readme"]], "明细": [HEADER, *ROWS]})
    assert _employees(load_dir(data_dir, {"employees": {"sheet": "明细"}})) == EXPECTED


def test_excel_missing_sheet_is_an_error_listing_sheets(data_dir):
    _xlsx(data_dir / "employees.xlsx", {"明细": [HEADER, *ROWS]})
    result = load_dir(data_dir, {"employees": {"sheet": "汇总"}})
    d = result.datasets["employees"]
    assert d.status == "error" and "汇总" in d.error and "明细" in d.error


def test_excel_numbers_and_booleans(data_dir):
    _xlsx(data_dir / "data_stores.xlsx", {"s": [
        ["store_id", "kind", "holds_personal_data", "location", "open_critical_vulns"],
        ["S1", "database", True, "IDC-A", 3.0]]})
    result = load_dir(data_dir)
    assert rows(result, "SELECT holds_personal_data, open_critical_vulns FROM data_stores") == [
        (True, 3)]



def test_excel_merged_cells_read_as_excel_shows_them(data_dir):
    """An HR sheet with each department merged over its staff: read cell by
    cell, every row but the first had no department (a scope by department
    then missed them), unseen. A merged range is its first cell's value."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [HEADER, ["A1", "张三", "客服中心", None], ["A2", "李四", None, None],
                ["A3", "王五", None, None], ["A4", "赵六", "财务部", None]]:
        sheet.append(row)
    sheet.merge_cells("C2:C4")
    book.save(data_dir / "employees.xlsx")
    result = load_dir(data_dir)
    assert rows(result, "SELECT actor_id, department FROM employees ORDER BY 1") == [
        ("A1", "客服中心"), ("A2", "客服中心"), ("A3", "客服中心"), ("A4", "财务部")]
    (warning,) = result.datasets["employees"].warnings
    assert "merged cells (C2:C4)" in warning


def test_excel_formula_without_its_value_is_a_reject(data_dir):
    """A workbook written by a program holds formulas without their values:
    read as empty, a record count became its default of 1, unseen."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["event_id", "ts", "actor_id", "data_category", "action", "purpose",
                  "record_count"])
    sheet.append(["EV1", "2026-10-01 10:00:00", "E1", "contact", "read", "service", 3])
    sheet.append(["EV2", "2026-10-01 10:00:00", "E1", "contact", "export", "service", "=G2*2"])
    book.save(data_dir / "access_log.xlsx")
    result = load_dir(data_dir)
    assert rows(result, "SELECT event_id, record_count FROM access_log") == [("EV1", 3)]
    assert rows(result, "SELECT _source_line, _reject_column, _raw_line "
                        "FROM access_log__rejects") == [(3, "_row", "G3: =G2*2")]
    (reason,) = rows(result, "SELECT _reject_reason FROM access_log__rejects")[0]
    assert "without its computed value" in reason and "save it in Excel" in reason

@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_json_lines(data_dir, suffix):
    lines = [json.dumps({"actor_id": "A1", "name": "张三", "department": "客服中心",
                         "hired_at": "2024-01-02T09:00:00"}, ensure_ascii=False),
             "",  # blank lines are no rows
             json.dumps({"actor_id": "A2", "name": "李四", "department": "财务部",
                         "hired_at": None}, ensure_ascii=False)]
    data = ("\n".join(lines) + "\n").encode()
    path = data_dir / f"employees{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    result = load_dir(data_dir)
    assert _employees(result) == EXPECTED
    assert rows(result, "SELECT _source_line FROM employees ORDER BY 1") == [(1,), (3,)]


def test_json_lines_native_values_and_a_broken_line(data_dir):
    (data_dir / "notices.jsonl").write_text(
        '{"notice_version": "v1", "published_at": "2026-01-01", "purposes": ["a", "b"]}\n'
        '{"notice_version": "v2", "published_at": "2026-02-01", "purposes": "a;c"}\n'
        'not json at all\n[1, 2]\n', encoding="utf-8")
    result = load_dir(data_dir)
    assert rows(result, "SELECT notice_version, purposes FROM notices ORDER BY 1") == [
        ("v1", ["a", "b"]), ("v2", ["a", "c"])]
    assert rows(result, "SELECT _source_line, _reject_column, _reject_reason FROM notices__rejects "
                        "ORDER BY 1") == [(3, "_row", "line is not a JSON object"),
                                          (4, "_row", "line is not a JSON object")]
    d = result.datasets["notices"]
    assert (d.rows_read, d.rows_loaded, d.rows_rejected) == (4, 2, 2)


def test_parquet_native_types(data_dir):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"""COPY (SELECT * FROM (VALUES
        ('S1', 'Database', true, 'IDC-A', TIMESTAMPTZ '2026-09-01 00:00:00+00', 2::INTEGER),
        ('S2', 'saas', false, 'cloud', NULL, NULL)) t(store_id, kind, holds_personal_data,
        location, last_vuln_scan_at, open_critical_vulns))
        TO '{data_dir / "data_stores.parquet"}' (FORMAT parquet)""")
    con.execute(f"""COPY (SELECT 'B1' AS backup_id, 'S1' AS store_id,
        TIMESTAMP '2026-10-01 02:00:00' AS started_at, 'SUCCESS' AS status,
        'IDC-B' AS target_location) TO '{data_dir / "backups.parquet"}' (FORMAT parquet)""")
    con.execute(f"""COPY (SELECT 'v1' AS notice_version, DATE '2026-01-01' AS published_at,
        ['a', 'b'] AS purposes) TO '{data_dir / "notices.parquet"}' (FORMAT parquet)""")
    result = load_dir(data_dir)
    assert rows(result, "SELECT store_id, kind, holds_personal_data, last_vuln_scan_at, "
                        "open_critical_vulns FROM data_stores ORDER BY 1") == [
        ("S1", "database", True, datetime(2026, 9, 1, tzinfo=UTC), 2),
        ("S2", "saas", False, None, None)]
    # A timestamp without a zone is local time, like text without an offset.
    assert rows(result, "SELECT started_at, status FROM backups") == [
        (datetime(2026, 9, 30, 18, 0, tzinfo=UTC), "success")]
    assert rows(result, "SELECT published_at, purposes FROM notices") == [
        (datetime(2025, 12, 31, 16, 0, tzinfo=UTC), ["a", "b"])]
    assert rows(result, "SELECT _source_line FROM data_stores ORDER BY 1") == [(1,), (2,)]


def test_folder_of_daily_files_keeps_file_and_line(data_dir):
    header = ["event_id", "ts", "actor_id", "data_category", "action", "purpose"]
    for day in (2, 1):
        write_csv(data_dir / "access_log" / f"2026-10-{day:02d}.csv.gz", header,
                  [[f"E{day}-{i}", f"2026-10-{day:02d} 10:00", "A", "c", "read", "p"]
                   for i in range(3)])
    result = load_dir(data_dir)
    got = rows(result, "SELECT event_id, _source_file, _source_line FROM access_log "
                       "ORDER BY _source_file, _source_line")
    assert got[0] == ("E1-0", "access_log/2026-10-01.csv.gz", 2)
    assert got[-1] == ("E2-2", "access_log/2026-10-02.csv.gz", 4)
    assert result.datasets["access_log"].files == [
        "access_log/2026-10-01.csv.gz", "access_log/2026-10-02.csv.gz"]


def test_folder_files_may_order_columns_differently(data_dir):
    write_csv(data_dir / "employees" / "a.csv", ["actor_id", "name"], [["A1", "x"]])
    write_csv(data_dir / "employees" / "b.csv", ["NAME", "Actor_ID", "note"], [["y", "A2", "n"]])
    result = load_dir(data_dir)
    assert rows(result, "SELECT actor_id, name, note FROM employees ORDER BY 1") == [
        ("A1", "x", None), ("A2", "y", "n")]


def test_folder_mixing_formats_is_an_error(data_dir):
    write_csv(data_dir / "employees" / "a.csv", HEADER, ROWS)
    (data_dir / "employees" / "b.jsonl").write_text('{"actor_id": "A3"}\n')
    d = load_dir(data_dir).datasets["employees"]
    assert d.status == "error" and "mixes formats" in d.error


def test_a_dataset_given_twice_is_an_error(data_dir):
    write_csv(data_dir / "employees.csv", HEADER, ROWS)
    write_csv(data_dir / "employees" / "a.csv", HEADER, ROWS)
    d = load_dir(data_dir).datasets["employees"]
    assert d.status == "error" and "2 times" in d.error


def test_absent_datasets_are_recorded_and_exist_empty(data_dir):
    write_csv(data_dir / "employees.csv", HEADER, ROWS)
    result = load_dir(data_dir)
    assert result.datasets["consents"].status == "absent"
    assert not result.present("consents") and result.present("employees")
    assert rows(result, "SELECT count(*) FROM consents") == [(0,)]
    assert len(result.datasets) == 20


def test_unrelated_files_are_ignored(data_dir):
    write_csv(data_dir / "employees.csv", HEADER, ROWS)
    (data_dir / "notes.txt").write_text("hello")
    write_csv(data_dir / "something_else.csv", ["a"], [["b"]])
    assert load_dir(data_dir).ok


def test_absent_and_loaded_tables_have_the_same_columns(data_dir):
    write_csv(data_dir / "employees.csv", HEADER, ROWS)
    result = load_dir(data_dir)
    loaded = [r[0] for r in rows(result, "DESCRIBE employees")]
    (data_dir / "employees.csv").unlink()
    # Another dataset stays: a folder with none at all is refused (exit 2).
    write_csv(data_dir / "purposes.csv", ["purpose", "legal_basis"], [["service", "contract"]])
    absent = [r[0] for r in rows(load_dir(data_dir), "DESCRIBE employees")]
    assert loaded == absent
