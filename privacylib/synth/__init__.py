"""A synthetic company with planted violations, for the demo, tests and benchmarks.

    generate(out, events=20_000, seed=7, fmt="csv")

writes `out/exports/` (a complete data folder of the data contract),
`out/planted.csv` (control_id, subject_id of every planted finding) and
`out/expected_rejects.csv` (dataset, rows_rejected) beside it.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from privacylib.report.outputs import atomic_folder
from privacylib.synth import company, events, plant, write

DATA_FOLDER = "exports"


@dataclass(frozen=True)
class Generated:
    folder: Path  # the data folder
    events: int  # access events written, planted ones included
    planted: int  # planted findings


def sizes(n_events: int) -> tuple[int, int]:
    """(staff, customers) that fit a log of n_events."""
    if n_events < 1_000_000:
        return 120, 2000
    return 400, min(100_000, n_events // 50)


def generate(
    out: str | Path, events_n: int = 20_000, *, seed: int = 7, fmt: str = "csv", threads: int = 2
) -> Generated:
    out = Path(out)
    n_staff, n_customers = sizes(events_n)
    co = company.build(seed, n_staff, n_customers)
    plant.plant_all(co, random.Random(seed + 1))
    with atomic_folder(out) as tmp:
        folder = tmp / DATA_FOLDER
        folder.mkdir()
        write.write_tables(co, folder)
        write.write_access_log(co, events.background_days(co, events_n), folder, fmt, threads)
        with (tmp / "planted.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["control_id", "subject_id"])
            writer.writerows(sorted(set(co.planted)))
        with (tmp / "expected_rejects.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["dataset", "rows_rejected"])
            writer.writerows(sorted(co.expected_rejects.items()))
    return Generated(out / DATA_FOLDER, events_n + len(co.events), len(set(co.planted)))
