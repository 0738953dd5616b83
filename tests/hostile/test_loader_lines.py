"""Hostile CSV and JSON Lines text: huge lines, stray line ends, control
characters, quoted values spanning lines. Every line read is loaded or
rejected with a reason, at its physical line (the header is line 1)."""

from __future__ import annotations

import gzip
import json

import pytest

from privacylib.intake.limits import MAX_LINE_BYTES

from conftest import load_dir, rows

HEADER = "event_id,ts,actor_id,customer_id,data_category,action,purpose\n"
GOOD = {"event_id": "E1", "ts": "2026-10-01 10:00", "actor_id": "A1",
        "data_category": "contact", "action": "read", "purpose": "service"}


def event(eid: str, purpose: str = "service") -> str:
    return f"{eid},2026-10-01 10:00,A1,C1,contact,read,{purpose}\n"


def counts(result, name="access_log"):
    d = result.datasets[name]
    assert d.rows_read == d.rows_loaded + d.rows_rejected
    return d.status, d.rows_read, d.rows_loaded, d.rows_rejected


def loaded(result, name="access_log"):
    return rows(result, f"SELECT event_id, _source_line FROM {name} ORDER BY _source_line")


def rejected(result, name="access_log"):
    return rows(result, f"SELECT _source_line, _reject_column, _reject_reason, _raw_line "
                        f"FROM {name}__rejects ORDER BY _source_line")


@pytest.mark.parametrize("size", [MAX_LINE_BYTES + 10, 40_000_000])
@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_a_line_of_any_size_is_rejected_never_lost(data_dir, size, suffix):
    # 40 MB is past DuckDB's 32 MB read buffer, where lines used to vanish.
    data = (HEADER + event("E1") + event("E2", "y" * size) + event("E3")).encode()
    path = data_dir / f"access_log{suffix}"
    path.write_bytes(gzip.compress(data, compresslevel=1) if suffix.endswith(".gz") else data)
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 3, 2, 1)
    assert loaded(result) == [("E1", 2), ("E3", 4)]
    [(line, column, reason, raw)] = rejected(result)
    assert (line, column) == (3, "_row")
    assert f"line is {len(event('E2', 'y' * size)) - 1:,} bytes long" in reason
    assert f"limit of {MAX_LINE_BYTES:,}" in reason
    assert raw.startswith("E2,2026-10-01 10:00") and raw.endswith("…") and len(raw) < 300


def test_a_huge_last_line_without_a_line_break_is_rejected(data_dir):
    (data_dir / "access_log.csv").write_text(HEADER + event("E1") + "E2," + "z" * (40 << 20))
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 2, 1, 1)
    assert rejected(result)[0][:2] == (3, "_row")


def test_a_huge_json_line_is_rejected(data_dir):
    good = json.dumps(GOOD)
    huge = json.dumps({**GOOD, "event_id": "E2", "purpose": "p" * (40 << 20)})
    (data_dir / "access_log.jsonl").write_text(f"{good}\n{huge}\n{good.replace('E1', 'E3')}\n")
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 3, 2, 1)
    assert loaded(result) == [("E1", 1), ("E3", 3)]
    assert rejected(result)[0][0] == 2 and "bytes long" in rejected(result)[0][2]


@pytest.mark.parametrize("where", [0, 1, 2])
def test_one_crlf_line_in_an_lf_file_loads(data_dir, where):
    lines = [HEADER, event("E1"), event("E2")]
    lines[where] = lines[where].replace("\n", "\r\n")
    (data_dir / "access_log.csv").write_bytes("".join(lines).encode())
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 2, 2, 0)
    assert rows(result, "SELECT event_id, _source_line, purpose FROM access_log ORDER BY 1") == [
        ("E1", 2, "service"), ("E2", 3, "service")]


def test_a_windows_file_keeps_no_carriage_return(data_dir):
    text = (HEADER + event("E1") + event("E2")).replace("\n", "\r\n") + "E3,,,,contact,read,x\r\n"
    (data_dir / "access_log.csv").write_bytes(text.replace("purpose", "purpose,note")
                                              .replace("service", "service,kept").encode())
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 3, 2, 1)  # E3 lacks a column: one reject, no error
    assert rows(result, "SELECT event_id, note FROM access_log ORDER BY 1") == [
        ("E1", "kept"), ("E2", "kept")]


def test_a_classic_mac_file_loads(data_dir):
    (data_dir / "access_log.csv").write_bytes((HEADER + event("E1") + event("E2"))
                                              .replace("\n", "\r").encode())
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 2, 2, 0)
    assert loaded(result) == [("E1", 2), ("E2", 3)]


