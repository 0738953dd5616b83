"""Failing closed: a masked run folder is published only if nothing in it is unmasked.

Masking is done by many writers (CSV, Parquet, the workbook, the notebook's
displays, summary.html, rejected rows); one that forgets the Masker would
publish personal data. So before a masked run folder (or a `validate`
folder) takes its name, every file in it is read back and searched:

- with the recogniser of identifiers.py, the same rules as masking: a value
  the Masker would mask (ID number, mobile, Luhn-valid card, e-mail) is a leak;
- for the raw values the loaded data holds (RawValues): customer ids, the
  people's names (masking.known_names) and the values of identifier columns
  (身份证号, 手机号, 邮箱 … as identifiers.KINDS names them), also the ones the
  recogniser would not know (a bad ID number, a number with odd separators).

Any hit fails the run: nothing is published, and NAME.FAILED/LEAKS.txt names
the file, the place (row and column, sheet and cell, JSON path, line) and the
kind of each hit, masked, never the raw value. Unmasked runs (`--no-mask`)
are unmasked on purpose and say so on every page: they are not guarded.

The masks themselves are no hit: they cannot match the recogniser
(110101********1234, 138****5678), masked source values (with `*`) are no
raw values, and pseudonyms and digests (CU-…, finding keys) are blanked
before searching, as hex may hold a digit run that looks like a number.
"""

from __future__ import annotations

import base64
import bisect
import contextlib
import csv
import html
import json
import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import accumulate
from pathlib import Path
from typing import Any

import duckdb

from privacylib.contract import DATASETS
from privacylib.errors import PrivacyLibError
from privacylib.intake.readers import quote_ident
from privacylib.masking.identifiers import find, kind_of
from privacylib.masking.masker import (
    CUSTOMER_KEYS,
    holds_person_name,
    known_names,
    mask_name,
    names_pattern,
)

# The runner names a private file here; the notebook kernel (which inherits the
# runner's environment) writes the raw values into it. Not a notebook
# parameter: parameters are recorded in the manifest.
VALUES_ENV = "PRIVACY_AUDIT_LEAK_VALUES"
LEAKS_FILE = "LEAKS.txt"
_VALUES_PREFIX = "privacy-audit-values-"
# Hits listed per file; past that the file is known to leak and reading on
# only costs time.
MAX_PER_FILE = 100
# Texts are searched joined, this many characters at a time: one regex pass in
# C instead of one per cell.
_BATCH = 1 << 18

# Raw values shorter than this, or numbers shorter than _MIN_DIGITS, would
# match the report's own words, counts and dates; a customer id of letters
# and digits is told apart from 4 characters on (E0001 is staff, C01 a control).
_MIN_LENGTH = 6
_MIN_DIGITS = 9
_MIN_CUSTOMER = 4
_TOKEN = re.compile(r"[A-Za-z0-9]+")
# CU- pseudonyms and hex digests (finding keys, hashes) are written on
# purpose; blanked so that a digit run inside one is not read as a number.
_DIGEST = re.compile(
    r"(?<![0-9A-Za-z])(?:CU-[0-9a-f]{12}|(?=[0-9]*[a-f])"
    r"[0-9a-f]{12}(?:[0-9a-f]{4}(?:[0-9a-f]{16}(?:[0-9a-f]{8}(?:[0-9a-f]{24})?)?)?)?)"
    r"(?![0-9A-Za-z])")
_ASCII = re.compile(r"[\x00-\x7f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]{2,}")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


class LeakFound(PrivacyLibError):
    """A file of a masked output folder holds an identifier masking should have hidden."""

    exit_code = 1


@dataclass(frozen=True)
class Leak:
    file: str  # relative to the scanned folder
    location: str  # row and column, sheet and cell, JSON path or line
    kind: str  # resident_id, mobile, …, name, customer_id, raw value of DATASET.COLUMN
    excerpt: str  # the hit masked, in its masked context

    def line(self) -> str:
        """One tab-separated line of LEAKS.txt (tabs and line breaks of the text as spaces)."""
        return "\t".join(re.sub(r"[\t\r\n]", " ", part) for part in (
            self.file, self.location, self.kind, self.excerpt))


