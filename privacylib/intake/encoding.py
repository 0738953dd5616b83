"""Reading a source file's bytes: gzip or plain, its encoding told from its
head (UTF-8 or GB18030), and its text as UTF-8 a chunk at a time."""

from __future__ import annotations

import codecs
import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

from privacylib.errors import DataError

SAMPLE_BYTES = 1 << 20  # enough of a file to tell UTF-8 from GB18030
CHUNK_BYTES = 1 << 20  # read a file a megabyte at a time (well under MAX_LINE_BYTES)
_GZIP_READ = 1 << 18

def _open_bytes(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def _read_head(path: Path, name: str) -> bytes:
    try:
        with _open_bytes(path) as fh:
            return fh.read(SAMPLE_BYTES)
    except (OSError, EOFError) as exc:  # gzip raises both for a truncated or foreign file
        raise DataError(f"{name} cannot be read: {exc}", file=name,
                        hint="the file may be truncated or not what its name says; "
                             "export it again") from exc


def detect_encoding(path: Path, name: str | None = None) -> str:
    """'utf-8' (with or without BOM) or 'gb18030', from the head of the file
    (`name`: as errors say it, relative to the data folder)."""
    name = name or path.name
    head = _read_head(path, name)
    if head.startswith(codecs.BOM_UTF8) or _is_utf8(head):
        return "utf-8"
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{name} is neither UTF-8 nor GB18030 (byte {exc.start} cannot be read)",
            file=name, hint="save it as UTF-8, or set its encoding in mapping.yaml") from exc


def _is_utf8(head: bytes) -> bool:
    """Whether a file's head is UTF-8 (a character cut at its end allowed)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def utf8_signs(path: Path, name: str) -> tuple[bool, bool]:
    """(the file starts with UTF-8's byte order mark, its head holds text
    beyond ASCII that is valid UTF-8). Read as GB18030 such text is garbled
    (客服 as 瀹㈡湇) without an error; but a short GBK text can be valid
    UTF-8 too, so only the mark is proof."""
    head = _read_head(path, name)
    if head.startswith(codecs.BOM_UTF8):
        return True, True
    return False, not head.isascii() and _is_utf8(head)


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


def utf8_chunks(path: Path, encoding: str, name: str = "", size: int = CHUNK_BYTES,
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
