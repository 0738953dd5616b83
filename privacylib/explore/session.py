"""The explorer's data session: raw rows behind a finished run, on demand.

A finished run is shown from its result (audit/result.py) alone. Only when
the analyst asks for raw rows (follow an actor or a customer, or show a
finding's identifiers) does the explorer need the data: then, and once, the
session loads the run's data folder with the run's own parameters, runs the
controls, and checks that the data still gives the run's findings (the same
keys). Data changed since the run is an error, never a silent other answer.
Every query of raw rows goes through here (views.py holds the SQL); widgets
never touch the connection.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from privacylib.audit.run import Audit, AuditConfig, run_audit
from privacylib.config.params import resolve
from privacylib.errors import DataError
from privacylib.explore import views
from privacylib.masking.masker import Masker, load_key
from privacylib.trail.manifest import MANIFEST


class DataSession:
    """The audit of the run's data, made at the first question and kept."""

    def __init__(self, make: Callable[[], Audit], *, expected_keys: Iterable[str] | None = None,
                 source: str = "") -> None:
        self._make = make
        # The run's finding keys; None: nothing to check against (a data folder).
        self._expected = None if expected_keys is None else sorted(expected_keys)
        self.source = source
        # How many times the data was loaded: 0 until a raw row is asked for, then 1.
        self.loads = 0

    @classmethod
    def of_run(cls, run_dir: str | Path, expected_keys: Iterable[str]) -> DataSession:
        """The session of a finished run: its data folder with its manifest's parameters."""
        run_dir = Path(run_dir)
        params = json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))["parameters"]
        # No store: the store holds this very run, and comparing it with itself
        # would only change history, which the explorer takes from the run.
        config = AuditConfig.from_parameters(**{**params, "out": None, "store": None})
        return cls(lambda: run_audit(resolve(config)), expected_keys=expected_keys,
                   source=str(run_dir))

    @classmethod
    def of_audit(cls, audit: Audit) -> DataSession:
        """A session already open: the audit of a data folder explored without a run."""
        session = cls(lambda: audit, source=str(audit.config.data))
        session.audit  # noqa: B018 - opened now: the audit is already there
        return session

    @property
    def opened(self) -> bool:
        return "audit" in self.__dict__

    @cached_property
    def audit(self) -> Audit:
        audit = self._make()
        self.loads += 1
        if self._expected is not None:
            found = sorted(audit.findings()["finding_key"])
            if found != self._expected:
                gone, new = set(self._expected) - set(found), set(found) - set(self._expected)
                raise DataError(
                    f"the data behind {self.source} changed since the run: its findings "
                    f"differ ({len(gone)} gone, {len(new)} new)",
                    file=str(audit.config.data),
                    hint="explore the run without raw rows, explore the data folder as it "
                         "is now, or restore the inputs the manifest lists")
        return audit

    # --- what the explorer asks of the raw rows ------------------------------------------
    @cached_property
    def _raw_evidence(self) -> dict[str, dict[str, Any]]:
        return {f.finding_key: f.evidence for f in self.audit.result.findings}

    def raw_evidence(self, finding_key: str) -> dict[str, Any]:
        """A finding's evidence as the data has it: identifiers unmasked."""
        return self._raw_evidence[finding_key]

    def masker(self, key_file: str | None) -> Masker:
        """Masks raw rows as the run's files are (names the data holds too),
        even when the run itself was written unmasked: unmasking is a tick."""
        masker = self.audit.masker
        return masker if masker.enabled else Masker(load_key(key_file))

    def actor_events(self, actor_id: str, flagged: dict[str, list[str]]) -> pd.DataFrame:
        return views.actor_events(self.audit, actor_id, flagged)

    def actor_roles(self, actor_id: str) -> pd.DataFrame:
        return views.actor_roles(self.audit, actor_id)

    def customer_trail(self, customer_id: str, flagged: dict[str, list[str]]) -> pd.DataFrame:
        return views.customer_trail(self.audit, customer_id, flagged)

    def customer_of(self, pseudonym: str, key: Masker) -> str | None:
        """The customer id whose pseudonym (under `key`) was typed."""
        return next((c for c in views.customer_ids(self.audit) if key.pseudonym(c) == pseudonym),
                    None)
