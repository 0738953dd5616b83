"""Which controls can run on the datasets given, and what to export for the rest.

The same gates as the engine's (engine._blocked), judged from the load alone:
a dataset in error stops every control that reads it; an absent needed
dataset skips the control; a needed dataset with no usable row (a header-only
file, or every row rejected) leaves the control nothing to examine. Optional
datasets never skip a control.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from privacylib.contract import DATASETS
from privacylib.controls.catalog import Control, load_catalog


class Readiness(StrEnum):
    RUNS = "runs"          # every needed dataset has usable rows
    NO_ROWS = "no_rows"    # every needed dataset is there, some without a usable row
    SKIPPED = "skipped"    # a needed dataset is absent
    ERROR = "error"        # a dataset it reads could not be loaded


class LoadedDataset(Protocol):
    """What coverage needs of a dataset's load (intake.ingest.DatasetLoad)."""

    status: str
    rows_loaded: int


@dataclass(frozen=True)
class ControlCoverage:
    control: Control
    readiness: Readiness
    # The datasets that decide it: in error, absent, or without rows (by readiness).
    blocking: tuple[str, ...]
    # Optional datasets it would also read, not given.
    optional_absent: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"control": self.control.id, "slug": self.control.slug,
                "readiness": self.readiness.value, "datasets": list(self.control.datasets),
                "blocking": list(self.blocking),
                "optional_absent": list(self.optional_absent)}


@dataclass(frozen=True)
class Coverage:
    controls: tuple[ControlCoverage, ...]

    def by(self, readiness: Readiness) -> tuple[ControlCoverage, ...]:
        return tuple(c for c in self.controls if c.readiness is readiness)

    def needed(self, readiness: Readiness) -> list[tuple[str, tuple[str, ...]]]:
        """(dataset, ids of the controls of this readiness it blocks), most first,
        then in contract order."""
        order = {d.name: n for n, d in enumerate(DATASETS)}
        blocks: dict[str, list[str]] = {}
        for c in self.by(readiness):
            for name in c.blocking:
                blocks.setdefault(name, []).append(c.control.id)
        ranked = sorted(blocks.items(), key=lambda kv: (-len(kv[1]), order[kv[0]]))
        return [(name, tuple(ids)) for name, ids in ranked]

    def as_dict(self) -> dict[str, Any]:
        counts = {r.value: len(self.by(r)) for r in Readiness}
        return {"counts": counts,
                "controls": [c.as_dict() for c in self.controls],
                "to_export": [{"dataset": d, "controls": list(ids)}
                              for d, ids in self.needed(Readiness.SKIPPED)],
                "without_rows": [{"dataset": d, "controls": list(ids)}
                                 for d, ids in self.needed(Readiness.NO_ROWS)]}


def _judge(control: Control, datasets: Mapping[str, LoadedDataset]) -> ControlCoverage:
    def status(name: str) -> str:
        return datasets[name].status if name in datasets else "absent"

    reads = (*control.datasets, *control.optional_datasets)
    optional_absent = tuple(n for n in control.optional_datasets if status(n) == "absent")
    broken = tuple(n for n in reads if status(n) == "error")
    absent = tuple(n for n in control.datasets if status(n) == "absent")
    empty = tuple(n for n in control.datasets if not datasets[n].rows_loaded)
    if broken:
        return ControlCoverage(control, Readiness.ERROR, broken, optional_absent)
    if absent:
        return ControlCoverage(control, Readiness.SKIPPED, absent, optional_absent)
    if empty:
        return ControlCoverage(control, Readiness.NO_ROWS, empty, optional_absent)
    return ControlCoverage(control, Readiness.RUNS, (), optional_absent)


def coverage(datasets: Mapping[str, LoadedDataset],
             controls: Iterable[Control] | None = None) -> Coverage:
    """The readiness of each control (the whole catalog unless given) on this load."""
    chosen = load_catalog() if controls is None else tuple(controls)
    return Coverage(tuple(_judge(c, datasets) for c in chosen))
