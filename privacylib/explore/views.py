"""What the explorer looks at in the raw rows, as tables: one actor's accesses
and roles, one customer's trail, each access marked with the controls whose
findings name it. Served through the data session (session.py), never to a
widget directly.

Times are local (the policy's time zone), as text: `day` YYYY-MM-DD and
`time` HH:MM; `hour` (a number) is for the timeline chart only. The period
bounds every event query. Values are bound as parameters; masking is the
caller's.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from privacylib.audit.run import Audit

# Columns only a chart uses; a table leaves them out.
CHART_ONLY = ("hour",)
# What a refusal calls these views (a log Spark read is not in DuckDB to drill into).
DRILL_DOWN = "the explorer's drill-down"


def _events(audit: Audit, where: str, params: dict[str, Any]) -> pd.DataFrame:
    p = audit.period
    return audit.loaded.con.execute(f"""
        SELECT a.event_id,
               strftime(timezone($tz, a.ts), '%Y-%m-%d') AS day,
               strftime(timezone($tz, a.ts), '%H:%M') AS time,
               hour(timezone($tz, a.ts)) + minute(timezone($tz, a.ts)) / 60 AS hour,
               a.actor_id, a.customer_id, a.system, a.data_category, a.action, a.purpose,
               a.result, a.record_count
        FROM main.access_log a
        WHERE {where} AND a.ts >= $start AND a.ts < $end
        ORDER BY a.ts, a.event_id""",
        {**params, "tz": audit.loaded.policy.timezone, "start": p.start, "end": p.end}).df()


def _marked(frame: pd.DataFrame, flagged: dict[str, list[str]]) -> pd.DataFrame:
    """`controls`: the controls whose findings name the access ("" for none)."""
    return frame.assign(controls=[",".join(sorted(set(flagged.get(str(e), []))))
                                  for e in frame["event_id"]])


def actor_events(audit: Audit, actor_id: str, flagged: dict[str, list[str]]) -> pd.DataFrame:
    """The actor's accesses in the period, marked with the findings that name them."""
    audit.require_in_duckdb(("access_log",), DRILL_DOWN)
    if not audit.loaded.present("access_log"):
        return pd.DataFrame(columns=["event_id", "day", "time", "hour", "controls"])
    return _marked(_events(audit, "a.actor_id = $actor", {"actor": actor_id}), flagged)


def actor_roles(audit: Audit, actor_id: str) -> pd.DataFrame:
    """The roles the actor held: role_assignments, else the employee's role;
    bounds as local YYYY-MM-DD HH:MM, empty where open."""
    con, tz = audit.loaded.con, audit.loaded.policy.timezone
    if audit.loaded.present("role_assignments"):
        sql = ("SELECT role, timezone($tz, valid_from) AS valid_from, "
               "timezone($tz, valid_to) AS valid_to FROM main.role_assignments "
               "WHERE actor_id = $actor ORDER BY valid_from NULLS FIRST, role")
    elif audit.loaded.present("employees"):
        sql = ("SELECT role, timezone($tz, hired_at) AS valid_from, "
               "timezone($tz, terminated_at) AS valid_to FROM main.employees "
               "WHERE actor_id = $actor AND role IS NOT NULL")
    else:
        return pd.DataFrame(columns=["role", "valid_from", "valid_to"])
    return con.execute(sql, {"tz": tz, "actor": actor_id}).df()


def customer_ids(audit: Audit) -> list[str]:
    audit.require_in_duckdb(("access_log",), DRILL_DOWN)
    if not audit.loaded.present("access_log"):
        return []
    rows = audit.loaded.con.execute(
        "SELECT DISTINCT customer_id FROM main.access_log WHERE customer_id IS NOT NULL "
        "ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def customer_trail(audit: Audit, customer_id: str,
                   flagged: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Who accessed the customer, when, for which purpose, on which basis: the
    consent for that purpose active at that instant, else the purpose's legal
    basis when it needs no consent (purposes.legal_basis), else "no consent";
    each access marked with the controls whose findings name it."""
    audit.require_in_duckdb(("access_log",), DRILL_DOWN)
    if not audit.loaded.present("access_log"):
        return pd.DataFrame()
    frame = _marked(_events(audit, "a.customer_id = $customer", {"customer": customer_id}),
                    flagged or {})
    found: dict[str, str] = {}
    if audit.loaded.present("consents"):
        found = dict(audit.loaded.con.execute("""
            SELECT a.event_id, min(c.consent_id) AS consent_id
            FROM main.access_log a JOIN main.consents c
              ON c.customer_id = a.customer_id AND c.purpose = a.purpose
             AND c.granted_at <= a.ts AND (c.withdrawn_at IS NULL OR a.ts < c.withdrawn_at)
            WHERE a.customer_id = $customer GROUP BY a.event_id""",
            {"customer": customer_id}).fetchall())
    bases: dict[str, str] = {}
    if audit.loaded.present("purposes"):
        bases = dict(audit.loaded.con.execute(
            "SELECT purpose, legal_basis FROM main.purposes WHERE legal_basis IS NOT NULL"
        ).fetchall())
    frame["consent_id"] = [found.get(e, "") for e in frame["event_id"]]
    frame["legal_basis"] = [bases.get(p, "") if isinstance(p, str) else ""
                            for p in frame["purpose"]]
    frame["basis"] = [_basis(c, b) for c, b in zip(frame["consent_id"], frame["legal_basis"],
                                                   strict=True)]
    return frame


def _basis(consent_id: str, legal_basis: str) -> str:
    if consent_id:
        return f"consent {consent_id}"
    if legal_basis and legal_basis != "consent":
        return legal_basis
    return "no consent"
