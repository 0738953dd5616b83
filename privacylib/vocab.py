"""The audit's vocabulary as types: every outcome, status and history word
in code is one of these, and every text shown in two languages is one
`Localized`. The strings are what the files hold (controls.csv, findings.csv,
the store), so they never change; what a reader sees comes from report/i18n.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """What a control concluded. In the order reports count them."""

    FAIL = "fail"          # found at least one finding
    PASS = "pass"          # examined at least one subject, found nothing
    NO_DATA = "no_data"    # its datasets are there, but it examined nothing
    SKIPPED = "skipped"    # a dataset it needs is absent
    ERROR = "error"        # it could not run


class Status(StrEnum):
    """Whether a finding still asks for work, in this run."""

    OPEN = "open"          # no valid accepted risk covers it: remediate
    EXCEPTED = "excepted"  # a valid, unexpired accepted risk covers it


class History(StrEnum):
    """A finding against the previous run of the same scope (the audit store)."""

    NEW = "new"            # not in the previous run
    RECURRING = "open"     # in the previous run too ("open" in files, for continuity)
    RESOLVED = "resolved"  # in the previous run, gone from this one


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


class Engine(StrEnum):
    """Where the controls run."""

    DUCKDB = "duckdb"      # one machine, the default
    SPARK = "spark"        # Apache Spark (privacylib/spark)


@dataclass(frozen=True)
class Localized:
    """One text in every language the reports speak. A third language is a
    field here and a column in the control headers, not a change to callers."""

    zh: str
    en: str

    def __call__(self, lang: str) -> str:
        return getattr(self, Lang(lang).value)
