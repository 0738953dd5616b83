"""Finding a dataset's files in the data folder, and their format and encoding."""

from __future__ import annotations

import codecs
import gzip
import os
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from privacylib.errors import DataError

SAMPLE_BYTES = 1 << 20  # enough of a file to tell UTF-8 from GB18030

# What one file may ask of the loader. A broken or hostile export must cost
# memory and time in proportion to its data, never to a number it merely
# states (a header of 20,000 names, one 400 MB cell); past a limit the file is
# refused with a DataError naming it, or the line is rejected, never read.
#
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


class Format(StrEnum):
    CSV = "csv"
    TSV = "tsv"
    EXCEL = "excel"
    JSONL = "jsonl"
    PARQUET = "parquet"


SUFFIXES: dict[str, Format] = {
    ".csv": Format.CSV, ".csv.gz": Format.CSV, ".tsv": Format.TSV, ".tsv.gz": Format.TSV,
    ".xlsx": Format.EXCEL, ".jsonl": Format.JSONL, ".jsonl.gz": Format.JSONL,
    ".ndjson": Format.JSONL, ".parquet": Format.PARQUET,
}
READ_FORMATS = ", ".join(SUFFIXES)


@dataclass(frozen=True)
class SourceFile:
    path: Path
    # Path relative to the data folder, as written in rejects and evidence.
    name: str
    format: Format


def split_suffix(path: Path) -> tuple[str, Format | None]:
    """('access_log', CSV) for access_log.csv.gz; the stem is lower-cased."""
    lower = path.name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix):
            return lower[: -len(suffix)], SUFFIXES[suffix]
    return lower, None


def discover(data_dir: Path, dataset: str) -> list[SourceFile]:
    """The files of one dataset: a file named after it, or a folder of files.

    Returns [] when the dataset is absent. Raises DataError when it is
    ambiguous (both a file and a folder, two files), mixes formats, is given
    in a format the loader does not read, or reaches outside the data folder
    through a link (or through a link that leads nowhere).
    """
    root = data_dir.resolve()
    entries = sorted(data_dir.iterdir())
    mine = [p for p in entries if p.name.lower().split(".")[0] == dataset
            and not p.name.startswith(".")]
    for path in mine:
        _check_link(root, data_dir, path, dataset)
    singles = [p for p in mine if p.is_file() and split_suffix(p)[0] == dataset
               and split_suffix(p)[1]]
    folders = [p for p in mine if p.is_dir() and p.name.lower() == dataset]
    found = [*singles, *folders]
    if len(found) > 1:
        raise DataError(
            f"dataset {dataset} is given {len(found)} times: "
            + ", ".join(p.name for p in found), dataset=dataset,
            hint="keep one file or one folder per dataset and move the others away")
    if singles:
        path = singles[0]
        return [SourceFile(path, path.name, split_suffix(path)[1])]  # type: ignore[arg-type]
    if folders:
        return _folder_files(root, data_dir, folders[0], dataset)
    # A file in the dataset's place that the loader cannot read is no reason
    # to call the dataset absent: its controls would be skipped as if nobody
    # had sent it.
    unread = [p.name for p in mine if p.is_file()]
    if unread:
        raise DataError(
            f"dataset {dataset} is given as {', '.join(unread)}, a format the loader does "
            f"not read", dataset=dataset, file=unread[0],
            hint=f"export it as one of {READ_FORMATS}, or move it out of the data folder")
    return []


def _check_link(root: Path, data_dir: Path, path: Path, dataset: str) -> None:
    """Refuse a link that leads out of the data folder, or nowhere.

    The data folder is what the audit is about: a link out of it could put
    any file the auditor can read (a key, a password file) into the audit's
    outputs under a dataset's name.
    """
    if not path.is_symlink():
        return
    shown = path.relative_to(data_dir).as_posix()
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # dangling, or a loop of links
        raise DataError(f"{shown} is a link that leads nowhere ({exc.__class__.__name__})",
                        dataset=dataset, file=shown,
                        hint="replace the link with the file itself, or remove it") from exc
    if target != root and root not in target.parents:
        raise DataError(f"{shown} is a link to {target}, outside the data folder",
                        dataset=dataset, file=shown,
                        hint="copy the file into the data folder; the audit reads only "
                             "what the data folder holds")


