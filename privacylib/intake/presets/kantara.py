"""kantara -> consents: Kantara Consent Receipts v1.1 (reader:
intake/readers/kantara.py), one consent per purpose of each service.

The method is the purpose's consentType (explicit, implied: C07 finds
implied ones); the receipt id is the evidence. Map purposes (free text)
onto the company's with `values: {purpose: {Marketing: marketing}}`.
"""

from __future__ import annotations

from typing import Any

from privacylib.intake.presets import Preset


def mapping(options: dict[str, Any]) -> dict[str, Any]:
    return {
        "columns": {"consent_id": "consent_id", "customer": "customer_id",
                    "purpose": "purpose", "granted_at": "granted_at",
                    "consent_type": "method", "receipt_id": "evidence_ref"},
        "timezone": "UTC",
        "drop": {"no_purpose": ["true"]},
    }


PRESET = Preset(
    "kantara", "consents", mapping,
    "Kantara Consent Receipts v1.1: JSON, a JSON array, JSON Lines or JWTs",
    gaps=("no notice version (policyUrl is a URL, kept as policy_url): notice_version is "
          "null",
          "a receipt records a grant, never a withdrawal: withdrawals need another source",
          "no 'separate' flag (primaryPurpose is not one): separate is false"),
)