def test_a_stray_carriage_return_rejects_its_line_only(data_dir):
    (data_dir / "access_log.csv").write_bytes(
        (HEADER + event("E1") + event("E2", "serv\rice") + event("E3")).encode())
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 3, 2, 1)
    assert loaded(result) == [("E1", 2), ("E3", 4)]
    [(line, column, reason, raw)] = rejected(result)
    assert (line, column, raw) == (3, "_row", "E2,2026-10-01 10:00,A1,C1,contact,read,serv\rice")
    assert "carriage return" in reason


@pytest.mark.parametrize("char", ["\x01", "\x00", "\x1f", "\x7f"])
def test_control_characters_in_values_load(data_dir, char):
    (data_dir / "access_log.csv").write_bytes(
        (HEADER + event("E1", f"a{char}b") + event(f"E{char}2") + event("E3")).encode())
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 3, 3, 0)
    assert rows(result, "SELECT purpose FROM access_log WHERE event_id = 'E1'") == [
        (f"a{char}b",)]
    assert rows(result, "SELECT _source_line FROM access_log WHERE event_id = 'E3'") == [(4,)]


@pytest.mark.parametrize("char", ["\x01", "\x00"])
def test_control_characters_in_a_timestamp_reject_the_row(data_dir, char):
    (data_dir / "access_log.csv").write_bytes(
        (HEADER + event("E1").replace("10:00", f"10{char}:00") + event("E2")).encode())
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 2, 1, 1)
    assert rejected(result)[0][:2] == (2, "ts")


@pytest.mark.parametrize("char", ["\x01", "\x00", "\x1f"])
def test_control_characters_in_json_lines(data_dir, char):
    good = GOOD
    lines = [json.dumps({**good, "purpose": f"a{char}b"}),  # escaped: a value like any other
             json.dumps({**good, "event_id": "E2"}).replace('"E2"', f'"E{char}2"'),  # raw
             json.dumps({**good, "event_id": "E3"})]
    (data_dir / "access_log.jsonl").write_text("\n".join(lines) + "\n")
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 3, 2, 1)  # a raw control character is no JSON
    assert loaded(result) == [("E1", 1), ("E3", 3)]
    assert rejected(result)[0][:2] == (2, "_row")
    assert rows(result, "SELECT purpose FROM access_log WHERE event_id = 'E1'") == [
        (f"a{char}b",)]


def test_crlf_and_invalid_utf8_in_json_lines(data_dir):
    good = {**GOOD, "purpose": "x"}
    data = (json.dumps(good).encode() + b"\r\n"
            + json.dumps({**good, "event_id": "E2"}).encode().replace(b'"x"', b'"\xff"') + b"\n"
            + json.dumps({**good, "event_id": "E3"}).encode() + b"\r\n")
    (data_dir / "access_log.jsonl").write_bytes(data)
    result = load_dir(data_dir)
    # A byte that is not UTF-8 rejects its line, as in a CSV file (it loaded
    # as U+FFFD, which hid a whole GB18030 file's garbage).
    assert counts(result) == ("loaded", 3, 2, 1)
    assert rows(result, "SELECT event_id, _source_line, purpose FROM access_log ORDER BY 1") == [
        ("E1", 1, "x"), ("E3", 3, "x")]
    assert [r[:2] for r in rejected(result)] == [(2, "_row")]


MULTI = (HEADER
         + event("E1")
         + 'E2,2026-10-01 10:00,A1,C1,contact,read,"spans\nthree\nlines"\n'   # lines 3-5
         + "\n"                                                                # line 6
         + event("E3")                                                         # line 7
         + "E4,2026-10-01 10:00,too,many,columns,here,x,y\n"                   # line 8
         + 'E5,2026-10-01 10:00,A1,C1,contact,read,"two\r\nlines, ""quoted"""\n'  # 9-10
         + event("E6"))                                                        # line 11


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".tsv"])
def test_a_record_is_at_the_physical_line_where_it_starts(data_dir, suffix):
    text = MULTI
    if suffix == ".tsv":
        text = text.replace(",", "\t").replace('lines\t ""', 'lines, ""')
    data = text.encode()
    (data_dir / f"access_log{suffix}").write_bytes(
        gzip.compress(data) if suffix.endswith(".gz") else data)
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 6, 5, 1)
    assert loaded(result) == [("E1", 2), ("E2", 3), ("E3", 7), ("E5", 9), ("E6", 11)]
    assert rejected(result)[0][:2] == (8, "_row")
    assert rows(result, "SELECT purpose FROM access_log WHERE event_id = 'E5'") == [
        ('two\nlines, "quoted"',)]


