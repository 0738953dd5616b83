"""Audit the auditor: every unmasked view of personal data, in the audit store.

Who (the OS user), when, which run, what (a finding, a customer's trail, an
actor's accesses, the findings table) and why (the reason the analyst typed;
required). The explorer records each view it shows unmasked (explore/widgets.py);
`views` lists them, for a reviewer.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from privacylib.errors import UsageError
from privacylib.trail.store import open_store


def record_view(store: str | Path | None, *, run_id: str | None, kind: str, subject: str,
                reason: str) -> None:
    """One unmasked view; refused (UsageError) without a reason or a store to record it in."""
    if not reason.strip():
        raise UsageError("showing identifiers unmasked needs a reason",
                         hint="type why you need them; it is recorded with your user name")
    if not store:
        raise UsageError("showing identifiers unmasked needs an audit store to record it in",
                         hint="open a run recorded in a store, or set the audit's store")
    with open_store(store, write=True) as con:
        con.execute("INSERT INTO unmasked_views VALUES ($at, $user, $run, $kind, $subject, "
                    "$reason)", {"at": datetime.now(UTC), "user": getpass.getuser(),
                                 "run": run_id, "kind": kind, "subject": subject,
                                 "reason": reason.strip()})


def views(store: str | Path) -> pd.DataFrame:
    """Every unmasked view recorded in the store, oldest first."""
    with open_store(store, write=False) as con:
        return con.execute("SELECT * FROM unmasked_views ORDER BY viewed_at").df()
