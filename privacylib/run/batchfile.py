"""The file of `privacy-audit batch` (batch.py shows one), checked whole
before any run starts: every problem is reported at once (exit 2), never as
a traceback.

Its shape first: `defaults` and `matrix` are mappings, `runs` a list of
mappings, each matrix value a list (`period: 2026-10` is one value: written
`period: [2026-10]`), `workers` a whole number of at least 1, `out` a folder
name. `out` is the batch's, not a run's. Then each run is resolved, once
(config/params.py): a run audits with the policy the batch was checked with.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from privacylib.audit.verdict import check_fail_on
from privacylib.config.params import AuditConfig, ResolvedConfig, resolve
from privacylib.errors import ConfigError, PrivacyLibError, Problem, ProblemsError, suggest
from privacylib.run.runner import folder_name
from privacylib.trail.store import STORE_NAME

KEYS = ("defaults", "runs", "matrix", "out", "workers", "store", "signing_key", "fail_on",
        "controls_dir", "engine", "spark_master", "spark_reads")
# Top-level keys that are every run's parameter (a run may still set its own).
SHARED = ("controls_dir", "engine", "spark_master", "spark_reads")
PATH_PARAMETERS = ("data", "policy", "mapping", "key_file", "exceptions", "store",
                   "controls_dir")
# The one parameter a matrix may list null for: a run of the whole company
# beside its scoped runs (any other null left a run without its value).
NULL_MEANS_ALL = "scope"
# The most runs one file may ask for. A year of months over a few hundred
# scopes is a few thousand; resolving a run costs about a millisecond, so the
# check stays in seconds. A matrix of a million runs took minutes just to be
# checked (and a batch of them days): a slip, said before any is resolved.
MAX_RUNS = 10_000


@dataclass(frozen=True)
class Batch:
    # One configuration per run, resolved.
    configs: list[ResolvedConfig]
    # Where the run folders (and, by default, the audit store) go.
    out: Path
    # Parallel processes.
    workers: int
    # The key that signs every run's manifest; None: as for `run`.
    signing_key: Path | None
    # Open findings at or above this severity make a run exit 4; None: never.
    fail_on: str | None = None


def parameter_sets(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The explicit runs, then every combination of the matrix, over the defaults."""
    defaults = spec.get("defaults") or {}
    sets = [{**defaults, **run} for run in spec.get("runs") or []]
    matrix = spec.get("matrix") or {}
    if matrix:
        names = list(matrix)
        for values in itertools.product(*(matrix[n] for n in names)):
            sets.append({**defaults, **dict(zip(names, values, strict=True))})
    return sets


def run_count(spec: dict[str, Any]) -> int:
    """How many runs the file asks for, without making them (shape checked)."""
    matrix = spec.get("matrix") or {}
    return len(spec.get("runs") or []) + (math.prod(map(len, matrix.values())) if matrix else 0)


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a text", type(None): "empty (null)"}.get(
        type(value), f"a {type(value).__name__}")


def _parameter_problems(where: str, params: dict) -> list[Problem]:
    """A mapping of run parameters: named in text, and without the batch's `out`."""
    problems = [Problem(where, f"parameter name {k!r} is not a text", "write name: value")
                for k in params if not isinstance(k, str)]
    if "out" in params:
        problems.append(Problem(where, "'out' is the batch's, not a run's: every run's "
                                "folder goes in it", "set `out:` once, at the top level"))
    return problems


def shape_problems(spec: dict[str, Any], name: str) -> list[Problem]:
    """What in the file's structure keeps its runs from being made."""
    problems: list[Problem] = []
    for key, example in (("defaults", "defaults: {data: exports}"),
                         ("matrix", "matrix: {period: [2026-10, 2026-11]}")):
        value = spec.get(key)
        if value is not None and not isinstance(value, dict):
            problems.append(Problem(f"{name}: '{key}'", f"is {_kind(value)}, not a mapping",
                                    f"write e.g. `{example}`"))
        elif value:
            problems += _parameter_problems(f"{name}: '{key}'", value)
    runs = spec.get("runs")
    if runs is not None and not isinstance(runs, list):
        problems.append(Problem(f"{name}: 'runs'", f"is {_kind(runs)}, not a list of runs",
                                "write e.g. `runs: [{period: 2026-09}, {period: 2026-10}]`"))
    for n, run in enumerate(runs if isinstance(runs, list) else [], start=1):
        if not isinstance(run, dict):
            problems.append(Problem(f"{name}: run {n}", f"is {_kind(run)}, not a mapping of "
                                    "parameters", "write e.g. `- {period: 2026-10}`"))
        else:
            problems += _parameter_problems(f"{name}: run {n}", run)
    matrix = spec.get("matrix")
    for key, values in (matrix.items() if isinstance(matrix, dict) else []):
        where = f"{name}: matrix '{key}'"
        if not isinstance(values, list):
            problems.append(Problem(where, f"is {_kind(values)}, not a list of values",
                                    "write a list, even of one value: "
                                    f"`{key}: [{'…' if values is None else values}]`"))
        elif not values:
            problems.append(Problem(where, "is an empty list: the matrix makes no run",
                                    "give it its values, or remove it"))
        elif key != NULL_MEANS_ALL and any(v is None for v in values):
            problems.append(Problem(where, "holds an empty value (null)", "give each value"))
    problems += _batch_value_problems(spec, name)
    return problems


