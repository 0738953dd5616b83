"""JSON documents (.json, .json.gz): a top-level array of records, or one
object whose single key holds the array (CloudTrail's `{"Records": [...]}`).
One record per element; `_source_line` is the element's position counted
from 1 (element 0 is line 1), so `@file_line` keys read `file.json:1`, ….

The document is parsed whole (a JSON document has no lines to stream), then
written one element a line to a private JSON Lines copy that the JSON Lines
reader scans: paths, rejects and line numbers work as for JSON Lines. An
element that is no object is a reject.
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

from privacylib.errors import DataError
from privacylib.intake.readers.base import RawSource, Reader, Scope, SourceFile
from privacylib.intake.readers.jsonl import PathsSeen, read_jsonl
from privacylib.intake.readers.native import DEEP, TooDeep, loads

# Bytes of one document, uncompressed: parsed whole in memory (about ten
# times its size as Python objects). CloudTrail writes files of a few MB.
MAX_DOCUMENT_BYTES = 256 << 20


class NotJson(DataError):
    """The file is no JSON document (a caller may try it as JSON Lines)."""


def _load(src: SourceFile) -> object:
    """The file's one JSON document. NotJson when it has none (bad JSON or
    bytes); DataError when it cannot be read at all (a .gz cut short, too
    large, nested too deep)."""
    opener = gzip.open if src.path.name.lower().endswith(".gz") else open
    try:
        with opener(src.path, "rb") as fh:
            data = fh.read(MAX_DOCUMENT_BYTES + 1)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DataError(f"{src.name} cannot be read to its end: {exc}", file=src.name,
                        hint="the file is cut short or damaged (a copy or download that "
                             "stopped): copy it again from its source") from exc
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DataError(f"{src.name} is over {MAX_DOCUMENT_BYTES >> 20} MB of JSON",
                        file=src.name, hint="split it, or export one JSON object a line "
                                            "(.jsonl), which is read streaming")
    try:
        return loads(data.decode("utf-8-sig"))
    except TooDeep:
        raise DataError(f"{src.name}: {DEEP}", file=src.name,
                        hint="send the file as the system wrote it") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        # A first object, then more: JSON Lines under a .json name.
        lines = isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data" \
            and exc.doc[:exc.pos].lstrip().startswith("{")
        raise NotJson(f"{src.name} is not a JSON document: {exc}", file=src.name,
                      hint="it holds one JSON object a line: name it .jsonl (JSON Lines)"
                      if lines else "check that the file is complete UTF-8 JSON") from exc


def records(src: SourceFile, doc: object) -> list:
    """The document's records: the array itself, or the one key's array."""
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict) and len(doc) == 1 and isinstance(next(iter(doc.values())), list):
        return next(iter(doc.values()))
    shape = (f"an object with the keys {', '.join(list(doc)[:8])}" if isinstance(doc, dict)
             else f"a single {type(doc).__name__}")
    raise DataError(f"{src.name} holds {shape}, not an array of records",
                    file=src.name, hint="a .json file holds an array of records, or one key "
                                        "holding one (as CloudTrail's {\"Records\": [...]})")


def _as_lines(src: SourceFile, workdir: Path, index: int) -> SourceFile:
    elements = records(src, _load(src))
    out = workdir / f"json-{index}.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for number, element in enumerate(elements, start=1):
            # compact, one line each: the JSON Lines scan reads it like any line
            try:
                fh.write(json.dumps(element, ensure_ascii=False, separators=(",", ":")) + "\n")
            except RecursionError:  # read whole, but too deep to write back
                raise DataError(f"{src.name}, element {number:,}: {DEEP}", file=src.name,
                                hint="send the file as the system wrote it") from None
    return SourceFile(out, src.name, src.format)


def read(scope: Scope, files: list[SourceFile]) -> list[RawSource]:
    paths, seen = scope.mapping.source_names(), PathsSeen()
    sources = [read_jsonl(scope.con, _as_lines(src, scope.workdir, i), scope.workdir, paths,
                          unit="element", seen=seen) for i, src in enumerate(files)]
    seen.check(files, paths)
    return sources


JSON = Reader("json", (".json", ".json.gz"), read)
