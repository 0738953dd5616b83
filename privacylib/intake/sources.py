"""Finding a dataset's files in the data folder: a file named after it, or a
folder of files, each file's format told by its suffix (the readers' registry
names the suffixes). Links are followed only inside the data folder (links.py)."""

from __future__ import annotations

from pathlib import Path

from privacylib.errors import DataError
from privacylib.intake.links import check_link, walk
from privacylib.intake.readers import SUFFIXES, SourceFile

READ_FORMATS = ", ".join(SUFFIXES)


def split_suffix(path: Path) -> tuple[str, str | None]:
    """('access_log', 'csv') for access_log.csv.gz; the stem is lower-cased."""
    lower = path.name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix):
            return lower[: -len(suffix)], SUFFIXES[suffix]
    return lower, None


def discover(data_dir: Path, dataset: str, source: str | None = None) -> list[SourceFile]:
    """The files of one dataset: a file named after it, or a folder of files.

    With `source` (mapping.yaml's `source:`, a native format) every file
    named after the dataset, or in its folder, is of that format whatever its
    suffix: native logs are named .log, .out, .txt or nothing at all.

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
        check_link(root, data_dir, path, dataset)
    singles = [p for p in mine if p.is_file() and (
        source is not None or (split_suffix(p)[0] == dataset and split_suffix(p)[1]))]
    folders = [p for p in mine if p.is_dir() and p.name.lower() == dataset]
    found = [*singles, *folders]
    if len(found) > 1:
        raise DataError(
            f"dataset {dataset} is given {len(found)} times: "
            + ", ".join(p.name for p in found), dataset=dataset,
            hint="keep one file or one folder per dataset and move the others away")
    if singles:
        path = singles[0]
        return [SourceFile(path, path.name, source or split_suffix(path)[1])]  # type: ignore[arg-type]
    if folders:
        return _folder_files(root, data_dir, folders[0], dataset, source)
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


def _folder_files(root: Path, data_dir: Path, folder: Path, dataset: str,
                  source: str | None = None) -> list[SourceFile]:
    check_link(root, data_dir, folder, dataset)
    files, unknown = [], []
    for path in walk(root, data_dir, folder, dataset):
        fmt = source or split_suffix(path)[1]
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
            f"folder {folder.name}/ mixes formats: {', '.join(sorted(formats))}",
            dataset=dataset, file=str(folder), hint="keep one format per dataset folder")
    return files

