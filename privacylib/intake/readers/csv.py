"""CSV and TSV files: each file's encoding and header (prepare_csv), the scan
of files that share a header (read_csv_group), read a file at a time
(each_file: the line of each row comes from the scan itself)."""

from __future__ import annotations

import codecs
import dataclasses
from dataclasses import dataclass
from pathlib import Path

from privacylib.csvfields import field_limit
from privacylib.errors import DataError
from privacylib.intake.encoding import detect_encoding, utf8_chunks, utf8_signs
from privacylib.intake.limits import DUCKDB_LINE, MAX_LINE_BYTES, check_columns
from privacylib.intake.readers.base import RawSource, Reader, Scope, SourceFile

CSV_REJECTS = "_csv_rejects"
CSV_SCANS = "_csv_reject_scans"


@dataclass(frozen=True)
class CsvFile:
    """A CSV file ready to be read: its encoding and header."""

    source: SourceFile
    encoding: str
    header: tuple[str, ...]
    # Why it is not read in the encoding mapping.yaml names ("": it is).
    note: str = ""
    # Read in the mapping's encoding, its text is valid UTF-8 beyond ASCII
    # (encoding.utf8_signs; False when it was not asked).
    utf8_text: bool = False

    @property
    def delimiter(self) -> str:
        return "\t" if self.source.format == TSV.name else ","


def prepare_csv(src: SourceFile, encoding: str | None) -> CsvFile:
    mapped = encoding
    encoding = (encoding or detect_encoding(src.path, src.name)).replace("_", "-").lower()
    if encoding in ("utf8", "utf-8-sig"):
        encoding = "utf-8"
    elif encoding in ("gbk", "gb2312"):
        encoding = "gb18030"  # a superset: reads both, and what the report shows
    note, utf8_text = "", False
    if mapped and encoding != "utf-8":
        bom, utf8_text = utf8_signs(src.path, src.name)
        if bom:  # proof: read as GB18030 it garbled the header
            note = (f"{src.name}: read as UTF-8, which its byte order mark says it is, not "
                    f"as {encoding} as mapping.yaml says")
            encoding, utf8_text = "utf-8", False
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise DataError(f"{src.name}: unknown encoding '{encoding}'", file=src.name,
                        hint="set encoding in mapping.yaml to utf-8 or gb18030") from exc
    delimiter = "\t" if src.format == TSV.name else ","
    header = read_header(src.path, encoding, delimiter, src.name)
    if not header or all(not n.strip() for n in header):
        raise DataError(f"{src.name} has no header line", file=src.name,
                        hint="the first line of a CSV file must name its columns")
    check_columns(src.name, len(header))
    return CsvFile(src, encoding, tuple(header), note, utf8_text)


def read_header(path: Path, encoding: str, delimiter: str, name: str) -> list[str]:
    """The first record of a CSV file, split the way a CSV reader would.

    Reads at most MAX_LINE_BYTES of the file, whatever its size."""
    import csv
    import io

    head = bytearray()
    for chunk in utf8_chunks(path, encoding, name, 1 << 16):  # a header is short
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
    try:
        with field_limit(4 * MAX_LINE_BYTES):
            return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                                   strict=False), [])
    except csv.Error as exc:
        raise DataError(f"{name}: the header line cannot be read: {exc}", file=name,
                        hint="the first line of a CSV file must name its columns") from exc


