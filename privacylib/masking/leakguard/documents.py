"""Reading back documents for the leak guard: JSON and notebooks (JSON path),
HTML pages (line, and text, comment or attribute; inlined SVG pictures
decoded), PDF (page and line of its text, as PDFium extracts it, and its
metadata), and any other file as text, line by line."""

from __future__ import annotations

import base64
import contextlib
import html
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from privacylib.errors import PrivacyLibError
from privacylib.masking.leakguard.scanner import Collector

_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def scan_json(path: Path, out: Collector) -> None:
    out.where = lambda p: p
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except ValueError:
        scan_text(path, out)
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

    def __init__(self, out: Collector, picture: int | None = None) -> None:
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


def scan_html(path: Path, out: Collector) -> None:
    out.where = lambda p: f"line {p[0]}, {p[1]}"
    parser = _HtmlTexts(out)
    with path.open(encoding="utf-8", errors="replace") as fh:
        while chunk := fh.read(1 << 20):
            parser.feed(chunk)
            if out.full:
                return
    parser.close()


def scan_text(path: Path, out: Collector) -> None:
    """Any other file, read as text line by line (binary noise breaks no rule)."""
    out.where = lambda n: f"line {n}"
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for n, line in enumerate(fh, start=1):
            out.add(line.rstrip("\r\n"), n)
            if out.full:
                return



class PdfUnreadable(PrivacyLibError):
    """A PDF whose text cannot be read back (the leak guard cannot clear it)."""

    exit_code = 1


def pdf_lines(path: str | Path) -> Iterator[tuple[int, int, str]]:
    """(page, line, text) of every line of text in a PDF, pages from 1, then its
    metadata as page 0. Its bytes are no use: page streams are compressed and
    a CJK font's width table reads like phone numbers. A PDF that PDFium
    (Chrome's PDF engine) cannot open raises PdfUnreadable: fail closed."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise PdfUnreadable(f"{path} cannot be read as a PDF: {exc}",
                            hint="a file the leak guard cannot read is not published") from exc
    try:
        for n, page in enumerate(document, start=1):
            text = page.get_textpage().get_text_range()
            for m, line in enumerate(text.splitlines(), start=1):
                yield n, m, line
        for m, (key, value) in enumerate(sorted(document.get_metadata_dict().items()), start=1):
            yield 0, m, f"{key}: {value}"
    finally:
        document.close()


def scan_pdf(path: Path, out: Collector) -> None:
    out.where = lambda p: f"page {p[0]}, line {p[1]}" if p[0] else f"metadata, entry {p[1]}"
    for page, line, text in pdf_lines(path):
        out.add(text, (page, line))
        if out.full:
            return
