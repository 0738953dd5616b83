"""How a dataset's rows reach its staging table: one INSERT per scan, with a
progress bar following DuckDB's progress, or, for CSV, one INSERT per file,
several at once (each CSV scan numbers its own lines, on one thread).
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import duckdb
from tqdm.auto import tqdm

from .quality import malformed_lines


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
                    jobs: list[tuple[str, dict]], bar: tqdm) -> list[tuple]:
    """One INSERT per CSV file, as many at once as DuckDB has threads.

    Each file's scan numbers its own rows (WITH ORDINALITY), which runs that
    scan on one thread; files side by side keep every core busy. Returns the
    malformed lines, which each connection's scan recorded.
    """
    workers = int(con.execute("SELECT current_setting('threads')").fetchone()[0])

    def insert(job: tuple[str, dict]) -> list[tuple]:
        sql, params = job
        cur = con.cursor()
        try:
            cur.execute("SET TimeZone = 'UTC'")
            cur.execute(f"INSERT INTO {stage} BY NAME {sql}", params)
            names = dict(zip(params["paths"], params["file_names"], strict=True))
            return malformed_lines(cur, names)
        finally:
            cur.close()

    malformed: list[tuple] = []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs)))) as pool:
        for found in pool.map(insert, jobs):
            malformed += found
            bar.update(1)
    return malformed
