"""Matching a file's column names to the contract's columns.

Order of precedence, for each contract column: a rename in mapping.yaml,
then the contract name itself, then a built-in Chinese alias. Names are
compared trimmed and case-insensitively. Columns that match nothing are kept
as extra columns (shown in evidence).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from privacylib.config.mapping import DatasetMapping
from privacylib.contract import ALIASES, Dataset

_BLANKS = " \t\r\n\u3000\ufeff"


def normalise(name: str) -> str:
    return name.strip(_BLANKS).casefold()


@dataclass
class Resolution:
    # Contract column -> position of its source column.
    contract: dict[str, int] = field(default_factory=dict)
    # Extra column name (as shown) -> position.
    extras: dict[str, int] = field(default_factory=dict)
    # What went wrong, one sentence each; empty when the file can be read.
    problems: list[str] = field(default_factory=list)


def resolve(dataset: Dataset, names: list[str], mapping: DatasetMapping) -> Resolution:
    res = Resolution()
    renames = {normalise(src): dst for src, dst in mapping.columns.items()}
    contract_names = {c.casefold(): c for c in dataset.column_names}
    how: dict[str, str] = {}  # contract column -> how it was matched, for messages
    aliased: dict[str, list[int]] = {}
    unmatched: list[int] = []
    for pos, raw in enumerate(names):
        key = normalise(raw)
        if key in renames:
            _claim(res, how, renames[key], pos, f"'{raw}' (renamed in the mapping)")
        elif key in contract_names:
            _claim(res, how, contract_names[key], pos, f"'{raw}'")
        else:
            target = [c for c in ALIASES.get(key, ()) if c in dataset.column_names]
            if target:
                aliased.setdefault(target[0], []).append(pos)
            else:
                unmatched.append(pos)
    for column, positions in aliased.items():
        if column in res.contract:
            unmatched.extend(positions)  # an explicit name wins over an alias
        elif len(positions) > 1:
            shown = " and ".join(f"'{names[p]}'" for p in positions)
            res.problems.append(
                f"columns {shown} could both be {column}; name the right one in "
                f"mapping.yaml under columns")
        else:
            res.contract[column] = positions[0]
    _keep_extras(res, names, sorted(unmatched))
    found = ", ".join(n.strip() for n in names) or "(none)"
    for column in dataset.required:
        if column not in res.contract:
            res.problems.append(
                f"required column '{column}' is missing (columns found: {found}); rename "
                f"the matching column in mapping.yaml under {dataset.name}.columns")
    return res


def _claim(res: Resolution, how: dict[str, str], column: str, pos: int, label: str) -> None:
    if column in res.contract:
        res.problems.append(f"{how[column]} and {label} both give column '{column}'; "
                            "keep one, or rename one in mapping.yaml")
        return
    res.contract[column] = pos
    how[column] = label


def _keep_extras(res: Resolution, names: list[str], positions: list[int]) -> None:
    seen: set[str] = set()
    for pos in positions:
        name = names[pos].strip(_BLANKS) or f"column_{pos + 1}"
        if name.startswith("_"):
            name = "x" + name  # leading underscores are the loader's own columns
        if name.casefold() in seen:
            res.problems.append(f"column '{name}' appears twice; rename one of them")
            continue
        seen.add(name.casefold())
        res.extras[name] = pos
