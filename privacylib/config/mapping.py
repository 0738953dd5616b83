"""mapping.yaml: how a company's exports map onto the data contract.

One entry per dataset, every key optional::

    access_log:
      columns:                                   # source name -> contract name(s)
        操作时间: ts
        userIdentity.arn: actor_id               # JSON: a dotted path, case-sensitive
        requestParameters.bucketName: [data_category, system]   # one source, two columns
      ignore: [access]                           # source columns neither mapped nor kept
      constants: {purpose: audit}                # a contract column, the same on every row
      key: [session_id, statement_id]            # build the key column; or key: "@file_line"
      keep: {eventName: [GetObject, PutObject]}  # load only the rows that match…
      drop: {errorCode: [ThrottlingException]}   # …and not these (counted as filtered)
      encoding: gb18030                          # CSV only; otherwise detected
      sheet: 明细                                # Excel only
      timezone: UTC                              # for values without a zone
      timestamp_format: "%d.%m.%Y %H:%M"         # strptime format, or epoch_s / epoch_ms
      default_year: 2026                         # for a timestamp_format with no year
      values:
        action: {查询: read, 导出: export}       # source value -> contract value
      source: pgaudit                            # a native format by name (below)

Rules:
- **source** names a native format (intake/presets/: pgaudit, mysql-audit,
  cloudtrail, ranger, syslog, kantara, iab-tcf) read as the system writes it, with the
  mapping it stands for built in; options in a block (`source: {name:
  pgaudit, prefix: '%m [%p] '}`). Keys given beside it are laid over the
  preset's (precedence: intake/presets/__init__.py).
- **Source names** are matched trimmed and in any case, except JSON paths.
  In a JSON Lines or JSON source a name with a dot is a path into each
  record (`userIdentity.arn`), matched case-sensitively (CloudTrail has
  `requestID` and `requestId`), unless a top-level key has exactly that
  name; inside a path write a dot that is part of a key as `\\.` and a
  backslash as `\\\\`. A path that no record of any of the dataset's files
  has is an error (a misspelt path); one that some records lack is null there.
  Other keys of a record stay extra columns (nested ones as JSON text); two
  that differ only in case are both kept, the second renamed, with a warning.
- **columns** maps a source name to one contract column or a list of them:
  the same value then fills each (a receipt id as consent_id and evidence_ref).
- **constants** fill a contract column with one value on every row, checked
  against the column's type when the mapping is read; a column may not be
  both a constant and mapped, nor be the key. `null` says the source has no
  such field: a required column then counts as given, null on every row
  (a database log has no purpose: the controls find that, not the loader).
  A source column named like a constant's column is kept as `<name>_source`.
- **key** builds the dataset's (single) key column: from one or more source
  columns, joined with ':' after escaping '\\' as '\\\\' and ':' as '\\:' in
  each part, so different parts never give the same key (a row with an empty
  part has an empty key, a reject); or `@file_line`: `<file name>:<line>`, the
  physical line (JSON documents: the element's position from 1).
- **keep / drop** filter rows on raw source values, before typing: within a
  block, every named column must match (AND) one of its listed values (OR);
  values match exactly (case-sensitive) after trimming blanks, and a null
  in the list matches an empty or missing value. A row is loaded when it
  matches `keep` (if given) and does not match `drop` (if given). Filtered
  rows are counted per rule (rows read = loaded + rejected + filtered), never
  rejected; a line that cannot be read at all is rejected even so. In keep,
  drop and values every value is text as written (config/yamltext.py: `yes`,
  `010`, `1.10` are not YAML's true, 8 and 1.1 there); a value mapped to
  null is empty.
- **timestamp_format** is checked when the mapping is read. `epoch_s` (or
  `%s`) and `epoch_ms` read numbers since 1970-01-01 UTC between 1990 and
  2099: anything outside is a reject (a millisecond value read as seconds
  lands in year 50,000). `%z`/`%Z` read offsets and zone names; without them
  values use `timezone`. ISO 8601 values, with `Z`, `UTC`, `GMT` or an
  offset, are still read when the format does not match.
- **default_year** gives a year to a timestamp_format that has none (syslog
  `%b %d %H:%M:%S`); every value gets that year: a log spanning New Year
  needs its files mapped per year.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from privacylib.config import mapping_checks as checks
from privacylib.config import timeformat
from privacylib.config.mapping_checks import FILE_LINE, is_path, split_path
from privacylib.config.policy import is_timezone
from privacylib.config.yamltext import with_text_sections
from privacylib.contract import BY_NAME
from privacylib.errors import MappingError, MappingProblems, Problem, suggest

KEYS = ("source", "columns", "constants", "key", "ignore", "keep", "drop", "encoding", "sheet",
        "timezone", "timestamp_format", "default_year", "values")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312")
__all__ = ["FILE_LINE", "DatasetMapping", "Mapping", "is_path", "load_mapping",
           "mapping_from_dict", "split_path"]


def _frozen() -> MappingProxyType:
    return MappingProxyType({})


@dataclass(frozen=True)
class DatasetMapping:
    # Source name -> the contract column it fills, or a tuple of the columns
    # (one name stays a string: the hash of a mapping that has no list keeps).
    columns: MappingProxyType = field(default_factory=_frozen)
    # Contract column -> its value on every row, as text the loader parses.
    constants: MappingProxyType = field(default_factory=_frozen)
    # Source names whose values make the key column, or (FILE_LINE,). None
    # (not an empty tuple) when not given, so that mappings written before
    # these keys existed keep their canonical form and hash (config/params.py).
    key: tuple[str, ...] | None = None
    # Source names dropped before matching (neither mapped nor kept as extras).
    ignore: tuple[str, ...] | None = None
    # Row filters: source name -> raw values (None: empty) that match.
    keep: MappingProxyType = field(default_factory=_frozen)
    drop: MappingProxyType = field(default_factory=_frozen)
    # Python codec name of CSV files; None means detect per file.
    encoding: str | None = None
    # Excel sheet name; None means the first sheet.
    sheet: str | None = None
    # Time zone of naive timestamps; None means the policy's.
    timezone: str | None = None
    # strptime format, epoch_s or epoch_ms; None means the standard forms.
    timestamp_format: str | None = None
    # Year given to values of a timestamp_format without one.
    default_year: int | None = None
    # Contract column -> {source value -> contract value}; matched trimmed, any case.
    values: MappingProxyType = field(default_factory=_frozen)
    # `source:` a native format by name and its options ({"name": "pgaudit", …});
    # the preset's mapping is merged into the keys above when the mapping is read.
    source: MappingProxyType | None = None

    @property
    def source_name(self) -> str | None:
        return None if self.source is None else self.source["name"]

    def source_names(self) -> list[str]:
        """Every source name the mapping reads (JSON readers extract the paths)."""
        names = [*self.columns, *self.keep, *self.drop, *(self.ignore or ()),
                 *(k for k in self.key or () if k != FILE_LINE)]
        return list(dict.fromkeys(names))

    def targets(self, source: str) -> tuple[str, ...]:
        """The contract columns a source name feeds (none when not mapped)."""
        dst = self.columns.get(source, ())
        return (dst,) if isinstance(dst, str) else dst

    def contract_sources(self) -> dict[str, str]:
        """Contract column -> the source name mapped onto it."""
        return {dst: src for src in self.columns for dst in self.targets(src)}

    @property
    def key_from_position(self) -> bool:
        """key: '@file_line': the key is the row's file and line."""
        return FILE_LINE in (self.key or ())


