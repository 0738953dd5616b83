"""Masking personal identifiers in what an audit writes out.

Reports are personal data too. By default:
- customer ids become pseudonyms, a keyed hash (HMAC-SHA-256), so the same
  customer has the same pseudonym in every run made with the same key;
- resident ID numbers keep their region and last four (110101********1234),
  mobile numbers their first three and last four (138****5678), e-mail its
  first letter and domain (z***@qq.com), bank card numbers their last four;
  wherever and however they are written (identifiers.py recognises them);
- personal names keep the surname: in the columns the data contract says
  hold a person's name (employees.name, not data_stores.name), and, given the
  names the data holds (known_names), wherever they appear in text.
Staff ids and subject ids stay readable: auditors must know who acted.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from privacylib.contract import DATASETS
from privacylib.intake.readers import quote_ident
from privacylib.masking.identifiers import mask_identifiers
from privacylib.masking.names import NameFinder

KEY_ENV = "PRIVACY_AUDIT_PSEUDONYM_KEY"
KEY_FILE = Path.home() / ".privacy-workbook" / "pseudonym.key"

# How a customer id is written inside text: a run of letters, digits, _ and -.
_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]+(?![A-Za-z0-9_-])")
CUSTOMER_KEYS = frozenset({"customer_id", "customers", "客户编号", "客户id", "客户号"})
# Which columns hold a person's name is the data contract's business, per
# dataset: `name` is a person in employees, a system in data_stores, and
# whatever an export put there in an extra column of a log.
PERSON_NAME_COLUMNS: dict[str, frozenset[str]] = {"employees": frozenset({"name"})}
# Headers that cannot mean anything but a person's name, in any dataset (the
# customers' 姓名 arrives as an extra column: the contract has no such column).
PERSON_NAME_HEADERS = frozenset({"姓名", "客户姓名", "员工姓名", "customer_name",
                                 "employee_name", "联系人", "contact_name", "full_name"})
# Headers that are a person's name only in some datasets: the row's dataset decides.
AMBIGUOUS_NAME_HEADERS = frozenset({"name", "名称"})
# The schema of the values collected from a dataset another engine read
# (Spark: --spark-reads): one table per dataset, named after it, holding the
# distinct values of the columns masking reads; not a dataset (no SQL sees it).
ELSEWHERE = "read_elsewhere"


def mask_text(text: str) -> str:
    """Every ID number, mobile number, e-mail and card number in `text`, masked."""
    return mask_identifiers(text)


def mask_name(name: str) -> str:
    """张三丰 -> 张**; Zhang San -> Z********."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else name


@lru_cache(maxsize=256)
def dataset_of(columns: frozenset[str]) -> str | None:
    """The contract dataset a row of these columns comes from; None when unsure.

    Evidence rows are whole rows of one dataset, so the dataset whose key the
    row holds and that shares most columns with it is the one; a tie is unsure.
    """
    scores = sorted(((len(columns & set(d.column_names)), d.name) for d in DATASETS
                     if d.key and set(d.key) <= columns), reverse=True)
    if not scores or (len(scores) > 1 and scores[0][0] == scores[1][0]):
        return None
    return scores[0][1]


def holds_person_name(column: str, dataset: str | None) -> bool:
    """Whether `column` of a row of `dataset` (None: unknown) holds a person's name."""
    if column in PERSON_NAME_HEADERS:
        return True
    if column not in AMBIGUOUS_NAME_HEADERS:
        return False
    # Failing closed: a `name` nobody can place might be a person's.
    return dataset is None or column in PERSON_NAME_COLUMNS.get(dataset, ())


def value_tables(con: duckdb.DuckDBPyConnection, dataset: str) -> list[str]:
    """The tables (SQL names) holding a loaded dataset's values: its own and,
    for a dataset another engine read (its own table then empty), the values
    masking needs, collected from that engine into ELSEWHERE (spark/reads.py)."""
    tables = [quote_ident(dataset)]
    if con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = "
                   "current_database() AND schema_name = ? AND table_name = ?",
                   [ELSEWHERE, dataset]).fetchall()[0][0]:
        tables.append(f"{ELSEWHERE}.{quote_ident(dataset)}")
    return tables


