"""A company's own controls: a folder of .sql files written like the built-in ones.

`--controls-dir DIR` (run, validate, controls), `controls_dir:` in a batch file
and the notebook's `controls_dir` parameter add them to the catalog. Each file
has the built-in header and query (catalog.py) and is checked by the same
rules, plus these:

- its id is `X` and two or three digits (X01…X999): no built-in family uses X,
  so a company's control can never take, or later be taken by, a built-in id;
- a header may declare policy keys of its own with their defaults
  (`policy: {public_holidays: ['2026-10-01']}`); policy.yaml may then set them,
  and the engine binds them like the built-in keys. Two controls declaring one
  key must agree on its default; a built-in key cannot be redeclared.

Every problem of every file is reported at once (DefinitionProblems, exit 2).
The folder is read afresh each time (no cache): an analyst editing a control
in a notebook sees the edit on the next run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from privacylib.controls.catalog import Control, load_catalog, parse_control, sort_controls
from privacylib.errors import DefinitionProblems, Problem, UsageError


def load_custom(folder: str | Path) -> tuple[Control, ...]:
    """The company's controls of `folder`, every problem of every file reported at once."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"controls folder {folder} does not exist or is not a folder",
                         hint="--controls-dir names a folder of X01_….sql files")
    paths = sorted(folder.glob("*.sql"))
    problems: list[Problem] = []
    if not paths:
        problems.append(Problem(str(folder), "holds no control (no .sql file)",
                                "copy examples/controls/X01_holiday_export.sql to start"))
    controls = [c for path in paths if (c := parse_control(path, problems, custom=True))]
    ids = [c.id for c in controls]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(dup, "is defined more than once"))
    defaults: dict[str, tuple[str, Any]] = {}
    for control in controls:
        for key, value in control.policy_defaults:
            first = defaults.setdefault(key, (control.id, value))
            if first[1] != value:
                problems.append(Problem(control.path.name, f"policy key '{key}' has another "
                                        f"default than in {first[0]}",
                                        "declare a shared key with one default"))
    if problems:
        raise DefinitionProblems(f"The company's controls in {folder} are not valid", problems)
    return sort_controls(controls)


def catalog_for(folder: str | Path | None) -> tuple[Control, ...]:
    """The built-in catalog, with the company's controls of `folder` when one is named."""
    if folder is None:
        return load_catalog()
    return sort_controls((*load_catalog(), *load_custom(folder)))


def policy_keys(controls: Iterable[Control]) -> dict[str, Any]:
    """The policy keys these controls add, with their defaults."""
    return {key: value for c in controls for key, value in c.policy_defaults}
