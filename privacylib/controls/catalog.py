"""The control catalog: one .sql file per control, metadata above its query.

A control file starts with a YAML header written as `-- ` comments (id,
slug, family, titles, severity, seed clause, PIPL article, datasets, rule,
subject, reason and remediation in Chinese and English), then the query. The
query returns one row per finding with `subject_id`, `evidence` (JSON) and
the values its reason sentences name. Parameters such as `$as_of` and policy
thresholds are bound by the engine, never written into the SQL. A header holds
each key once and only the keys named here (a typo is named, with the key
meant); `datasets: access_log` is one dataset, as `[access_log]` is.

A company's own controls (controls/custom.py) are files of the same format in
a folder of their own, checked by the same rules; their ids are `X` and two or
three digits (X01…X999), a letter no built-in family uses, and they may
declare policy keys of their own with defaults (`policy:` in the header).
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from privacylib.contract import BY_NAME
from privacylib.controls.checks import check_policy, select_problem
from privacylib.controls.header import REQUIRED, dataset_names, load_header, split_file
from privacylib.errors import DefinitionProblems, Problem, UsageError, suggest
from privacylib.vocab import Localized

CONTROLS_DIR = Path(__file__).parent / "sql"
FAMILIES = ("collection", "storage", "use", "sharing", "rights", "accountability")
SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_ORDER = {s: n for n, s in enumerate(SEVERITIES)}
# Every parameter a control may use; the engine binds exactly these.
PARAMETERS = frozenset({
    "period_start", "period_end", "as_of", "tz", "business_start", "business_end",
    "flag_weekends", "bulk_export_records_per_day", "max_distinct_customers_per_day",
    "vuln_scan_max_age_days", "backup_max_gap_hours", "restore_test_max_age_days",
    "failed_restore_fix_days", "retention_grace_days", "dsr_response_days",
    "incident_notify_hours", "training_max_age_days", "weak_encryption_algorithms",
    "invalid_consent_methods", "ticketed_actions", "has_role_assignments",
})
_POPULATION_KEYS = {"dataset", "zh", "en", "count"}
_PARAM = re.compile(r"\$([a-z_]+)")
BUILTIN_ID = re.compile(r"[CSUHRA]\d\d")
# A company's control: X is no built-in family's letter, so no id can collide.
CUSTOM_ID = re.compile(r"X\d{2,3}")


@dataclass(frozen=True)
class Population:
    # The dataset the subjects are drawn from (named when there are none).
    dataset: str
    # What the subjects are, in words: `words(lang)`.
    words: Localized
    # A query returning one number: how many subjects the control examined.
    count_sql: str

    @property
    def parameters(self) -> frozenset[str]:
        return frozenset(_PARAM.findall(self.count_sql))

    # One text per language for callers that name the language (the engine).
    @property
    def zh(self) -> str:
        return self.words.zh

    @property
    def en(self) -> str:
        return self.words.en


@dataclass(frozen=True)
class Control:
    id: str
    slug: str
    family: str
    # Texts in every language, each called with one: `title(lang)`.
    title: Localized
    severity: str
    seed: str
    pipl: str
    datasets: tuple[str, ...]
    # Datasets read when present; their absence does not skip the control.
    optional_datasets: tuple[str, ...]
    rule: Localized
    subject: str
    # What the control examines: the dataset it is drawn from, the words, and
    # a query counting it (`checked`); a control that examined nothing is
    # `no_data`, never `pass`.
    population: Population
    # A template of the finding's sentence, filled by the engine with the row.
    reason: Localized
    remediation: Localized
    sql: str
    path: Path
    # SHA-256 of the whole file: a change to the rule or the query changes it.
    definition_hash: str
    # Policy keys the control adds, with their defaults ((key, default), …):
    # policy.yaml may set them. Lists are tuples, so a Control stays hashable.
    policy_defaults: tuple[tuple[str, Any], ...] = ()
    # A company's control (from --controls-dir), not a built-in one.
    custom: bool = False

    @property
    def parameters(self) -> frozenset[str]:
        return frozenset(_PARAM.findall(self.sql))

    # The single-language templates, for the engine, which fills both.
    @property
    def reason_zh(self) -> str:
        return self.reason.zh

    @property
    def reason_en(self) -> str:
        return self.reason.en


def parse_control(path: Path, problems: list[Problem], *, custom: bool = False,
                  text: str | None = None) -> Control | None:
    """The control of `path` (its `text` when the caller has read it: a
    company's folder is read with more care, custom.py), or None and problems."""
    where = path.name
    if text is None:
        text = path.read_text(encoding="utf-8")
    head, sql = split_file(text)
    found = len(problems)
    meta = load_header(head, where, problems)
    if meta is None:
        return None
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        problems.append(Problem(where, "the header lacks " + ", ".join(missing)))
        return None
    for key in ("datasets", "optional_datasets"):
        meta[key] = dataset_names(meta.get(key), key, where, problems)
    _check(path, meta, sql, problems, custom)
    if len(problems) > found:
        return None
    pop = meta["population"]
    return Control(
        id=meta["id"], slug=meta["slug"], family=meta["family"],
        title=_localized(meta["title"]), severity=meta["severity"],
        seed=str(meta["seed"]), pipl=str(meta["pipl"]), datasets=meta["datasets"],
        optional_datasets=meta["optional_datasets"],
        rule=_localized(meta["rule"], strip=True), subject=meta["subject"],
        population=Population(pop["dataset"], _localized(pop, strip=True),
                              pop["count"].strip()),
        reason=_localized(meta["reason"]), remediation=_localized(meta["remediation"]),
        sql=sql, path=path, definition_hash=hashlib.sha256(text.encode()).hexdigest(),
        policy_defaults=tuple((k, tuple(v) if isinstance(v, list) else v)
                              for k, v in sorted((meta.get("policy") or {}).items())),
        custom=custom)


def _localized(texts: dict, *, strip: bool = False) -> Localized:
    """The header's `zh:` and `en:` texts (the .sql header format is unchanged)."""
    return Localized(**{lang: texts[lang].strip() if strip else texts[lang]
                        for lang in ("zh", "en")})


def _check(path: Path, meta: dict, sql: str, problems: list[Problem], custom: bool) -> None:
    where = path.name

    def bad(message: str, hint: str = "") -> None:
        problems.append(Problem(where, message, hint))

    control_id = str(meta["id"])
    if custom and BUILTIN_ID.fullmatch(control_id):
        bad(f"id '{control_id}' has the form of the built-in ids, and could collide with one",
            "number a company's controls X01…X999")
    elif custom and not CUSTOM_ID.fullmatch(control_id):
        bad(f"id '{control_id}' is not X and two or three digits", "e.g. X01, X12, X101")
    elif not custom and not BUILTIN_ID.fullmatch(control_id):
        bad(f"id '{meta['id']}' is not a letter and two digits (C01, S12…)")
    if path.stem != f"{meta['id']}_{meta['slug']}":
        bad(f"the file should be named {meta['id']}_{meta['slug']}.sql")
    if meta["family"] not in FAMILIES:
        bad(f"family '{meta['family']}' is unknown", "one of: " + ", ".join(FAMILIES))
    if meta["severity"] not in SEVERITIES:
        bad(f"severity '{meta['severity']}' is unknown", "one of: " + ", ".join(SEVERITIES))
    for key in ("title", "rule", "reason", "remediation"):
        if not isinstance(meta[key], dict) or set(meta[key]) != {"zh", "en"} or not all(
                isinstance(t, str) for t in meta[key].values()):
            bad(f"{key} needs exactly a zh and an en text")
    if not isinstance(meta["subject"], str):
        bad("subject must be a text, e.g. \"{event_id}\"")
    for key in ("seed", "pipl"):  # a number is read as its text (pipl: 51)
        if isinstance(meta[key], bool) or not isinstance(meta[key], str | int | float):
            bad(f"{key} must be a text", "write it on the key's line: " + (
                "pipl: Art. 51" if key == "pipl" else "seed: 二(二)3"))
    for name in [*meta["datasets"], *meta["optional_datasets"]]:
        if name not in BY_NAME:
            bad(f"dataset '{name}' is not in the data contract",
                "write several as a list: [a, b]" if "," in name else suggest(name, BY_NAME))
    pop = meta["population"]
    if not isinstance(pop, dict) or set(pop) != _POPULATION_KEYS or not all(
            isinstance(v, str) for v in pop.values()):
        bad("population needs exactly: " + ", ".join(sorted(_POPULATION_KEYS))
            + " (each a text)")
        pop = {}
    if pop and pop["dataset"] not in meta["datasets"]:
        bad(f"population dataset '{pop['dataset']}' is not one of the control's datasets")
    declared = check_policy(meta.get("policy"), bad, PARAMETERS)
    unknown = set(_PARAM.findall(sql + " " + str(pop.get("count", "")))) - PARAMETERS - declared
    if unknown:
        bad("unknown parameters: " + ", ".join(sorted(unknown)),
            "use the engine's parameters (" + ", ".join(sorted(PARAMETERS)) + "), or declare "
            "a policy key of the control's own under `policy:` in its header")
    for what, text in (("query", sql), ("population count", str(pop.get("count", "")))):
        problem = select_problem(text) if text.strip() else None
        if problem:
            bad(f"the {what} {problem}")
    if not re.search(r"\bAS subject_id\b", sql) or not re.search(r"\bAS evidence\b", sql):
        bad("the query must return subject_id and evidence columns")
    if isinstance(meta["reason"], dict):
        for lang, template in meta["reason"].items():
            try:
                names = {f for _, f, _, _ in string.Formatter().parse(str(template)) if f}
            except ValueError as exc:  # an unpaired brace
                bad(f"reason ({lang}) is not a valid template: {exc}", "write {{ for a brace")
                continue
            odd = sorted(n for n in names if not n.isidentifier())
            if odd:
                bad(f"reason ({lang}) has placeholders that are not column names: "
                    + ", ".join("{" + n + "}" for n in odd), "name a column: {column}")
                names -= set(odd)
            missing = {n for n in names if not re.search(rf"\b{n}\b", sql)}
            if missing:
                bad(f"reason ({lang}) names {', '.join(sorted(missing))}, which the query "
                    "does not return")


def sort_controls(controls: Iterable[Control]) -> tuple[Control, ...]:
    """In family order, then by id: the order of every table and output."""
    order = {f: n for n, f in enumerate(FAMILIES)}
    return tuple(sorted(controls, key=lambda c: (order[c.family], c.id)))


@cache
def load_catalog(folder: Path = CONTROLS_DIR) -> tuple[Control, ...]:
    """Every control, in id order; every problem of every file is reported at once."""
    problems: list[Problem] = []
    controls = [c for path in sorted(folder.glob("*.sql"))
                if (c := parse_control(path, problems))]
    ids = [c.id for c in controls]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(dup, "is defined more than once"))
    if problems:
        raise DefinitionProblems(f"The control definitions in {folder} are not valid", problems)
    return sort_controls(controls)


def select(controls: tuple[Control, ...], *, ids: list[str] | None = None,
           families: list[str] | None = None, severities: list[str] | None = None,
           ) -> tuple[Control, ...]:
    """The controls matching every filter given (ids, families, severities)."""
    known = {c.id for c in controls}
    unknown = [i for i in ids or [] if i not in known]
    if unknown:
        raise UsageError(f"no control has id {', '.join(unknown)}",
                         hint="see `privacy-audit controls` for the catalog")
    for values, allowed, what in ((families, FAMILIES, "family"),
                                  (severities, SEVERITIES, "severity")):
        wrong = [v for v in values or [] if v not in allowed]
        if wrong:
            raise UsageError(f"unknown {what}: {', '.join(wrong)}",
                             hint="one of: " + ", ".join(allowed))
    return tuple(c for c in controls
                 if (not ids or c.id in ids) and (not families or c.family in families)
                 and (not severities or c.severity in severities))