@dataclass(frozen=True)
class RawValues:
    """What the loaded data holds that must never appear unmasked."""

    names: frozenset[str] = frozenset()
    # value -> where it comes from: customer_id, or raw value of DATASET.COLUMN
    values: dict[str, str] = field(default_factory=dict)

    def dump(self, path: Path) -> None:
        with path.open("w", encoding="utf-8") as fh:
            json.dump({"names": sorted(self.names), "values": self.values}, fh,
                      ensure_ascii=False)

    @classmethod
    def read(cls, path: Path) -> RawValues:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(frozenset(data["names"]), dict(data["values"]))


def worth_searching(value: str, customer_id: bool = False) -> bool:
    """Whether a raw value is told apart from the report's own text by search.

    A value with `*` was masked at the source; one without a digit or `@`
    (未知, unknown) is no identifier; a value of other characters than
    letters and digits that the recogniser finds whole is left to it.
    """
    if "*" in value or "\n" in value:
        return False
    if value.isdigit():
        return len(value) >= _MIN_DIGITS
    if len(value) < (_MIN_CUSTOMER if customer_id else _MIN_LENGTH):
        return False
    if not any(c.isdigit() for c in value) and "@" not in value:
        return False
    # A token costs one set lookup however many there are; other values
    # become a regex, kept small by leaving the recogniser's to it.
    return bool(_TOKEN.fullmatch(value)) or not _recognised(value)


def _recognised(value: str) -> bool:
    found = find(value)
    return len(found) == 1 and found[0].start == 0 and found[0].end == len(value)


# Well-formed e-mails and mobiles, the bulk of identifier columns: the
# recogniser finds them, so DuckDB leaves them out before Python sees them.
_SQL_RECOGNISED = (r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"
                   r"|1[3-9][0-9]{9}")


def raw_values(con: duckdb.DuckDBPyConnection) -> RawValues:
    """Customer ids, names and identifier columns' values of the loaded data,
    rejected rows included (they are written to rejects/)."""
    sources: dict[str, list[str]] = {}  # label -> SELECTs of its columns
    for d in DATASETS:
        for table in (d.name, d.name + "__rejects"):
            try:
                columns = [r[0] for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()]
            except duckdb.Error:
                continue  # the dataset is absent
            for column in columns:
                header = column.strip().lower()
                if header in CUSTOMER_KEYS:
                    label = "customer_id"
                elif kind_of(column):
                    label = f"raw value of {d.name}.{column}"
                elif table != d.name and holds_person_name(header, d.name):
                    label = "name"  # known_names has the loaded rows' names
                else:
                    continue
                sources.setdefault(label, []).append(  # distinct first: a log is long
                    f"SELECT DISTINCT CAST({quote_ident(column)} AS VARCHAR) AS v "
                    f"FROM {quote_ident(table)}")
    names = set(known_names(con))
    values: dict[str, str] = {}
    for label, selects in sources.items():
        # Each value once, however many datasets hold it.
        # Only identifier columns hold mobiles and e-mails in bulk; a regex
        # over 100,000 customer ids would cost more than it saves.
        skip = label in ("name", "customer_id")
        cursor = con.execute(
            f"SELECT DISTINCT trim(v) AS v FROM ({' UNION ALL '.join(selects)}) "
            "WHERE trim(v) <> '' AND (? OR NOT regexp_full_match(trim(v), ?))",
            [skip, _SQL_RECOGNISED])
        while batch := cursor.fetchmany(50_000):
            if label == "name":
                names.update(value for (value,) in batch)
                continue
            for (value,) in batch:
                if worth_searching(value, label == "customer_id"):
                    values.setdefault(value, label)
    return RawValues(frozenset(n for n in names if "*" not in n), values)


def hand_over(con: duckdb.DuckDBPyConnection) -> None:
    """In the notebook kernel: write the raw values for the runner's guard, when
    the runner asked for them (VALUES_ENV); a notebook run by hand has no guard."""
    path = os.environ.get(VALUES_ENV)
    if path:
        raw_values(con).dump(Path(path))


