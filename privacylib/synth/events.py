"""The background access log, vectorised: millions of clean events.

Randomness is a counter-based hash (splitmix64) of (seed, stream, index), so
the same seed gives the same log on any machine and any NumPy version, and
each day can be made on its own. Every event is clean for every control: a
role that grants it, business hours, a consent where the purpose needs one,
a ticket for exports and deletions, at most 180 customers per actor and day,
and at most 900 exported records per actor and day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa

from privacylib.synth import reference as ref
from privacylib.synth.company import Company, Staff

# Business-hours rhythm: hours 8..19, busiest mid-morning and mid-afternoon.
HOUR_WEIGHTS = np.array([3, 6, 9, 9, 5, 6, 8, 8, 7, 5, 3, 2], dtype=float)
WEEKEND_SHARE = 0.35  # a weekend day sees about a third of a weekday's traffic
CUSTOMERS_PER_POOL = 60  # per actor and day, from each of three pools: 180 at most
EXPORT_CAP = 900  # records an actor exports a day, under the policy's 1000


def _mix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def uniform(seed: int, stream: int, index: np.ndarray) -> np.ndarray:
    """Uniform [0, 1) numbers, one per index, reproducible anywhere."""
    key = np.uint64((seed * 1_000_003 + stream * 7_919) % (1 << 63))
    return (_mix(index.astype(np.uint64) ^ _mix(np.array([key]))) >> np.uint64(11)) / float(1 << 53)


def day_counts(n_events: int) -> np.ndarray:
    weights = np.array(
        [
            WEEKEND_SHARE if (ref.PERIOD_START + timedelta(days=d)).weekday() >= 5 else 1.0
            for d in range(ref.DAYS)
        ]
    )
    return _apportion(n_events, weights, np.zeros(ref.DAYS))


def _apportion(total: int, weights: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """Whole counts proportional to weights that add up to total exactly."""
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    order = np.lexsort((tiebreak, -(exact - counts)))
    counts[order[: total - counts.sum()]] += 1
    return counts


def _roles_on(st: Staff, start: datetime, end: datetime) -> tuple[str, ...] | None:
    """The roles held all day, or None when the day is not a plain working day."""
    if st.weight <= 0 or not (
        st.hired_at < start and (st.terminated_at is None or st.terminated_at >= end)
    ):
        return None
    held = []
    for role, valid_from, valid_to in st.roles:
        if (valid_from is None or valid_from <= start) and (valid_to is None or valid_to >= end):
            held.append(role)
        elif (valid_from is None or valid_from < end) and (valid_to is None or valid_to > start):
            return None  # a role starts or ends today: no background events
    return tuple(sorted(held)) or None


# Every distinct (category, action, purpose) any role does, so that events
# carry small integer codes and become text only when written.
GLOBAL = sorted({t[:3] for temps in ref.TEMPLATES.values() for t in temps})
CATS = sorted({t[0] for t in GLOBAL})
ACTS = sorted({t[1] for t in GLOBAL} | {"read"})
PURPS = sorted({t[2] for t in GLOBAL})
T_CAT = np.array([CATS.index(t[0]) for t in GLOBAL])
T_ACT = np.array([ACTS.index(t[1]) for t in GLOBAL])
T_PURP = np.array([PURPS.index(t[2]) for t in GLOBAL])
P_MARKETING = np.array([p == "marketing" for p in PURPS])
P_CONSENT = np.array([p in ref.CONSENT_PURPOSES and p != "marketing" for p in PURPS])
P_ANALYTICS = np.array([p == "analytics" for p in PURPS])
READ, TICKETED = ACTS.index("read"), np.array([a in ("export", "delete") for a in ACTS])
EXPORT = ACTS.index("export")


def _template_table(roles: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(global template indices, cumulative weights) for a set of roles held."""
    temps = [t for role in roles for t in ref.TEMPLATES[role]]
    return (np.array([GLOBAL.index(t[:3]) for t in temps]), np.cumsum([t[3] for t in temps]))


def background_days(co: Company, n_events: int) -> Iterator[tuple[int, pa.Table]]:
    """(day, table of that day's events), for each day of the period."""
    pools = [np.array(co.pool_marketing), np.array(co.pool_consent), np.array(co.pool_any)]
    serial = 0
    for day, n in enumerate(day_counts(n_events)):
        table = _one_day(co, day, int(n), pools, serial)
        serial += table.num_rows
        yield day, table


