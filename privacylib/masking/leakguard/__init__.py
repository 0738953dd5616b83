"""Failing closed: a masked run folder is published only if nothing in it is unmasked.

Masking is done by many writers (CSV, Parquet, the workbook, the notebook's
displays, summary.html, rejected rows); one that forgets the Masker would
publish personal data. So before a masked run folder (or a `validate`
folder) takes its name, every file in it is read back and searched:

- with the recogniser of identifiers.py, the same rules as masking: a value
  the Masker would mask (ID number, mobile, Luhn-valid card, e-mail) is a leak;
- for the raw values the loaded data holds (RawValues): customer ids, the
  people's names (masking.known_names) and the values of identifier columns
  (身份证号, 手机号, 邮箱 … as identifiers.KINDS names them), also the ones the
  recogniser would not know (a bad ID number, a number with odd separators).

Any hit fails the run: nothing is published, and NAME.FAILED/LEAKS.txt names
the file, the place (row and column, sheet and cell, JSON path, line) and the
kind of each hit, masked, never the raw value. Unmasked runs (`--no-mask`)
are unmasked on purpose and say so on every page: they are not guarded.

The masks themselves are no hit: they cannot match the recogniser
(110101********1234, 138****5678), masked source values (with `*`) are no
raw values, and pseudonyms and digests (CU-…, finding keys) are blanked
before searching, as hex may hold a digit run that looks like a number.

The parts: values.py (the raw values, handed from the kernel to the runner),
scanner.py (the search, and a file's texts with their places), tables.py
(CSV, Parquet, xlsx), documents.py (JSON and notebooks, HTML, text), guard.py
(the folder read back, LEAKS.txt, LeakFound). `python -m
privacylib.masking.leakguard FOLDER DATA` scans a finished folder (__main__.py).
"""

from __future__ import annotations

from privacylib.masking.leakguard.guard import (
    LEAKS_FILE,
    LeakFound,
    failed_folder,
    guard_folder,
    guard_run,
    scan_folder,
    write_leaks,
)
from privacylib.masking.leakguard.scanner import MAX_PER_FILE, Leak, Scanner
from privacylib.masking.leakguard.values import (
    VALUES_ENV,
    RawValues,
    hand_over,
    raw_values,
    values_file,
    worth_searching,
)

__all__ = ["LEAKS_FILE", "MAX_PER_FILE", "VALUES_ENV", "Leak", "LeakFound", "RawValues",
           "Scanner", "failed_folder", "guard_folder", "guard_run", "hand_over", "raw_values",
           "scan_folder", "values_file", "worth_searching", "write_leaks"]
