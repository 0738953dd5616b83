"""What every reader shares: the file it reads (SourceFile), the scan it gives
(RawSource, FileLines), and what a reader is (Reader) with what it may use (Scope).

A reader gives a `RawSource`: one or more files of a dataset that share the
same columns, read by one SELECT yielding `_file_index` (position in
`files`), `_source_line` and the columns as `c0`, `c1`, … in header order.
The schema stage types the columns from there and asks nothing of the format:
what it needs to know, the RawSource says (each column's DuckDB type, VARCHAR
for text to be parsed, a native type for values already typed; a column that
marks a whole line unreadable, and why).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    from privacylib.config.mapping import DatasetMapping
    from privacylib.intake.readers.csv import CsvFile


@dataclass(frozen=True)
class SourceFile:
    path: Path
    # Path relative to the data folder, as written in rejects and evidence.
    name: str
    # The name of its format in the registry (readers/__init__.py): csv, jsonl, …
    format: str


@dataclass
class FileLines:
    """How one file's rows get their physical line after the insert.

    A scan numbers the rows it yields (header: line 1). Lines that yield no
    row (empty, malformed, refused) shift the rows after them; a quoted value
    spanning several lines shifts them further.
    """

    name: str
    # Lines, as DuckDB counts them, that gave no row.
    skipped: list[int] = field(default_factory=list)
    # (line as DuckDB counts it, physical line minus it) from there on.
    steps: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class RawSource:
    # The files this SELECT reads, in order; `_file_index` points into it.
    files: list[SourceFile]
    # The files' column names (as written in them) and their DuckDB types.
    names: list[str]
    types: list[str]
    # SELECT yielding _file_index, _source_line and c0..cN; params bound by name.
    sql: str
    params: dict[str, Any] = field(default_factory=dict)
    # Encoding of each file, for the data-quality report.
    encodings: list[str] = field(default_factory=list)
    # CSV: the files of a group with one header, each prepared and inserted
    # on its own (see staging.insert_per_file).
    csv: list[CsvFile] = field(default_factory=list)
    # A column of the SELECT that is not null when the whole row is unreadable
    # (a JSON line that is no object); it holds the raw text.
    bad_row_column: str | None = None
    # Lines refused before the scan, (file, line, column, reason, text), and
    # the line shifts of the scanned files (JSON Lines; CSV finds them per file).
    rejects: list[tuple] = field(default_factory=list)
    lines: list[FileLines] = field(default_factory=list)
    # Why a line is unreadable when `bad_row_column` is not null (its reject's reason).
    bad_row_reason: str = ""
    # What the files' own metadata gives cause to check (the load's warnings).
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Scope:
    """What a reader may use: the connection, the dataset's name and mapping
    (encoding, sheet), and a private folder for prepared copies."""

    con: duckdb.DuckDBPyConnection
    dataset: str
    mapping: DatasetMapping
    workdir: Path


@dataclass(frozen=True)
class Reader:
    """One source format: the suffixes of its files and how they are read."""

    # The format's name, as data_quality.csv shows it.
    name: str
    suffixes: tuple[str, ...]
    # A dataset's files (all of this format) as scans: files with the same
    # columns may be read by one.
    read: Callable[[Scope, list[SourceFile]], list[RawSource]]
    # When a file's columns do not match the contract: why the file is no
    # file of this format at all (message, hint), or None. Asked only then,
    # so a good file pays nothing.
    explain: Callable[[Scope, SourceFile], tuple[str, str] | None] | None = None
    # Undo what `read` left on the connection (views of in-memory tables),
    # whether or not the load succeeded.
    release: Callable[[Scope, list[SourceFile]], None] | None = None
