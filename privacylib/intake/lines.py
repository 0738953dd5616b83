"""A CSV or JSON Lines file's lines measured and made safe for DuckDB's reader
(prepare_lines), and where its records and empty lines are when DuckDB's
line numbers and the file's differ (empty_lines, record_lines)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from privacylib.csvfields import field_limit
from privacylib.errors import DataError
from privacylib.intake.encoding import CHUNK_BYTES, utf8_chunks
from privacylib.intake.limits import MAX_LINE_BYTES, check_empty

# A line whose count of double quotes is odd opens (or closes) a quoted value
# that holds a line break: the file's records and lines then differ. Found in
# C-speed steps, since exports often quote every value: keep only quotes and
# line breaks, drop pairs of quotes (a line's quotes are then side by side),
# and a quote left over is an odd line (a regex took 7 times DuckDB's scan).
_NOT_QUOTE_OR_BREAK = bytes(b for b in range(256) if b not in b'"\n')


def _has_odd_quote_line(block: bytes) -> bool:
    return b'"' in block.translate(None, _NOT_QUOTE_OR_BREAK).replace(b'""', b"")


_STRAY_CR = ("line holds a carriage return (\\r) that ends no line; the CSV reader cannot "
             "tell where its values end")


def _cr_outside_quotes(line: bytes, inside: bool) -> bool:
    """Whether a carriage return of LINE, which starts inside a quoted value
    or not, stands outside one (the quotes before it say)."""
    at = line.find(b"\r")
    while at >= 0:
        if inside == bool(line.count(b'"', 0, at) % 2):
            return True
        at = line.find(b"\r", at + 1)
    return False


_SHOWN = 200  # characters of a refused line kept in its reject
_BOM = b"\xef\xbb\xbf"


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
        # A CSV file's line 1, once seen (None: not yet).
        self.header: bytes | None = None
        # CSV: whether the next block starts inside a quoted value.
        self.in_quote = False

    def _fix(self) -> None:
        if self.out is None:
            raise _NeedsCopy

    def too_long(self, size: int, head: bytes) -> None:
        self._fix()
        self.found.rejects.append((
            self.found.lines + 1, f"line is {size:,} bytes long, over the loader's limit of "
            f"{MAX_LINE_BYTES:,} (MAX_LINE_BYTES); not read", _shown(head)))

    def _empty_lines(self, block: bytes, reason: Callable[[int, bytes], str | None]) -> bytes:
        """Empty and reject each complete line of `block` for which
        `reason(i, line)` gives a reason (asked of every line, in order)."""
        lines = block.split(b"\n")
        for i, line in enumerate(lines[:-1]):
            why = reason(i, line)
            if why is not None:
                self._fix()
                self.found.rejects.append((self.found.lines + i + 1, why, _shown(line)))
                lines[i] = b""
        return b"\n".join(lines)

    def _refuse(self, block: bytes, byte: bytes, reason: str) -> bytes:
        """Empty every line of `block` holding `byte`, and reject it."""
        return self._empty_lines(block, lambda _, line: reason if byte in line else None)

    def _header_again(self, block: bytes) -> bytes:
        """Empty and reject each line that is the header once more (files
        joined end to end, each with its header): loaded, it was a row of a
        text-only dataset (a purpose named 'purpose'). Compared as bytes,
        with or without a byte order mark; looked at line by line only in
        a block that holds the header's bytes."""
        start = 0
        if self.header is None:
            start = block.find(b"\n") + 1
            self.header = block[: start - 1].removeprefix(_BOM)
        header, rest = self.header, b"\n" + block[start:]
        if not header or (b"\n" + header + b"\n" not in rest
                          and b"\n" + _BOM + header + b"\n" not in rest):
            return block
        again = "the header line again (files joined end to end?): not a row"
        return self._empty_lines(block, lambda i, line: again if (i or start == 0)
                                 and line.removeprefix(_BOM) == header else None)

    def _refuse_stray_cr(self, block: bytes) -> bytes:
        """Empty and reject each line with a carriage return outside a quoted
        value. Inside one DuckDB reads it as data; and emptying a line inside
        a value that spans lines broke its quotes, so that the good rows after
        it were taken into one reject."""
        inside = self.in_quote  # at the start of each line, as lines are asked in order

        def stray(_: int, line: bytes) -> str | None:
            nonlocal inside
            if b"\r" in line and _cr_outside_quotes(line, inside):
                return _STRAY_CR  # emptied: its quotes no longer count
            inside ^= bool(line.count(b'"') % 2)
            return None

        return self._empty_lines(block, stray)

    def _refuse_undecodable(self, block: bytes) -> bytes:
        """Empty and reject each line that is not UTF-8. Its bytes replaced,
        a GB18030 file loaded as garbage (联系方式 as '��ϵ��ʽ'), unseen."""
        def undecodable(_: int, line: bytes) -> str | None:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return (f"line is not UTF-8 (byte {exc.start + 1:,}): a JSON Lines file must "
                        "be; if it is GB18030 or GBK, convert it to UTF-8")
            return None

        return self._empty_lines(block, undecodable)

    def block(self, block: bytes) -> None:
        """Lines ending in a line break, the first being line `lines + 1`."""
        found = self.found
        if b"\r" in block:
            self._fix()
            # A carriage return before a line break is the Windows line end, not data.
            block = block.replace(b"\r\n", b"\n")
            if b"\r" in block and self.quoting:
                block = self._refuse_stray_cr(block)
            elif b"\r" in block:
                block = self._refuse(block, b"\r", _STRAY_CR)
        if self.json:
            try:
                block.decode("utf-8")
            except UnicodeDecodeError:  # DuckDB stops the whole scan at a bad byte
                self._fix()
                block = self._refuse_undecodable(block)
        if self.json and b"\x1f" in block:  # the column separator of the JSON Lines scan
            self._fix()
            block = self._refuse(block, b"\x1f", "line is not a JSON object (it holds the "
                                                 "control character U+001F)")
        if not self.json:
            block = self._header_again(block)
        if self.quoting and not found.quoted_breaks and b'"' in block \
                and _has_odd_quote_line(block):
            found.quoted_breaks = True
        if self.quoting and block.count(b'"') % 2:
            self.in_quote = not self.in_quote
        found.lines += block.count(b"\n")
        if self.out is not None:
            self.out.write(block)



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
                check_empty(len(found), name or path.name)
                at = block.find(b"\n\n", at + 1)
            lines += chunk.count(b"\n")
            tail = chunk[-1:]
    return found

