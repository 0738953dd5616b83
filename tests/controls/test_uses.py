"""The consent uses (controls/uses.py): made only for a run whose built-in
controls read them."""

from __future__ import annotations

from dataclasses import replace

from privacylib.controls.catalog import load_catalog
from privacylib.controls.uses import uses_needed


def test_the_consent_uses_are_prepared_only_for_a_run_that_reads_them() -> None:
    by_id = {c.id: c for c in load_catalog()}
    assert [i for i, c in by_id.items() if uses_needed([c])] == ["C03", "C04", "C05"]
    assert uses_needed(by_id.values()) and not uses_needed([by_id["U06"], by_id["S06"]])
    # A company's own control naming it runs in the sandbox, which does not have it.
    assert not uses_needed([replace(by_id["C03"], custom=True)])
