"""Columns the mapping makes rather than reads: a key built from several
source columns, and the keep/drop filters (see config/mapping.py for their
rules). Both read raw source values, before typing, as SQL over the scan's
columns c0, c1, …; values are bound as parameters.
"""

from __future__ import annotations

from typing import Any

from privacylib.config.mapping import DatasetMapping
from privacylib.intake.headers import Resolution

_BLANKS_SQL = "' \t\r\n\u3000\ufeff'"


def _raw(pos: int) -> str:
    return f"nullif(trim(CAST(c{pos} AS VARCHAR), {_BLANKS_SQL}), '')"


def built_key(res: Resolution) -> str:
    """The key from its source columns: one column as it is; several joined
    with ':' after escaping '\\' and ':' in each, so that different parts
    never give the same key. NULL when a part is empty."""
    parts = [_raw(p) for p in res.key]
    if len(parts) == 1:
        return parts[0]
    escaped = [f"replace(replace({p}, '\\', '\\\\'), ':', '\\:')" for p in parts]
    empty = " OR ".join(f"{p} IS NULL" for p in parts)
    return f"CASE WHEN {empty} THEN NULL ELSE concat_ws(':', {', '.join(escaped)}) END"


def _matches(rule: dict, positions: list[int], prefix: str, params: dict[str, Any]) -> str:
    """All named columns (AND) hold one of their values (OR), exactly after trimming."""
    conds = []
    for i, (values, pos) in enumerate(zip(rule.values(), positions, strict=True)):
        key = f"{prefix}_{i}"
        texts = [v for v in values if v is not None]
        one = []
        if texts:
            params[key] = texts
            one.append(f"list_contains(${key}, {_raw(pos)})")
        if len(texts) < len(values):
            one.append(f"{_raw(pos)} IS NULL")
        conds.append("(" + " OR ".join(one) + ")")
    return "coalesce(" + " AND ".join(conds) + ", false)"


def rule_name(mapping: DatasetMapping, rule: str) -> str:
    """How data_quality names a filter: keep (eventCategory, eventName). A
    column a reader derives (CloudTrail's @access) is said without its @, as
    the other formats' derived columns are (keep (access))."""
    return f"{rule} ({', '.join(c.lstrip('@') for c in getattr(mapping, rule))})"


def filtered(mapping: DatasetMapping, res: Resolution, bad_row: str | None,
             params: dict[str, Any]) -> str:
    """The name of the rule that filters the row out, or NULL. A line that
    cannot be read at all is never filtered: it stays a reject."""
    whens = []
    if mapping.keep:
        params["rule_keep"] = rule_name(mapping, "keep")
        whens.append(f"WHEN NOT {_matches(mapping.keep, res.filters['keep'], 'keep', params)} "
                     "THEN $rule_keep")
    if mapping.drop:
        params["rule_drop"] = rule_name(mapping, "drop")
        whens.append(f"WHEN {_matches(mapping.drop, res.filters['drop'], 'drop', params)} "
                     "THEN $rule_drop")
    if not whens:
        return "CAST(NULL AS VARCHAR) AS _filtered"
    guard = f"WHEN {bad_row} IS NOT NULL THEN NULL " if bad_row else ""
    return f"CASE {guard}{' '.join(whens)} END AS _filtered"
