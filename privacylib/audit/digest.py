"""A control's findings, made readable however many there are.

A control can find a million rows (every access of a leaver's badge, every
unlogged export). A page or a sheet cannot show them all, and a reader does
not want them all: they want how many, whose, where, when, and a few to look
at. A `Digest` says that for one control: the total, the counts grouped by
actor, system and day (largest first), and the first examples in a stable
order. findings.csv and findings.parquet keep every row; the HTML pages and
the workbook show digests of large controls and say where the rest is.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# Groups shown per dimension, and example findings per control.
TOP_GROUPS = 10
TOP_EXAMPLES = 20
# The dimensions a large result is summarised by, as findings columns.
DIMENSIONS = ("actor_id", "system", "day")


@dataclass(frozen=True)
class Digest:
    # The control the findings are of.
    control_id: str
    # How many findings it has in all.
    total: int
    # Dimension -> ((value, findings), …), largest first, at most TOP_GROUPS;
    # only dimensions the findings carry (a control about stores has no actor).
    groups: dict[str, tuple[tuple[str, int], ...]]
    # The first findings by subject, at most TOP_EXAMPLES rows.
    examples: pd.DataFrame

    @property
    def shown(self) -> int:
        return len(self.examples)

    @property
    def complete(self) -> bool:
        """Whether the examples are every finding of the control."""
        return self.shown == self.total


def _groups(frame: pd.DataFrame, column: str, top: int) -> tuple[tuple[str, int], ...]:
    if column not in frame or not frame[column].astype(str).str.len().gt(0).any():
        return ()
    counts = frame[column].fillna("").astype(str).value_counts()
    counts = counts[counts.index != ""]
    # Largest first, ties by value: the same findings give the same page.
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple((str(k), int(v)) for k, v in ordered[:top])


def digest(findings: pd.DataFrame, control_id: str, *, top_groups: int = TOP_GROUPS,
           top_examples: int = TOP_EXAMPLES) -> Digest:
    """The digest of one control's rows of a findings table (masked or not:
    it shows what it is given)."""
    rows = findings[findings["control_id"] == control_id]
    examples = rows.sort_values(["subject_id", "finding_key"], kind="stable").head(top_examples)
    groups = {d: g for d in DIMENSIONS if (g := _groups(rows, d, top_groups))}
    return Digest(control_id, len(rows), groups, examples.reset_index(drop=True))


def digests(findings: pd.DataFrame, **limits: int) -> list[Digest]:
    """One digest per control that has findings, in the table's control order."""
    ids = list(dict.fromkeys(findings["control_id"]))
    return [digest(findings, cid, **limits) for cid in ids]
