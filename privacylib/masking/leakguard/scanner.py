"""Searching text for what masking should have hidden (Scanner), and gathering
one file's texts with the place of each, searched in batches (Collector), into
Leaks: the place and kind of each hit, masked, never the raw value."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from privacylib.masking.identifiers import find
from privacylib.masking.leakguard.values import TOKEN, RawValues
from privacylib.masking.masker import mask_name
from privacylib.masking.names import NameFinder, names_pattern

# Hits listed per file; past that the file is known to leak and reading on
# only costs time.
MAX_PER_FILE = 100
# Texts are searched joined, this many characters at a time: one regex pass in
# C instead of one per cell.
_BATCH = 1 << 18

# CU- pseudonyms and hex digests (finding keys, hashes) are written on
# purpose; blanked so that a digit run inside one is not read as a number.
_DIGEST = re.compile(
    r"(?<![0-9A-Za-z])(?:CU-[0-9a-f]{12}|(?=[0-9]*[a-f])"
    r"[0-9a-f]{12}(?:[0-9a-f]{4}(?:[0-9a-f]{16}(?:[0-9a-f]{8}(?:[0-9a-f]{24})?)?)?)?)"
    r"(?![0-9A-Za-z])")
# A finding key is 16 hex digits; about one in 1,850 is all digits, and one
# in ten of those passes the card checksum. The run's own keys are known.
_DIGITS16 = re.compile(r"(?<![0-9A-Za-z])[0-9]{16}(?![0-9A-Za-z])")


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


class Scanner:
    """Finds, in any text, what masking should have hidden."""

    def __init__(self, raw: RawValues, written: frozenset[str] = frozenset()) -> None:
        # Digests the run wrote on purpose (its finding keys), blanked like _DIGEST.
        self.written = written
        # Chinese names by set lookups: no regex of 100,000 names to compile,
        # which would take longer than reading the whole folder (names.py).
        self.names = NameFinder(raw.names)
        # Customer ids and the like are single tokens: a set lookup per token
        # scales to millions of values, where a regex would take minutes to compile.
        self.tokens = {v: k for v, k in raw.values.items() if TOKEN.fullmatch(v)}
        others = {v: k for v, k in raw.values.items() if v not in self.tokens}
        self.others_re = names_pattern(others)
        self.others = {v.lower(): k for v, k in others.items()}

    def hits(self, text: str) -> list[tuple[int, int, str, str]]:
        """(start, end, kind, mask) of every hit in `text`, in order."""
        text = _DIGEST.sub(lambda m: "\0" * len(m[0]), text)
        if self.written:
            text = _DIGITS16.sub(lambda m: "\0" * 16 if m[0] in self.written else m[0], text)
        out = [(f.start, f.end, f.kind, f.mask) for f in find(text)]
        if self.names:
            out += [(start, end, "name", mask_name(text[start:end]))
                    for start, end in self.names.spans(text)]
        if self.tokens and not self.tokens.keys().isdisjoint(TOKEN.findall(text)):
            out += [(m.start(), m.end(), self.tokens[m[0]], _mask_raw(m[0]))
                    for m in TOKEN.finditer(text) if m[0] in self.tokens]
        if self.others_re:
            out += [(m.start(), m.end(), self.others.get(m[0].lower(), "raw value"),
                     _mask_raw(m[0])) for m in self.others_re.finditer(text)]
        # One hit per place: the recogniser's and a raw value's may coincide.
        kept: list[tuple[int, int, str, str]] = []
        for hit in sorted(out, key=lambda h: (h[0], -h[1])):
            if not kept or hit[0] >= kept[-1][1]:
                kept.append(hit)
        return kept

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


class Collector:
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
