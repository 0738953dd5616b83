"""Sources by name: `source: pgaudit` in mapping.yaml reads a system's native
file and maps it onto the contract with no further mapping.

A preset is data, not code: the dataset it feeds, the mapping it stands for
(as mapping.yaml would say it, so the same checks validate it), its options
and its documented gaps. The reader that frames the native file is the
registered reader of the same name (intake/readers/); this package imports
no reader, so config/mapping.py may use it without an import cycle.

Precedence: the user's keys are laid over the preset's (merge): a source
name under `columns` replaces the preset's entry for that name, and a
contract column the user fills (from a source or as a constant) is no longer
filled by the preset; `constants`, `values` (per source value), `keep` and
`drop` (per source name) merge the same way, the user winning; `key`,
`timezone`, `timestamp_format`, `default_year`, `encoding` are the user's
when given; `ignore` is the union. A preset that keeps only the rows its
action table knows (`keep_mapped`) keeps those of the user's `values.action`
too, so adding a command to the table is enough to load it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from privacylib.errors import Problem, suggest

# An option's check: the problem with a value (None when it is good).
Check = Callable[[Any], str | None]


@dataclass(frozen=True)
class Option:
    default: Any
    check: Check
    about: str


@dataclass(frozen=True)
class Preset:
    name: str
    # The dataset of the contract it feeds.
    dataset: str
    # The mapping it stands for, given its options (with defaults filled).
    mapping: Callable[[dict[str, Any]], dict[str, Any]]
    about: str
    options: dict[str, Option] = field(default_factory=dict)
    # What the format never carries, said once per source in the load's warnings.
    gaps: tuple[str, ...] = ()
    # A source column whose values the action table (values.action) names:
    # only those rows load, the others are filtered ("keep (<column>)"). Its
    # reader writes it lower-case.
    keep_mapped: str | None = None
    # Gaps that depend on the options (a customer column given or not).
    option_gaps: Callable[[dict[str, Any]], list[str]] | None = None


def text_option(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be text"


def _registry() -> dict[str, Preset]:
    from privacylib.intake.presets import (
        cloudtrail,
        kantara,
        mysql,
        pgaudit,
        ranger,
        syslog,
        tcf,
    )

    return {p.name: p for p in (pgaudit.PRESET, mysql.PRESET, cloudtrail.PRESET,
                                ranger.PRESET, syslog.PRESET, kantara.PRESET, tcf.PRESET)}


_PRESETS: dict[str, Preset] = {}


def presets() -> dict[str, Preset]:
    """Every preset by name (built on first use: the modules import this one)."""
    if not _PRESETS:
        _PRESETS.update(_registry())
    return _PRESETS


def source_gaps(mapping: Any) -> list[str]:
    """A dataset mapping's preset gaps, once per source, for the load's warnings."""
    name = mapping.source_name
    if not name:
        return []
    preset = presets()[name]
    more = preset.option_gaps(dict(mapping.source)) if preset.option_gaps else []
    return [f"{name}: {_as_given(gap, mapping)}" for gap in (*preset.gaps, *more)]


# "purpose is null on every row", "purpose and data_category are null on every row"
_NULL_COLUMNS = re.compile(r"\b(\w+(?: and \w+)*) (?:is|are) null on every row")


def _as_given(gap: str, mapping: Any) -> str:
    """A gap as it stands once the user's keys are laid over the preset: a
    column the format lacks but the mapping gives (a constant, a source
    column) is no longer null, and the warning must not say it is."""
    found = _NULL_COLUMNS.search(gap)
    if not found:
        return gap
    # A constant of null is the preset saying the format has no such field.
    fed = {c for c, v in mapping.constants.items() if v is not None} | {
        t for source in mapping.columns for t in mapping.targets(source)}
    if not all(c in fed for c in found.group(1).split(" and ")):
        return gap
    return f"{gap[:found.start()]}{found.group(1)} given by mapping.yaml{gap[found.end():]}"


def parse_source(dataset: str, value: Any, at: str, problems: list[Problem],
                 ) -> tuple[Preset, dict[str, Any]] | None:
    """`source: NAME` or `source: {name: NAME, option: value, …}` as its
    preset and its options (defaults filled); None with problems added."""
    raw = {"name": value} if isinstance(value, str) else value
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        problems.append(Problem(at, "must name a source format, or be a block with its name",
                                "e.g. source: pgaudit, or source: {name: pgaudit, prefix: "
                                "'%m [%p] '}"))
        return None
    name = raw["name"].strip().lower()
    known = presets()
    if name not in known:
        problems.append(Problem(at, f"'{raw['name']}' is not a source format",
                                suggest(name, known) + " (formats: " + ", ".join(known) + ")"))
        return None
    preset = known[name]
    if preset.dataset != dataset:
        problems.append(Problem(at, f"{name} feeds {preset.dataset}, not {dataset}",
                                f"put source: {name} under {preset.dataset}"))
        return None
    options = {k: o.default for k, o in preset.options.items()}
    for key, given in raw.items():
        if key == "name":
            continue
        if key not in preset.options:
            problems.append(Problem(f"{at}.{key}", f"is not an option of {name}",
                                    suggest(str(key), preset.options) if preset.options
                                    else f"{name} has no options"))
            continue
        # Its default is always good (a resolved mapping spells every option out).
        why = None if given == preset.options[key].default else preset.options[key].check(given)
        if why:
            problems.append(Problem(f"{at}.{key}", f"{given!r} {why}",
                                    preset.options[key].about))
        else:
            options[key] = given
    return preset, options


def merge(preset: Preset, options: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """The preset's mapping with the user's keys laid over it (module docstring)."""
    base = preset.mapping(options)
    out = {k: v for k, v in user.items() if k != "source"}
    mine = {t for v in (user.get("columns") or {}).values()
            for t in (v if isinstance(v, (list, tuple)) else [v]) if isinstance(t, str)}
    mine |= set(user.get("constants") or {})
    columns: dict[str, Any] = {}
    for src, dst in (base.get("columns") or {}).items():
        kept = [d for d in ([dst] if isinstance(dst, str) else dst) if d not in mine]
        if kept and src not in (user.get("columns") or {}):
            columns[src] = kept[0] if len(kept) == 1 else kept
    if isinstance(user.get("columns"), dict):
        columns.update(user["columns"])
    out["columns"] = columns
    fed = {t for v in columns.values() for t in ([v] if isinstance(v, str) else v)}
    if isinstance(user.get("constants"), dict) or "constants" in base:
        consts = {c: v for c, v in (base.get("constants") or {}).items() if c not in fed}
        consts.update(user.get("constants") or {})
        out["constants"] = consts
    for key in ("values", "keep", "drop"):
        if key in base or key in user:
            out[key] = _over(base.get(key), user.get(key), deep=key == "values")
    if "key" not in user and "key" in base and not fed & {"event_id", "consent_id"}:
        out["key"] = base["key"]
    if "ignore" in base or "ignore" in user:
        extra = user.get("ignore") or []
        out["ignore"] = list(dict.fromkeys([*base.get("ignore", []),
                                            *(extra if isinstance(extra, list) else [extra])]))
    for key in ("timezone", "timestamp_format", "default_year", "encoding"):
        if key in base and key not in user:
            out[key] = base[key]
    if preset.keep_mapped and isinstance(out.get("values"), dict):
        table = out["values"].get("action")
        if isinstance(table, dict):
            keep = dict(out.get("keep") or {})
            # values match in any case, keep exactly: the reader writes the
            # column lower-case, and the table's keys are lowered to match.
            keep[preset.keep_mapped] = list(dict.fromkeys(str(k).lower() for k in table))
            out["keep"] = keep
    return out


def _over(base: Any, user: Any, *, deep: bool) -> Any:
    """`user` laid over `base`, per key (per value too for `values`); a user
    value of the wrong shape is passed on as it is, for the checks to name."""
    if not isinstance(user, dict):
        return base if user is None else user
    out = dict(base or {})
    for k, v in user.items():
        if deep and isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = {**out[k], **v}
        else:
            out[k] = v
    return out