def read_csv_group(group: list[CsvFile]) -> RawSource:
    """The scan of CSV files that share a header (to be read a file at a time)."""
    names = list(group[0].header)
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names)))
    delim = "E'\\t'" if group[0].source.format == TSV.name else "','"
    # The line comes from the scan itself (the order rows reach a table is not
    # the file's: an insert of a parallel scan may reorder them), so a scan
    # may read one file only: see each_file. The header is line 1. Files are
    # prepared first (lines.prepare_lines): LF line breaks only.
    sql = (
        "SELECT file_index AS _file_index, ordinality + 1 AS _source_line, "
        f"* EXCLUDE (file_index, ordinality) FROM (SELECT file_index, * FROM read_csv($paths, "
        f"columns = {{{cols}}}, header = true, auto_detect = false, delim = {delim}, "
        "hive_partitioning = false, "
        "quote = '\"', escape = '\"', new_line = '\\n', strict_mode = true, "
        f"max_line_size = {DUCKDB_LINE}, store_rejects = true, "
        f"rejects_table = '{CSV_REJECTS}', rejects_scan = '{CSV_SCANS}') WITH ORDINALITY)"
    )
    return RawSource([f.source for f in group], names, ["VARCHAR"] * len(names), sql,
                     {"paths": [str(f.source.path) for f in group]},
                     [f.encoding for f in group], csv=list(group))


def each_file(raw: RawSource) -> list[RawSource]:
    """A CSV group as one scan per file: the same SELECT over one path."""
    return [dataclasses.replace(raw, files=[f.source], params={**raw.params,
                                "paths": [str(f.source.path)]}, encodings=[f.encoding], csv=[f])
            for f in raw.csv]



def read(scope: Scope, files: list[SourceFile]) -> list[RawSource]:
    """Files with the same header are one group: one SELECT, run a file at a time."""
    groups: dict[tuple, list[CsvFile]] = {}
    for src in files:
        prepared = prepare_csv(src, scope.mapping.encoding)
        groups.setdefault(prepared.header, []).append(prepared)
    sources = [read_csv_group(g) for g in groups.values()]
    if scope.mapping.encoding:
        _warn_not_as_mapped([f for g in groups.values() for f in g], sources)
    return sources


def _warn_not_as_mapped(files: list[CsvFile], sources: list[RawSource]) -> None:
    """A file read in the mapping's encoding (GB18030) that is likely UTF-8:
    its text is valid UTF-8 while other files of the dataset are not (a
    folder of both). A short GBK text alone may be valid UTF-8 too. And the
    files read as UTF-8 for their byte order mark."""
    mixed = not all(f.utf8_text for f in files if f.encoding != "utf-8")
    for raw in sources:
        raw.warnings += [f.note for f in raw.csv if f.note]
        raw.warnings += [_not_as_mapped(f) for f in raw.csv if mixed and f.utf8_text]


def _not_as_mapped(csv_file: CsvFile) -> str:
    return (f"{csv_file.source.name}: read as {csv_file.encoding}, as mapping.yaml says, but "
            "it looks like UTF-8: its text may be garbled (客服 read as 瀹㈡湇); give every "
            "file of the dataset the encoding mapping.yaml names, or convert them all to UTF-8 "
            "and remove `encoding`")


_SEPARATORS = {"\t": "tabs", ",": "commas", ";": "semicolons", "|": "vertical bars"}


def explain(scope: Scope, src: SourceFile) -> tuple[str, str] | None:
    """Why a file's columns do not match, when its header is one column that
    holds another separator (a tab-separated file named .csv)."""
    header = prepare_csv(src, scope.mapping.encoding).header
    own = "\t" if src.format == TSV.name else ","
    found = [sep for sep in _SEPARATORS if sep != own and len(header) == 1 and sep in header[0]]
    if not found:
        return None
    sep = found[0]
    hint = {"\t": "name it .tsv (tabs) or save it with commas",
            ",": "name it .csv (commas) or save it with tabs"}.get(
        sep, "save it with commas (.csv) or tabs (.tsv) between its values")
    return (f"{src.name}: its header is one column holding {_SEPARATORS[sep]}: the file is "
            f"separated by {_SEPARATORS[sep]}, not by the {_SEPARATORS[own]} its name says"), hint


CSV = Reader("csv", (".csv", ".csv.gz"), read, explain=explain)
TSV = Reader("tsv", (".tsv", ".tsv.gz"), read, explain=explain)