def _scan(path: Path, encoding: str, out, *, quoting: bool, json: bool, name: str) -> Prepared:
    scan = _Scan(out, quoting=quoting, json=json)
    carry, skipped, head = b"", -1, b""  # skipped >= 0: inside a line over the limit
    mac = None
    for chunk in utf8_chunks(path, encoding, name):
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

    records, end, shift, blanks, steps = 0, 0, 0, [], []
    # Lines end at LF only: a prepared file has no other line end, and a
    # carriage return left in it is inside a quoted value (data).
    with field_limit(4 * MAX_LINE_BYTES), \
            path.open(encoding="utf-8", errors="replace", newline="\n") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=False)
        try:
            for row in reader:
                records += 1
                if end - records + 1 != shift:
                    shift = end - records + 1
                    steps.append((records, shift))
                if not row:
                    blanks.append(records)
                    check_empty(len(blanks), name or path.name)
                end = reader.line_num
        except csv.Error as exc:  # a value over the field limit: a quote never closed
            raise DataError(
                f"{name or path.name}: the quoted value that starts on line {end + 1:,} "
                f"runs on for more than {4 * MAX_LINE_BYTES:,} bytes ({exc})",
                file=name or path.name,
                hint="a quote on that line is probably never closed; fix the line and "
                     "export the file again") from exc
    return records, blanks, steps, end

