"""iab-tcf -> consents: TC strings (reader: intake/readers/tcf.py), one
consent per purpose whose consent bit is set.

The purpose is `tcf2:<n>` or `tcf1:<n>` (v1 purpose n is not v2 purpose n):
map them onto the company's purposes with `values: {purpose: {"tcf2:1":
storage}}`. granted_at is LastUpdated, the last time the user acted (UTC).
The string holds no method: a CMP banner is assumed (`method: cmp_banner`,
override it under constants). A string with every purpose refused is
filtered (drop refused).
"""

from __future__ import annotations

from typing import Any

from privacylib.intake.presets import Option, Preset


def _column(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return None if ok or value is None else "is not a column number (1 is the first)"


def mapping(options: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "columns": {"consent_id": "consent_id", "purpose": "purpose",
                    "last_updated": "granted_at", "notice_version": "notice_version",
                    "tc_string": "evidence_ref"},
        "constants": {"method": "cmp_banner"},
        "drop": {"refused": ["true"]},
    }
    if options.get("customer_column"):
        out["columns"]["customer"] = "customer_id"
    else:
        out["constants"]["customer_id"] = None
    return out


def _customer_gap(options: dict[str, Any]) -> list[str]:
    return [] if options.get("customer_column") else [
        "no customer: the strings carry no user id, so customer_id is null (set "
        "source.customer_column to the field that holds it)"]


PRESET = Preset(
    "iab-tcf", "consents", mapping,
    "IAB TCF v1.1/v2 consent strings, one a line, alone or among other fields",
    options={
        "customer_column": Option(None, _column, "the field holding the user id, counted "
                                                 "from 1 (tab, comma or semicolon separated)"),
        "string_column": Option(None, _column, "the field holding the TC string, counted "
                                               "from 1; by default the first that looks like "
                                               "one"),
    },
    gaps=("a TC string holds no withdrawal: a later string without the bit is one, which "
          "needs each user's history of strings",
          "the method is assumed (cmp_banner): the string does not say how consent was asked",),
    option_gaps=_customer_gap,
)
