"""The raw values a masked run folder must not hold (RawValues): customer ids,
names and identifier columns' values of the loaded data, found in the notebook
kernel (raw_values, hand_over) and handed to the runner's guard through a
private file (values_file), never through a notebook parameter."""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from privacylib.contract import DATASETS
from privacylib.masking.identifiers import find, kind_of
from privacylib.masking.masker import (
    CUSTOMER_KEYS,
    holds_person_name,
    known_names,
    value_tables,
)
from privacylib.processes import process_alive
from privacylib.sqlnames import quote_ident

# The runner names a private file here; the notebook kernel (which inherits the
# runner's environment) writes the raw values into it. Not a notebook
# parameter: parameters are recorded in the manifest.
VALUES_ENV = "PRIVACY_AUDIT_LEAK_VALUES"
_VALUES_PREFIX = "privacy-audit-values-"

# Raw values shorter than this, or numbers shorter than _MIN_DIGITS, would
# match the report's own words, counts and dates; a customer id of letters
# and digits is told apart from 4 characters on (E0001 is staff, C01 a control).
_MIN_LENGTH = 6
_MIN_DIGITS = 9
_MIN_CUSTOMER = 4
TOKEN = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class RawValues:
    """What the loaded data holds that must never appear unmasked."""

    names: frozenset[str] = frozenset()
    # value -> where it comes from: customer_id, or raw value of DATASET.COLUMN
    values: dict[str, str] = field(default_factory=dict)

    def dump(self, path: Path) -> None:
        with path.open("w", encoding="utf-8") as fh:
            json.dump({"names": sorted(self.names), "values": self.values}, fh,
                      ensure_ascii=False)

    @classmethod
    def read(cls, path: Path) -> RawValues:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(frozenset(data["names"]), dict(data["values"]))


def worth_searching(value: str, customer_id: bool = False) -> bool:
    """Whether a raw value is told apart from the report's own text by search.

    A value with `*` was masked at the source; one without a digit or `@`
    (未知, unknown) is no identifier; a value of other characters than
    letters and digits that the recogniser finds whole is left to it.
    """
    if "*" in value or "\n" in value:
        return False
    if value.isdigit():
        return len(value) >= _MIN_DIGITS
    if len(value) < (_MIN_CUSTOMER if customer_id else _MIN_LENGTH):
        return False
    if not any(c.isdigit() for c in value) and "@" not in value:
        return False
    # A token costs one set lookup however many there are; other values
    # become a regex, kept small by leaving the recogniser's to it.
    return bool(TOKEN.fullmatch(value)) or not _recognised(value)


def _recognised(value: str) -> bool:
    found = find(value)
    return len(found) == 1 and found[0].start == 0 and found[0].end == len(value)


# Well-formed e-mails and mobiles, the bulk of identifier columns: the
# recogniser finds them, so DuckDB leaves them out before Python sees them.
_SQL_RECOGNISED = (r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"
                   r"|1[3-9][0-9]{9}")


def raw_values(con: duckdb.DuckDBPyConnection) -> RawValues:
    """Customer ids, names and identifier columns' values of the loaded data,
    rejected rows included (they are written to rejects/)."""
    sources: dict[str, list[str]] = {}  # label -> SELECTs of its columns
    for d in DATASETS:
        rejects = quote_ident(d.name + "__rejects")
        # A dataset Spark read: its values collected (value_tables), its rejects whole.
        for table in (*value_tables(con, d.name), rejects):
            try:
                columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            except duckdb.Error:
                continue  # the dataset is absent
            for column in columns:
                header = column.strip().lower()
                if header in CUSTOMER_KEYS:
                    label = "customer_id"
                elif kind_of(column):
                    label = f"raw value of {d.name}.{column}"
                elif table == rejects and holds_person_name(header, d.name):
                    label = "name"  # known_names has the loaded rows' names
                else:
                    continue
                sources.setdefault(label, []).append(  # distinct first: a log is long
                    f"SELECT DISTINCT CAST({quote_ident(column)} AS VARCHAR) AS v "
                    f"FROM {table}")
    names = set(known_names(con))
    values: dict[str, str] = {}
    for label, selects in sources.items():
        # Each value once, however many datasets hold it.
        # Only identifier columns hold mobiles and e-mails in bulk; a regex
        # over 100,000 customer ids would cost more than it saves.
        skip = label in ("name", "customer_id")
        cursor = con.execute(
            f"SELECT DISTINCT trim(v) AS v FROM ({' UNION ALL '.join(selects)}) "
            "WHERE trim(v) <> '' AND (? OR NOT regexp_full_match(trim(v), ?))",
            [skip, _SQL_RECOGNISED])
        while batch := cursor.fetchmany(50_000):
            if label == "name":
                names.update(value for (value,) in batch)
                continue
            for (value,) in batch:
                if worth_searching(value, label == "customer_id"):
                    values.setdefault(value, label)
    return RawValues(frozenset(n for n in names if "*" not in n), values)


def hand_over(con: duckdb.DuckDBPyConnection) -> None:
    """In the notebook kernel: write the raw values for the runner's guard, when
    the runner asked for them (VALUES_ENV); a notebook run by hand has no guard."""
    path = os.environ.get(VALUES_ENV)
    if path:
        raw_values(con).dump(Path(path))


@contextlib.contextmanager
def values_file(masked: bool) -> Iterator[Path | None]:
    """A private file (mode 600, outside the run folder) for the kernel's raw
    values, named in VALUES_ENV for the kernel; deleted afterwards, whatever
    happens. None for an unmasked run: it is not guarded."""
    if not masked:
        yield None
        return
    _sweep_values_files()
    fd, name = tempfile.mkstemp(prefix=f"{_VALUES_PREFIX}{os.getpid()}-", suffix=".json")
    os.close(fd)
    before = os.environ.get(VALUES_ENV)
    os.environ[VALUES_ENV] = name
    try:
        yield Path(name)
    finally:
        if before is None:
            os.environ.pop(VALUES_ENV, None)
        else:
            os.environ[VALUES_ENV] = before
        Path(name).unlink(missing_ok=True)


def _sweep_values_files() -> None:
    """Remove the values files of runs killed before they could (their process is gone)."""
    for path in Path(tempfile.gettempdir()).glob(f"{_VALUES_PREFIX}*-*.json"):
        pid = path.name[len(_VALUES_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            path.unlink(missing_ok=True)
