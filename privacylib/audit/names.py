"""The data's own words for its codes: purposes and data categories by their
descriptions. Every page, the workbook and the explorer show a code by its
description where the data gives one; result.json carries them, masked, so
that a finished run reads the same without its data."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from privacylib.audit.run import Audit


def code_names(audit: Audit) -> dict[str, str]:
    """Code -> description, masked as everything shown is."""
    names: dict[str, str] = {}
    for dataset, key in (("purposes", "purpose"), ("data_categories", "data_category")):
        if audit.loaded.present(dataset):
            rows = audit.loaded.con.execute(
                f"SELECT {key}, description FROM main.{dataset} "  # names from the contract
                "WHERE description IS NOT NULL AND description <> ''").fetchall()
            names.update({str(k): audit.masker.text(str(d)) if audit.masker.enabled
                          else str(d) for k, d in rows})
    return dict(sorted(names.items()))
