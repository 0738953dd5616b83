"""An audit's parameters (AuditConfig) and its one resolved configuration
(ResolvedConfig).

AuditConfig is what a person or a command line gives: text and paths.
`resolve` reads and checks every input of it once (policy, mapping, period,
scope, key file, exceptions file) and returns a frozen ResolvedConfig. The
runner resolves before the notebook starts and hands the notebook the
resolved configuration as one canonical parameter, `to_json()`: data, not
code. The notebook then audits with that policy and mapping, never the files
as they may be on disk later, and the manifest records the policy hash as
used. Interactively, the notebook resolves its own parameters the same way.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from privacylib.config.mapping import Mapping, load_mapping, mapping_from_dict
from privacylib.config.period import Period, resolve_period
from privacylib.config.policy import Policy, load_policy, policy_from_dict
from privacylib.controls.catalog import Control, load_catalog, sort_controls
from privacylib.controls.custom import policy_keys
from privacylib.errors import ConfigError, UsageError, suggest
from privacylib.vocab import Engine, Lang

# 1: the first resolved configuration. A reader refuses another number.
FORMAT = 1
ENGINES = tuple(Engine)
# The datasets Spark may read itself (spark/intake.py): the access log, the
# one dataset large enough to want it and proved equal to DuckDB's load end
# to end; read_dataset also refuses a dataset whose key is not text.
SPARK_READABLE = ("access_log",)
# A Spark catalog table Spark reads a dataset from (access_log=lake.events):
# one to three plain parts, handed to Spark as a name, never as SQL text.
_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}")
PATHS = ("data", "policy", "mapping", "key_file", "out", "exceptions", "store", "controls_dir")


@dataclass(frozen=True)
class AuditConfig:
    # The data folder (access_log.csv, consents.csv, …).
    data: str
    # The audited month, YYYY-MM; or period_start and period_end instead.
    period: str | None = None
    # First instant of the period: a date or timestamp, local without offset.
    period_start: str | None = None
    # First instant after the period (exclusive); also as_of.
    period_end: str | None = None
    # policy.yaml; None means the data contract's defaults.
    policy: str | None = None
    # mapping.yaml; None means DATA/mapping.yaml when it exists.
    mapping: str | None = None
    # KEY=VALUE narrowing event controls: department=… or system=….
    scope: str | None = None
    # Language of every title and sentence: zh or en.
    lang: str = Lang.ZH.value
    # Mask personal identifiers in everything shown and written (the default).
    mask: bool = True
    # Pseudonym key file; None means the environment variable or the default file.
    key_file: str | None = None
    # Folder the report files are written to; None writes none.
    out: str | None = None
    # Accepted risks (CSV or YAML, see config/waivers.py); None: no exceptions.
    exceptions: str | None = None
    # Audit store (DuckDB file) to compare with the previous run; None: no comparison.
    store: str | None = None
    # The company's own controls (X01_….sql, controls/custom.py), run beside
    # the built-in ones; None: the built-in catalog alone.
    controls_dir: str | None = None
    # Where the controls run: duckdb (one machine) or spark (privacylib/spark).
    engine: str = Engine.DUCKDB.value
    # The Spark master with engine spark: local[N], spark://…, sc://… (Spark
    # Connect); None: local[2].
    spark_master: str | None = None
    # With engine spark: the datasets Spark reads itself, a comma list (only
    # access_log yet), each from the data folder or, as access_log=lake.events,
    # from a table of the Spark catalog; None: DuckDB loads every dataset and
    # hands the tables to Spark.
    spark_reads: str | None = None

    @classmethod
    def from_parameters(cls, **params: Any) -> AuditConfig:
        """Check the notebook's parameters: known names, plain values only."""
        from privacylib.report.i18n import words

        known = {f.name: f for f in fields(cls)}
        for name, value in params.items():
            if name not in known:
                raise UsageError(f"unknown parameter '{name}'", hint=suggest(name, known))
            want = bool if name == "mask" else str
            if value is not None and not isinstance(value, want):
                raise UsageError(f"parameter '{name}' must be {want.__name__}, "
                                 f"not {type(value).__name__}")
        if not params.get("data"):
            raise UsageError("parameter 'data' (the data folder) is required")
        config = cls(**params)
        if config.engine not in ENGINES:
            raise UsageError(f"engine '{config.engine}' is unknown",
                             hint="one of: " + ", ".join(ENGINES))
        if config.spark_master and config.engine != Engine.SPARK:
            raise UsageError("a Spark master is for --engine spark",
                             hint="add --engine spark, or leave out --spark-master")
        if config.spark_reads is not None:
            config = dataclasses.replace(config, spark_reads=_spark_reads(config))
        words(config.lang)  # an unknown language is a usage error here, not in a later cell
        return config

    def parameters(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def spark_datasets(self) -> tuple[str, ...]:
        """The datasets Spark reads itself (spark_reads), in the contract's order."""
        return tuple(self.spark_tables)

    @property
    def spark_tables(self) -> dict[str, str | None]:
        """Each dataset Spark reads itself -> the catalog table it reads it
        from, or None for the data folder."""
        return dict(_read_entries(self.spark_reads))


def _read_entries(spark_reads: str | None) -> list[tuple[str, str | None]]:
    """[(dataset, table or None)] of spark_reads, in the contract's order. An
    item half written (`access_log=` from an empty $TABLE, `=lake.t`) or two
    sources for one dataset is a usage error: read leniently, it would audit
    another source than the one meant, with nothing to show for it."""
    entries: dict[str, str | None] = {}
    for item in (spark_reads or "").split(","):
        name, eq, table = (p.strip() for p in item.partition("="))
        if not (name or eq):
            continue
        if not name or (eq and not table):
            raise UsageError(f"--spark-reads {item.strip()!r}: a dataset and, after '=', a "
                             "table, both named", hint="access_log, or access_log=SCHEMA.TABLE")
        if entries.setdefault(name, table or None) != (table or None):
            raise UsageError(f"--spark-reads names two sources for {name}",
                             hint="name each dataset once, with the one source to read it from")
    return [(n, entries[n]) for n in SPARK_READABLE if n in entries] + [
        (n, t) for n, t in entries.items() if n not in SPARK_READABLE]


def _spark_reads(config: AuditConfig) -> str | None:
    """spark_reads checked and written one way (the manifest records it)."""
    entries = _read_entries(config.spark_reads)
    if not entries:
        return None
    if config.engine != Engine.SPARK:
        raise UsageError("--spark-reads is for --engine spark",
                         hint="add --engine spark, or leave out --spark-reads")
    unknown = [n for n, _ in entries if n not in SPARK_READABLE]
    if unknown:
        raise UsageError(f"Spark cannot read {', '.join(unknown)} itself",
                         hint="--spark-reads accepts: " + ", ".join(SPARK_READABLE))
    for name, table in entries:
        if table is not None and not _TABLE_NAME.fullmatch(table):
            raise UsageError(f"--spark-reads {name}={table}: not a table name",
                             hint="name a table of the Spark catalog as table, schema.table "
                                  "or catalog.schema.table (letters, digits and _)")
    return ",".join(n if t is None else f"{n}={t}" for n, t in entries)


@dataclass(frozen=True)
class ResolvedConfig:
    # The parameters, with every path absolute (the notebook runs in its own folder).
    config: AuditConfig
    # The policy as parsed and checked: what the controls are bound to.
    policy: Policy
    # Canonical JSON of `policy` (sorted keys): the text the hash is taken of.
    policy_text: str
    # SHA-256 of policy_text: the manifest records this, the policy as used.
    policy_sha256: str
    # The mapping as parsed (DATA/mapping.yaml when none was named and it exists).
    mapping: Mapping
    # SHA-256 of the mapping's canonical JSON.
    mapping_sha256: str
    # The audited period [start, end) as absolute instants, and its label.
    period: Period
    # The scope as given, checked (KEY=VALUE), or None for the whole company.
    scope: str | None
    # SHA-256 of the exceptions file's bytes at resolution; the audit refuses
    # the file if it has changed since (None: no exceptions file).
    exceptions_sha256: str | None
    # The company's controls (config.controls_dir) as resolved: each one's
    # definition hash is kept, and a control changed since is refused.
    custom_controls: tuple[Control, ...] = ()

    def catalog(self) -> tuple[Control, ...]:
        """Every control this configuration runs: the built-in ones and the company's."""
        return sort_controls((*load_catalog(), *self.custom_controls))

    @property
    def timezone(self) -> str:
        return self.policy.timezone

    def with_out(self, out: str | Path | None) -> ResolvedConfig:
        """The same configuration, writing its report files into `out`."""
        return dataclasses.replace(self, config=dataclasses.replace(
            self.config, out=None if out is None else str(out)))

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "parameters": self.config.parameters(),
            "policy": json.loads(self.policy_text), "policy_sha256": self.policy_sha256,
            "mapping": {"source": self.mapping.source, "datasets": mapping_as_dict(self.mapping)},
            "mapping_sha256": self.mapping_sha256,
            "period": {"label": self.period.label, "start": self.period.start.isoformat(),
                       "end": self.period.end.isoformat()},
            "scope": self.scope, "exceptions_sha256": self.exceptions_sha256,
            # Only with a controls folder: a configuration without one is the text it was.
            **({"custom_controls": {c.id: c.definition_hash for c in self.custom_controls}}
               if self.config.controls_dir else {}),
        }

    def to_json(self) -> str:
        """The canonical parameter: sorted keys, so the same configuration is the same text."""
        return json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ResolvedConfig:
        """The configuration `to_json` wrote; its policy is checked again
        against its own hash, so a parameter edited by hand is refused."""
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise ConfigError(f"resolved configuration format {data.get('format')!r} is "
                                  f"not {FORMAT}", hint="resolve it again with this version")
            config = AuditConfig(**data["parameters"])
            custom = _custom_as_resolved(config.controls_dir, data.get("custom_controls", {}))
            policy = policy_from_dict(data["policy"], source="resolved policy",
                                      extra_keys=policy_keys(custom))
            mapping = mapping_from_dict(data["mapping"]["datasets"],
                                        source=data["mapping"]["source"] or "mapping")
            mapping = dataclasses.replace(mapping, source=data["mapping"]["source"])
            period = Period(datetime.fromisoformat(data["period"]["start"]),
                            datetime.fromisoformat(data["period"]["end"]),
                            data["period"]["label"])
            resolved = cls(config, policy, _canonical(policy.as_dict()),
                           data["policy_sha256"], mapping, data["mapping_sha256"], period,
                           data["scope"], data["exceptions_sha256"], custom)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"the resolved configuration cannot be read: {exc!r}",
                              hint="pass what ResolvedConfig.to_json() wrote") from exc
        if sha256_text(resolved.policy_text) != resolved.policy_sha256:
            raise ConfigError("the resolved configuration's policy does not match its hash",
                              hint="resolve the configuration again")
        return resolved


