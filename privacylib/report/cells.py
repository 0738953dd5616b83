"""Cells that spreadsheet programs show and never evaluate.

Every table the audit writes (CSV and the workbook) goes through here, because
its values come from exports, exception files and parameters: a cell like
`=HYPERLINK(...)` or `@SUM(1)` would run in Excel or WPS when an auditor opens
the file. A text cell that begins with one of DANGEROUS gets a leading
apostrophe in CSV, and is an explicit (quote-prefixed) string cell in xlsx.
Numbers stay numbers; findings.parquet keeps the original text. See
docs/safe-outputs.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 cannot hold (openpyxl raises on it), and lone surrogates, which
# no UTF-8 file can hold.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def csv_value(value: object) -> object:
    """The value as a CSV cell: dangerous text with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    return [csv_value(v) for v in values]


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell and column name made safe; numbers untouched."""
    out = frame.rename(columns=csv_value)
    for column in out.select_dtypes(include=["object", "string"]).columns:
        out[column] = out[column].map(csv_value)
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    # backslashreplace: a string no UTF-8 file can hold must not stop the run.
    safe_frame(frame).to_csv(path, index=False, errors="backslashreplace")


def visible(text: str) -> str:
    """Characters XML cannot hold, as `\\x01`-style text: shown, never a crash."""
    return _ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


def append_row(sheet, values: Iterable[object]) -> None:
    """One workbook row: text is a string cell (never a formula, whatever it
    begins with), quote-prefixed when dangerous, so that editing it in Excel
    does not turn it into a formula either."""
    values = [visible(v) if isinstance(v, str) else v for v in values]
    sheet.append(values)
    for cell, value in zip(sheet[sheet.max_row], values, strict=False):
        if isinstance(value, str):
            cell.data_type = "s"
            if value.startswith(DANGEROUS):
                cell.quotePrefix = True