def test_lines_stay_right_after_many_quoted_breaks_and_empty_lines(data_dir):
    parts, expected, line = [HEADER], [], 2
    for i in range(300):
        if i % 7 == 0:
            parts.append("\n")
            line += 1
        breaks = i % 4
        value = "x\n" * breaks + "end"
        parts.append(f'E{i},2026-10-01 10:00,A1,C1,contact,read,"{value}"\n')
        expected.append((f"E{i}", line))
        line += breaks + 1
    (data_dir / "access_log.csv").write_text("".join(parts))
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 300, 300, 0)
    assert loaded(result) == expected


def test_empty_lines_in_a_plain_file_do_not_shift_later_rows(data_dir):
    (data_dir / "access_log.csv").write_text(
        HEADER + "\n" + event("E1") + "\n\n" + event("E2") + "E3,bad\n\n" + event("E4") + "\n")
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 4, 3, 1)
    assert loaded(result) == [("E1", 3), ("E2", 6), ("E4", 9)]
    assert rejected(result)[0][:2] == (7, "_row")


def test_an_unclosed_quote_names_the_lines_it_swallowed(data_dir):
    (data_dir / "access_log.csv").write_text(
        HEADER + event("E1") + 'E2,2026-10-01 10:00,A1,C1,contact,read,"oops\n'
        + event("E3") + event("E4"))
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 2, 1, 1)
    [(line, _, reason, _)] = rejected(result)
    assert line == 3 and "unterminated quote" in reason
    assert "the record spans lines 3 to 5" in reason


def test_an_unclosed_quote_over_a_large_file_is_an_error_naming_the_line(data_dir):
    body = "".join(event(f"F{i}", "p" * 10_000) for i in range(2_000))  # 20 MB after it
    (data_dir / "access_log.csv").write_text(
        HEADER + event("E1") + 'E2,2026-10-01 10:00,A1,C1,contact,read,"oops\n' + body)
    d = load_dir(data_dir).datasets["access_log"]
    assert d.status == "error"
    assert "access_log.csv: the quoted value that starts on line 3" in d.error


def test_many_empty_and_malformed_lines_are_placed_in_linear_time(data_dir):
    # Each row used to be placed by counting the skipped lines before it
    # (and each reject inserted alone): minutes for this file.
    n = 100_000
    text = "".join(event(f"E{i}") if i % 10 else f"E{i},bad\n" for i in range(n))
    (data_dir / "access_log.csv").write_text(HEADER + text.replace("\n", "\n\n"))
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", n, n - n // 10, n // 10)
    assert rows(result, "SELECT count(*) FROM access_log WHERE _source_line <> "
                        "2 * CAST(substr(event_id, 2) AS INTEGER) + 2") == [(0,)]
    assert rows(result, "SELECT min(_source_line), max(_source_line) "
                        "FROM access_log__rejects") == [(2, 2 * (n - 10) + 2)]


def test_lines_lost_by_the_reader_make_the_dataset_an_error(tmp_path):
    from privacylib.errors import DataError
    from privacylib.intake.lines import prepare_lines
    from privacylib.intake.rejects import account_lines

    path = tmp_path / "a.csv"
    path.write_text("h\n1\n2\n\n4\nbad\n6\n7\n8\n9")  # 10 lines, line 4 empty
    prepared = prepare_lines(path, "utf-8", tmp_path)
    malformed = [("a.csv", 6, "_row", "bad", "bad")]
    assert account_lines("a.csv", prepared, 7, malformed, ",")[1].skipped == [4, 6]
    with pytest.raises(DataError) as lost:
        account_lines("a.csv", prepared, 6, malformed, ",")
    assert "a.csv: 10 records (the header included), but the CSV reader gave 6 rows, " \
           "1 malformed and 1 empty lines" in str(lost.value)


def test_empty_lines_are_found_across_chunks(tmp_path):
    from privacylib.intake.encoding import CHUNK_BYTES
    from privacylib.intake.lines import empty_lines

    path = tmp_path / "a.csv"
    first = "h\n" + "x" * (CHUNK_BYTES - 3) + "\n"  # the second chunk starts with its "\n"
    path.write_text("\n" + first + "\nz\n" + "y" * CHUNK_BYTES + "\n\n\n")
    assert empty_lines(path) == [1, 4, 7, 8]


