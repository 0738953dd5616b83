"""What one file may ask of the loader, and the checks that refuse more.

A broken or hostile export must cost memory and time in proportion to its
data, never to a number it merely states (a header of 20,000 names, one 400 MB
cell); past a limit the file is refused with a DataError naming it, or the
line is rejected, never read.
"""

from __future__ import annotations

from privacylib.errors import DataError

# Columns of one file: the widest dataset of the contract has 12, DuckDB plans
# one expression per column of the typed SELECT and ran out of memory on a
# header of 20,000 names (250 KB of text).
MAX_COLUMNS = 1_000
# Bytes of one line of a CSV, TSV or JSON Lines file (one record of the
# contract is a few hundred bytes). Also DuckDB's max_line_size: a longer line
# is a reject. Lines over DuckDB's 32 MB read buffer vanished without a trace,
# so every line is measured here, before DuckDB reads the file.
MAX_LINE_BYTES = 4 << 20
# Bytes of one Excel cell, shared string or XML tag: openpyxl builds each one
# whole in memory, and a 400 KB workbook can hold a 400 MB string.
MAX_CELL_BYTES = 4 << 20
# Empty lines of one file: each is remembered to place the rows after it, so
# a 195 KB .gz of 200 million line breaks took 20 GB. An export with more
# empty lines than this is no export of records.
MAX_EMPTY_LINES = 1_000_000
# A line of DuckDB's own measure may hold its line break.
DUCKDB_LINE = MAX_LINE_BYTES + 2


def check_empty(count: int, name: str) -> None:
    if count > MAX_EMPTY_LINES:
        raise DataError(f"{name} holds more than {MAX_EMPTY_LINES:,} empty lines",
                        file=name, hint="this is not an export of records; remove the empty "
                                        "lines or export the file again")


def check_columns(name: str, count: int, dataset: str | None = None) -> None:
    if count > MAX_COLUMNS:
        raise DataError(
            f"{name} has {count:,} columns; the loader reads at most {MAX_COLUMNS:,} "
            "(MAX_COLUMNS)", dataset=dataset, file=name,
            hint="a dataset of the contract has at most a dozen columns: check that the "
                 "file is the export it should be, or drop the columns the audit does not need")
