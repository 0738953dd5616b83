"""Collection: C01-C08 (fields, consents and their use)."""

from __future__ import annotations

import random
from datetime import datetime

from privacylib.synth.company import Company, add_consent
from privacylib.synth.plant.base import SEC, H, customer, ev, find
from privacylib.synth.plant.registry import plants

# --- Collection -------------------------------------------------------------


def _field(co: Company, system: str, name: str, cat: str, purpose: str | None,
           mandatory: bool) -> None:
    co.add(
        "collection_fields",
        system=system,
        field=name,
        data_category=cat,
        purpose=purpose,
        mandatory="Y" if mandatory else "N",
    )


@plants("C01")
def c01_purpose_missing_or_unknown(co: Company, rng: random.Random) -> None:
    _field(co, "app", "referral_code", "contact", None, False)
    find(co, "C01", "app:referral_code")
    _field(co, "web", "wechat_id", "contact", "social_login", False)
    find(co, "C01", "web:wechat_id")
    _field(co, "app", "blood_type", "identity", "health_check", True)  # C01, not C02: unknown
    find(co, "C01", "app:blood_type")


@plants("C02")
def c02_mandatory_beyond_the_baseline(co: Company, rng: random.Random) -> None:
    _field(co, "app", "id_number", "identity", "service", True)
    find(co, "C02", "app:id_number:service")
    _field(co, "crm", "income", "payment", "marketing", True)
    find(co, "C02", "crm:income:marketing")
    _field(co, "web", "birthday", "identity", "marketing", True)
    find(co, "C02", "web:birthday:marketing")
    _field(co, "app", "birthday", "identity", "marketing", False)  # near miss: optional


# --- Consent and use ----------------------------------------------------------


@plants("C03", "C06")
def c03_no_consent_before_use(co: Company, rng: random.Random) -> None:
    day = datetime(2026, 10, 14, 10, 0)
    # No consent at all; consent granted only after the access; never granted.
    customer(co, rng, "C9000101")
    find(co, "C03", ev(co, day, actor="E9004", customer="C9000101", purpose="marketing"))
    find(
        co,
        "C03",
        ev(co, day + H(1), actor="E9005", customer="C9000101", cat="order", purpose="analytics"),
    )
    late = datetime(2026, 10, 20, 10, 0)
    customer(co, rng, "C9000102", {"marketing": {"granted": late}})
    find(
        co,
        "C03",
        ev(
            co,
            datetime(2026, 10, 18, 11, 0),
            actor="E9004",
            customer="C9000102",
            purpose="marketing",
        ),
    )
    ev(co, late, actor="E9004", customer="C9000102", purpose="marketing")  # granted exactly then
    customer(co, rng, "C9000103")
    cid = add_consent(co, "C9000103", "marketing", None)
    find(co, "C06", cid)
    find(co, "C03", ev(co, day + H(2), actor="E9004", customer="C9000103", purpose="marketing"))
    ev(co, day + H(3), actor="E9004", customer="C9000101", purpose="marketing", result="denied")
    ev(co, day + H(4), actor="E9004", customer=None, purpose="marketing")
    ev(co, day + H(5), customer="C9000101")  # a contract purpose needs no consent


@plants("C04")
def c04_no_use_after_withdrawal(co: Company, rng: random.Random) -> None:
    # Used after withdrawal, also at the exact instant; a second consent rescues.
    gone = datetime(2026, 10, 10, 12, 0)
    customer(co, rng, "C9000201", {"marketing": {"withdrawn": gone}})
    find(
        co,
        "C04",
        ev(
            co,
            datetime(2026, 10, 12, 15, 0),
            actor="E9004",
            customer="C9000201",
            purpose="marketing",
        ),
    )
    find(co, "C04", ev(co, gone, actor="E9004", customer="C9000201", purpose="marketing"))
    ev(co, gone - SEC, actor="E9004", customer="C9000201", purpose="marketing")
    customer(co, rng, "C9000202", {"analytics": {"withdrawn": datetime(2026, 6, 1, 9)}})
    find(
        co,
        "C04",
        ev(
            co,
            datetime(2026, 10, 5, 11, 0),
            actor="E9005",
            customer="C9000202",
            cat="order",
            purpose="analytics",
        ),
    )
    customer(co, rng, "C9000203", {"marketing": {"withdrawn": datetime(2026, 3, 1, 9)}})
    add_consent(co, "C9000203", "marketing", datetime(2026, 5, 1, 9))
    ev(co, datetime(2026, 10, 6, 11, 0), actor="E9004", customer="C9000203", purpose="marketing")


def _face(co: Company, when: datetime, customer_id: str) -> str:
    return ev(co, when, actor="E9002", customer=customer_id, cat="biometric",
              purpose="face_verification")


@plants("C05")
def c05_separate_consent_for_sensitive_data(co: Company, rng: random.Random) -> None:
    # Sensitive data under a consent that is not a separate one.
    customer(co, rng, "C9000301", {"face_verification": {"separate": False}})
    for when in (datetime(2026, 10, 7, 14, 0), datetime(2026, 10, 21, 9, 30)):
        find(co, "C05", _face(co, when, "C9000301"))
    customer(co, rng, "C9000302", {"face_verification": {"separate": None}})
    find(co, "C05", _face(co, datetime(2026, 10, 8, 14, 0), "C9000302"))
    customer(co, rng, "C9000303", {"face_verification": {"separate": False}})
    add_consent(co, "C9000303", "face_verification", datetime(2026, 1, 5, 10), separate=True)
    _face(co, datetime(2026, 10, 9, 14, 0), "C9000303")
    # Sensitive, but under a legal obligation: no consent needed, so no C03 and no C05.
    ev(
        co,
        datetime(2026, 10, 9, 15, 0),
        actor="E9002",
        customer="C9000101",
        cat="location",
        purpose="risk_assessment",
    )


# --- Consent records ------------------------------------------------------------

GRANTED = datetime(2025, 10, 1, 10)


@plants("C06")
def c06_incomplete_consent_records(co: Company, rng: random.Random) -> None:
    customer(co, rng, "C9000401")
    g = GRANTED
    find(co, "C06", add_consent(co, "C9000401", "personalisation", g, method=None))
    find(co, "C06", add_consent(co, "C9000401", "analytics", g, evidence=None))
    find(co, "C06", add_consent(co, "C9000401", "marketing", g, notice=None))  # not C08 too


@plants("C07")
def c07_invalid_consent_methods(co: Company, rng: random.Random) -> None:
    for method in ("pre_checked", "IMPLIED", "opt_out"):
        find(co, "C07", add_consent(co, "C9000401", "personalisation", GRANTED, method=method))
    add_consent(co, "C9000401", "personalisation", GRANTED, method="e_signature")


@plants("C08")
def c08_notice_in_force_naming_the_purpose(co: Company, rng: random.Random) -> None:
    # Unknown notice, retired notice, purpose not in the notice, retirement instant.
    find(co, "C08", add_consent(co, "C9000401", "marketing", GRANTED, notice="v2023.9"))
    find(
        co,
        "C08",
        add_consent(co, "C9000401", "marketing", datetime(2025, 8, 15, 10), notice="v2024.1"),
    )
    find(
        co,
        "C08",
        add_consent(co, "C9000401", "analytics", datetime(2025, 3, 1, 10), notice="v2024.1"),
    )
    find(
        co, "C08", add_consent(co, "C9000401", "marketing", datetime(2025, 7, 1), notice="v2024.1")
    )
    add_consent(co, "C9000401", "marketing", datetime(2025, 7, 1), notice="v2025.7")
