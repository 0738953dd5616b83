"""Golden cases as data: read and check tests/controls/cases/<ID>.yaml.

A file holds one control's cases:

    defaults:                 # optional: per dataset, the columns every row has
      access_log: {actor_id: A1, action: read, purpose: service}
    cases:
      - title: exports and deletions need a ticket
        tables:               # dataset -> rows; [] is the dataset with no row
          access_log:
            - {event_id: E1, ts: '2026-10-05 10:00', action: export}
            - repeat: [0, 3]  # i = 0, 1, 2 (n = i - start); '{i}' in texts
              row: {event_id: 'a{i}', ts: '2026-10-05 10:00'}
        policy: {ticketed_actions: [PRINT]}   # optional overrides of the policy
        period: 2026-10                       # optional, 2026-10 by default
        expect: {outcome: fail, checked: 4, subjects: [E1], reason_names: access_log}

A row lists only what differs from its dataset's defaults; `null` blanks a
default. Values are written to CSV as the text they are in the file: dates
and times stay text (no YAML timestamps), `yes`/`no` stay text, and only
`true`/`false`, whole and decimal numbers and `null` are read as such.
`reason_names` (optional) is a dataset the control's reason must name, in
English and Chinese (a no_data reason says what it looked at).

A company's control (controls/custom.py) keeps its cases beside it; the file
then says where the control is, relative to itself, and its cases may set
the policy keys the control declares:

    controls_dir: ..          # the folder of X01_….sql
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from privacylib.config.policy import Policy, policy_from_dict
from privacylib.contract import DATASETS
from privacylib.errors import PrivacyLibError

CASES_DIR = Path(__file__).parent / "cases"
DEFAULT_PERIOD = "2026-10"
OUTCOMES = ("pass", "fail", "no_data")
FILE_KEYS = {"defaults", "cases", "controls_dir"}
CASE_KEYS = {"title", "tables", "policy", "period", "expect"}
EXPECT_KEYS = {"outcome", "subjects", "checked", "reason_names"}
COLUMNS = {d.name: set(d.column_names) for d in DATASETS}
Scalar = str | int | float | bool | None


class FixtureError(ValueError):
    """A golden-case file that does not say what it means to."""


class _Loader(yaml.SafeLoader):
    """YAML 1.2-like scalars: timestamps, yes/no and octal stay text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool",
                           "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, _rx, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|false)$", "tf"),
    # 0012 stays text: an identifier's leading zeros are part of it.
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    ("tag:yaml.org,2002:float", r"^[-+]?[0-9]+\.[0-9]+$", "-+0123456789"),
):
    _Loader.add_implicit_resolver(_tag, re.compile(_rx), list(_first))


@dataclass(frozen=True)
class Expect:
    outcome: str
    subjects: frozenset[str]
    checked: int
    reason_names: str | None = None


@dataclass(frozen=True)
class GoldenCase:
    control_id: str
    title: str
    file: str
    tables: dict[str, list[dict[str, Scalar]]]
    policy: Policy | None
    period: str
    expect: Expect
    # The company's controls folder the control is in; None: a built-in control.
    controls_dir: Path | None = None

    @property
    def id(self) -> str:
        return f"{self.control_id}-{slug(self.title)}"


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def load_all(folder: Path = CASES_DIR) -> list[GoldenCase]:
    return [case for path in sorted(folder.glob("*.yaml")) for case in load_file(path)]


def load_file(path: Path) -> list[GoldenCase]:
    where = path.name
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    _mapping(raw, where, "the file")
    _known(raw, FILE_KEYS, where, "the file")
    defaults = raw.get("defaults") or {}
    _mapping(defaults, where, "defaults")
    for dataset, row in defaults.items():
        _row(row, dataset, where, f"defaults of {dataset!r}")
    cases = raw.get("cases")
    if not isinstance(cases, list) or not cases:
        raise FixtureError(f"{where}: 'cases' must be a non-empty list of cases")
    controls_dir = _controls_dir(raw, path)
    extra = _policy_keys(controls_dir)
    found = [_case(path.stem, c, defaults, where, n, controls_dir, extra)
             for n, c in enumerate(cases, start=1)]
    ids = [c.id for c in found]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise FixtureError(f"{where}: two cases have the same title slug: {twice}")
    return found


def _controls_dir(raw: dict, path: Path) -> Path | None:
    if raw.get("controls_dir") is None:
        return None
    folder = (path.parent / str(raw["controls_dir"])).resolve()
    if not folder.is_dir():
        raise FixtureError(f"{path.name}: controls_dir {folder} is not a folder")
    return folder


def _policy_keys(controls_dir: Path | None) -> dict[str, Any]:
    if controls_dir is None:
        return {}
    from privacylib.controls.custom import load_custom, policy_keys

    return policy_keys(load_custom(controls_dir))