def _walk(root: Path, data_dir: Path, folder: Path, dataset: str) -> list[Path]:
    """Every file under `folder`, following links that stay inside the data
    folder (Path.rglob does not follow linked folders), each folder once."""
    files: list[Path] = []
    seen: set[Path] = set()
    pending = [folder]
    while pending:
        current = pending.pop()
        real = current.resolve()
        if real in seen:  # a link back to a folder already read: a loop
            continue
        seen.add(real)
        for path in sorted(current.iterdir()):
            if path.name.startswith("."):
                continue
            _check_link(root, data_dir, path, dataset)
            if path.is_dir():
                pending.append(path)
            elif path.is_file():
                files.append(path)
    return sorted(files)


def _folder_files(root: Path, data_dir: Path, folder: Path, dataset: str) -> list[SourceFile]:
    _check_link(root, data_dir, folder, dataset)
    files, unknown = [], []
    for path in _walk(root, data_dir, folder, dataset):
        fmt = split_suffix(path)[1]
        if fmt is None:
            unknown.append(path.name)
        else:
            files.append(SourceFile(path, path.relative_to(data_dir).as_posix(), fmt))
    if unknown:
        raise DataError(
            f"folder {folder.name}/ holds files that are not data: {', '.join(unknown[:5])}",
            dataset=dataset, file=str(folder),
            hint=f"a dataset folder holds only {READ_FORMATS} files")
    formats = {f.format for f in files}
    if len(formats) > 1:
        raise DataError(
            f"folder {folder.name}/ mixes formats: {', '.join(sorted(f.value for f in formats))}",
            dataset=dataset, file=str(folder), hint="keep one format per dataset folder")
    return files


def _open_bytes(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def _read_head(path: Path) -> bytes:
    try:
        with _open_bytes(path) as fh:
            return fh.read(SAMPLE_BYTES)
    except (OSError, EOFError) as exc:  # gzip raises both for a truncated or foreign file
        raise DataError(f"{path.name} cannot be read: {exc}", file=str(path),
                        hint="the file may be truncated or not what its name says; "
                             "export it again") from exc


def detect_encoding(path: Path) -> str:
    """'utf-8' (with or without BOM) or 'gb18030', from the head of the file."""
    head = _read_head(path)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path.name} is neither UTF-8 nor GB18030 (byte {exc.start} cannot be read)",
            file=str(path), hint="save it as UTF-8, or set its encoding in mapping.yaml") from exc


CHUNK_BYTES = 1 << 20  # read a file a megabyte at a time (well under MAX_LINE_BYTES)
_GZIP_READ = 1 << 18
# A line whose count of double quotes is odd opens (or closes) a quoted value
# that holds a line break: the file's records and lines then differ. Found in
# C-speed steps, since exports often quote every value: keep only quotes and
# line breaks, drop pairs of quotes (a line's quotes are then side by side),
# and a quote left over is an odd line (a regex took 7 times DuckDB's scan).
_NOT_QUOTE_OR_BREAK = bytes(b for b in range(256) if b not in b'"\n')


def _has_odd_quote_line(block: bytes) -> bool:
    return b'"' in block.translate(None, _NOT_QUOTE_OR_BREAK).replace(b'""', b"")
_SHOWN = 200  # characters of a refused line kept in its reject


