"""Digests of large results: counts by actor, system and day; stable examples."""

from __future__ import annotations

import numpy as np
import pandas as pd

from privacylib.audit.digest import TOP_EXAMPLES, digest, digests


def _findings(n: int) -> pd.DataFrame:
    i = np.arange(n)
    return pd.DataFrame({
        "control_id": "U04", "subject_id": [f"EV{k:09d}" for k in i[::-1]],
        "finding_key": [f"k{k}" for k in i],
        "actor_id": np.where(i % 10 == 0, "E1", "E" + (i % 7).astype(str)),
        "system": np.where(i % 2 == 0, "crm", "billing"),
        "day": np.char.add("2026-10-", np.char.zfill((1 + i % 31).astype(str), 2)),
    })


def test_a_million_findings_digest_to_counts_and_twenty_examples() -> None:
    frame = _findings(1_000_000)
    d = digest(frame, "U04")
    assert d.total == 1_000_000 and d.shown == TOP_EXAMPLES and not d.complete
    assert sum(c for _, c in d.groups["system"]) == 1_000_000
    assert d.groups["system"][0] == ("billing", 500_000) or d.groups["system"][0] == (
        "crm", 500_000)
    # E1 holds every tenth finding and its share of the rest: the largest group.
    top_actor, top_count = d.groups["actor_id"][0]
    assert top_actor == "E1"
    assert top_count == int((frame["actor_id"] == "E1").sum())
    assert len(d.groups["day"]) == 10  # 31 days, the ten largest
    # Examples in subject order, whatever the table's order.
    assert list(d.examples["subject_id"]) == sorted(frame["subject_id"])[:TOP_EXAMPLES]


def test_ties_are_broken_by_value_and_empty_dimensions_are_left_out() -> None:
    frame = pd.DataFrame({"control_id": ["S09", "S09", "S09"], "subject_id": ["b", "a", "c"],
                          "finding_key": ["1", "2", "3"], "actor_id": ["", "", ""],
                          "system": ["y", "x", "x"], "day": ["", "", ""]})
    d = digest(frame, "S09")
    assert d.complete and list(d.examples["subject_id"]) == ["a", "b", "c"]
    assert d.groups == {"system": (("x", 2), ("y", 1))}


def test_one_digest_per_control_in_table_order() -> None:
    frame = pd.concat([_findings(3).assign(control_id="U04"),
                       _findings(2).assign(control_id="C03")])
    assert [(d.control_id, d.total) for d in digests(frame)] == [("U04", 3), ("C03", 2)]
