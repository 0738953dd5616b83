"""The private database files ad hoc SQL runs on (audit/adhoc.py): the loaded
tables copied, masked while copying unless the session is unmasked.

Why mask the copy and not only the result: a query can transform values
beyond recognition (string_agg(customer_id, ''), reverse(手机号), hex(),
to_base64(), substr() pieces, 手机号::BIGINT * 10, MAP keys…), and no masking
of the result can tell what it was computed from. So in a masked copy no raw
identifier exists to compute from:
- customer ids (CUSTOMER_KEYS) become the report's CU- pseudonyms, the same
  for the same id in every table, so joins on customer_id still work;
- identifier columns (identifiers.kind_of: ID numbers, mobiles, bank cards,
  e-mails, as the leak guard's values.py decides) are masked as the masker
  masks them; a value the recogniser does not know (a mobile one digit short)
  keeps its last four characters only, as the leak guard would flag it;
- person-name columns (masker.holds_person_name) keep the surname;
- every other text column goes through masker.text (identifiers, known
  customer ids and names inside free text: a note, a rejected row's raw line).
Each distinct value is masked once, in Python, and the column replaced by a
join with that mapping, in DuckDB. Other types (numbers, times, lists) are
copied as they are; the session still masks every result cell as a second net.

The folders are named after the process that made them: one whose process is
gone (a kernel killed with SIGKILL runs no atexit) is removed by the next
session that starts (sweep).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from privacylib.contract import DATASETS
from privacylib.controls.macros import install_macros
from privacylib.masking.identifiers import kind_of
from privacylib.masking.leakguard.values import worth_searching
from privacylib.masking.masker import (
    CUSTOMER_KEYS,
    ELSEWHERE,
    Masker,
    holds_person_name,
    mask_name,
)
from privacylib.processes import process_alive
from privacylib.sqlnames import quote_ident, quote_literal

PREFIX = "privacylib-sql-"
_ALIAS = "privacylib_adhoc_snapshot"
_REJECTS = "__rejects"
_DATASETS = frozenset(d.name for d in DATASETS)
_TEXT_TYPES = ("VARCHAR", "JSON")
# Views on the source while copying: known customer ids, Latin names' first words.
_IDS, _WORDS = "privacylib_adhoc_ids", "privacylib_adhoc_words"


def private_folder() -> Path:
    """A new private folder (mode 700) named after this process, stale ones removed first."""
    sweep()
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))


def sweep() -> None:
    """Remove the snapshot folders of processes that are gone (killed before they could)."""
    for path in Path(tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = path.name[len(PREFIX):].split("-", 1)[0]
        try:
            mine = path.is_dir() and path.stat().st_uid == os.getuid()
        except OSError:
            continue  # removed meanwhile
        if mine and pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def open_read_only(path: Path, tz: str) -> duckdb.DuckDBPyConnection:
    """A snapshot opened for the analyst: read-only, no external access, locked."""
    con = duckdb.connect(str(path), read_only=True, config={
        "enable_external_access": False, "python_enable_replacements": False,
        "memory_limit": "1GB"})
    # Times shown in the policy's zone, as the findings' evidence shows them.
    con.execute("SET TimeZone = $tz", {"tz": tz})
    install_macros(con)  # TEMP macros (local_day, in_period…), as the controls have them
    con.execute("SET lock_configuration = true")
    return con


def copy(source: duckdb.DuckDBPyConnection, path: Path, masker: Masker | None) -> set[str]:
    """The loaded tables (datasets and their rejects) copied into a new database
    file at `path`, closed; masked with `masker` unless it is None. Returns the
    raw customer ids met (their pseudonyms are in the copy)."""
    database = source.execute("SELECT current_database()").fetchall()[0][0]
    # A dataset another engine read (Spark: --spark-reads) is an empty table
    # here, its values collected into ELSEWHERE: left out, so a question that
    # reaches it is an error, never an answer of "none" (Audit.sql says why first).
    tables = [t for (t,) in source.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name NOT IN (SELECT table_name FROM "
        "duckdb_tables() WHERE database_name = current_database() AND schema_name = ?) "
        "ORDER BY table_name", [ELSEWHERE]).fetchall()]
    masking = _Masking(masker) if masker is not None else None
    # ATTACH takes no parameter; the path is our own private folder's, quoted.
    source.execute(f"ATTACH {quote_literal(str(path))} AS {_ALIAS}")
    try:
        if masking:
            masking.register(source)
        for table in tables:
            origin = f"{quote_ident(database)}.main.{quote_ident(table)}"
            target = f"{_ALIAS}.main.{quote_ident(table)}"
            if masking is None:
                source.execute(f"CREATE TABLE {target} AS SELECT * FROM {origin}")
            else:
                masking.copy(source, table, origin, target)
    finally:
        source.execute(f"DETACH {_ALIAS}")
        if masking:
            masking.unregister(source)
    return set(masking.cache["customer"]) if masking else set()


class _Masking:
    """How each column of a table is masked, and the values masked so far."""

    def __init__(self, masker: Masker) -> None:
        self.masker = masker
        # kind -> raw value -> masked value; the same value is masked once.
        self.cache: dict[str, dict[str, str]] = {
            "customer": {}, "identifier": {}, "name": {}, "text": {}}
        self.suspects = False  # whether free text is filtered in SQL first (register)
        self.how: dict[str, Callable[[str], str]] = {
            "customer": masker.pseudonym, "identifier": self._identifier,
            "name": mask_name, "text": masker.text}

    def register(self, source: duckdb.DuckDBPyConnection) -> None:
        """The tokens that make free text worth masking in Python, as views
        (see _suspects): known customer ids, and each known Latin name's first
        word; None when a Latin name does not start with a letter."""
        latin = [n.strip().lower() for n in self.masker.names
                 if n.strip().isascii() and len(n.strip()) >= 2]
        words = None if any(not n[0].isalpha() for n in latin) else sorted(
            {re.match(r"[a-z]+", n)[0] for n in latin})  # type: ignore[index]
        self.suspects = words is not None
        for view, tokens in ((_IDS, self.masker.customer_ids), (_WORDS, words or ())):
            source.register(view, pa.table({"w": pa.array(sorted(tokens), pa.string())}))

    def unregister(self, source: duckdb.DuckDBPyConnection) -> None:
        for view in (_IDS, _WORDS):
            source.unregister(view)

    def _identifier(self, value: str) -> str:
        masked = self.masker.text(value)
        if masked == value and worth_searching(value):
            return "*" * max(len(value) - 4, 1) + value[-4:]
        return masked

    def kind(self, table: str, column: str, type_: str) -> str | None:
        """customer, identifier, name or text: how a column's values are masked; None: kept."""
        header = column.strip().lower()
        dataset = table.removesuffix(_REJECTS)
        if header in CUSTOMER_KEYS:
            return "customer"
        if kind_of(column):
            return "identifier"
        if holds_person_name(header, dataset if dataset in _DATASETS else None):
            return "name"
        return "text" if type_ in _TEXT_TYPES else None

    def copy(self, source: duckdb.DuckDBPyConnection, table: str, origin: str,
             target: str) -> None:
        columns = source.execute(f"DESCRIBE {origin}").fetchall()
        kinds = {name: kind for name, type_, *_ in columns
                 if (kind := self.kind(table, name, type_))}
        mappings = self._mappings(source, origin, kinds) if kinds else {}
        selected, joins, views = [], [], []
        try:
            for name, *_ in columns:
                column = quote_ident(name)
                mapping = mappings.get(name)
                if not mapping:
                    selected.append(f"t.{column}")
                    continue
                view = f"privacylib_adhoc_mask_{len(views)}"
                source.register(view, pa.table({"raw": pa.array(list(mapping), pa.string()),
                                                "masked": pa.array(list(mapping.values()),
                                                                   pa.string())}))
                views.append(view)
                text = f"CAST(t.{column} AS VARCHAR)"
                joins.append(f"LEFT JOIN {view} ON {view}.raw = {text}")
                selected.append(f"coalesce({view}.masked, {text}) AS {column}")
            # Ordered by rowid: the copy keeps the rows in the order they were loaded.
            source.execute(f"CREATE TABLE {target} AS SELECT {', '.join(selected)} "
                           f"FROM {origin} AS t {' '.join(joins)} ORDER BY t.rowid")
        finally:
            for view in views:
                source.unregister(view)

    def _mappings(self, source: duckdb.DuckDBPyConnection, origin: str,
                  kinds: dict[str, str]) -> dict[str, dict[str, str]]:
        """column -> raw -> masked, for each distinct value that masking changes;
        one query per table (a query costs milliseconds however small the table)."""
        names = list(kinds)
        every = [str(i) for i, n in enumerate(names) if kinds[n] != "text" or not self.suspects]
        cursor = source.execute(_candidates(origin, names, every))
        mappings: dict[str, dict[str, str]] = {n: {} for n in names}
        while batch := cursor.fetchmany(50_000):
            for index, value in batch:
                name = names[int(index)]
                kind = kinds[name]
                cache = self.cache[kind]
                masked = cache.get(value)
                if masked is None:
                    masked = self.how[kind](value)
                    if kind != "text":  # free text seldom repeats across columns
                        cache[value] = masked
                if masked != value:
                    mappings[name][value] = masked
        return mappings


