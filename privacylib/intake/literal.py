"""Files read by their own name, never as a pattern.

DuckDB's table functions (read_csv, read_parquet…) take every path as a
glob pattern: a file named `a[1].csv` is read as its neighbour `a1.csv`
(that one read twice, its own rows lost), `*.csv` as every file; and a path
that starts with `~` (a relative data folder named `~exports`) as one in the
home folder. Such a file is therefore read through a link of a plain name in
the load's work folder; its name in rejects and evidence is its own
(SourceFile.name), and an error that quotes the link quotes the file.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from pathlib import Path

from privacylib.errors import DataError
from privacylib.intake.readers import SourceFile

GLOB = re.compile(r"[*?\[\]{}]")


def is_literal(path: Path) -> bool:
    """Whether DuckDB reads `path` as the file it names."""
    text = str(path)
    return not (GLOB.search(text) or text.startswith("~"))


def literal_files(files: list[SourceFile], workdir: Path,
                  ) -> tuple[list[SourceFile], dict[str, str]]:
    """`files`, each whose path DuckDB would take as a pattern read through a
    link; and {link: real path} to say errors in the files' own paths."""
    read, links = [], {}
    base: Path | None = None
    for i, f in enumerate(files):
        if is_literal(f.path):
            read.append(f)
            continue
        base = base or Path(tempfile.mkdtemp(prefix="literal-", dir=workdir))
        # A name no export has, with the suffixes (.csv.gz) readers go by;
        # errors may quote it whole or by its name alone.
        suffix = "".join(Path(GLOB.sub("_", f.path.name)).suffixes)
        link = base / f"privacylib-link-{i}{suffix}"
        try:
            link.symlink_to(f.path.resolve())
        except OSError as exc:  # a work folder that takes no links: said, not a traceback
            raise DataError(f"{f.name} cannot be read by its own name (its path holds a "
                            f"character DuckDB takes as a pattern) and no link to it could "
                            f"be made: {exc}", file=f.name,
                            hint="rename the file or folder without * ? [ ] { } or a "
                                 "leading ~") from exc
        links[str(link)] = str(f.path)
        links[link.name] = f.path.name
        read.append(dataclasses.replace(f, path=link))
    return read, links


def unlinked(text: str, links: dict[str, str]) -> str:
    """`text` with each link's path (or name) said as its file's."""
    for link, real in sorted(links.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(link, real)
    return text
