"""Hostile sizes: an Excel sheet that understates its <dimension>, too many
columns, a huge Excel cell. Each is read whole, or refused with an error
naming the file; never a traceback, never memory the data does not need."""

from __future__ import annotations

import json
import re
import zipfile

import openpyxl
import pytest

from privacylib.intake.limits import MAX_CELL_BYTES, MAX_COLUMNS

from conftest import load_dir, rows


def write_book(path, rows_, sheet_xml=None) -> None:
    book = openpyxl.Workbook()
    for row in rows_:
        book.active.append(row)
    book.save(path)
    if sheet_xml:
        rewrite(path, "xl/worksheets/sheet1.xml", sheet_xml)


def rewrite(path, part, change) -> None:
    with zipfile.ZipFile(path) as old:
        parts = {i.filename: old.read(i) for i in old.infolist()}
    parts[part] = change(parts[part].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)


EMPLOYEES = [["actor_id", "name"]] + [[f"A{i}", f"name {i}"] for i in range(50)]


def test_an_understated_dimension_does_not_hide_rows(data_dir):
    path = data_dir / "employees.xlsx"
    write_book(path, EMPLOYEES,
               lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:B9"', xml))
    assert '<dimension ref="A1:B9"' in zipfile.ZipFile(path).read(
        "xl/worksheets/sheet1.xml").decode()
    result = load_dir(data_dir)
    d = result.datasets["employees"]
    assert (d.status, d.rows_read, d.rows_loaded) == ("loaded", 50, 50)
    assert rows(result, "SELECT _source_line FROM employees WHERE actor_id = 'A49'") == [(51,)]


def test_a_missing_dimension_and_gaps_keep_row_numbers(data_dir):
    path = data_dir / "employees.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["actor_id", "name"])
    book.active.cell(row=2, column=1, value="A1")
    book.active.cell(row=7, column=1, value="A2")
    book.save(path)
    rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: re.sub(r"<dimension [^>]*/>", "", xml))
    result = load_dir(data_dir)
    assert rows(result, "SELECT actor_id, _source_line FROM employees ORDER BY 2") == [
        ("A1", 2), ("A2", 7)]


def test_formatted_cells_past_the_header_make_no_columns(data_dir):
    path = data_dir / "employees.xlsx"
    write_book(path, [["actor_id", "name", None, None], ["A1", "x", None, None]])
    d = load_dir(data_dir).datasets["employees"]
    assert (d.status, d.extra_columns) == ("loaded", [])


def test_a_huge_excel_cell_is_refused_before_it_is_read(data_dir):
    path = data_dir / "employees.xlsx"
    big = "x" * (MAX_CELL_BYTES + 1000)
    write_book(path, EMPLOYEES[:3], lambda xml: xml.replace(
        "</sheetData>", f'<row r="4"><c r="A4" t="inlineStr"><is><t>{big}</t></is></c>'
                        "</row></sheetData>"))
    d = load_dir(data_dir).datasets["employees"]
    assert d.status == "error"
    assert "employees.xlsx: xl/worksheets/sheet1.xml holds a value or tag of more than" in d.error
    assert "MAX_CELL_BYTES" in d.error


def test_a_huge_shared_string_is_refused(data_dir):
    path = data_dir / "employees.xlsx"
    write_book(path, EMPLOYEES[:3])
    with zipfile.ZipFile(path, "a") as book:
        book.writestr("xl/sharedStrings.xml", "<sst><si><t>" + "y" * (MAX_CELL_BYTES + 1)
                      + "</t></si></sst>")
    d = load_dir(data_dir).datasets["employees"]
    assert d.status == "error" and "xl/sharedStrings.xml holds a value" in d.error


def test_a_row_past_excels_last_is_refused(data_dir):
    path = data_dir / "employees.xlsx"
    write_book(path, EMPLOYEES[:3], lambda xml: xml.replace(
        "</sheetData>", '<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>A9</t></is>'
                        "</c></row></sheetData>"))
    d = load_dir(data_dir).datasets["employees"]
    assert d.status == "error" and "rows past row 1,048,576" in d.error


def test_a_broken_sheet_is_an_error_not_a_traceback(data_dir):
    path = data_dir / "employees.xlsx"
    write_book(path, EMPLOYEES[:3], lambda xml: xml.replace("</sheetData>", "<row r="))
    d = load_dir(data_dir).datasets["employees"]
    assert d.status == "error" and "employees.xlsx is not a readable .xlsx workbook" in d.error


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "xlsx", "parquet"])
def test_too_many_columns_is_an_error_naming_the_file(data_dir, fmt):
    names = ["actor_id"] + [f"c{i}" for i in range(20_000 if fmt in ("csv", "tsv")
                                                   else MAX_COLUMNS + 1)]
    values = ["A1"] + ["v"] * (len(names) - 1)
    path = data_dir / f"employees.{fmt}"
    if fmt in ("csv", "tsv"):
        sep = "," if fmt == "csv" else "\t"
        path.write_text(sep.join(names) + "\n" + sep.join(values) + "\n")
    elif fmt == "jsonl":
        path.write_text(json.dumps(dict(zip(names, values, strict=True))) + "\n")
    elif fmt == "xlsx":
        write_book(path, [names, values])
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({n: [v] for n, v in zip(names, values, strict=True)}), path)
    d = load_dir(data_dir).datasets["employees"]
    assert d.status == "error"
    assert (f"employees.{fmt} has {len(names):,} columns; the loader reads at most "
            f"{MAX_COLUMNS:,}") in d.error


def test_a_header_line_over_the_line_limit_is_an_error(data_dir):
    (data_dir / "employees.csv").write_text("actor_id" + "x" * (5 << 20) + "\nA1\n")
    d = load_dir(data_dir).datasets["employees"]
    assert d.status == "error" and "employees.csv: the header line is longer than" in d.error


def test_control_characters_in_excel_cells_load(data_dir):
    path = data_dir / "employees.xlsx"
    write_book(path, [["actor_id", "name"], ["A1", "PLACEHOLDER"], ["A2", "y"]])
    rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        '<c r="B2" t="inlineStr"><is><t>PLACEHOLDER</t></is></c>',
        '<c r="B2" t="inlineStr"><is><t>a_x0001_b_x0000_c</t></is></c>'))
    result = load_dir(data_dir)
    d = result.datasets["employees"]
    assert (d.status, d.rows_read, d.rows_loaded) == ("loaded", 2, 2)
    # Excel's escapes of control characters are kept as openpyxl reads them.
    assert rows(result, "SELECT name FROM employees WHERE actor_id = 'A1'") == [
        ("a_x0001_b_x0000_c",)]


def test_a_file_of_millions_of_empty_lines_is_refused_not_held(tmp_path):
    # A 200 KB .gz of 20 million line breaks once took 20 GB to place its rows.
    import gzip

    from conftest import load_dir

    with gzip.open(tmp_path / "training.csv.gz", "wb") as fh:
        fh.write(b"actor_id,course,completed_at\nE1,c,2026-01-01\n" + b"\n" * 2_000_000
                 + b"E2,c,2026-01-02\n")
    training = load_dir(tmp_path).datasets["training"]
    assert training.status == "error"
    assert "training.csv.gz holds more than 1,000,000 empty lines" in training.error
