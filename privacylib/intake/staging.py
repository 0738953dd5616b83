"""How a dataset's rows reach its staging table: one INSERT per scan, with a
progress bar following DuckDB's progress, or, for CSV, one INSERT per file,
several at once (each CSV scan numbers its own lines, on one thread), each
file prepared just before its scan (so at most one copy per thread exists).
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
from tqdm.auto import tqdm

from privacylib.intake.lines import prepare_lines
from privacylib.intake.readers import FileLines
from privacylib.intake.readers.csv import CsvFile
from privacylib.intake.rejects import account_lines, malformed_lines


def insert_scan(con: duckdb.DuckDBPyConnection, stage: str, sql: str, params: dict,
                bar: tqdm, files: int) -> None:
    with _follow(con, bar, files):
        con.execute(f"INSERT INTO {stage} BY NAME {sql}", params)


@contextlib.contextmanager
def _follow(con: duckdb.DuckDBPyConnection, bar: tqdm, files: int):
    """Move the bar through `files` as DuckDB reports the running scan's progress."""
    start, done = bar.n, threading.Event()

    def poll() -> None:
        while not done.wait(0.25):
            percent = con.query_progress()
            if percent >= 0:
                bar.n = start + int(files * min(percent, 100) / 100)
                bar.refresh()

    watcher = threading.Thread(target=poll, daemon=True)
    if not bar.disable:
        watcher.start()
    try:
        yield
    finally:
        done.set()
        if watcher.is_alive():
            watcher.join()
        bar.n = start + files
        bar.refresh()


def insert_per_file(con: duckdb.DuckDBPyConnection, stage: str,
                    jobs: list[tuple[str, dict, CsvFile]], bar: tqdm, workdir: Path,
                    ) -> tuple[list[tuple], list[FileLines]]:
    """One INSERT per CSV file, as many at once as DuckDB has threads.

    Each file is first prepared (lines.prepare_lines: measured, and copied
    when it must be fixed or is compressed), then scanned; the scan numbers
    its own rows (WITH ORDINALITY), which runs it on one thread, so files side
    by side keep every core busy. Returns the rejected lines (malformed ones
    that DuckDB recorded, and those refused before it read the file) and how
    each file's rows get their physical line.
    """
    workers = int(con.execute("SELECT current_setting('threads')").fetchone()[0])

    def insert(job: tuple[str, dict, CsvFile]) -> tuple[list[tuple], FileLines]:
        sql, params, csv_file = job
        src = csv_file.source
        prepared = prepare_lines(src.path, csv_file.encoding, workdir, name=src.name)
        cur = con.cursor()
        try:
            cur.execute("SET TimeZone = 'UTC'")
            rows = cur.execute(f"INSERT INTO {stage} BY NAME {sql}",
                               {**params, "paths": [str(prepared.path)]}).fetchall()[0][0]
            malformed = malformed_lines(cur, {str(prepared.path): src.name})
            return account_lines(src.name, prepared, rows, malformed, csv_file.delimiter)
        finally:
            cur.close()
            if prepared.copied:
                prepared.path.unlink(missing_ok=True)

    rejects: list[tuple] = []
    lines: list[FileLines] = []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs)))) as pool:
        try:
            for found, numbering in pool.map(insert, jobs):
                rejects += found
                lines.append(numbering)
                bar.update(1)
        except BaseException:
            pool.shutdown(cancel_futures=True)  # the dataset is an error: read no more files
            raise
    return rejects, lines