@dataclass(frozen=True)
class Mapping:
    # Dataset name -> its mapping; datasets not named use the defaults.
    datasets: MappingProxyType = field(default_factory=_frozen)
    # Where it was read from, for messages and the manifest.
    source: str | None = None

    def for_dataset(self, name: str) -> DatasetMapping:
        return self.datasets.get(name, DatasetMapping())




def _names(value: Any, at: str, problems: list[Problem]) -> tuple[str, ...]:
    names = value if isinstance(value, (list, tuple)) else [value]
    if not all(isinstance(n, str) and n.strip() for n in names):
        problems.append(Problem(at, "must be a list of source column names"))
        return ()
    return tuple(n.strip() for n in names)


def _text(key: str, value: Any, at: str, problems: list[Problem]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(at, "must be text"))
    elif key == "encoding" and not _known_encoding(value):
        problems.append(Problem(at, f"'{value}' is not a supported encoding",
                                "use one of: " + ", ".join(ENCODINGS)))
    elif key == "timezone" and not is_timezone(value.strip()):
        problems.append(Problem(at, f"'{value}' is not a time zone", "e.g. Asia/Shanghai or UTC"))
    else:
        return value.strip()
    return None


def _parse_entry(dataset: str, raw: Any, where: str, problems: list[Problem]) -> DatasetMapping:
    if not isinstance(raw, dict):
        problems.append(Problem(where, "must be a block of keys (columns, encoding, …)"))
        return DatasetMapping()
    ds = BY_NAME[dataset]
    out: dict[str, Any] = {}
    if "source" in raw:
        from privacylib.intake.presets import merge, parse_source

        found = parse_source(dataset, raw["source"], f"{where}.source", problems)
        if found is None:
            raw = {k: v for k, v in raw.items() if k != "source"}
        else:
            out["source"] = MappingProxyType({"name": found[0].name, **found[1]})
            raw = merge(found[0], found[1], raw)
    for key, value in raw.items():
        at = f"{where}.{key}"
        if key not in KEYS:
            problems.append(Problem(at, "is not a mapping key", suggest(str(key), KEYS)))
        elif key == "columns":
            out[key] = checks.columns(ds, value, at, problems)
        elif key == "values":
            out[key] = checks.values(ds, value, at, problems)
        elif key == "constants":
            out[key] = checks.constants(ds, value, at, problems)
        elif key == "key":
            out[key] = checks.key_names(ds, value, at, problems)
        elif key == "ignore":
            out[key] = _names(value, at, problems)
        elif key in ("keep", "drop"):
            out[key] = MappingProxyType(checks.filter_rules(value, at, problems))
        elif key == "default_year":
            continue  # checked below, with the format it completes
        elif key == "timestamp_format":
            if isinstance(value, str) and value.strip():
                fmt = timeformat.timestamp_format(value, raw.get("default_year"), at, problems)
                if fmt:
                    out[key] = fmt
            else:
                problems.append(Problem(at, "must be text"))
        else:
            text = _text(key, value, at, problems)
            if text is not None:
                out[key] = text
    if "default_year" in raw:
        year = timeformat.default_year(raw["default_year"], out.get("timestamp_format"),
                                   f"{where}.default_year", problems)
        if year is not None:
            out["default_year"] = year
    checks.cross_checks(ds, out, where, problems)
    return DatasetMapping(**out)




