"""The audit policy (policy.yaml): thresholds and lists the controls use.

Every key has the default of the data contract. An unknown key is an error
that suggests the closest known key; a value of the wrong type names the key.
A company's controls may add keys of their own, with defaults
(controls/custom.py): given as `extra_keys`, those are known too, checked
against their default's type, and kept in `Policy.extra`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, time
from pathlib import Path
from typing import Any

import duckdb
import yaml

from privacylib.errors import PolicyError, PolicyProblems, Problem, suggest


@dataclass(frozen=True)
class Policy:
    # IANA time zone of values without an offset; "day" and "hour" mean local time here.
    timezone: str = "Asia/Shanghai"
    # Local business hours, start inclusive, end exclusive (U04).
    business_hours: str = "08:00-20:00"
    # Also flag access on Saturday and Sunday (U04).
    flag_weekends: bool = False
    # Records one actor may export per local day (U02).
    bulk_export_records_per_day: int = 1000
    # Distinct customers one actor may access per local day (U03).
    max_distinct_customers_per_day: int = 200
    # Maximum age of a store's last vulnerability scan at as_of (S02).
    vuln_scan_max_age_days: int = 90
    # Longest allowed gap between successful backups (S09).
    backup_max_gap_hours: int = 26
    # A passing restore test must be at most this old at as_of (S12).
    restore_test_max_age_days: int = 180
    # Days to fix a failed restore test with a passing one (S13).
    failed_restore_fix_days: int = 30
    # Days past the retention deadline before a record is overdue (S04).
    retention_grace_days: int = 30
    # Calendar days to answer a data-subject request (R01).
    dsr_response_days: int = 15
    # Hours to notify customers and the regulator of an incident (A02).
    incident_notify_hours: int = 72
    # Training must be this recent at as_of (A01).
    training_max_age_days: int = 365
    # Algorithms that do not count as encryption at rest (S01), any case.
    weak_encryption_algorithms: tuple[str, ...] = ("none", "DES", "3DES", "RC4", "MD5", "SHA1")
    # Consent methods that are no explicit act (C07), any case.
    invalid_consent_methods: tuple[str, ...] = ("pre_checked", "implied", "opt_out", "default")
    # Actions that must carry a ticket (U01).
    ticketed_actions: tuple[str, ...] = ("export", "delete")
    # Days to fix a critical finding, after the end of the period it was first
    # seen in: the reports' due dates (no control reads these four keys).
    remediation_days_critical: int = 7
    # Days to fix a high finding (the reports' due dates).
    remediation_days_high: int = 30
    # Days to fix a medium finding (the reports' due dates).
    remediation_days_medium: int = 60
    # Days to fix a low finding (the reports' due dates).
    remediation_days_low: int = 90

    @property
    def business_hours_range(self) -> tuple[time, time]:
        """(start, end) as times of day; an end of 24:00 is the end of the day."""
        start, end = (t.strip() for t in self.business_hours.split("-"))
        return (time.fromisoformat(start),
                time.max if end == "24:00" else time.fromisoformat(end))

    def as_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v
                for k, v in dataclasses.asdict(self).items()}


@dataclass(frozen=True)
class CompanyPolicy(Policy):
    """A policy with the keys the company's controls add (controls/custom.py).
    A subclass, so the fields of Policy stay the built-in keys (the policy.yaml
    template lists them) and a policy without such keys is what it always was."""

    # (key, value) pairs sorted by key; lists as tuples, so it stays hashable.
    extra: tuple[tuple[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Every key, the company's ones among them, side by side."""
        values = super().as_dict()
        del values["extra"]
        values.update((k, list(v) if isinstance(v, tuple) else v) for k, v in self.extra)
        return values


_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d"
_HOURS = re.compile(rf"^\s*{_TIME}\s*-\s*(?:{_TIME}|24:00)\s*$")


def _check_value(name: str, expected: Any, value: Any) -> tuple[Any, str | None]:
    """Return (converted value, problem) for one key."""
    if isinstance(expected, bool):
        return (value, None) if isinstance(value, bool) else (None, "must be true or false")
    if isinstance(expected, int):
        if isinstance(value, bool) or not isinstance(value, int):
            return None, "must be a whole number"
        return (value, None) if value >= 0 else (None, "must not be negative")
    if isinstance(expected, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            return None, "must be a list of names, e.g. [a, b]"
        return tuple(str(v) for v in value), None
    if not isinstance(value, str):
        return None, "must be text"
    if name == "business_hours" and not _HOURS.match(value):
        return None, "must look like 08:00-20:00 (local start-end)"
    if name == "timezone" and not is_timezone(value):
        return None, "must be an IANA time zone such as Asia/Shanghai or UTC"
    return value, None


def is_timezone(name: str) -> bool:
    """True when DuckDB, which does the conversions, knows this zone."""
    con = duckdb.connect()
    try:
        found = con.execute("SELECT 1 FROM pg_timezone_names() WHERE name = ?", [name])
        return bool(found.fetchall())
    finally:
        con.close()


def policy_from_dict(raw: dict[str, Any], *, source: str = "policy",
                     extra_keys: Mapping[str, Any] | None = None) -> Policy:
    """Build a Policy, collecting every problem before raising. `extra_keys`
    are the keys the company's controls add, with their defaults."""
    defaults = Policy()
    expected = {f.name: getattr(defaults, f.name) for f in fields(Policy)}
    extra_keys = {k: tuple(v) if isinstance(v, list) else v
                  for k, v in (extra_keys or {}).items()}
    expected.update(extra_keys)
    known = list(expected)
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in raw.items():
        if key not in known:
            problems.append(Problem(f"{source}: key '{key}'", "is not a policy key",
                                    suggest(str(key), known)))
            continue
        if key in extra_keys and isinstance(value, list):  # YAML reads 2026-10-01 as a date
            value = [v.isoformat() if isinstance(v, date) else v for v in value]
        converted, problem = _check_value(key, expected[key], value)
        if problem:
            problems.append(Problem(f"{source}: key '{key}'", f"{problem} (got {value!r})"))
        else:
            values[key] = converted
    if problems:
        raise PolicyProblems("The policy file is not valid", problems)
    extra = {**extra_keys, **{k: v for k, v in values.items() if k in extra_keys}}
    values = {k: v for k, v in values.items() if k not in extra_keys}
    policy = (CompanyPolicy(**values, extra=tuple(sorted(extra.items()))) if extra_keys
              else dataclasses.replace(defaults, **values))
    start, end = policy.business_hours_range if "business_hours" in values else (None, None)
    if start is not None and end is not None and start >= end:
        raise PolicyError(f"{source}: business_hours starts at or after it ends",
                          hint="write the start first, e.g. 08:00-20:00")
    return policy


def load_policy(path: str | Path | None,
                extra_keys: Mapping[str, Any] | None = None) -> Policy:
    """Read policy.yaml; no path means every default (of `extra_keys` too)."""
    if path is None:
        return policy_from_dict({}, extra_keys=extra_keys)
    path = Path(path)
    if not path.is_file():
        raise PolicyError(f"policy file {path} does not exist", hint="check the --policy path")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PolicyError(f"policy file {path} is not valid YAML: {exc}",
                          hint="fix the YAML syntax (keys like `timezone: Asia/Shanghai`)") from exc
    if not isinstance(raw, dict):
        raise PolicyError(f"policy file {path} must hold `key: value` lines")
    return policy_from_dict(raw, source=str(path), extra_keys=extra_keys)
