"""Reading back files of rows and cells for the leak guard: CSV (row and
column), Parquet (column and row) and Excel workbooks (sheet and cell, and the
rest of the package: shared strings, comments, document properties)."""

from __future__ import annotations

import csv
import html
import json
import re
import zipfile
from pathlib import Path
from typing import Any

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
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    out.where = lambda p: p if isinstance(p, str) else f"sheet {p[0]}, cell {p[1]}"
    seen: set[str] = set()
    book = load_workbook(path, read_only=True, data_only=False)
    try:
        for sheet in book.worksheets:
            out.add(sheet.title, f"sheet {sheet.title}, its name")
            for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                for c, value in enumerate(row, start=1):
                    text = _cell_text(value)
                    if text:
                        seen.add(text)
                        out.add(text, (sheet.title, f"{get_column_letter(c)}{r}"))
                if out.full:
                    return
    finally:
        book.close()
    # The rest of the package: shared strings no cell shows (a cell's were read
    # above, with their place), comments, document properties (author, title).
    with zipfile.ZipFile(path) as package:
        for member in package.namelist():
            if member.startswith("xl/worksheets/sheet") or not member.endswith((".xml", ".rels")):
                continue
            xml = package.read(member).decode("utf-8", errors="replace")
            if member == "xl/sharedStrings.xml":
                for n, item in enumerate(re.findall(r"<si>(.*?)</si>", xml, re.S)):
                    text = html.unescape(re.sub(r"<[^>]+>", "", item))
                    if text not in seen:
                        out.add(text, f"{member}, string {n} (in no cell)")
                continue
            for n, part in enumerate(re.split(r"(?<=>)", xml), start=1):
                out.add(html.unescape(part), f"{member}, element {n}")


def _cell_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed into Excel comes back a float
    return ""