@contextlib.contextmanager
def values_file(masked: bool) -> Iterator[Path | None]:
    """A private file (mode 600, outside the run folder) for the kernel's raw
    values, named in VALUES_ENV for the kernel; deleted afterwards, whatever
    happens. None for an unmasked run: it is not guarded."""
    if not masked:
        yield None
        return
    _sweep_values_files()
    fd, name = tempfile.mkstemp(prefix=f"{_VALUES_PREFIX}{os.getpid()}-", suffix=".json")
    os.close(fd)
    before = os.environ.get(VALUES_ENV)
    os.environ[VALUES_ENV] = name
    try:
        yield Path(name)
    finally:
        if before is None:
            os.environ.pop(VALUES_ENV, None)
        else:
            os.environ[VALUES_ENV] = before
        Path(name).unlink(missing_ok=True)


def _sweep_values_files() -> None:
    """Remove the values files of runs killed before they could (their process is gone)."""
    for path in Path(tempfile.gettempdir()).glob(f"{_VALUES_PREFIX}*-*.json"):
        pid = path.name[len(_VALUES_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's
    return True


class Scanner:
    """Finds, in any text, what masking should have hidden."""

    def __init__(self, raw: RawValues) -> None:
        names = {n.strip() for n in raw.names if len(n.strip()) >= 2}  # as names_pattern
        # Names without an ASCII character (Chinese ones) are looked up in a set,
        # substring by substring of the text's non-ASCII runs: the same hits as
        # the masker's regex (leftmost, longest first), and no regex of 100,000
        # names to compile, which takes longer than reading the whole folder.
        self.wide_names = {n for n in names if not _ASCII.search(n)}
        self.wide_lengths = sorted({len(n) for n in self.wide_names}, reverse=True)
        self.names_re = names_pattern(names - self.wide_names)
        # Customer ids and the like are single tokens: a set lookup per token
        # scales to millions of values, where a regex would take minutes to compile.
        self.tokens = {v: k for v, k in raw.values.items() if _TOKEN.fullmatch(v)}
        others = {v: k for v, k in raw.values.items() if v not in self.tokens}
        self.others_re = names_pattern(others)
        self.others = {v.lower(): k for v, k in others.items()}

    def hits(self, text: str) -> list[tuple[int, int, str, str]]:
        """(start, end, kind, mask) of every hit in `text`, in order."""
        text = _DIGEST.sub(lambda m: "\0" * len(m[0]), text)
        out = [(f.start, f.end, f.kind, f.mask) for f in find(text)]
        if self.wide_names:
            out += [(start, end, "name", mask_name(text[start:end]))
                    for start, end in self._wide_names(text)]
        if self.names_re:
            out += [(m.start(), m.end(), "name", mask_name(m[0]))
                    for m in self.names_re.finditer(text)]
        if self.tokens and not self.tokens.keys().isdisjoint(_TOKEN.findall(text)):
            out += [(m.start(), m.end(), self.tokens[m[0]], _mask_raw(m[0]))
                    for m in _TOKEN.finditer(text) if m[0] in self.tokens]
        if self.others_re:
            out += [(m.start(), m.end(), self.others.get(m[0].lower(), "raw value"),
                     _mask_raw(m[0])) for m in self.others_re.finditer(text)]
        # One hit per place: the recogniser's and a raw value's may coincide.
        kept: list[tuple[int, int, str, str]] = []
        for hit in sorted(out, key=lambda h: (h[0], -h[1])):
            if not kept or hit[0] >= kept[-1][1]:
                kept.append(hit)
        return kept

    def _wide_names(self, text: str) -> Iterator[tuple[int, int]]:
        for run in _NON_ASCII.finditer(text):
            chars, at, size = run[0], 0, len(run[0])
            while at < size - 1:
                for length in self.wide_lengths:
                    if at + length <= size and chars[at:at + length] in self.wide_names:
                        yield run.start() + at, run.start() + at + length
                        at += length
                        break
                else:
                    at += 1

    def mask(self, text: str, hit_at: int = -1) -> tuple[str, int, int]:
        """`text` with every hit masked; and where, in it, the mask of the hit
        that starts at `hit_at` is (-1, -1 when there is none)."""
        out, at, size, place = [], 0, 0, (-1, -1)
        for start, end, _, mask in self.hits(text):
            if start >= at:
                out += [text[at:start], mask]
                size += start - at
                if start == hit_at:
                    place = (size, size + len(mask))
                size += len(mask)
                at = end
        return "".join(out) + text[at:], *place

    def excerpt(self, text: str, start: int, end: int, mask: str, width: int = 24) -> str:
        """The hit's mask in its context, the context masked too. The context is
        masked whole, a margin beyond what is shown, so that a cut falls in
        masked text and no part of a raw value is shown."""
        low = max(0, start - 8 * width)
        window = text[low:end + 8 * width]
        masked, at, stop = self.mask(window, start - low)
        if at < 0:  # not found again without its far context: the mask alone
            return f"«{mask}»"
        left, right = masked[max(0, at - width):at], masked[stop:stop + width]
        return ("…" if low + at > width else "") + left + "«" + masked[at:stop] + "»" + \
            right + ("…" if stop + width < len(masked) or end + 8 * width < len(text) else "")


def _mask_raw(value: str) -> str:
    return value[:1] + "*" * (len(value) - 1)


class _Collector:
    """Texts of one file with where each is; searched joined, in batches."""

    def __init__(self, scanner: Scanner, file: str, leaks: list[Leak]) -> None:
        # A file's name or a place (a column, a sheet) may itself hold a hit.
        self.scanner, self.file, self.leaks = scanner, scanner.mask(file)[0], leaks
        self.texts: list[str] = []
        self.places: list[Any] = []
        self.size = 0
        self.found = 0
        self.where: Callable[[Any], str] = str

    @property
    def full(self) -> bool:
        return self.found >= MAX_PER_FILE

    def add(self, text: str, place: Any) -> None:
        if not text:
            return
        self.texts.append(text)
        self.places.append(place)
        self.size += len(text) + 1
        if self.size >= _BATCH:
            self.flush()

    def add_many(self, texts: list[str], place_of: Callable[[int], Any]) -> None:
        """A column's values at once (Parquet); the place of the i-th made only for a hit."""
        self.flush()
        self._search(texts, place_of)

    def flush(self) -> None:
        if self.texts:
            texts, places = self.texts, self.places
            self.texts, self.places, self.size = [], [], 0
            self._search(texts, places.__getitem__)

    def _search(self, texts: list[str], place_of: Callable[[int], Any]) -> None:
        if self.full or not texts:
            return
        # One record separator between texts: no identifier, name or token
        # crosses it (a line break may now join an ID split over two lines).
        joined = "\x1e".join(texts)
        hits = self.scanner.hits(joined)
        if not hits:
            return
        starts = [0, *accumulate(len(t) + 1 for t in texts)]
        for start, end, kind, mask in hits:
            i = bisect.bisect_right(starts, start) - 1
            text, at = texts[i], starts[i]
            place = self.scanner.mask(self.where(place_of(i)))[0]
            self.leaks.append(Leak(self.file, place, kind,
                                   self.scanner.excerpt(text, start - at, end - at, mask)))
            self.found += 1
            if self.full:
                self.leaks.append(Leak(self.file, "(more)", "stopped",
                                       f"more than {MAX_PER_FILE} hits; the rest not listed"))
                return


def scan_folder(folder: str | Path, raw: RawValues) -> list[Leak]:
    """Every hit in every file under `folder`, file by file."""
    folder = Path(folder)
    scanner = Scanner(raw)
    leaks: list[Leak] = []
    names = _Collector(scanner, "(file names)", leaks)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        names.add(rel, rel)
        collector = _Collector(scanner, rel, leaks)
        _READERS.get(_suffix(path), _scan_text)(path, collector)
        collector.flush()
    names.flush()
    return leaks


def _suffix(path: Path) -> str:
    return path.suffix.lower()


def _scan_csv(path: Path, out: _Collector) -> None:
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))  # evidence can be long
    out.where = lambda p: f"row {p[0]}, column {p[1]}"
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        header: list[str] = []
        for number, row in enumerate(csv.reader(fh), start=1):  # row 1: the header
            if number == 1:
                header = row
            for i, cell in enumerate(row):
                out.add(cell, (number, header[i] if i < len(header) else i + 1))
            if out.full:
                return