def _known_encoding(name: str) -> bool:
    try:
        return codecs.lookup(name).name in {codecs.lookup(e).name for e in ENCODINGS}
    except LookupError:
        return False


def mapping_from_dict(raw: dict[str, Any], *, source: str = "mapping") -> Mapping:
    problems: list[Problem] = []
    datasets = {}
    for name, entry in raw.items():
        if name not in BY_NAME:
            problems.append(Problem(f"{source}: '{name}'", "is not a dataset of the contract",
                                    suggest(str(name), list(BY_NAME))))
            continue
        datasets[name] = _parse_entry(name, entry, f"{source}: {name}", problems)
    if problems:
        raise MappingProblems("The mapping file is not valid", problems)
    return Mapping(MappingProxyType(datasets), source)


def load_mapping(path: str | Path | None, data_dir: str | Path | None = None) -> Mapping:
    """Read the mapping: the given file, else data_dir/mapping.yaml, else none."""
    if path is None and data_dir is not None:
        default = Path(data_dir) / "mapping.yaml"
        path = default if default.is_file() else None
    if path is None:
        return Mapping()
    path = Path(path)
    if not path.is_file():
        raise MappingError(f"mapping file {path} does not exist", hint="check the --mapping path")
    try:
        text = path.read_text(encoding="utf-8-sig")
        raw = yaml.safe_load(text) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MappingError(f"mapping file {path} is not valid YAML: {exc}",
                           hint="fix the YAML syntax; see docs/data-contract.md") from exc
    if not isinstance(raw, dict):
        raise MappingError(f"mapping file {path} must hold one block per dataset")
    # Filters and value maps hold an export's values: compared as written.
    raw = with_text_sections(raw, text, ("keep", "drop", "values"))
    return mapping_from_dict(raw, source=str(path))
