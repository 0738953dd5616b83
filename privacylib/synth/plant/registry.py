"""Which planting step plants which control's findings.

`@plants("U01")` registers a step under the controls whose findings it
records with `find`; a step that records two controls' findings (an unknown
actor is untrained too) is registered under both, and a step that plants only
near misses or rejects under none. Steps run in the order of
`privacylib.synth.plant.MODULES`, then in the order they are defined: the
identifiers, counters and random draws of the company follow that order, so it
must not change for the sample company to stay byte-identical.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from privacylib.synth.company import Company

Planter = Callable[[Company, random.Random], None]

# Control id -> the steps that plant its findings, in definition order.
PLANTERS: dict[str, list[Planter]] = {}
# Every registered step, in definition order.
STEPS: list[Planter] = []


def plants(*controls: str) -> Callable[[Planter], Planter]:
    def register(step: Planter) -> Planter:
        STEPS.append(step)
        for control in controls:
            PLANTERS.setdefault(control, []).append(step)
        return step

    return register
