"""Matching a file's column names to the contract's columns.

Order of precedence, for each contract column: a rename in mapping.yaml,
then the contract name itself, then a built-in Chinese alias. Names are
compared trimmed and case-insensitively, except that a name written in the
mapping matches its source column exactly first (JSON paths are case-
sensitive). Columns that match nothing, and are not ignored by the mapping,
are kept as extra columns (shown in evidence); two that differ only in case
are both kept, with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from privacylib.config.mapping import FILE_LINE, DatasetMapping
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
    # Worth a look, not stopping the load (extras differing only in case).
    warnings: list[str] = field(default_factory=list)
    # Positions of the source columns that build the key (mapping `key`).
    key: list[int] = field(default_factory=list)
    # "keep"/"drop" -> positions of the columns it names, in the mapping's order.
    filters: dict[str, list[int]] = field(default_factory=dict)


def resolve(dataset: Dataset, names: list[str], mapping: DatasetMapping) -> Resolution:
    res = Resolution()
    # A name written in the mapping matches its source column exactly first
    # (JSON paths are case-sensitive), then trimmed and in any case.
    exact = {src: mapping.targets(src) for src in mapping.columns}
    renames = {normalise(src): dst for src, dst in exact.items()}
    ignore = mapping.ignore or ()
    ignored = {normalise(n) for n in ignore}
    constant = set(mapping.constants)
    contract_names = {c.casefold(): c for c in dataset.column_names if c not in constant}
    how: dict[str, str] = {}  # contract column -> how it was matched, for messages
    aliased: dict[str, list[int]] = {}
    unmatched: list[int] = []
    for pos, raw in enumerate(names):
        key = normalise(raw)
        targets = exact.get(raw, renames.get(key))
        if targets is not None:
            for dst in targets:
                _claim(res, how, dst, pos, f"'{raw}' (renamed in the mapping)")
        elif key in ignored or raw in ignore:
            continue
        elif key in contract_names:
            _claim(res, how, contract_names[key], pos, f"'{raw}'")
        else:
            target = [c for c in ALIASES.get(key, ()) if c in dataset.column_names
                      and c not in constant]
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
    _keep_extras(res, names, sorted(unmatched), constant)
    found = ", ".join(n.strip() for n in names) or "(none)"
    res.key = _positions(res, names, [k for k in mapping.key or () if k != FILE_LINE], "key",
                         found)
    res.filters = {rule: _positions(res, names, list(getattr(mapping, rule)), rule, found)
                   for rule in ("keep", "drop") if getattr(mapping, rule)}
    made = set(constant) | ({dataset.key[0]} if mapping.key else set())
    for column in dataset.required:
        if column not in res.contract and column not in made:
            res.problems.append(
                f"required column '{column}' is missing (columns found: {found}); rename "
                f"the matching column in mapping.yaml under {dataset.name}.columns")
    return res


def _positions(res: Resolution, names: list[str], wanted: list[str], rule: str,
               found: str) -> list[int]:
    """Positions of the source columns a key or filter names; each one not
    found is a problem."""
    exact = {n: i for i, n in enumerate(names)}
    loose = {normalise(n): i for i, n in enumerate(names)}
    out = []
    for name in wanted:
        pos = exact.get(name, loose.get(normalise(name)))
        if pos is None:
            res.problems.append(f"'{name}' (named under {rule} in mapping.yaml) is not a column "
                                f"of the source (columns found: {found})")
        else:
            out.append(pos)
    return out


def _claim(res: Resolution, how: dict[str, str], column: str, pos: int, label: str) -> None:
    if column in res.contract:
        res.problems.append(f"{how[column]} and {label} both give column '{column}'; "
                            "keep one, or rename one in mapping.yaml")
        return
    res.contract[column] = pos
    how[column] = label


def _keep_extras(res: Resolution, names: list[str], positions: list[int],
                 constant: set[str]) -> None:
    seen: set[str] = set()
    for pos in positions:
        name = names[pos].strip(_BLANKS) or f"column_{pos + 1}"
        if name.startswith("_"):
            name = "x" + name  # leading underscores are the loader's own columns
        if name.casefold() == "rowid":
            # A column of that name hides DuckDB's own row number, by which the
            # loader tells rows apart (an Oracle export carries a ROWID column).
            res.warnings.append(f"column '{name}' is kept as '{name}_source': DuckDB reserves "
                                "rowid for a table's row number")
            name += "_source"
        if name.casefold() in constant:  # the contract column holds the mapping's constant
            res.warnings.append(f"column '{name}' is kept as '{name}_source': the mapping "
                                f"sets {name.casefold()} to a constant")
            name += "_source"
        if name.casefold() in seen:
            # DuckDB's column names ignore case, so the second is kept renamed
            # (CloudTrail writes requestID in some services, requestId in others).
            first = next(n for n in res.extras if n.casefold() == name.casefold())
            kept = next(f"{name}_{i}" for i in range(2, len(names) + 3)
                        if f"{name}_{i}".casefold() not in seen)
            how = (f"column '{name}' appears twice" if first == name else
                   f"columns '{first}' and '{name}' differ only in case")
            res.warnings.append(f"{how}; both kept, the second as '{kept}'")
            name = kept
        seen.add(name.casefold())
        res.extras[name] = pos
