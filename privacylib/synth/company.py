"""The background company: staff, customers, consents and everything around
them, clean for every control. Planted violations are added by `plant`.

Rows are plain dicts per dataset, small enough for Python; the access log,
which can hold millions of events, is made by `events` in vectorised form.
Customers and their consents and requests are made in customers.py, stores,
backups, sharing and incidents in systems.py; the planters reach all of
them through this module.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from privacylib.synth import reference as ref
from privacylib.synth.customers import add_consent, add_customer, add_request, customers
from privacylib.synth.model import Company, Staff, ts
from privacylib.synth.people import person
from privacylib.synth.systems import (
    add_incident,
    add_restore_test,
    add_share,
    add_store,
    sharing_and_incidents,
    stores,
)

__all__ = ["Company", "Staff", "add_consent", "add_customer", "add_incident", "add_request",
           "add_restore_test", "add_share", "add_store", "build", "ts"]

D = timedelta(days=1)


def build(seed: int, n_staff: int, n_customers: int) -> Company:
    rng = random.Random(seed)
    co = Company(seed)
    _catalog(co)
    _staff(co, rng, n_staff)
    customers(co, rng, n_customers)
    stores(co)
    sharing_and_incidents(co, rng, n_customers)
    return co


def _catalog(co: Company) -> None:
    for role, cat, action in ref.PERMISSIONS:
        co.add("role_permissions", role=role, data_category=cat, action=action)
    for cat, sensitive, desc in ref.CATEGORIES:
        co.add(
            "data_categories",
            data_category=cat,
            sensitive="是" if sensitive else "否",
            description=desc,
        )
    for purpose, basis, desc in ref.PURPOSES:
        co.add("purposes", purpose=purpose, legal_basis=basis, description=desc)
    for purpose, cats in ref.PURPOSE_CATEGORIES.items():
        for cat in cats:
            co.add("purpose_categories", purpose=purpose, data_category=cat)
    for system, fld, cat, purpose, mandatory in ref.COLLECTION_FIELDS:
        co.add(
            "collection_fields",
            system=system,
            field=fld,
            data_category=cat,
            purpose=purpose,
            mandatory="Y" if mandatory else "N",
        )
    for version, published, retired, purposes in ref.NOTICES:
        co.add(
            "notices",
            notice_version=version,
            published_at=ts(published),
            retired_at=ts(retired),
            purposes=";".join(purposes),
        )
    for cat, days, anchor, disposal in ref.RETENTION:
        co.add(
            "retention_policy",
            data_category=cat,
            retention_days=days,
            anchor=anchor,
            disposal=disposal,
        )


def _staff(co: Company, rng: random.Random, n: int) -> None:
    roles = list(ref.ROLES)
    shares = [ref.ROLES[r][1] for r in roles]
    for i in range(1, n + 1):
        role = rng.choices(roles, shares)[0]
        hired = datetime(2015, 1, 1) + timedelta(days=rng.randrange(11 * 365 + 150), hours=9)
        weight = (1.0 / i**0.7) * rng.uniform(0.5, 1.5)  # a long tail of heavy users
        trained = datetime(2026, 1, 10) + timedelta(days=rng.randrange(260), hours=14)
        co.staff.append(Staff(f"E{i:04d}", [(role, hired, None)], hired, None, weight, trained))
    # Life events inside and around the period (background stays clean around them).
    s = co.staff
    s[3].terminated_at = datetime(2026, 10, 20, 18, 0)  # leaves mid-period
    s[4].hired_at = datetime(2026, 10, 12, 9, 0)  # joins mid-period
    s[4].roles = [(s[4].roles[0][0], s[4].hired_at, None)]
    s[5].terminated_at, s[5].weight = datetime(2026, 5, 31, 18, 0), 0.0  # left before
    change = datetime(2026, 10, 15, 10, 0)  # customer_service -> marketing
    s[6].roles = [("customer_service", s[6].hired_at, change), ("marketing", change, None)]
    s[7].roles = [("customer_service", s[7].hired_at, None), ("analyst", s[7].hired_at, None)]
    for st in co.staff[8:12]:
        st.weight, st.trained_at = 0.0, None  # never touch data, never trained: no finding
    for st in co.staff:
        _write_staff(co, rng, st)


def _write_staff(co: Company, rng: random.Random, st: Staff) -> None:
    who = person(rng, born_from=1965, born_to=2002)
    current = st.roles[-1][0]
    co.add(
        "employees",
        **{
            "工号": st.actor_id,
            "姓名": who["name"],
            "部门": ref.ROLES[current][0],
            "岗位": current,
            "入职日期": ts(st.hired_at),
            "离职日期": ts(st.terminated_at),
            "手机号": who["mobile"],
            "身份证号": who["id_number"],
            "邮箱": who["email"],
        },
    )
    for role, valid_from, valid_to in st.roles:
        co.add(
            "role_assignments",
            actor_id=st.actor_id,
            role=role,
            valid_from=ts(valid_from),
            valid_to=ts(valid_to or st.terminated_at),
        )
    if st.trained_at:
        co.add(
            "training",
            actor_id=st.actor_id,
            course="个人信息保护年度培训",
            completed_at=ts(st.trained_at),
        )
