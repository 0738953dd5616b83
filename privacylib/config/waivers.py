"""Accepted risks: exceptions that mark findings `excepted` until they expire.

An exceptions file is CSV (UTF-8 or GB18030, header row) or YAML (a list of
mappings), one accepted risk per row:

    control_id, subject_id, reason, compensating_control, requested_by,
    approved_by, expires_on

`subject_id` is one subject id or a pattern with `*` and `?` (`E10*`, `*`).
An exception holds through its expiry date. It is judged as of the audit's
as_of (the end of the period, local date), not the day the report is made,
so the same inputs give the same result on any day. Each row is:

- valid: a matching finding is `excepted` and carries the exception's
  details, in every output; it is never hidden;
- expired: as_of falls after the expiry date; matching findings stay open
  and the report lists the exception;
- invalid: no approver, approved by its own requester, no requester, no
  reason, an unknown control or an expiry that is no date; it applies to
  nothing and the report says why.

A file that cannot be read or lacks a column is an error naming every problem.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import date, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from privacylib.controls.catalog import load_catalog
from privacylib.errors import ConfigError, Problem, ProblemsError, suggest
from privacylib.vocab import Status

COLUMNS = ("control_id", "subject_id", "reason", "compensating_control", "requested_by",
           "approved_by", "expires_on")
OPTIONAL = ("compensating_control",)
ALIASES = {"control": "control_id", "subject": "subject_id", "pattern": "subject_id",
           "expiry": "expires_on", "expires": "expires_on", "expiry_date": "expires_on",
           "approver": "approved_by", "requester": "requested_by",
           "compensating": "compensating_control"}
# Columns added to every findings table: empty unless an exception applies.
FINDING_COLUMNS = ("exception_source", "exception_reason", "exception_compensating_control",
                   "exception_requested_by", "exception_approved_by", "exception_expires_on")


class ExceptionsProblems(ProblemsError, ConfigError):
    """Every problem of an exceptions file."""


@dataclass(frozen=True)
class RiskException:
    # File and row it came from: exceptions.csv:3 (line) or exceptions.yaml#2 (item).
    source: str
    control_id: str
    subject_id: str
    reason: str
    compensating_control: str
    requested_by: str
    approved_by: str
    expires_on: str
    # valid, expired or invalid, as of the audit's as_of.
    state: str
    # Why it is expired or invalid; empty when valid.
    problem: str

    def matches(self, control_id: str, subject_id: str) -> bool:
        return control_id == self.control_id and fnmatchcase(subject_id, self.subject_id)


def load_exceptions(path: str | Path, *, as_of_date: date,
                    control_ids: Collection[str] | None = None) -> tuple[RiskException, ...]:
    """Every row of the file, judged; `control_ids` default to the catalog's."""
    if control_ids is None:
        control_ids = {c.id for c in load_catalog()}
    rows = _read(Path(path))
    return tuple(_judge(where, row, as_of_date, control_ids) for where, row in rows)


def _read(path: Path) -> list[tuple[str, dict[str, str]]]:
    """[(source, row with canonical column names)]; file-level problems raise."""
    if not path.is_file():
        raise ConfigError(f"exceptions file {path} does not exist",
                          hint="check the --exceptions path")
    problems: list[Problem] = []
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ConfigError(f"exceptions file {path} is not valid YAML: {exc}") from exc
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ConfigError(f"exceptions file {path} must be a list of mappings",
                              hint="- {control_id: U04, subject_id: E1001, reason: …}")
        sources = [f"{path.name}#{n}" for n in range(1, len(items) + 1)]
        header = list(dict.fromkeys(str(k) for item in items for k in item))
    else:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        reader = csv.DictReader(io.StringIO(text))
        header = list(reader.fieldnames or [])
        items, sources = [], []
        for item in reader:  # line_num is the record's last line: the one a reader sees
            items.append(item)
            sources.append(f"{path.name}:{reader.line_num}")
    rename = {h: ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header}
    for h, name in rename.items():
        if name not in COLUMNS:
            problems.append(Problem(f"{path.name}: column '{h}'", "is not an exceptions column",
                                    suggest(name, COLUMNS)))
    for column in COLUMNS:
        if column not in rename.values() and column not in OPTIONAL:
            problems.append(Problem(f"{path.name}", f"has no column '{column}'",
                                    "columns: " + ", ".join(COLUMNS)))
    if problems:
        raise ExceptionsProblems(f"The exceptions file {path} cannot be used", problems)
    rows = []
    for source, item in zip(sources, items, strict=True):
        row = {c: "" for c in COLUMNS}
        for k, v in item.items():
            if k is not None and k in rename:
                row[rename[k]] = _text(v)
        rows.append((source, row))
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        return None


def _judge(source: str, row: dict[str, str], as_of_date: date, control_ids: Collection[str],
           ) -> RiskException:
    row = {**row, "control_id": row["control_id"].upper()}
    problem = ""
    expires = _date(row["expires_on"])
    if row["control_id"] not in control_ids:
        problem = f"control '{row['control_id']}' does not exist"
    elif not row["subject_id"]:
        problem = "no subject id or pattern"
    elif not row["reason"]:
        problem = "no reason given"
    elif not row["requested_by"]:
        problem = "no requester recorded"
    elif not row["approved_by"]:
        problem = "not approved: no approver"
    elif row["approved_by"].casefold() == row["requested_by"].casefold():
        problem = "approved by its own requester"
    elif expires is None:
        problem = f"expiry '{row['expires_on']}' is not a date (YYYY-MM-DD)"
    if problem:
        return RiskException(source, **row, state="invalid", problem=problem)
    if expires < as_of_date:
        return RiskException(source, **row, state="expired",
                             problem=f"expired on {expires}, before as_of {as_of_date}")
    return RiskException(source, **row, state="valid", problem="")


def apply(findings: pd.DataFrame, exceptions: Collection[RiskException]) -> pd.DataFrame:
    """Findings with status `excepted` and the details of the first valid match."""
    valid = [e for e in exceptions if e.state == "valid"]
    details = []
    for control_id, subject_id in zip(findings["control_id"], findings["subject_id"],
                                      strict=True):
        match = next((e for e in valid if e.matches(control_id, subject_id)), None)
        details.append(("", "", "", "", "", "") if match is None else (
            match.source, match.reason, match.compensating_control, match.requested_by,
            match.approved_by, match.expires_on))
    out = findings.copy()
    extra = pd.DataFrame(details, columns=list(FINDING_COLUMNS), index=findings.index)
    for column in FINDING_COLUMNS:
        out[column] = extra[column]
    out["status"] = [str(Status.EXCEPTED if s else Status.OPEN) for s in extra["exception_source"]]
    return out


def exceptions_frame(exceptions: Collection[RiskException], findings: pd.DataFrame,
                     ) -> pd.DataFrame:
    """One row per exception, with its state and how many findings it matches."""
    pairs = list(zip(findings["control_id"], findings["subject_id"], strict=True))
    rows = [{**asdict(e), "findings": sum(e.matches(c, s) for c, s in pairs)}
            for e in exceptions]
    return pd.DataFrame(rows, columns=["source", *COLUMNS, "state", "problem", "findings"])
