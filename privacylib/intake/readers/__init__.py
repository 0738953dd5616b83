"""Reading source files into DuckDB as raw columns, streaming: one module per
format, and one registry (READERS: format name -> Reader) that the loader asks.

Text formats arrive as VARCHAR; Parquet keeps its native types. Rows never
pass through pandas: CSV, JSON Lines and Parquet are scanned by DuckDB itself
(all files of a group in one parallel scan), Excel (small by nature) through
openpyxl's read-only mode. What a reader gives is described in base.py.

A new format is a module here that builds a `Reader` (its name, its files'
suffixes, `read`, and if it needs them `explain` and `release`), and one
line in READERS below: discovery learns its suffixes from there. A native
format (a system's own log or consent file, native.py) has no suffix: its
preset in intake/presets/ names it, and `source:` in mapping.yaml chooses it.
"""

from __future__ import annotations

from privacylib.intake.readers.base import (
    FileLines,
    RawSource,
    Reader,
    Scope,
    SourceFile,
)
from privacylib.intake.readers.cloudtrail import CLOUDTRAIL
from privacylib.intake.readers.csv import CSV, TSV
from privacylib.intake.readers.json import JSON
from privacylib.intake.readers.jsonl import JSONL
from privacylib.intake.readers.kantara import KANTARA
from privacylib.intake.readers.mysql import MYSQL_AUDIT
from privacylib.intake.readers.parquet import PARQUET
from privacylib.intake.readers.pgaudit import PGAUDIT
from privacylib.intake.readers.ranger import RANGER
from privacylib.intake.readers.syslog import SYSLOG
from privacylib.intake.readers.tcf import IAB_TCF
from privacylib.intake.readers.xlsx import EXCEL
from privacylib.sqlnames import quote_ident  # its old home; others still import it from here

# In this order the suffixes are listed in messages (READ_FORMATS).
# Native formats (no suffix: `source:` in mapping.yaml names them) follow.
READERS: dict[str, Reader] = {r.name: r for r in (
    CSV, TSV, EXCEL, JSONL, JSON, PARQUET,
    PGAUDIT, MYSQL_AUDIT, CLOUDTRAIL, RANGER, SYSLOG, KANTARA, IAB_TCF)}
# A file's suffix (lower case, compression included) -> its format's name.
SUFFIXES: dict[str, str] = {s: r.name for r in READERS.values() for s in r.suffixes}

__all__ = ["READERS", "SUFFIXES", "FileLines", "RawSource", "Reader", "Scope", "SourceFile",
           "quote_ident"]
