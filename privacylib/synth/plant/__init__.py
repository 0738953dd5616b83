"""Planted violations and near misses, control by control.

Each `_cXX` function adds the rows that make a control find exactly the
subjects it records with `co.planted`, and rows at the control's boundaries
that must not be found (exact thresholds, 08:00 and 20:00, UTC versus local
days, denied events, a role change mid-period…). Planted rows are otherwise
clean: staff who are employed, trained and allowed, customers who consented,
so that each row trips only the controls it is meant to. Where one row must
trip two controls (an unknown actor is untrained too), both are recorded.
"""

from __future__ import annotations

import random

from privacylib.synth.company import Company
from privacylib.synth.plant import access, collection, rights, storage, use
from privacylib.synth.plant.base import people


def plant_all(co: Company, rng: random.Random) -> None:
    people(co, rng)
    for step in (
        collection.collection,
        collection.consent_use,
        collection.consent_records,
        storage.stores,
        storage.retention,
        access.access,
        use.usage,
        use.sharing,
        rights.rights,
        rights.accountability,
        rights.outside_period,
        rights.dirty_rows,
    ):
        step(co, rng)
