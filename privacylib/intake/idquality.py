"""Identifier quality as data quality: ID numbers, mobiles, cards and e-mail
addresses that break their own rules.

A customer table whose ID numbers fail the GB 11643 check character, or
whose mobiles have no mainland prefix, is a finding about the data in its own
right (and a sign that a column was mapped wrong). Every loaded column whose
header names an identifier (身份证号, 手机号, 银行卡号, email…) is checked
with the same rules the masker recognises them by; the counts become a
warning of its dataset in data_quality.csv.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from privacylib.masking.identifiers import check_column, kind_of
from privacylib.sqlnames import quote_ident

if TYPE_CHECKING:
    from privacylib.intake.ingest import DatasetLoad


def check_identifiers(con: duckdb.DuckDBPyConnection, datasets: dict[str, DatasetLoad]) -> None:
    """Add one warning per identifier column with values that break their rules."""
    for name, d in datasets.items():
        if d.status != "loaded" or not d.rows_loaded:
            continue
        columns = [r[0] for r in con.execute(f"DESCRIBE main.{quote_ident(name)}").fetchall()]
        for column in columns:
            kind = kind_of(column)
            if kind is None:
                continue
            quality = check_column(con, name, column, kind)
            if quality.failed:
                rules = ", ".join(f"{rule} {n}" for rule, n in sorted(quality.by_rule.items()))
                d.warnings.append(f"{column}: {quality.failed} of {quality.checked} values are "
                                  f"not a valid {kind.replace('_', ' ')} ({rules})")
