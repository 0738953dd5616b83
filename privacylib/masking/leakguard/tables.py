"""Reading back files of rows and cells for the leak guard: CSV (row and
column), Parquet (column and row) and Excel workbooks (sheet and cell, and the
rest of the package: shared strings, comments, document properties)."""

from __future__ import annotations

import csv
import html
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from privacylib.csvfields import field_limit
from privacylib.masking.leakguard.scanner import Collector


def scan_csv(path: Path, out: Collector) -> None:
    out.where = lambda p: f"row {p[0]}, column {p[1]}"
    with field_limit(2**31 - 1), \
            path.open(encoding="utf-8", errors="replace", newline="") as fh:  # long evidence
        header: list[str] = []
        for number, row in enumerate(csv.reader(fh), start=1):  # row 1: the header
            if number == 1:
                header = row
            for i, cell in enumerate(row):
                out.add(cell, (number, header[i] if i < len(header) else i + 1))
            if out.full:
                return


def scan_parquet(path: Path, out: Collector) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    out.where = lambda p: f"column {p[0]}, row {p[1]}"
    parquet = pq.ParquetFile(path)
    done = 0
    for batch in parquet.iter_batches(batch_size=65_536):  # a row group need not fit
        for name, column in zip(batch.schema.names, batch.columns, strict=True):
            texts = _parquet_texts(column, pa, pc)
            if texts is not None:
                out.add_many(texts, lambda i, name=name, done=done: (name, done + i + 1))
        done += batch.num_rows
        if out.full:
            return


def _parquet_texts(column: Any, pa: Any, pc: Any) -> list[str] | None:
    kind = column.type
    if pa.types.is_dictionary(kind):
        column, kind = column.cast(kind.value_type), kind.value_type
    if pa.types.is_floating(kind):  # a number stored as a float; fractions are noise
        integral = pc.equal(pc.floor(column), column)
        column = pc.if_else(integral, pc.cast(column, pa.int64(), safe=False), None)
        kind = pa.int64()
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_struct(kind) \
            or pa.types.is_map(kind):
        return [json.dumps(v, ensure_ascii=False, default=str) if v is not None else ""
                for v in column.to_pylist()]
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)
            or pa.types.is_integer(kind) or pa.types.is_decimal(kind)):
        return None  # times and booleans hold no identifier
    return pc.fill_null(pc.cast(column, pa.string()), "").to_pylist()


def scan_xlsx(path: Path, out: Collector) -> None:
    # The package's XML read directly: openpyxl took 0.3 s a workbook of a
    # run for what a streaming parse reads in a tenth of that.
    out.where = lambda p: p if isinstance(p, str) else f"sheet {p[0]}, cell {p[1]}"
    seen: set[str] = set()
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        shared = _shared_strings(package) if "xl/sharedStrings.xml" in names else []
        sheets = _sheets(package, names)
        for title, member in sheets:
            out.add(title, f"sheet {title}, its name")
            for ref, text in _cells(package, member, shared):
                seen.add(text)
                out.add(text, (title, ref))
                if out.full:
                    return
        # The rest of the package: shared strings no cell shows (a cell's were
        # read above, with their place), comments, document properties (author,
        # title), and any part that is no sheet read above.
        read = {member for _, member in sheets}
        for member in sorted(names - read):
            if not member.endswith((".xml", ".rels")):
                continue
            if member == "xl/sharedStrings.xml":
                for n, text in enumerate(shared):
                    if text not in seen:
                        out.add(text, f"{member}, string {n} (in no cell)")
                continue
            xml = package.read(member).decode("utf-8", errors="replace")
            for n, part in enumerate(re.split(r"(?<=>)", xml), start=1):
                out.add(html.unescape(part), f"{member}, element {n}")


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _sheets(package: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str]]:
    """(title, part) of every worksheet, in the workbook's order."""
    book = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): str(r.get("Target")) for r in rels.iter(f"{_PACKAGE_RELS}Relationship")}
    sheets = []
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_REL_ID), "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if member in names:
            sheets.append((str(sheet.get("name")), member))
    return sheets


def _shared_strings(package: zipfile.ZipFile) -> list[str]:
    root = ElementTree.fromstring(package.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{_MAIN}t")) for si in root.iter(f"{_MAIN}si")]


def _cells(package: zipfile.ZipFile, member: str, shared: list[str]) -> Iterator[tuple[str, str]]:
    """(cell reference, text) of every cell of a sheet that holds text or a whole
    number, and of every formula (read as openpyxl reads it: its text)."""
    with package.open(member) as xml:
        for _, cell in ElementTree.iterparse(xml):
            if cell.tag != f"{_MAIN}c":
                continue
            ref, kind = cell.get("r", "?"), cell.get("t", "n")
            formula, value = cell.find(f"{_MAIN}f"), cell.find(f"{_MAIN}v")
            raw = value.text if value is not None and value.text else ""
            if formula is not None and formula.text:
                yield ref, "=" + formula.text
            if kind == "s" and raw.isdigit() and int(raw) < len(shared):
                text = shared[int(raw)]
            elif kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{_MAIN}t"))
            elif kind == "str":
                text = raw
            elif kind == "n":
                text = _number_text(raw)
            else:  # booleans, errors, dates
                text = ""
            if text:
                yield ref, text
            cell.clear()


def _number_text(raw: str) -> str:
    """A whole number's digits, exactly (an 18-digit ID number stored as a
    number must not lose its last digits to a float); fractions are noise."""
    if re.fullmatch(r"[+-]?\d+", raw):
        return str(int(raw))
    try:
        number = float(raw)
    except ValueError:
        return ""
    return str(int(number)) if number.is_integer() else ""
