"""Finding a dataset's files in the data folder, and their format and encoding."""

from __future__ import annotations

import codecs
import gzip
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .errors import DataError

SAMPLE_BYTES = 1 << 20  # enough of a file to tell UTF-8 from GB18030


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
    ambiguous (both a file and a folder, two files) or mixes formats.
    """
    singles = [p for p in sorted(data_dir.iterdir())
               if p.is_file() and split_suffix(p)[0] == dataset and split_suffix(p)[1]]
    folders = [p for p in sorted(data_dir.iterdir()) if p.is_dir() and p.name.lower() == dataset]
    found = [*singles, *folders]
    if len(found) > 1:
        raise DataError(
            f"dataset {dataset} is given {len(found)} times: "
            + ", ".join(p.name for p in found), dataset=dataset,
            hint="keep one file or one folder per dataset and move the others away")
    if singles:
        path = singles[0]
        return [SourceFile(path, path.name, split_suffix(path)[1])]  # type: ignore[arg-type]
    if not folders:
        return []
    return _folder_files(data_dir, folders[0], dataset)


def _folder_files(data_dir: Path, folder: Path, dataset: str) -> list[SourceFile]:
    files, unknown = [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        fmt = split_suffix(path)[1]
        if fmt is None:
            unknown.append(path.name)
        else:
            files.append(SourceFile(path, path.relative_to(data_dir).as_posix(), fmt))
    if unknown:
        raise DataError(
            f"folder {folder.name}/ holds files that are not data: {', '.join(unknown[:5])}",
            dataset=dataset, file=str(folder),
            hint="a dataset folder holds only .csv, .csv.gz, .tsv, .xlsx, .jsonl or .parquet files")
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


def transcode(path: Path, encoding: str, target: Path) -> Path:
    """Copy a CSV file to UTF-8, streaming, so DuckDB can read it.

    A byte that is not valid in `encoding` becomes U+FFFD; the row is then
    still read, and its values show where the damage is.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    try:
        with _open_bytes(path) as src, target.open("wb") as dst:
            while chunk := src.read(SAMPLE_BYTES):
                dst.write(decoder.decode(chunk).encode("utf-8"))
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    except (OSError, EOFError) as exc:
        raise DataError(f"{path.name} cannot be read: {exc}", file=str(path),
                        hint="the file may be truncated; export it again") from exc
    return target


def read_header(path: Path, encoding: str, delimiter: str) -> list[str]:
    """The first line of a CSV file, split the way a CSV reader would."""
    import csv
    import io

    with _open_bytes(path) as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig" if encoding == "utf-8" else encoding,
                                errors="replace", newline="")
        return next(csv.reader(text, delimiter=delimiter), [])
