"""One family of errors. Each carries where the problem is and how to fix it.

Messages are written for a compliance analyst, not a programmer: they name
the file, the dataset, the column or the key, and say what to do.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


class PrivacyLibError(Exception):
    """Base of every error privacylib raises on purpose."""

    # The command-line exit code this error maps to (2: bad usage or input).
    exit_code = 2

    def __init__(self, message: str, *, hint: str = "", **context: object) -> None:
        self.message = message
        self.hint = hint
        self.context = {k: v for k, v in context.items() if v is not None}
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.message}\n  → {self.hint}" if self.hint else self.message


class ConfigError(PrivacyLibError):
    """A policy, mapping or parameter file is wrong."""


class PolicyError(ConfigError):
    """policy.yaml has an unknown key, a wrong type or a bad value."""


class MappingError(ConfigError):
    """mapping.yaml names an unknown dataset, key or column."""


class UsageError(PrivacyLibError):
    """A command was called with options that do not fit together."""


class DataError(PrivacyLibError):
    """A dataset cannot be loaded (missing column, unreadable file…)."""

    def __init__(
        self,
        message: str,
        *,
        dataset: str | None = None,
        file: str | None = None,
        column: str | None = None,
        hint: str = "",
    ) -> None:
        self.dataset, self.file, self.column = dataset, file, column
        super().__init__(message, hint=hint, dataset=dataset, file=file, column=column)


@dataclass(frozen=True)
class Problem:
    """One problem found while checking a definition, before raising."""

    where: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text}\n    → {self.hint}" if self.hint else text


class ProblemsError(PrivacyLibError):
    """Several problems, collected so the user can fix them all in one go."""

    def __init__(self, title: str, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{title} ({len(problems)} problem(s)):\n{lines}")


class PolicyProblems(ProblemsError, PolicyError):
    """Every problem of a policy file."""


class MappingProblems(ProblemsError, MappingError):
    """Every problem of a mapping file."""


class DefinitionProblems(ProblemsError, ConfigError):
    """Every problem of the control definitions."""


def suggest(word: str, choices: Iterable[str]) -> str:
    """'did you mean …?' for a misspelt or half-remembered name."""
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    if not close:  # bulk_export_limit -> bulk_export_records_per_day: shared words
        words = set(word.lower().split("_"))
        scored = [(len(words & set(c.split("_"))), c) for c in choices]
        best = max(scored, default=(0, ""))
        close = [best[1]] if best[0] else []
    return f"did you mean '{close[0]}'?" if close else "choose one of: " + ", ".join(choices)
