"""mapping.yaml: how a company's exports map onto the data contract.

One entry per dataset, every key optional::

    access_log:
      columns: {操作时间: ts, 操作人: actor_id}   # source name -> contract name
      encoding: gb18030                          # CSV only; otherwise detected
      sheet: 明细                                # Excel only
      timezone: UTC                              # for values without an offset
      timestamp_format: "%d.%m.%Y %H:%M"         # strptime format of timestamps
      values:
        action: {查询: read, 导出: export}       # source value -> contract value
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from privacylib.config.policy import is_timezone
from privacylib.contract import BY_NAME
from privacylib.errors import MappingError, MappingProblems, Problem, suggest

KEYS = ("columns", "encoding", "sheet", "timezone", "timestamp_format", "values")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312")


@dataclass(frozen=True)
class DatasetMapping:
    # Source column name (matched trimmed, any case) -> contract column.
    columns: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    # Python codec name of CSV files; None means detect per file.
    encoding: str | None = None
    # Excel sheet name; None means the first sheet.
    sheet: str | None = None
    # Time zone of naive timestamps; None means the policy's.
    timezone: str | None = None
    # strptime format for timestamps that are not ISO 8601; None means the standard forms.
    timestamp_format: str | None = None
    # Contract column -> {source value -> contract value}; matched trimmed, any case.
    values: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Mapping:
    # Dataset name -> its mapping; datasets not named use the defaults.
    datasets: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    # Where it was read from, for messages and the manifest.
    source: str | None = None

    def for_dataset(self, name: str) -> DatasetMapping:
        return self.datasets.get(name, DatasetMapping())


def _str_map(raw: Any) -> dict[str, str] | None:
    if not isinstance(raw, dict):
        return None
    return {str(k).strip(): str(v).strip() for k, v in raw.items()}


def _parse_entry(dataset: str, raw: Any, where: str, problems: list[Problem]) -> DatasetMapping:
    if not isinstance(raw, dict):
        problems.append(Problem(where, "must be a block of keys (columns, encoding, …)"))
        return DatasetMapping()
    contract_cols = BY_NAME[dataset].column_names
    out: dict[str, Any] = {}
    for key, value in raw.items():
        at = f"{where}.{key}"
        if key not in KEYS:
            problems.append(Problem(at, "is not a mapping key", suggest(str(key), KEYS)))
        elif key == "columns":
            cols = _str_map(value)
            if cols is None:
                problems.append(Problem(at, "must map source names to contract names"))
                continue
            for src, dst in cols.items():
                if dst not in contract_cols:
                    problems.append(Problem(f"{at}.{src}", f"'{dst}' is not a column of {dataset}",
                                            suggest(dst, contract_cols)))
            out["columns"] = MappingProxyType(cols)
        elif key == "values":
            if not isinstance(value, dict):
                problems.append(Problem(at, "must map contract columns to {source: value}"))
                continue
            vals = {}
            for col, pairs in value.items():
                col_map = _str_map(pairs)
                if col not in contract_cols:
                    problems.append(Problem(f"{at}.{col}", f"is not a column of {dataset}",
                                            suggest(str(col), contract_cols)))
                elif col_map is None:
                    problems.append(Problem(f"{at}.{col}", "must map source values to values"))
                else:
                    vals[col] = MappingProxyType({k.lower(): v for k, v in col_map.items()})
            out["values"] = MappingProxyType(vals)
        elif not isinstance(value, str) or not value.strip():
            problems.append(Problem(at, "must be text"))
        elif key == "encoding" and not _known_encoding(value):
            problems.append(Problem(at, f"'{value}' is not a supported encoding",
                                    "use one of: " + ", ".join(ENCODINGS)))
        elif key == "timezone" and not is_timezone(value.strip()):
            problems.append(Problem(at, f"'{value}' is not a time zone",
                                    "e.g. Asia/Shanghai or UTC"))
        else:
            out[key] = value.strip()
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
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MappingError(f"mapping file {path} is not valid YAML: {exc}",
                           hint="fix the YAML syntax; see docs/data-contract.md") from exc
    if not isinstance(raw, dict):
        raise MappingError(f"mapping file {path} must hold one block per dataset")
    return mapping_from_dict(raw, source=str(path))