def _candidates(origin: str, names: list[str], every: list[str]) -> str:
    """(column index, value): each distinct value of the columns `names` that
    masking could change: every value of the columns `every` (their indexes),
    the suspect ones of the others.

    Free text is suspect with a character past printable ASCII (a Chinese
    name, full-width digits), an @, 11 digits (the shortest identifier), a
    token that is a known customer id (masker._TOKEN), or a word that is a
    known Latin name's first (names are matched as whole words). The rest
    (event ids, machines' addresses, codes: most of a log) needs no Python call.
    """
    cast = ", ".join(f"CAST({quote_ident(n)} AS VARCHAR) AS {quote_ident(str(i))}"
                     for i, n in enumerate(names))
    listed = ", ".join(f"'{i}'" for i in every) or "NULL"
    return (f"WITH d AS (SELECT DISTINCT c, v FROM (UNPIVOT (SELECT {cast} FROM {origin}) "
            "ON COLUMNS(*) INTO NAME c VALUE v)) "
            f"SELECT c, v FROM d WHERE c IN ({listed}) "
            "OR NOT regexp_full_match(v, '[ -~]*') OR contains(v, '@') "
            "OR length(regexp_replace(v, '[^0-9]', '', 'g')) >= 11 "
            "UNION SELECT c, v FROM (SELECT c, v, unnest(regexp_extract_all(v, "
            f"'[A-Za-z0-9_-]+')) AS w FROM d) WHERE w IN (SELECT w FROM {_IDS}) "
            "UNION SELECT c, v FROM (SELECT c, v, unnest(regexp_extract_all(lower(v), "
            f"'[a-z]+')) AS w FROM d) WHERE w IN (SELECT w FROM {_WORDS})")