def _scan_parquet(path: Path, out: _Collector) -> None:
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


def _scan_xlsx(path: Path, out: _Collector) -> None:
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


def _scan_json(path: Path, out: _Collector) -> None:
    out.where = lambda p: p
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except ValueError:
        _scan_text(path, out)
        return
    for place, text in _json_texts(data, ""):
        out.add(text, place)


def _json_texts(value: object, place: str) -> Iterator[tuple[str, str]]:
    """(JSON path, text) of every string and integer; binary images skipped,
    Markdown and HTML read as a reader sees them (unescaped)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.startswith("image/") and key != "image/svg+xml":
                continue  # base64 of a picture
            yield from _json_texts(item, f"{place}.{key}" if place else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_texts(item, f"{place}[{i}]")
    elif isinstance(value, str):
        if "text/markdown" in place or "source" in place:
            value = _MD_ESCAPE.sub(r"\1", value)
        if "html" in place or "markdown" in place:
            value = html.unescape(value)
        yield place, value
    elif isinstance(value, int) and not isinstance(value, bool):
        yield place, str(value)


# A picture inlined as base64 (in an attribute or in a style sheet): no reader
# sees its bytes, and its long runs of letters would make the e-mail search
# quadratic; an SVG is text and is read, decoded.
_DATA_URI = re.compile(r"data:([\w.+/-]+);base64,([A-Za-z0-9+/=]+)")


def _without_pictures(text: str) -> tuple[str, list[str]]:
    """`text` without its base64 data URIs, and the SVGs among them decoded."""
    if ";base64," not in text:
        return text, []
    svgs: list[str] = []

    def drop(m: re.Match[str]) -> str:
        if m[1] == "image/svg+xml":
            with contextlib.suppress(ValueError):
                svgs.append(base64.b64decode(m[2]).decode("utf-8", errors="replace"))
        return "data:" + m[1] + ";base64,"

    return _DATA_URI.sub(drop, text), svgs


# In a picture, path data and coordinates are numbers joined by spaces and
# dots, read as numbers they look like phones; its text is in elements and
# other attributes, which are read.
_GEOMETRY = re.compile(
    r"(?:[\s0-9.,eE+\-()%MmLlHhVvCcSsQqTtAaZz]|translate|rotate|scale|matrix|skew[XY])*")


class _HtmlTexts(HTMLParser):
    """Text, comments and attribute values, each with its line; inline and
    inlined SVG pictures without their geometry."""

    def __init__(self, out: _Collector, picture: int | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.out = out
        self.picture = picture  # the line of the page an inlined picture is on
        self.in_svg = 0 if picture is None else 1

    def _add(self, text: str, what: str) -> None:
        line = self.getpos()[0] if self.picture is None else self.picture
        if self.picture is not None:
            what += ", in an SVG picture"
        text, svgs = _without_pictures(text)
        self.out.add(text, (line, what))
        for svg in svgs:
            inner = _HtmlTexts(self.out, line)
            inner.feed(svg)
            inner.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_svg += tag == "svg"
        for name, value in attrs:
            if value and not (self.in_svg and _GEOMETRY.fullmatch(value)):
                self._add(value, f"<{tag} {name}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.in_svg -= tag == "svg"

    def handle_endtag(self, tag: str) -> None:
        self.in_svg -= tag == "svg" and self.in_svg > 0

    def handle_data(self, data: str) -> None:
        self._add(data, "text")

    def handle_comment(self, data: str) -> None:
        self._add(data, "comment")


def _scan_html(path: Path, out: _Collector) -> None:
    out.where = lambda p: f"line {p[0]}, {p[1]}"
    parser = _HtmlTexts(out)
    with path.open(encoding="utf-8", errors="replace") as fh:
        while chunk := fh.read(1 << 20):
            parser.feed(chunk)
            if out.full:
                return
    parser.close()


def _scan_text(path: Path, out: _Collector) -> None:
    """Any other file, read as text line by line (binary noise breaks no rule)."""
    out.where = lambda n: f"line {n}"
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for n, line in enumerate(fh, start=1):
            out.add(line.rstrip("\r\n"), n)
            if out.full:
                return


_READERS: dict[str, Callable[[Path, _Collector], None]] = {
    ".csv": _scan_csv, ".parquet": _scan_parquet, ".xlsx": _scan_xlsx, ".ipynb": _scan_json,
    ".json": _scan_json, ".html": _scan_html, ".htm": _scan_html,
}


def write_leaks(leaks: Sequence[Leak], failed: Path, what: str) -> Path:
    """NAME.FAILED/ with LEAKS.txt and FAILED, replacing an earlier one; none
    of the leaking files is kept."""
    if failed.exists():
        shutil.rmtree(failed)
    failed.mkdir(parents=True)
    files = sorted({leak.file for leak in leaks})
    lines = [f"{what} was not published: the leak guard found {_count(leaks)} value(s) in "
             f"{len(files)} file(s) that masking should have hidden.",
             "Each hit: file, place, kind, and the value masked («…») in its masked context.",
             "The raw values are in no file of this folder.", "",
             "file\tplace\tkind\texcerpt", *(leak.line() for leak in leaks)]
    (failed / LEAKS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (failed / "FAILED").write_text(f"{what} failed the leak guard; see {LEAKS_FILE}.\n",
                                   encoding="utf-8")
    return failed / LEAKS_FILE


def _count(leaks: Sequence[Leak]) -> int:
    return sum(leak.kind != "stopped" for leak in leaks)


def guard_folder(folder: Path, raw: RawValues, failed: Path, what: str = "This run") -> None:
    """Raise LeakFound, with NAME.FAILED/LEAKS.txt written, when `folder` leaks;
    otherwise remove an earlier guard failure of the same name."""
    leaks = scan_folder(folder, raw)
    if leaks:
        report = write_leaks(leaks, failed, what)
        files = sorted({leak.file for leak in leaks})
        raise LeakFound(
            f"the leak guard found {_count(leaks)} unmasked identifier(s) in "
            f"{', '.join(files)}; nothing was published",
            hint=f"each is listed, masked, in {report}")
    if (failed / LEAKS_FILE).exists():  # an earlier failure of ours, now superseded
        shutil.rmtree(failed)


def failed_folder(target: str | Path) -> Path:
    """NAME.FAILED beside the folder NAME that was not published."""
    target = Path(target).resolve()
    return target.with_name(target.name + ".FAILED")


def guard_run(folder: Path, values: Path | None, failed: Path) -> None:
    """The runner's guard: the raw values the notebook handed over in `values`
    (None: an unmasked run, not guarded)."""
    if values is None:
        return
    if not values.exists() or values.stat().st_size == 0:
        # Failing closed: a masked run whose notebook handed nothing over is not checked.
        raise LeakFound("the notebook handed no identifier values to the leak guard; "
                        "nothing was published",
                        hint="the notebook must end with nb.write_files(audit)")
    raw = RawValues.read(values)
    values.unlink()  # personal data: kept no longer than needed, even if the scan is killed
    guard_folder(folder, raw, failed)


# python -m privacylib.masking.leakguard FOLDER DATA: scan a finished folder
if __name__ == "__main__":
    from privacylib.config.mapping import load_mapping
    from privacylib.intake.ingest import load

    loaded = load(sys.argv[2], mapping=load_mapping(None, sys.argv[2]), progress=False)
    found = scan_folder(sys.argv[1], raw_values(loaded.con))
    print("\n".join(leak.line() for leak in found) or "no leak")
