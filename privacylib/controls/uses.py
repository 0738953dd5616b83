"""The period's consent-based uses: per customer and purpose, the first and
last effective access, computed once for C03, C04 and C05.

Each of the three consent controls first looks for the customers it may
concern: a hit lies in one span of the customer's consents to the purpose
(before the first grant; between it and the first open consent), so a
customer can have one only if its accesses to the purpose, first to last,
meet that span. Finding the first and last access per customer and purpose
reads the customer column of every consent-based access of the period (3M of
the 10M events) and groups them: done once here, before the controls run,
rather than once per control. The controls then read their candidates whole
with their rule as written; this table only narrows where they look.

`consent_uses` (TEMP, like the period's clock) holds one row per customer and
purpose of the period's effective accesses (in the audit's scope) naming a
customer, for a purpose whose legal basis is consent: `first_use`,
`last_use`, and the same over accesses to a sensitive data category
(`first_sensitive_use`, `last_sensitive_use`; NULL when there is none).
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from privacylib.config.period import Period
from privacylib.controls.catalog import Control
from privacylib.controls.session import AUDIT_SCHEMA

USES = "consent_uses"


def uses_needed(controls: Iterable[Control]) -> bool:
    """Whether a built-in control of the run reads the table: a run of other
    controls does not pay for grouping the log (a company's own controls
    cannot read it: the sandbox holds only their datasets)."""
    return any(USES in c.sql for c in controls if not c.custom)


def prepare_uses(con: duckdb.DuckDBPyConnection, period: Period) -> None:
    """Create (or replace) the TEMP table `consent_uses` (after prepare_scope)."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {USES} AS
        SELECT a.customer_id, a.purpose, min(a.ts) AS first_use, max(a.ts) AS last_use,
               min(a.ts) FILTER (WHERE d.data_category IS NOT NULL) AS first_sensitive_use,
               max(a.ts) FILTER (WHERE d.data_category IS NOT NULL) AS last_sensitive_use
        FROM {AUDIT_SCHEMA}.access_log a
        LEFT JOIN (SELECT DISTINCT data_category FROM {AUDIT_SCHEMA}.data_categories
                   WHERE sensitive) d ON d.data_category = a.data_category
        WHERE a.ts >= $period_start AND a.ts < $period_end
          AND a.result <> 'denied'
          AND a.customer_id IS NOT NULL
          AND a.purpose IN (SELECT purpose FROM {AUDIT_SCHEMA}.purposes
                            WHERE legal_basis = 'consent')
        GROUP BY a.customer_id, a.purpose""",
                {"period_start": period.start, "period_end": period.end})
