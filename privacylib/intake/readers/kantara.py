"""Kantara Consent Receipts (v1.1): one receipt as a JSON document, a JSON
array of them, one a line (JSON Lines), or signed as JWTs (one a line: the
payload is read, the signature not checked: that needs the controller's key).

A receipt gives one record per purpose of each of its services:
`{receipt id}:{service no}:{purpose no}` (from 1) is its consent id, and the
receipt id its evidence. consentTimestamp is epoch seconds by the spec;
milliseconds (over 10^11) and ISO text are read too, written as ISO UTC. A
receipt with no purpose gives one record marked `no_purpose` (the preset
filters it, so it is counted).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from privacylib.errors import DataError
from privacylib.intake.readers.native import (
    DEEP,
    Parsed,
    Record,
    Refused,
    TooDeep,
    loads,
    native_reader,
)

FIELDS = ("consent_id", "customer", "purpose", "granted_at", "consent_type", "receipt_id",
          "service", "purpose_category", "pii_category", "third_party", "third_party_name",
          "termination", "collection_method", "policy_url", "jurisdiction", "version",
          "sensitive", "no_purpose")


def granted(value: Any) -> Any:
    """consentTimestamp as ISO UTC text; text that is no number stays as it is."""
    number = value
    if isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit():
        number = float(value)
    if isinstance(number, (int, float)) and not isinstance(number, bool):
        seconds = number / 1000 if abs(number) > 1e11 else number
        try:
            moment = datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return str(value)
        return moment.isoformat().replace("+00:00", "Z")
    return value


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def receipt_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    rid = r.get("consentReceiptID")
    common = {"customer": r.get("piiPrincipalId"), "granted_at": granted(
        r.get("consentTimestamp")), "receipt_id": rid,
        "collection_method": r.get("collectionMethod"), "policy_url": r.get("policyUrl"),
        "jurisdiction": r.get("jurisdiction"), "version": r.get("version"),
        "sensitive": r.get("sensitive")}
    out = []
    for s, service in enumerate(_list(r.get("services")), start=1):
        service = service if isinstance(service, dict) else {}
        for p, purpose in enumerate(_list(service.get("purposes")), start=1):
            purpose = purpose if isinstance(purpose, dict) else {}
            out.append({**common, "consent_id": f"{rid}:{s}:{p}" if rid else None,
                        "service": service.get("service"), "purpose": purpose.get("purpose"),
                        "consent_type": purpose.get("consentType"),
                        "purpose_category": purpose.get("purposeCategory"),
                        "pii_category": purpose.get("piiCategory"),
                        "third_party": purpose.get("thirdPartyDisclosure"),
                        "third_party_name": purpose.get("thirdPartyName"),
                        "termination": purpose.get("termination")})
    return out or [{**common, "consent_id": rid, "no_purpose": "true"}]


def _jwt(text: str) -> Any:
    parts = text.strip().split(".")
    if len(parts) != 3:
        raise ValueError("neither JSON nor a JWT (header.payload.signature)")
    try:
        return loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"a JWT whose payload is not JSON: {exc}") from exc


def parse(lines: Iterable[tuple[int, str]], name: str, options: dict[str, Any],
          ) -> Iterator[Parsed]:
    numbered = [(n, t) for n, t in lines if t.strip()]
    if not numbered:
        return
    whole = "\n".join(t for _, t in numbered)
    try:
        doc = loads(whole)
    except TooDeep:
        # One document too deep to read: its lines are no receipts either.
        raise DataError(f"{name}: {DEEP}", file=name, hint="send the receipts as exported "
                        "(a receipt, an array of them, or one a line)") from None
    except json.JSONDecodeError:
        doc = None
    if isinstance(doc, list):
        items = list(enumerate(doc, start=1))
    elif isinstance(doc, dict):
        items = [(numbered[0][0], doc)]
    else:  # JSON Lines, or JWTs one a line
        items = []
        for n, text in numbered:
            try:
                items.append((n, loads(text) if text.lstrip().startswith("{")
                              else _jwt(text)))
            except ValueError as exc:
                items.append((n, Refused(n, f"line is no receipt: {exc}", text)))
    for n, item in items:
        if isinstance(item, Refused):
            yield item
        elif isinstance(item, dict):
            for row in receipt_rows(item):
                yield Record(n, row)
        else:
            yield Refused(n, "a receipt is a JSON object", json.dumps(item)[:200])


KANTARA = native_reader("kantara", FIELDS, parse)