def _one_day(co: Company, day: int, n: int, pools: list[np.ndarray], serial: int) -> pa.Table:
    start = ref.PERIOD_START + timedelta(days=day)
    active = [
        (i, st, roles)
        for i, st in enumerate(co.staff)
        if (roles := _roles_on(st, start, start + timedelta(days=1)))
    ]
    per_actor = _apportion(n, np.array([st.weight for _, st, _ in active]), np.arange(len(active)))
    actor = np.repeat(np.arange(len(active)), per_actor)
    idx = np.arange(n, dtype=np.uint64) + np.uint64(day << 40)
    u = [uniform(co.seed, s, idx) for s in range(8)]
    template = np.zeros(n, dtype=np.int64)
    combo_of_actor = [roles for _, _, roles in active]
    for roles in set(combo_of_actor):
        members = [k for k, r in enumerate(combo_of_actor) if r == roles]
        rows = np.isin(actor, members)
        temps, cum = _template_table(roles)
        template[rows] = temps[np.searchsorted(cum, u[0][rows] * cum[-1], side="right")]
    purpose, act = T_PURP[template], T_ACT[template].copy()
    hour_cum = np.cumsum(HOUR_WEIGHTS)
    hour = 8 + np.searchsorted(hour_cum, u[1] * hour_cum[-1], side="right")
    seconds = hour * 3600 + np.floor(u[2] * 3600).astype(np.int64)
    staff_index = np.array([i for i, _, _ in active], dtype=np.uint64)
    customer = _customers(day, staff_index[actor], purpose, u[3], u[4], pools)
    count = _cap_exports(actor, act, u[5])
    ticket = np.where(TICKETED[act], np.floor(u[6] * 1e8).astype(np.int64) + 10**8, -1)
    ts = np.datetime64(start, "s") + seconds.astype("timedelta64[s]")
    order = np.lexsort((actor, ts))
    names = np.array([st.actor_id for _, st, _ in active], dtype=object)
    ips = np.array(
        [f"10.{20 + i % 7}.{i % 250}.{(i * 37) % 250 + 2}" for i, _, _ in active], dtype=object
    )
    return pa.table(
        {
            "event_seq": np.arange(serial, serial + n, dtype=np.int64),
            "ts": pa.array(ts[order], pa.timestamp("s")),
            "actor_id": names[actor][order],
            "customer_id": customer[order],
            "data_category": pa.DictionaryArray.from_arrays(T_CAT[template][order], CATS),
            "action": pa.DictionaryArray.from_arrays(act[order], ACTS),
            "purpose": pa.DictionaryArray.from_arrays(purpose[order], PURPS),
            "ticket": pa.array(ticket[order], mask=ticket[order] < 0),
            "record_count": count[order],
            "denied": (u[7] < 0.01)[order],
            "source_ip": ips[actor][order],
        }
    )


def _customers(
    day: int,
    staff: np.ndarray,
    purpose: np.ndarray,
    u_pick: np.ndarray,
    u_null: np.ndarray,
    pools: list[np.ndarray],
) -> np.ndarray:
    """Each actor sees at most CUSTOMERS_PER_POOL customers a day from each of
    three pools: marketing needs the fully consented, other consent purposes
    the consented, contract purposes anyone not erased."""
    out = np.empty(len(staff), dtype=object)
    which = np.where(P_MARKETING[purpose], 0, np.where(P_CONSENT[purpose], 1, 2))
    for k, pool in enumerate(pools):
        rows = which == k
        base = _mix(staff[rows] * np.uint64(4096) + np.uint64(day * 8 + k)) % np.uint64(len(pool))
        offset = np.floor(u_pick[rows] * CUSTOMERS_PER_POOL).astype(np.uint64)
        out[rows] = pool[((base + offset) % np.uint64(len(pool))).astype(np.int64)]
    out[P_ANALYTICS[purpose] & (u_null < 0.02)] = None  # aggregate queries name no customer
    return out


def _cap_exports(actor: np.ndarray, act: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Record counts; exported records per actor and day stay under EXPORT_CAP
    (exports beyond it become reads, which every exporting role may do)."""
    count = np.ones(len(actor), dtype=np.int64)
    export = act == EXPORT
    n_exports = np.bincount(actor[export], minlength=int(actor.max()) + 1 if len(actor) else 0)
    cap = np.minimum(20, np.maximum(1, EXPORT_CAP // np.maximum(n_exports, 1)))[actor]
    count[export] = 1 + np.floor(u[export] * cap[export]).astype(np.int64)
    order = np.lexsort((np.arange(len(actor)), actor))
    running = np.cumsum(np.where(export, count, 0)[order])
    first = np.searchsorted(actor[order], actor[order], side="left")
    over = np.empty(len(actor), dtype=bool)
    over[order] = running - np.concatenate(([0], running))[first] > EXPORT_CAP
    act[export & over] = READ
    count[export & over] = 1
    return count