def known_names(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The people's names the loaded data holds (staff, customers), for Masker(names=)."""
    names: set[str] = set()
    for d in DATASETS:
        for table in value_tables(con, d.name):
            try:
                columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            except duckdb.Error:
                continue  # the dataset is absent
            for column in columns:
                if holds_person_name(column.strip().lower(), d.name):
                    names.update(r[0] for r in con.execute(
                        f"SELECT DISTINCT CAST({quote_ident(column)} AS VARCHAR) FROM "
                        f"{table} WHERE {quote_ident(column)} IS NOT NULL").fetchall())
    return frozenset(names)


def known_customer_ids(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Customer ids of every loaded dataset that has them, for Masker(customer_ids=).

    Short or purely numeric-and-short ids are left out: `1001` in free text is
    far more often a count than a customer (their columns are masked anyway).
    """
    sources = [f"SELECT CAST(customer_id AS VARCHAR) AS c FROM {table}"
               for d in DATASETS if "customer_id" in d.column_names
               for table in value_tables(con, d.name)]
    found = con.execute(f"SELECT DISTINCT c FROM ({' UNION ALL '.join(sources)}) "
                        "WHERE c IS NOT NULL AND length(c) >= 4").fetchall()
    return frozenset(c for (c,) in found
                     if _TOKEN.fullmatch(c) and (len(c) >= 6 or not c.isdigit()))


def load_key(path: str | Path | None = None, *, create: bool = False) -> bytes:
    """The pseudonym key: the environment variable, else the key file. The
    default file is made on first use; a named file must exist (a typo would
    silently change every pseudonym) unless `create` asks for a new one."""
    from privacylib.errors import UsageError

    if create:
        if not path or Path(path).exists():
            raise UsageError(f"--new-key makes a new key file, and {path or 'no file'} "
                             f"{'already exists' if path else 'was named'}",
                             hint="name a new file with --key-file, or drop --new-key")
    elif path and not Path(path).exists():
        raise UsageError(f"pseudonym key file {path} does not exist",
                         hint="check the path, or pass --new-key to make a new key there")
    if os.environ.get(KEY_ENV) and not create:
        return _long_enough(os.environ[KEY_ENV].encode(), f"${KEY_ENV}")
    path = Path(path) if path else KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created private from the start, like the signing key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    return _long_enough(_key_in(path), f"pseudonym key file {path}")


def _key_in(path: Path) -> bytes:
    return path.read_text(encoding="utf-8").strip().encode()


# A key shorter than this makes pseudonyms reversible: customer ids are few
# and guessable (C0000001…), so with an empty or short key an HMAC of each
# candidate id finds them all (an empty key file reversed 250 of 274).
MIN_KEY_BYTES = 16


def _long_enough(key: bytes, where: str) -> bytes:
    from privacylib.errors import UsageError

    if len(key) < MIN_KEY_BYTES:
        raise UsageError(
            f"{where} holds a key of {len(key)} byte(s): at least {MIN_KEY_BYTES} are needed, "
            "or the pseudonyms can be reversed by trying customer ids",
            hint="make a new key with --key-file NEW_FILE --new-key (a random 64-character "
                 "key); the pseudonyms then differ from earlier runs'")
    return key


def check_key(path: str | Path | None) -> None:
    """The length of the key a run will use, checked now (UsageError),
    without making the default file: the environment variable, else a key
    file that exists. A file that cannot be read is left to the run, which
    fails reading it (exit 1, its notebook kept, masked)."""
    if os.environ.get(KEY_ENV):
        load_key(path)
        return
    chosen = Path(path) if path else KEY_FILE
    try:
        key = _key_in(chosen)
    except (OSError, UnicodeDecodeError):
        return
    _long_enough(key, f"pseudonym key file {chosen}")


@dataclass(frozen=True)
class Masker:
    # Secret for customer pseudonyms; the same key gives the same pseudonyms.
    key: bytes
    # False only when the user asked for unmasked output (recorded in the report).
    enabled: bool = True
    # People's names the data holds (known_names), masked wherever they appear in text.
    names: frozenset[str] = frozenset()
    # Customer ids the data holds (known_customer_ids): pseudonymised wherever
    # they appear in text (a rejected row's raw line, a warning, a reason).
    customer_ids: frozenset[str] = frozenset()
    _names: NameFinder = field(default_factory=lambda: NameFinder(()), init=False,
                               repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", frozenset(self.names))
        object.__setattr__(self, "customer_ids", frozenset(self.customer_ids))
        object.__setattr__(self, "_names", NameFinder(self.names))

    def pseudonym(self, customer_id: str) -> str:
        digest = hmac.new(self.key, customer_id.encode(), hashlib.sha256).hexdigest()
        return "CU-" + digest[:12]

    def text(self, text: str) -> str:
        """Identifiers and known names in free text, masked."""
        text = mask_identifiers(text)
        if self.customer_ids:
            text = _TOKEN.sub(lambda m: self.pseudonym(m[0]) if m[0] in self.customer_ids
                              else m[0], text)
        return self._names.replace(text, mask_name)

    def value(self, key: str | None, value: Any, row: dict | None = None,
              dataset: str | None = None) -> Any:
        """One value, masked as its column, its row's dataset and its content ask.

        `dataset` names the row's dataset when the caller knows it; otherwise
        the row's columns tell (see dataset_of).
        """
        if not self.enabled or value is None:
            return value
        if isinstance(value, dict):
            return {k: self.value(k, v, value) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(key, v, row, dataset) for v in value]
        if not isinstance(value, str):
            return value
        column = (key or "").strip().lower()
        if column in CUSTOMER_KEYS:
            return self.pseudonym(value)
        if column in PERSON_NAME_HEADERS or column in AMBIGUOUS_NAME_HEADERS:
            if dataset is None and row:
                dataset = dataset_of(frozenset(row))
            if holds_person_name(column, dataset):
                return mask_name(value)
        return self.text(value)

    def evidence(self, evidence: dict[str, Any]) -> dict[str, Any]:
        return self.value(None, evidence)


def masker_for(con: duckdb.DuckDBPyConnection, key_file: str | Path | None,
               enabled: bool = True) -> Masker:
    """The masker of one audit or validation: its key, and the names and
    customer ids of the loaded data, masked wherever they appear."""
    if not enabled:
        return unmasked()
    return Masker(load_key(key_file), names=known_names(con),
                  customer_ids=known_customer_ids(con))


def unmasked() -> Masker:
    return Masker(b"", enabled=False)
