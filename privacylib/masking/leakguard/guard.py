"""The guard's decision: every file of a folder read back (scan_folder, by its
suffix), and a folder that leaks is not published: NAME.FAILED/LEAKS.txt lists
each hit, masked (write_leaks), and LeakFound fails the run or validation."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from privacylib.errors import PrivacyLibError
from privacylib.masking.leakguard.documents import scan_html, scan_json, scan_pdf, scan_text
from privacylib.masking.leakguard.scanner import Collector, Leak, Scanner
from privacylib.masking.leakguard.tables import scan_csv, scan_parquet, scan_xlsx
from privacylib.masking.leakguard.values import RawValues

LEAKS_FILE = "LEAKS.txt"


class LeakFound(PrivacyLibError):
    """A file of a masked output folder holds an identifier masking should have hidden."""

    exit_code = 1


def scan_folder(folder: str | Path, raw: RawValues,
                written: frozenset[str] = frozenset()) -> list[Leak]:
    """Every hit in every file under `folder`, file by file; `written`: the
    run's finding keys, digests that may look like card numbers."""
    folder = Path(folder)
    scanner = Scanner(raw, written)
    leaks: list[Leak] = []
    names = Collector(scanner, "(file names)", leaks)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        names.add(rel, rel)
        collector = Collector(scanner, rel, leaks)
        _READERS.get(_suffix(path), scan_text)(path, collector)
        collector.flush()
    names.flush()
    return leaks


def _suffix(path: Path) -> str:
    return path.suffix.lower()


_READERS: dict[str, Callable[[Path, Collector], None]] = {
    ".csv": scan_csv, ".parquet": scan_parquet, ".xlsx": scan_xlsx, ".ipynb": scan_json,
    ".json": scan_json, ".html": scan_html, ".htm": scan_html, ".pdf": scan_pdf,
}


def write_leaks(leaks: Sequence[Leak], failed: Path, what: str) -> Path:
    """NAME.FAILED/ with LEAKS.txt and FAILED, replacing an earlier one; none
    of the leaking files is kept."""
    if failed.exists():
        shutil.rmtree(failed)
    failed.mkdir(parents=True)
    files = sorted({leak.file for leak in leaks})
    lines = [f"{what} was not published: the leak guard found {_count(leaks)} value(s) in "
             f"{len(files)} file(s) that masking should have hidden.",
             "Each hit: file, place, kind, and the value masked («…») in its masked context.",
             "The raw values are in no file of this folder.", "",
             "file\tplace\tkind\texcerpt", *(leak.line() for leak in leaks)]
    (failed / LEAKS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (failed / "FAILED").write_text(f"{what} failed the leak guard; see {LEAKS_FILE}.\n",
                                   encoding="utf-8")
    return failed / LEAKS_FILE


def _count(leaks: Sequence[Leak]) -> int:
    return sum(leak.kind != "stopped" for leak in leaks)


def guard_folder(folder: Path, raw: RawValues, failed: Path, what: str = "This run",
                 written: frozenset[str] = frozenset()) -> None:
    """Raise LeakFound, with NAME.FAILED/LEAKS.txt written, when `folder` leaks;
    otherwise remove an earlier guard failure of the same name."""
    leaks = scan_folder(folder, raw, written)
    if leaks:
        report = write_leaks(leaks, failed, what)
        files = sorted({leak.file for leak in leaks})
        raise LeakFound(
            f"the leak guard found {_count(leaks)} unmasked identifier(s) in "
            f"{', '.join(files)}; nothing was published",
            hint=f"each is listed, masked, in {report}")
    if (failed / LEAKS_FILE).exists():  # an earlier failure of ours, now superseded
        shutil.rmtree(failed)


def failed_folder(target: str | Path) -> Path:
    """NAME.FAILED beside the folder NAME that was not published."""
    target = Path(target).resolve()
    return target.with_name(target.name + ".FAILED")


def guard_run(folder: Path, values: Path | None, failed: Path,
              written: frozenset[str] = frozenset()) -> None:
    """The runner's guard: the raw values the notebook handed over in `values`
    (None: an unmasked run, not guarded); `written`: the run's finding keys."""
    if values is None:
        return
    if not values.exists() or values.stat().st_size == 0:
        # Failing closed: a masked run whose notebook handed nothing over is not checked.
        raise LeakFound("the notebook handed no identifier values to the leak guard; "
                        "nothing was published",
                        hint="the notebook must end with nb.write_files(audit)")
    raw = RawValues.read(values)
    values.unlink()  # personal data: kept no longer than needed, even if the scan is killed
    guard_folder(folder, raw, failed, written=written)

