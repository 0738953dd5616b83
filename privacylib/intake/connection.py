"""The DuckDB connection an audit loads into and queries."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import duckdb


def connect(database: str | Path | None = None, memory_limit: str | None = "2GB",
            ) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection set up for audits.

    `database` is a file, ":memory:", or None for a private temporary file
    (deleted at exit): DuckDB compresses tables on disk, so a log of millions
    of events takes a fraction of the memory it would in ":memory:".
    `memory_limit` caps DuckDB's own memory; past it, DuckDB spills to a
    private temporary folder.
    """
    work = tempfile.mkdtemp(prefix="privacylib-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    con = duckdb.connect(str(database or Path(work) / "audit.duckdb"))
    if database is None:
        forget_on_close(con)
    # Timestamps are absolute; showing them in UTC keeps output independent of the host.
    con.execute("SET TimeZone = 'UTC'")
    # Progress is tracked for our bar (query_progress), never printed by DuckDB itself.
    try:
        con.execute("SET enable_progress_bar_print = false")
        con.execute("SET enable_progress_bar = true")
    except duckdb.InvalidInputException:
        pass  # in a kernel without ipywidgets DuckDB refuses; the bar then counts files only
    con.execute("SET temp_directory = $d", {"d": str(Path(work) / "spill")})
    if memory_limit:
        con.execute("SET memory_limit = $m", {"m": memory_limit})
    return con


def forget_on_close(con: duckdb.DuckDBPyConnection) -> None:
    """For a private database file deleted when the process exits: no
    checkpoint when it closes. DuckDB otherwise writes every change not yet
    in the file at shutdown (3.6 s of a 10M-event CSV log's kernel exit, which
    every run waits for), into a file about to be deleted."""
    con.execute("PRAGMA disable_checkpoint_on_shutdown")
