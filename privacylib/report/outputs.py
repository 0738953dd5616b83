"""Writing output folders whole or not at all, and the data-quality files."""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from privacylib.errors import UsageError
from privacylib.intake.ingest import LoadResult
from privacylib.intake.readers import quote_ident
from privacylib.masking.masker import Masker
from privacylib.report.cells import csv_row, csv_value

# rows_read = rows_loaded + rows_rejected + rows_filtered (mapping.yaml keep/drop).
QUALITY_COLUMNS = ("dataset", "status", "rows_read", "rows_loaded", "rows_rejected",
                   "rows_filtered", "earliest", "latest", "files", "format", "encodings",
                   "missing_columns", "extra_columns", "warnings", "error")
# A file that marks a folder as written by privacylib, so it may be replaced.
MARKER = ".privacy-workbook"
# What the marker holds, and all it holds (verify checks it).
MARKER_TEXT = "written by privacy-audit\n"


def temp_beside(target: Path, prefix: str) -> Path:
    """A new temporary folder beside `target` (same file system: the rename
    that publishes it is atomic). A folder in `target`'s place that privacylib
    did not write is never replaced."""
    if target.exists() and not (target / MARKER).exists() and any(target.iterdir()):
        raise UsageError(f"output folder {target} exists and was not written by privacy-audit",
                         hint="choose another --out folder, or empty this one")
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))


@contextlib.contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Yield a temporary folder that becomes `target` only if the block succeeds.

    An existing target is replaced only when privacylib wrote it; a crash
    leaves the old folder (or nothing) in place, never a half-written one.
    """
    tmp = temp_beside(Path(target), f".{Path(target).name}.tmp-")
    try:
        yield tmp
        (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old)
        else:
            tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def quality_rows(result: LoadResult, masker: Masker | None = None) -> list[dict[str, object]]:
    """One row per dataset. Warnings and errors quote the data (DuckDB's
    "Original Line: …", unknown values): masked when a masker is given."""
    text = masker.text if masker and masker.enabled else (lambda t: t)
    rows = []
    for d in result.datasets.values():
        rows.append({
            "dataset": d.dataset, "status": d.status, "rows_read": d.rows_read,
            "rows_loaded": d.rows_loaded, "rows_rejected": d.rows_rejected,
            "rows_filtered": d.rows_filtered, "earliest": _utc(d.earliest),
            "latest": _utc(d.latest), "files": len(d.files),
            "format": d.format, "encodings": ";".join(d.encodings),
            "missing_columns": ";".join(d.missing_columns),
            "extra_columns": ";".join(d.extra_columns),
            "warnings": text(" | ".join([*d.period_warnings, *d.warnings])),
            "error": text(d.error),
        })
    return rows


def _utc(t: datetime | None) -> str:
    """The main timestamp's bound, in UTC (the column says so: earliest/latest)."""
    return "" if t is None else t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_quality(result: LoadResult, folder: Path, masker: Masker) -> None:
    """data_quality.csv, and rejects/<dataset>.csv for each dataset with rejects.

    Rejected rows are personal data like any other: masked unless asked not to.
    """
    # backslashreplace: a file name that is not UTF-8 must not stop the run.
    with (folder / "data_quality.csv").open("w", encoding="utf-8", newline="",
                                            errors="backslashreplace") as fh:
        writer = csv.DictWriter(fh, QUALITY_COLUMNS)
        writer.writeheader()
        writer.writerows({k: csv_value(v) for k, v in row.items()}
                         for row in quality_rows(result, masker))
    rejected = [d for d in result.datasets.values() if d.rows_rejected]
    if rejected:
        (folder / "rejects").mkdir()
    for d in rejected:
        cursor = result.con.execute(
            f"SELECT * FROM {quote_ident(d.dataset + '__rejects')} "
            "ORDER BY _source_file, _source_line")
        names = [c[0] for c in cursor.description]
        with (folder / "rejects" / f"{d.dataset}.csv").open(
                "w", encoding="utf-8", newline="", errors="backslashreplace") as fh:
            writer = csv.writer(fh)
            writer.writerow(csv_row(names))
            while batch := cursor.fetchmany(10_000):
                for values in batch:
                    row = dict(zip(names, values, strict=True))
                    writer.writerow(csv_row(masker.value(n, v, row, dataset=d.dataset)
                                            for n, v in row.items()))
