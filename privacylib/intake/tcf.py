"""IAB TCF consent strings (v1.1 and v2.x), decoded to the bit layout of the
IAB Tech Lab's "Consent string and vendor list formats" (v1.1, v2).

Owned rather than taken from PyPI (docs/formats.md: the `iab-tcf` packages
install a top-level `tests` package, return naive datetimes truncated to the
second, and decode a malformed string without complaint). Here every segment
must be long enough for what it declares, and the times plausible; a string
that is not is a `TcfError` naming why.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# TCF v1 launched in 2018: an earlier Created is a misread string.
EARLIEST = datetime(2018, 1, 1, tzinfo=UTC)


class TcfError(ValueError):
    """A string that is no well-formed TC string, and why."""


@dataclass(frozen=True)
class TcString:
    version: int
    created: datetime
    last_updated: datetime
    cmp_id: int
    cmp_version: int
    consent_screen: int
    language: str
    vendor_list_version: int
    # Purposes whose consent bit is set (bit n = purpose n).
    purposes: tuple[int, ...]
    # v2 only (None for v1.1).
    policy_version: int | None = None
    publisher_cc: str | None = None


class _Bits:
    def __init__(self, segment: str, what: str) -> None:
        try:
            raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        except (binascii.Error, ValueError) as exc:
            raise TcfError(f"the {what} is not base64url: {exc}") from exc
        self.bits = "".join(f"{b:08b}" for b in raw)[: len(segment) * 6]
        self.pos, self.what = 0, what

    def int(self, n: int, field: str) -> int:
        if self.pos + n > len(self.bits):
            raise TcfError(f"the {self.what} ends at bit {len(self.bits)}, but its {field} "
                           f"needs bits {self.pos} to {self.pos + n}")
        value = int(self.bits[self.pos:self.pos + n] or "0", 2)
        self.pos += n
        return value

    def time(self, field: str) -> datetime:
        return EPOCH + timedelta(milliseconds=100 * self.int(36, field))

    def letters(self, n: int, field: str) -> str:
        codes = [self.int(6, field) for _ in range(n)]
        if any(c > 25 for c in codes):
            raise TcfError(f"the {field} is no letters (codes {codes})")
        return "".join(chr(ord("A") + c) for c in codes)

    def vendors(self, field: str) -> None:
        """A vendor section (bitfield or ranges), checked for length only."""
        max_id = self.int(16, f"{field} MaxVendorId")
        if self.int(1, f"{field} IsRangeEncoding"):
            for _ in range(self.int(12, f"{field} NumEntries")):
                self.int(16 if not self.int(1, f"{field} IsARange") else 32, f"{field} range")
        else:
            self.int(max_id, f"{field} bitfield of {max_id} vendors")


def _purposes(mask: int, width: int = 24) -> tuple[int, ...]:
    return tuple(n for n in range(1, width + 1) if mask >> (width - n) & 1)


def decode(text: str) -> TcString:
    text = text.strip()
    if not text:
        raise TcfError("the string is empty")
    segments = text.split(".")
    core = _Bits(segments[0], "core segment")
    version = core.int(6, "Version")
    if version == 1:
        out = _v1(core)
    elif version == 2:
        out = _v2(core, segments[1:])
    else:
        raise TcfError(f"version {version} is no TCF version (1 or 2)")
    if out.created < EARLIEST:
        raise TcfError(f"Created {out.created:%Y-%m-%d} is before TCF existed (2018)")
    if out.last_updated < out.created:
        raise TcfError(f"LastUpdated {out.last_updated:%Y-%m-%d %H:%M} is before Created "
                       f"{out.created:%Y-%m-%d %H:%M}")
    return out


def _v1(b: _Bits) -> TcString:
    head = (b.time("Created"), b.time("LastUpdated"), b.int(12, "CmpId"),
            b.int(12, "CmpVersion"), b.int(6, "ConsentScreen"), b.letters(2, "ConsentLanguage"),
            b.int(12, "VendorListVersion"))
    purposes = _purposes(b.int(24, "PurposesAllowed"))
    max_id = b.int(16, "MaxVendorId")
    if b.int(1, "EncodingType"):
        b.int(1, "DefaultConsent")
        for _ in range(b.int(12, "NumEntries")):
            b.int(16 if not b.int(1, "SingleOrRange") else 32, "vendor range")
    else:
        b.int(max_id, f"bitfield of {max_id} vendors")
    return TcString(1, *head, purposes=purposes)


def _v2(b: _Bits, others: list[str]) -> TcString:
    head = (b.time("Created"), b.time("LastUpdated"), b.int(12, "CmpId"),
            b.int(12, "CmpVersion"), b.int(6, "ConsentScreen"), b.letters(2, "ConsentLanguage"),
            b.int(12, "VendorListVersion"))
    policy = b.int(6, "TcfPolicyVersion")
    b.int(1, "IsServiceSpecific")
    b.int(1, "UseNonStandardTexts")
    b.int(12, "SpecialFeatureOptIns")
    purposes = _purposes(b.int(24, "PurposesConsent"))
    b.int(24, "PurposesLITransparency")
    b.int(1, "PurposeOneTreatment")
    country = b.letters(2, "PublisherCC")
    b.vendors("vendor consents")
    b.vendors("vendor legitimate interests")
    for _ in range(b.int(12, "NumPubRestrictions")):
        b.int(8, "publisher restriction")
        for _ in range(b.int(12, "restriction NumEntries")):
            b.int(16 if not b.int(1, "restriction IsARange") else 32, "restriction range")
    for i, segment in enumerate(others, start=2):
        seg = _Bits(segment, f"segment {i}")
        kind = seg.int(3, "SegmentType")
        if kind in (1, 2):
            seg.vendors("disclosed vendors" if kind == 1 else "allowed vendors")
        elif kind == 3:
            seg.int(48, "publisher purposes")
            seg.int(2 * seg.int(6, "NumCustomPurposes"), "custom purposes")
        else:
            raise TcfError(f"segment {i} has type {kind}, which TCF v2 does not define")
    return TcString(2, *head, purposes=purposes, policy_version=policy,
                    publisher_cc=country)


def encode(tc: TcString) -> str:
    """A v2 core segment with no vendors (for tests and fixtures)."""
    def ds(moment: datetime) -> int:
        return round((moment - EPOCH).total_seconds() * 10)

    def letters(word: str) -> list[tuple[int, int]]:
        return [(ord(c) - ord("A"), 6) for c in word]

    mask = sum(1 << (24 - n) for n in tc.purposes)
    fields = [(2, 6), (ds(tc.created), 36), (ds(tc.last_updated), 36), (tc.cmp_id, 12),
              (tc.cmp_version, 12), (tc.consent_screen, 6), *letters(tc.language),
              (tc.vendor_list_version, 12), (tc.policy_version or 0, 6), (0, 1), (0, 1),
              (0, 12), (mask, 24), (0, 24), (0, 1), *letters(tc.publisher_cc or "AA"),
              (0, 16), (0, 1), (0, 16), (0, 1), (0, 12)]
    bits = "".join(f"{v:0{n}b}" for v, n in fields)
    bits += "0" * (-len(bits) % 24)
    raw = int(bits, 2).to_bytes(len(bits) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