@dataclass
class Prepared:
    """A CSV or JSON Lines file made safe for DuckDB's reader, with what was
    found on the way. Lines are physical: the header (if any) is line 1."""

    # The file DuckDB reads: the source itself when it is plain UTF-8 with LF
    # line breaks and nothing to refuse, otherwise a UTF-8 copy in the work folder.
    path: Path
    copied: bool = False
    # Lines in the file (a last line without a line break counts).
    lines: int = 0
    # Lines refused here: (line, reason, start of the line).
    rejects: list[tuple[int, str, str]] = field(default_factory=list)
    # A quoted value may hold a line break: records and lines may differ.
    quoted_breaks: bool = False


class _NeedsCopy(Exception):
    """The source cannot be read in place: it needs a cleaned copy."""


def _shown(line: bytes) -> str:
    text = line[: _SHOWN * 4].decode("utf-8", errors="replace")
    return text[:_SHOWN] + ("…" if len(line) > _SHOWN else "")


class _Scan:
    """Measures and cleans complete lines, a block at a time, in C-speed
    bytes operations; only lines with a problem are looked at one by one."""

    def __init__(self, out, *, quoting: bool, json: bool) -> None:
        self.out, self.quoting, self.json = out, quoting, json
        self.found = Prepared(Path())

    def _fix(self) -> None:
        if self.out is None:
            raise _NeedsCopy

    def too_long(self, size: int, head: bytes) -> None:
        self._fix()
        self.found.rejects.append((
            self.found.lines + 1, f"line is {size:,} bytes long, over the loader's limit of "
            f"{MAX_LINE_BYTES:,} (MAX_LINE_BYTES); not read", _shown(head)))

    def _refuse(self, block: bytes, byte: bytes, reason: str) -> bytes:
        """Empty every line of `block` holding `byte`, and reject it."""
        lines = block.split(b"\n")
        for i, line in enumerate(lines[:-1]):
            if byte in line:
                self.found.rejects.append((self.found.lines + i + 1, reason, _shown(line)))
                lines[i] = b""
        return b"\n".join(lines)

    def block(self, block: bytes) -> None:
        """Lines ending in a line break, the first being line `lines + 1`."""
        found = self.found
        if b"\r" in block:
            self._fix()
            # A carriage return before a line break is the Windows line end, not data.
            block = block.replace(b"\r\n", b"\n")
            if b"\r" in block:
                block = self._refuse(
                    block, b"\r", "line holds a carriage return (\\r) that ends no line; "
                    "the CSV reader cannot tell where its values end")
        if self.json:
            try:
                block.decode("utf-8")
            except UnicodeDecodeError:  # DuckDB stops the whole scan at a bad byte
                self._fix()
                block = block.decode("utf-8", errors="replace").encode("utf-8")
        if self.json and b"\x1f" in block:  # the column separator of the JSON Lines scan
            self._fix()
            block = self._refuse(block, b"\x1f", "line is not a JSON object (it holds the "
                                                 "control character U+001F)")
        if self.quoting and not found.quoted_breaks and b'"' in block \
                and _has_odd_quote_line(block):
            found.quoted_breaks = True
        found.lines += block.count(b"\n")
        if self.out is not None:
            self.out.write(block)


def _check_empty(count: int, name: str) -> None:
    if count > MAX_EMPTY_LINES:
        raise DataError(f"{name} holds more than {MAX_EMPTY_LINES:,} empty lines",
                        file=name, hint="this is not an export of records; remove the empty "
                                        "lines or export the file again")


def empty_lines(path: Path, name: str | None = None) -> list[int]:
    """The empty lines of a prepared file (UTF-8, LF), which DuckDB's CSV
    reader skips without counting; the lines refused (emptied) among them.

    Looked for only when a file's lines and rows differ: a search for two
    line breaks in a row costs a fifth of the preparing pass."""
    found, lines, tail = [], 0, b"\n"  # the file starts as if after a line break
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            block = tail + chunk
            # `tail`, the previous chunk's last byte, is counted in `lines` already.
            at, seen, before = block.find(b"\n\n"), 0, lines - block[:1].count(b"\n")
            while at >= 0:
                before += block.count(b"\n", seen, at + 1)
                seen = at + 1
                found.append(before + 1)
                _check_empty(len(found), name or path.name)
                at = block.find(b"\n\n", at + 1)
            lines += chunk.count(b"\n")
            tail = chunk[-1:]
    return found


