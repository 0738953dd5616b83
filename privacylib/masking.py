"""Masking personal identifiers in what an audit writes out.

Reports are personal data too. By default:
- customer ids become pseudonyms, a keyed hash (HMAC-SHA-256), so the same
  customer has the same pseudonym in every run made with the same key;
- resident ID numbers keep their region and last four (110101********1234),
  mobile numbers their first three and last four (138****5678), e-mail its
  first letter and domain (z***@qq.com), bank card numbers their last four;
  wherever they appear, free text and extra columns included;
- personal names (name fields of people, not of stores) keep the surname.
Staff ids and subject ids stay readable: auditors must know who acted.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEY_ENV = "PRIVACY_AUDIT_PSEUDONYM_KEY"
KEY_FILE = Path.home() / ".privacy-workbook" / "pseudonym.key"

CUSTOMER_KEYS = frozenset({"customer_id", "customers", "客户编号", "客户id", "客户号"})
NAME_KEYS = frozenset({"name", "姓名", "客户姓名", "customer_name", "联系人", "contact_name",
                       "full_name"})

# A run of digits is one number: identifiers are found where no digit touches them.
_ID = re.compile(r"(?<!\d)(\d{6})((?:18|19|20)\d{2}(?:0[1-9]|1[0-2])"
                 r"(?:0[1-9]|[12]\d|3[01]))(\d{3}[0-9Xx])(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?|0)?(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_CARD = re.compile(r"(?<!\d)(\d{12,15})(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """Every ID number, mobile number, e-mail and card number in `text`, masked."""
    text = _ID.sub(lambda m: m[1] + "*" * 8 + m[3][-4:], text)
    text = _MOBILE.sub(lambda m: m[1] + "****" + m[3], text)
    text = _EMAIL.sub(lambda m: m[1] + "***@" + m[2], text)
    return _CARD.sub(lambda m: "*" * len(m[1]) + m[2], text)


def mask_name(name: str) -> str:
    """张三丰 -> 张**; Zhang San -> Z********."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else name


def load_key(path: str | Path | None = None) -> bytes:
    """The pseudonym key: the environment variable, else the key file (made once)."""
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV].encode()
    path = Path(path) if path else KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip().encode()


@dataclass(frozen=True)
class Masker:
    # Secret for customer pseudonyms; the same key gives the same pseudonyms.
    key: bytes
    # False only when the user asked for unmasked output (recorded in the report).
    enabled: bool = True

    def pseudonym(self, customer_id: str) -> str:
        digest = hmac.new(self.key, customer_id.encode(), hashlib.sha256).hexdigest()
        return "CU-" + digest[:12]

    def value(self, key: str | None, value: Any, row: dict | None = None) -> Any:
        """One value, masked as its column name and content ask."""
        if not self.enabled or value is None:
            return value
        if isinstance(value, dict):
            return {k: self.value(k, v, value) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(key, v, row) for v in value]
        if not isinstance(value, str):
            return value
        column = (key or "").strip().lower()
        if column in CUSTOMER_KEYS:
            return self.pseudonym(value)
        if column in NAME_KEYS and not (row and "store_id" in row):  # a store's name is no person
            return mask_name(value)
        return mask_text(value)

    def evidence(self, evidence: dict[str, Any]) -> dict[str, Any]:
        return self.value(None, evidence)


def unmasked() -> Masker:
    return Masker(b"", enabled=False)