def _case(control_id: str, raw: Any, defaults: dict, file: str, n: int,
          controls_dir: Path | None = None, extra: dict[str, Any] | None = None,
          ) -> GoldenCase:
    title = raw.get("title") if isinstance(raw, dict) else None
    where = f"{file}, case {n} ({title!r})"
    _mapping(raw, where, "the case")
    _known(raw, CASE_KEYS, where, "the case")
    for key in ("title", "tables", "expect"):
        if key not in raw:
            raise FixtureError(f"{where}: '{key}' is missing")
    if not isinstance(title, str) or not slug(title):
        raise FixtureError(f"{where}: 'title' must be a text with letters or digits")
    _mapping(raw["tables"], where, "tables")
    tables = {name: _rows(rows, name, defaults.get(name) or {}, where)
              for name, rows in raw["tables"].items()}
    policy = None
    if raw.get("policy") is not None:
        _mapping(raw["policy"], where, "policy")
        try:
            policy = policy_from_dict(raw["policy"], source=where, extra_keys=extra)
        except PrivacyLibError as exc:
            raise FixtureError(f"{where}: policy: {exc}") from exc
    if policy is None and extra:  # the control's own keys need their defaults bound
        policy = policy_from_dict({}, extra_keys=extra)
    return GoldenCase(control_id, title, file, tables, policy,
                      str(raw.get("period", DEFAULT_PERIOD)), _expect(raw["expect"], where),
                      controls_dir)


def _rows(rows: Any, dataset: str, defaults: dict, where: str) -> list[dict[str, Scalar]]:
    if dataset not in COLUMNS:
        raise FixtureError(f"{where}: {dataset!r} is no dataset of the data contract")
    if not isinstance(rows, list):
        raise FixtureError(f"{where}: the rows of {dataset!r} must be a list")
    out: list[dict[str, Scalar]] = []
    for row in rows:
        if isinstance(row, dict) and "repeat" in row:
            out += _repeat(row, dataset, defaults, where)
        else:
            _row(row, dataset, where, f"a row of {dataset!r}")
            out.append(_text({**defaults, **row}))
    return out


def _repeat(block: dict, dataset: str, defaults: dict, where: str) -> list[dict[str, Scalar]]:
    """`repeat: [start, stop]` and a `row` whose texts may say {i} and {n}."""
    span, template = block.get("repeat"), block.get("row")
    what = f"a repeat block of {dataset!r}"
    _known(block, {"repeat", "row"}, where, what)
    if not (isinstance(span, list) and len(span) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in span)):
        raise FixtureError(f"{where}: {what}: 'repeat' must be [start, stop], whole numbers")
    _row(template, dataset, where, what)
    start, stop = span
    return [_text({**defaults, **{k: v.format(i=i, n=i - start) if isinstance(v, str) else v
                                  for k, v in template.items()}})
            for i in range(start, stop)]


def _row(row: Any, dataset: str, where: str, what: str) -> None:
    if dataset not in COLUMNS:
        raise FixtureError(f"{where}: {dataset!r} is no dataset of the data contract")
    _mapping(row, where, what)
    unknown = sorted(set(row) - COLUMNS[dataset])
    if unknown:
        raise FixtureError(f"{where}: {what}: {unknown} are no columns of {dataset!r} "
                           f"(the contract has {sorted(COLUMNS[dataset])})")
    for column, value in row.items():
        if not isinstance(value, Scalar):
            raise FixtureError(f"{where}: {what}: {column!r} must be one value, "
                               f"not {type(value).__name__}")


def _text(row: dict[str, Scalar]) -> dict[str, Scalar]:
    # CSV has no booleans: write them as the lower-case words an export would.
    return {k: ("true" if v else "false") if isinstance(v, bool) else v for k, v in row.items()}


def _expect(raw: Any, where: str) -> Expect:
    _mapping(raw, where, "expect")
    _known(raw, EXPECT_KEYS, where, "expect")
    missing = sorted({"outcome", "subjects", "checked"} - set(raw))
    if missing:
        raise FixtureError(f"{where}: expect: {missing} missing")
    outcome, subjects, checked = raw["outcome"], raw["subjects"], raw["checked"]
    if outcome not in OUTCOMES:
        raise FixtureError(f"{where}: expect: outcome must be one of {OUTCOMES}, not {outcome!r}")
    if not isinstance(subjects, list) or not all(isinstance(s, str) for s in subjects):
        raise FixtureError(f"{where}: expect: subjects must be a list of texts")
    if len(set(subjects)) != len(subjects):
        raise FixtureError(f"{where}: expect: a subject is listed twice")
    if (outcome == "fail") != bool(subjects):
        raise FixtureError(f"{where}: expect: a fail names subjects, a {outcome} names none")
    if isinstance(checked, bool) or not isinstance(checked, int) or checked < 0:
        raise FixtureError(f"{where}: expect: checked must be a whole number >= 0")
    reason = raw.get("reason_names")
    if reason is not None and reason not in COLUMNS:
        raise FixtureError(f"{where}: expect: reason_names {reason!r} is no dataset")
    return Expect(outcome, frozenset(subjects), checked, reason)


def _mapping(value: Any, where: str, what: str) -> None:
    if not isinstance(value, dict):
        raise FixtureError(f"{where}: {what} must be a mapping, not {type(value).__name__}")


def _known(raw: dict, keys: set[str], where: str, what: str) -> None:
    unknown = sorted(set(raw) - keys)
    if unknown:
        raise FixtureError(f"{where}: {what}: unknown key(s) {unknown}; known: {sorted(keys)}")