def test_a_gb18030_windows_file_with_a_huge_line(data_dir):
    text = (HEADER + event("E1", "客户服务") + event("E2", "长" * (3 << 20))
            + event("E3", "投诉")).replace("\n", "\r\n")
    (data_dir / "access_log.csv").write_bytes(text.encode("gb18030"))
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 3, 2, 1)  # 3 M characters are 9 MB in UTF-8
    assert result.datasets["access_log"].encodings == ["gb18030"]
    assert rows(result, "SELECT event_id, _source_line, purpose FROM access_log ORDER BY 1") == [
        ("E1", 2, "客户服务"), ("E3", 4, "投诉")]
    assert rejected(result)[0][:2] == (3, "_row")


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_a_header_repeated_in_the_file_is_a_reject_not_a_row(data_dir, suffix):
    """Exports joined end to end repeat their header, with its byte order
    mark or without, CRLF or not: each is refused at its line; a line that
    only holds the header's text among others is data. Loaded, a repeated
    header made a purpose named 'purpose' in a dataset of text columns."""
    bom_header = "\ufeff" + HEADER.replace("\n", "\r\n")
    text = (HEADER + event("E1") + HEADER + event("E2") + bom_header + event("E3")
            + "x" + HEADER.rstrip("\n") + ",y\n")
    data = text.encode("utf-8")
    path = data_dir / f"access_log{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 6, 3, 3)
    assert loaded(result) == [("E1", 2), ("E2", 4), ("E3", 6)]
    reasons = [(line, column, reason.split(" (")[0]) for line, column, reason, _ in
               rejected(result)]
    assert reasons == [(3, "_row", "the header line again"), (5, "_row", "the header line again"),
                       (7, "_row", reasons[2][2])]
    assert "the header" not in reasons[2][2]  # the last line: too many values, not a header
    # Purpose categories hold text only: a repeated header loaded silently there.
    (data_dir / "purpose_categories.csv").write_text(
        "purpose,data_category\nservice,contact\npurpose,data_category\n", encoding="utf-8")
    result = load_dir(data_dir)
    assert rows(result, "SELECT purpose FROM purpose_categories") == [("service",)]
    assert result.datasets["purpose_categories"].rows_rejected == 1


def test_a_json_line_that_is_not_utf8_is_a_reject_not_garbage(data_dir):
    """Its bytes used to be replaced: a GB18030 line loaded as '��ϵ��ʽ',
    unseen. Now it is refused at its line; a file of no UTF-8 line is an
    error that says so, with how to convert it."""
    good = {**GOOD, "event_id": "E1", "data_category": "联系方式"}
    bad = {**GOOD, "event_id": "E2", "data_category": "联系方式"}
    (data_dir / "access_log.jsonl").write_bytes(
        json.dumps(good, ensure_ascii=False).encode("utf-8") + b"\n"
        + json.dumps(bad, ensure_ascii=False).encode("gb18030") + b"\n")
    result = load_dir(data_dir)
    assert counts(result) == ("loaded", 2, 1, 1)
    assert rows(result, "SELECT event_id, data_category FROM access_log") == [("E1", "联系方式")]
    [(line, column, reason, _)] = rejected(result)
    assert (line, column) == (2, "_row") and "not UTF-8" in reason and "GB18030" in reason
    (data_dir / "access_log.jsonl").write_bytes(
        json.dumps(bad, ensure_ascii=False).encode("gb18030") + b"\n")
    d = load_dir(data_dir).datasets["access_log"]
    assert d.status == "error" and "access_log.jsonl is not UTF-8" in d.error


def test_a_carriage_return_inside_a_quoted_value_is_data(data_dir):
    """DuckDB reads it there. Refused, its line emptied inside a value that
    spans lines, the quotes broke: the good rows after it went into one
    reject. Outside quotes it still rejects its line only; which side of a
    quote it stands on holds across the preparing pass's blocks."""
    pad = "".join(event(f"P{i}") for i in range(25_000))  # over one 1 MB block
    text = (HEADER + event("E1", '"one\nline\rtwo"') + event("E2", '"a\rb"') + pad
            + event("E3", '"opens\nthe value') + 'and\rcloses it"\n'
            + event("E4", "serv\rice") + event("E5"))
    (data_dir / "access_log.csv").write_bytes(text.encode())
    result = load_dir(data_dir)
    e3 = 2 + 2 + 1 + 25_000  # E1 spans lines 2-3, E2 is line 4, the pad 5-25004
    assert counts(result) == ("loaded", 25_005, 25_004, 1)
    got = rows(result, "SELECT event_id, _source_line, purpose FROM access_log "
                       "WHERE event_id LIKE 'E%' ORDER BY _source_line")
    assert got == [("E1", 2, "one\nline\rtwo"), ("E2", 4, "a\rb"),
                   ("E3", e3, "opens\nthe value\nand\rcloses it"),  # lines e3 to e3 + 2
                   ("E5", e3 + 4, "service")]
    [(line, column, reason, _)] = rejected(result)
    assert (line, column) == (e3 + 3, "_row") and "carriage return" in reason
