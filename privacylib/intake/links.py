"""The data folder's links: none may lead out of it, or nowhere (check_link),
and a dataset's folder is read following the links that stay inside (walk)."""

from __future__ import annotations

from pathlib import Path

from privacylib.errors import DataError


def check_link(root: Path, data_dir: Path, path: Path, dataset: str) -> None:
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


def walk(root: Path, data_dir: Path, folder: Path, dataset: str) -> list[Path]:
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
            check_link(root, data_dir, path, dataset)
            if path.is_dir():
                pending.append(path)
            elif path.is_file():
                files.append(path)
    return sorted(files)