def _gunzip(fh, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Decompress a gzip stream (of one or more members) a chunk at a time.

    zlib directly, a third faster than gzip.open, and never more than
    CHUNK_BYTES at once, however well the data compresses."""
    inflate, raw, started = zlib.decompressobj(wbits=31), b"", False
    while True:
        if not raw:
            raw = fh.read(min(size, _GZIP_READ))
            if not raw:
                if started and not inflate.eof:
                    raise EOFError("the compressed file ends before its end marker")
                return
        started = True
        out = inflate.decompress(raw, size)
        raw = inflate.unconsumed_tail
        if out:
            yield out
        if inflate.eof:
            raw = inflate.unused_data + raw
            if not raw.strip(b"\0"):  # padding after the last member
                raw = b""
            inflate, started = zlib.decompressobj(wbits=31), False


def _utf8_chunks(path: Path, encoding: str, name: str = "", size: int = CHUNK_BYTES,
                 ) -> Iterator[bytes]:
    """The file as UTF-8, a chunk at a time: decompressed, transcoded.

    A byte that is not valid in `encoding` becomes U+FFFD; the row is then
    still read, and its values show where the damage is."""
    decoder = (None if encoding == "utf-8"
               else codecs.getincrementaldecoder(encoding)(errors="replace"))
    try:
        with path.open("rb") as fh:
            chunks = (_gunzip(fh, size) if path.name.lower().endswith(".gz")
                      else iter(lambda: fh.read(size), b""))
            for chunk in chunks:
                yield chunk if decoder is None else decoder.decode(chunk).encode("utf-8")
        if decoder is not None:
            yield decoder.decode(b"", final=True).encode("utf-8")
    except (OSError, EOFError, zlib.error) as exc:
        name = name or path.name
        raise DataError(f"{name} cannot be read: {exc}", file=name,
                        hint="the file may be truncated or not what its name says; "
                             "export it again") from exc


def _scan(path: Path, encoding: str, out, *, quoting: bool, json: bool, name: str) -> Prepared:
    scan = _Scan(out, quoting=quoting, json=json)
    carry, skipped, head = b"", -1, b""  # skipped >= 0: inside a line over the limit
    mac = None
    for chunk in _utf8_chunks(path, encoding, name):
        if mac is None:  # classic Mac files end their lines with \r alone
            mac = b"\n" not in chunk and b"\r" in chunk
        if mac:
            scan._fix()
            chunk = chunk.replace(b"\r", b"\n")
        if skipped >= 0:
            end = chunk.find(b"\n")
            if end < 0:
                skipped += len(chunk)
                continue
            scan.too_long(skipped + end, head)
            chunk, skipped = chunk[end:], -1  # the line break stays: the line becomes empty
        last = chunk.rfind(b"\n")
        if last < 0:
            carry += chunk
            if len(carry) > MAX_LINE_BYTES:
                skipped, head, carry = len(carry), carry[: _SHOWN * 4], b""
            continue
        block, carry = carry + chunk[: last + 1], chunk[last + 1:]
        first = block.find(b"\n")
        if first > MAX_LINE_BYTES:
            scan.too_long(first, block)
            block = block[first:]
        scan.block(block)
    if skipped >= 0:
        scan.too_long(skipped, head)
        scan.block(b"\n")
    elif carry:
        scan.block(carry + b"\n")
    return scan.found


def prepare_lines(path: Path, encoding: str, workdir: Path, *, quoting: bool = True,
                  json: bool = False, name: str = "") -> Prepared:
    """Measure a text file's lines and make it safe for DuckDB's CSV reader.

    DuckDB's strict reader stops at a carriage return outside quotes, and
    loses lines over its buffer without a trace; its line counter skips empty
    lines. So every line is measured here first, in one streaming pass: a
    line over MAX_LINE_BYTES (or with a stray \\r) is refused and emptied,
    CRLF becomes LF, and the empty lines are noted so that rows keep their
    physical line. A plain UTF-8 file with nothing to fix is read in place;
    any other (compressed, transcoded, or fixed) is copied, which costs no
    more than DuckDB decompressing it itself.
    """
    if encoding == "utf-8" and not path.name.lower().endswith(".gz"):
        try:
            found = _scan(path, encoding, None, quoting=quoting, json=json, name=name)
            found.path = path
            return found
        except _NeedsCopy:
            pass
    fd, copy = tempfile.mkstemp(suffix=".txt", dir=workdir)
    target = Path(copy)
    try:
        with os.fdopen(fd, "wb") as out:
            found = _scan(path, encoding, out, quoting=quoting, json=json, name=name)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    found.path, found.copied = target, True
    return found


def record_lines(path: Path, delimiter: str, name: str = "",
                 ) -> tuple[int, list[int], list[tuple[int, int]], int]:
    """Where each record of a CSV file starts, for a file whose quoted values
    hold line breaks. `path` is a prepared file (UTF-8, LF).

    Returns (records, empty records, steps, lines): records and empty ones
    count the way DuckDB's line counter does (the header is record 1); steps
    are (record, physical line - record) from that record on, one per change.
    """
    import csv

    csv.field_size_limit(max(csv.field_size_limit(), 4 * MAX_LINE_BYTES))
    records, end, shift, blanks, steps = 0, 0, 0, [], []
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=False)
        try:
            for row in reader:
                records += 1
                if end - records + 1 != shift:
                    shift = end - records + 1
                    steps.append((records, shift))
                if not row:
                    blanks.append(records)
                    _check_empty(len(blanks), name or path.name)
                end = reader.line_num
        except csv.Error as exc:  # a value over the field limit: a quote never closed
            raise DataError(
                f"{name or path.name}: the quoted value that starts on line {end + 1:,} "
                f"runs on for more than {4 * MAX_LINE_BYTES:,} bytes ({exc})",
                file=name or path.name,
                hint="a quote on that line is probably never closed; fix the line and "
                     "export the file again") from exc
    return records, blanks, steps, end


def read_header(path: Path, encoding: str, delimiter: str, name: str) -> list[str]:
    """The first record of a CSV file, split the way a CSV reader would.

    Reads at most MAX_LINE_BYTES of the file, whatever its size."""
    import csv
    import io

    head = bytearray()
    for chunk in _utf8_chunks(path, encoding, name, 1 << 16):  # a header is short
        head += chunk
        if len(head) > MAX_LINE_BYTES or b"\n" in chunk or b"\r" in chunk:
            break
    text = bytes(head[: MAX_LINE_BYTES + 1]).decode("utf-8", errors="replace")
    text = text.removeprefix("\ufeff")
    if len(head) > MAX_LINE_BYTES and "\n" not in text and "\r" not in text:
        raise DataError(f"{name}: the header line is longer than {MAX_LINE_BYTES:,} bytes "
                        "(MAX_LINE_BYTES)", file=name,
                        hint="the first line of a CSV file must name its columns; check "
                             "that the file is a CSV export")
    csv.field_size_limit(max(csv.field_size_limit(), 4 * MAX_LINE_BYTES))
    try:
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                               strict=False), [])
    except csv.Error as exc:
        raise DataError(f"{name}: the header line cannot be read: {exc}", file=name,
                        hint="the first line of a CSV file must name its columns") from exc


def check_columns(name: str, count: int, dataset: str | None = None) -> None:
    if count > MAX_COLUMNS:
        raise DataError(
            f"{name} has {count:,} columns; the loader reads at most {MAX_COLUMNS:,} "
            "(MAX_COLUMNS)", dataset=dataset, file=name,
            hint="a dataset of the contract has at most a dozen columns: check that the "
                 "file is the export it should be, or drop the columns the audit does not need")
