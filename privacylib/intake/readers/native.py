"""Native formats (a preset's files: pgaudit logs, audit logs, consent strings):
framed in Python, one record at a time, into fixed named fields.

A native format is a `parse` function: the file's lines in, records out.
A record is its physical line (the first, for one spanning several; the
element's position from 1 for a JSON array) and its fields by name; or a
refusal: the line, why, and its text. Records are written one a line to a
private JSON Lines copy that DuckDB scans, so a file of any size passes in
one streaming pass; refusals are rejects with their reason. Every record has
every field of the format (null when it has none), so a preset's mapping
always finds its columns.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from privacylib.errors import DataError
from privacylib.intake.limits import DUCKDB_LINE
from privacylib.intake.readers.base import RawSource, Reader, Scope, SourceFile


class TooDeep(json.JSONDecodeError):
    """JSON nested deeper than Python's parser goes: an unreadable value like
    any other (a JSONDecodeError, so every `except` for those takes it), not
    a RecursionError that ends the run with a traceback."""

    def __init__(self, doc: str | bytes, pos: int = 0) -> None:
        doc = doc if isinstance(doc, str) else doc.decode("utf-8", errors="replace")
        ValueError.__init__(self, DEEP)
        self.msg, self.doc, self.pos = DEEP, doc, pos
        self.lineno, self.colno = doc.count("\n", 0, pos) + 1, pos - doc.rfind("\n", 0, pos)


DEEP = ("arrays or objects nested thousands of levels deep, more than can be read "
        "(no log or receipt nests so: the file is damaged, or not of this format)")


def loads(text: str | bytes) -> Any:
    """json.loads, nesting too deep for it being a JSONDecodeError (TooDeep)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise TooDeep(text) from None


def raw_decode(decoder: json.JSONDecoder, text: str, pos: int) -> tuple[Any, int]:
    """decoder.raw_decode, nesting too deep for it being a JSONDecodeError."""
    try:
        return decoder.raw_decode(text, pos)
    except RecursionError:
        raise TooDeep(text, pos) from None


@dataclass(frozen=True)
class Record:
    line: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class Refused:
    line: int
    reason: str
    text: str


Parsed = Record | Refused
# The file's lines (numbered from 1, without their line break), its name
# for messages, and the preset's options -> its records.
Parse = Callable[[Iterable[tuple[int, str]], str, dict[str, Any]], Iterator[Parsed]]

_SCAN = ("SELECT j FROM read_csv($path, columns = {'j': 'VARCHAR'}, header = false, "
         "auto_detect = false, delim = E'\\x1f', quote = '', escape = '', new_line = '\\n', "
         f"hive_partitioning = false, max_line_size = {DUCKDB_LINE})")


def numbered_lines(src: SourceFile) -> Iterator[tuple[int, str]]:
    """The file's lines from 1, decoded as UTF-8 (a bad byte becomes U+FFFD:
    a log's text is evidence, not a value to be parsed), BOM removed."""
    raw = gzip.open(src.path, "rb") if src.path.name.lower().endswith(".gz") \
        else open(src.path, "rb")  # noqa: SIM115 - closed below
    with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as fh:
        for number, line in enumerate(fh, start=1):
            yield number, line.rstrip("\r\n")


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def native_read(name: str, fields: tuple[str, ...], parse: Parse) -> Callable:
    def read(scope: Scope, files: list[SourceFile]) -> list[RawSource]:
        options = dict(scope.mapping.source or {})
        return [_read_file(scope, i, src, fields, parse, options) for i, src in enumerate(files)]

    read.__name__ = f"read_{name}"
    return read


def _read_file(scope: Scope, index: int, src: SourceFile, fields: tuple[str, ...],
               parse: Parse, options: dict[str, Any]) -> RawSource:
    out = scope.workdir / f"native-{scope.dataset}-{index}.jsonl"
    refused: list[tuple] = []
    # When the file was written: a year-less log (syslog) dates its lines by it.
    options = {**options, "@modified": src.path.stat().st_mtime}
    last = 0  # the last line read, for a message when the file breaks off
    try:
        with out.open("w", encoding="utf-8") as fh:
            for item in parse(numbered_lines(src), src.name, options):
                last = item.line
                if isinstance(item, Refused):
                    refused.append((src.name, item.line, "_row", item.reason, item.text[:2000]))
                    continue
                row = [item.line, *(_text(item.fields.get(f)) for f in fields)]
                fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:  # a .gz file cut short
        raise DataError(f"{src.name} cannot be read to its end (after line {last:,}): {exc}",
                        file=src.name, hint="the file is cut short or damaged (a copy or "
                        "download that stopped): copy it again from its source") from exc
    except RecursionError:  # a value read whole but too deep to write back
        raise DataError(f"{src.name} (near line {last + 1:,}): {DEEP}", file=src.name,
                        hint="send the file as the system wrote it") from None
    cols = ", ".join(f"j ->> {i + 1} AS c{i}" for i in range(len(fields)))
    sql = (f"SELECT 0 AS _file_index, CAST(j ->> 0 AS BIGINT) AS _source_line, {cols} "
           f"FROM ({_SCAN})")
    return RawSource([src], list(fields), ["VARCHAR"] * len(fields), sql,
                     {"path": str(out)}, ["utf-8"], rejects=refused)


def native_reader(name: str, fields: tuple[str, ...], parse: Parse) -> Reader:
    """A registered reader of a native format; no suffix of its own: its files
    are the dataset's files whatever their names, once `source:` names it."""
    return Reader(name, (), native_read(name, fields, parse))
