"""Checks of a control file beyond its header's shape (catalog.py calls them):
its query is one SELECT the engine can wrap, and the policy keys it declares."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import duckdb

_POLICY_KEY = re.compile(r"[a-z][a-z0-9_]*")


def check_policy(declared: Any, bad: Callable[..., None],
                 parameters: frozenset[str]) -> set[str]:
    """The policy keys a control declares (`policy: {key: default}`), checked:
    a new name, and a default of a type policy.yaml can hold."""
    from privacylib.config.policy import Policy

    if declared is None:
        return set()
    if not isinstance(declared, dict):
        bad("policy must map each new policy key to its default, e.g. policy: {holidays: []}")
        return set()
    builtin = set(Policy.__dataclass_fields__) | parameters
    for key, default in declared.items():
        if not _POLICY_KEY.fullmatch(str(key)):
            bad(f"policy key '{key}' is not lower-case letters, digits and _")
        elif key in builtin:
            bad(f"policy key '{key}' is a built-in one", "give the control's key a new name")
        elif not (isinstance(default, bool | int | str) or (
                isinstance(default, list) and all(isinstance(v, str) for v in default))):
            bad(f"policy key '{key}' has a default of type {type(default).__name__}",
                "a default is true/false, a whole number, a text or a list of texts "
                "(quote dates: '2026-10-01')")
    return {str(k) for k in declared}


@cache
def _parser() -> duckdb.DuckDBPyConnection:
    # Only parses (extract_statements runs nothing): one connection serves every file.
    return duckdb.connect()


def select_problem(sql: str) -> str | None:
    """Why `sql` is not one SELECT statement (the engine wraps it in one:
    `SELECT * FROM (…)`, and a second statement would run too); None when it is."""
    try:
        statements = _parser().extract_statements(sql)
    except duckdb.Error as exc:
        return "is not valid SQL: " + re.sub(r"\s+", " ", str(exc))[:300]
    if len(statements) != 1:
        return f"must be one statement, not {len(statements)}"
    if statements[0].type != duckdb.StatementType.SELECT:
        return f"must be a SELECT, not {statements[0].type.name}"
    try:  # a text that closes the engine's parenthesis would smuggle a statement in
        wrapped = _parser().extract_statements(f"SELECT * FROM ({sql})")
    except duckdb.Error:
        wrapped = []
    if len(wrapped) != 1:
        return "must be one SELECT the engine can wrap as SELECT * FROM (…)"
    return None