def _custom_as_resolved(folder: str | None, hashes: dict[str, str]) -> tuple[Control, ...]:
    """The company's controls of `folder`, refused unless they are exactly the
    ones resolved (`hashes`): the audit runs the controls it was configured with."""
    from privacylib.controls.custom import load_custom

    custom = load_custom(folder) if folder else ()
    found = {c.id: c.definition_hash for c in custom}
    if found != hashes:
        changed = sorted(k for k in found.keys() | hashes.keys() if found.get(k) != hashes.get(k))
        raise ConfigError(f"the company's controls in {folder} changed after the run was "
                          f"configured: {', '.join(changed)}", hint="run the audit again")
    return custom


def mapping_as_dict(mapping: Mapping) -> dict[str, Any]:
    """The mapping as mapping.yaml would say it (only the keys that were set)."""
    out: dict[str, Any] = {}
    for name in sorted(mapping.datasets):
        entry = mapping.datasets[name]
        keys = {f.name: getattr(entry, f.name) for f in fields(entry)}
        out[name] = {k: _plain(v) for k, v in keys.items() if v not in (None, {}) and (
            not isinstance(v, MappingProxyType) or len(v))}
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, MappingProxyType | dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _canonical(value: Any) -> str:
    # The manifest's policy hash has always been taken over this form.
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def sha256_path(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _absolute(path: str | None) -> str | None:
    return None if path is None else str(Path(path).resolve())


def resolve(config: AuditConfig) -> ResolvedConfig:
    """Read and check every input of `config`, once. Bad usage and bad
    configuration stop here (exit 2), before any data is loaded."""
    from privacylib.config.waivers import load_exceptions
    from privacylib.controls.custom import load_custom
    from privacylib.controls.engine import Scope

    config = dataclasses.replace(config, **{p: _absolute(getattr(config, p)) for p in PATHS})
    if not Path(config.data).is_dir():
        raise UsageError(f"data folder {config.data} does not exist or is not a folder")
    # The company's controls first: their policy keys are known keys of policy.yaml.
    custom = load_custom(config.controls_dir) if config.controls_dir else ()
    policy = load_policy(config.policy, extra_keys=policy_keys(custom))
    mapping = load_mapping(config.mapping, config.data)
    period = resolve_period(config.period, config.period_start, config.period_end,
                            tz=policy.timezone)
    scope = Scope.parse(config.scope)
    # An AuditConfig made by hand has not been through from_parameters. The
    # scope in one spelling: " department = 客服中心 " and "department=客服中心"
    # are one audit, one folder, one history in the store.
    config = dataclasses.replace(config, spark_reads=_spark_reads(config),
                                 scope=str(scope) if scope else None)
    if config.engine == Engine.SPARK:  # no pyspark or no Java: said now, before any data is loaded
        from privacylib.spark.session import require_spark

        require_spark(config.spark_master)
    if config.key_file and not Path(config.key_file).exists():
        raise UsageError(f"pseudonym key file {config.key_file} does not exist",
                         hint="check the path (every pseudonym depends on this key), or "
                              "pass --new-key to make a new key there")
    if config.mask:  # an empty or short key: reversible pseudonyms, refused before the run
        from privacylib.masking.masker import check_key

        check_key(config.key_file)
    exceptions_sha256 = None
    if config.exceptions:  # a file that cannot be used stops the run before it starts
        load_exceptions(config.exceptions, as_of_date=period.as_of_date(policy.timezone),
                        control_ids={c.id for c in (*load_catalog(), *custom)})
        exceptions_sha256 = sha256_path(config.exceptions)
    policy_text = _canonical(policy.as_dict())
    mapping_text = _canonical({"source": mapping.source, "datasets": mapping_as_dict(mapping)})
    return ResolvedConfig(config, policy, policy_text, sha256_text(policy_text), mapping,
                          sha256_text(mapping_text), period, config.scope if scope else None,
                          exceptions_sha256, custom)