def _batch_value_problems(spec: dict[str, Any], name: str) -> list[Problem]:
    problems = []
    workers = spec.get("workers", 2)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        problems.append(Problem(f"{name}: 'workers'", f"{workers!r} is not a whole number of "
                                "at least 1", "e.g. `workers: 2`"))
    if "out" in spec and (not isinstance(spec["out"], str) or not spec["out"].strip()):
        problems.append(Problem(f"{name}: 'out'", f"is {_kind(spec['out'])}, not a folder",
                                "e.g. `out: runs` (the default), relative to this file"))
    for key in ("store", "signing_key"):
        if spec.get(key) is not None and not isinstance(spec[key], str):
            problems.append(Problem(f"{name}: '{key}'", f"is {_kind(spec[key])}, not a file",
                                    "give its path, relative to this file"))
    return problems


def read_spec(path: Path) -> dict[str, Any]:
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError as exc:
        raise ConfigError(f"batch file {path} is not UTF-8 text (byte {exc.start} is not)",
                          hint="save it as UTF-8") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"batch file {path} cannot be read: {exc}") from exc
    if not isinstance(spec, dict):
        raise ConfigError(f"batch file {path} must hold keys: {', '.join(KEYS)}")
    return spec


def load_batch(path: str | Path) -> Batch:
    """Every run of the file, every problem of it reported at once."""
    path = Path(path)
    spec = read_spec(path)
    problems = [Problem(f"{path.name}: '{k}'", "is not a batch key", suggest(str(k), KEYS))
                for k in spec if k not in KEYS]
    shape = shape_problems(spec, path.name)
    problems += shape
    configs: list[ResolvedConfig] = []
    if not shape:
        count = run_count(spec)
        if count > MAX_RUNS:
            problems.append(Problem(path.name, f"asks for {count:,} runs, more than "
                                    f"{MAX_RUNS:,} at once", "split it into several batches"))
        else:
            configs = _resolved_runs(spec, path, problems)
    try:
        check_fail_on(spec.get("fail_on"))
    except PrivacyLibError as exc:
        problems.append(Problem(f"{path.name}: 'fail_on'", exc.message, exc.hint))
    if not configs and not problems:
        problems.append(Problem(path.name, "names no run", "add `runs:` or `matrix:`"))
    if problems:
        raise ProblemsError(f"The batch file {path} is not valid", problems)
    key = path.parent / spec["signing_key"] if spec.get("signing_key") else None
    return Batch(configs, _out(spec, path), spec.get("workers", 2), key, spec.get("fail_on"))


def _out(spec: dict[str, Any], path: Path) -> Path:
    return (path.parent / spec.get("out", "runs")).resolve()


def _resolved_runs(spec: dict[str, Any], path: Path,
                   problems: list[Problem]) -> list[ResolvedConfig]:
    """Each run resolved; what is wrong with one goes to PROBLEMS."""
    configs, names = [], {}
    out = _out(spec, path)
    store = path.parent / spec["store"] if spec.get("store") else out / STORE_NAME
    # A run may name its own controls_dir, engine… (in defaults, runs or
    # matrix); the top-level key is every run's.
    shared = {k: spec[k] for k in SHARED if spec.get(k)}
    for n, params in enumerate(parameter_sets(spec), start=1):
        params = {"store": str(store), **shared, **params}
        # YAML reads 2026-10-01 as a date: the parameters want its text.
        params = {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
        params = {k: (str((path.parent / v).resolve())
                      if k in PATH_PARAMETERS and isinstance(v, str) and v else v)
                  for k, v in params.items()}
        try:
            resolved = resolve(AuditConfig.from_parameters(**params))
        except PrivacyLibError as exc:
            problems.append(Problem(f"{path.name}: run {n} {params}", exc.message, exc.hint))
            continue
        config = resolved.config
        if not config.mask:  # every unmasked report is asked for alone, with why
            problems.append(Problem(f"{path.name}: run {n}", "asks for an unmasked report",
                                    "run it alone: privacy-audit run --no-mask --reason …"))
        name = folder_name(config)
        if name in names:
            problems.append(Problem(f"{path.name}: run {n}", f"has the same folder name as run "
                                    f"{names[name]} ({name})", "give each run its own period "
                                    "or scope"))
        names[name] = n
        configs.append(resolved)
    return configs
