"""The synthetic company as data: its staff and the rows of every dataset,
with what was planted. Built by company.build; filled by customers, systems
and the planters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Staff:
    actor_id: str
    roles: list[tuple[str, datetime | None, datetime | None]]  # role, valid_from, valid_to
    hired_at: datetime
    terminated_at: datetime | None
    weight: float  # share of the background events (0: none)
    trained_at: datetime | None


@dataclass
class Company:
    seed: int
    rows: dict[str, list[dict]] = field(default_factory=dict)
    staff: list[Staff] = field(default_factory=list)
    # Customer pools for background events, by what the purpose needs.
    pool_marketing: list[str] = field(default_factory=list)  # consented to everything
    pool_consent: list[str] = field(default_factory=list)  # all but marketing
    pool_any: list[str] = field(default_factory=list)  # contract purposes only
    # (control_id, subject_id) of every planted finding.
    planted: list[tuple[str, str]] = field(default_factory=list)
    # Planted access events (dicts of text), added to the daily files.
    events: list[dict] = field(default_factory=list)
    # dataset -> rows deliberately unreadable or repeated, and their count.
    expected_rejects: dict[str, int] = field(default_factory=dict)

    # Running numbers for generated ids, per kind.
    serials: dict[str, int] = field(default_factory=dict)

    def next(self, kind: str) -> int:
        self.serials[kind] = self.serials.get(kind, 0) + 1
        return self.serials[kind]

    def add(self, dataset: str, **row: object) -> dict:
        self.rows.setdefault(dataset, []).append(row)
        return row


def ts(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S")
