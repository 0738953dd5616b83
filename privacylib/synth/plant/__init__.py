"""Planted violations and near misses, control by control.

Each step adds the rows that make a control find exactly the subjects it
records with `find`, and rows at the control's boundaries that must not be
found (exact thresholds, 08:00 and 20:00, UTC versus local days, denied
events, a role change mid-period…). Planted rows are otherwise clean: staff
who are employed, trained and allowed, customers who consented, so that each
row trips only the controls it is meant to. Where one row must trip two
controls (an unknown actor is untrained too), both are recorded.

Steps are registered per control (`registry.plants`): `PLANTERS["U01"]` are
the steps that plant U01's findings.
"""

from __future__ import annotations

import random

from privacylib.synth.company import Company
from privacylib.synth.plant import (
    access,
    backups,
    collection,
    retention,
    rights,
    sharing,
    storage,
    use,
)
from privacylib.synth.plant.base import people
from privacylib.synth.plant.registry import PLANTERS, STEPS, Planter, plants

# The order the steps run in: the company's identifiers and random draws follow it.
MODULES = (collection, storage, backups, retention, access, use, sharing, rights)

__all__ = ["PLANTERS", "Planter", "plant_all", "plants", "steps"]


def steps() -> list[Planter]:
    """Every registered step in planting order (module order, then definition order)."""
    names = [m.__name__ for m in MODULES]
    return sorted(STEPS, key=lambda s: names.index(s.__module__))


def plant_all(co: Company, rng: random.Random) -> None:
    people(co, rng)
    for step in steps():
        step(co, rng)
