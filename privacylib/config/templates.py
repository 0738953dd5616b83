"""The starter folder `privacy-audit init` writes: one header-only CSV per
dataset of the contract, a README.md that explains every column with an
example, and commented mapping.yaml and policy.yaml templates.

Everything is derived from the contract (contract.py), its Chinese aliases,
the mapping's keys and the policy's fields, so a new column or key shows up
here without a second list to keep. CSV has no comments: an example row in a
.csv would be loaded as data, so the examples live in README.md.
"""

from __future__ import annotations

import inspect
import os
from dataclasses import fields
from pathlib import Path

import yaml

from privacylib.config import mapping as mapping_module
from privacylib.config.examples import example
from privacylib.config.policy import Policy
from privacylib.contract import ALIASES, DATASETS, Dataset
from privacylib.errors import UsageError

README = "README.md"
MAPPING = "mapping.yaml"
POLICY = "policy.yaml"


# A store is no person: of the aliases of `name`, 名称 fits it better than 姓名.
_PREFERRED = {("data_stores", "name"): "名称"}


def zh_name(dataset: Dataset, column: str) -> str | None:
    """The first built-in Chinese header that the loader reads as this column
    of this dataset (an alias may stand for several columns; the dataset's own
    columns decide, as in intake/headers.py)."""
    if (dataset.name, column) in _PREFERRED:
        return _PREFERRED[(dataset.name, column)]
    for alias, targets in ALIASES.items():
        mine = [c for c in targets if c in dataset.column_names]
        if mine and mine[0] == column:
            return alias
    return None


def header(dataset: Dataset, lang: str = "en") -> list[str]:
    """The header row: contract names, or Chinese ones where a built-in alias exists."""
    if lang != "zh":
        return list(dataset.column_names)
    return [zh_name(dataset, c) or c for c in dataset.column_names]


def _csv_line(names: list[str]) -> str:
    # No contract or alias name holds a comma or a quote; quote anyway if one ever does.
    return ",".join(f'"{n}"' if any(ch in n for ch in ',"\n') else n for n in names) + "\n"


def readme_text(lang: str = "en") -> str:
    lines = [
        "# Your exports, one file per dataset",
        "",
        "Each `<dataset>.csv` here holds the header row only. Add one row per record under it "
        "(UTF-8 or GB18030; Excel `.xlsx`, JSON Lines and Parquet files named after the "
        "dataset work too), or replace the file with your own export and describe its column "
        f"names in `{MAPPING}`. Column names may be the English contract names or the "
        "built-in Chinese ones below, any case.",
        "",
        "Delete the file of a dataset you do not have: the controls that need it are then "
        "*skipped* and `privacy-audit validate` says so. A file with a header and no row is "
        "an empty export: the controls that need it find *no data* and the audit is "
        "incomplete.",
        "",
        "Timestamps: `2026-10-03 09:15:00`, ISO 8601 with `T`, `Z` or an offset, or a date "
        "alone; without an offset, local time of the policy's `timezone`. Booleans: "
        "true/false, 1/0, yes/no, 是/否. Lists: `a;b` or `a|b`. Empty cell: null. "
        "R = the column must exist. The full rules: docs/data-contract.md.",
        "",
        "Then: `privacy-audit validate .` shows what loads and which controls can "
        "run on it; `privacy-audit run --data . --period YYYY-MM` audits.",
        "",
    ]
    for ds in DATASETS:
        lines += [f"## {ds.name}.csv — {ds.description}", ""]
        if ds.key:
            lines += [f"Key (unique): {', '.join(ds.key)}.", ""]
        lines += ["| column | 中文列名 | type | R | example | meaning |",
                  "|---|---|---|---|---|---|"]
        for col in ds.columns:
            value, meaning = example(ds, col)
            kind = col.kind.value + (f" ({', '.join(col.values)})" if col.values else "")
            lines.append(f"| `{col.name}` | {zh_name(ds, col.name) or ''} | {kind} | "
                         f"{'R' if col.required else ''} | {f'`{value}`' if value else '(empty)'}"
                         f" | {meaning} |")
        lines += ["", "```csv", _csv_line(header(ds, lang)).rstrip("\n"),
                  _csv_line([example(ds, c)[0] for c in ds.columns]).rstrip("\n"), "```", ""]
    return "\n".join(lines)


# One example per mapping key, for an access log exported as CSV (and a
# consent export read by its native format); together a valid mapping
# (tests/cli/test_init.py uncomments and loads it). A key added to
# mapping.KEYS without an example here fails that test.
MAPPING_EXAMPLE = """\
access_log:
  columns:                                  # source name -> contract name(s)
    操作时间: ts
    操作人: actor_id
    表名: [system, data_category]             # one source column feeding two
  ignore: [备注]                            # source columns neither mapped nor kept
  constants: {purpose: customer_service}    # the same value on every row
  key: [会话号, 语句号]                     # build event_id from these; or key: "@file_line"
  keep: {事件类型: [查询, 导出]}            # load only the rows that match…
  drop: {操作人: [healthcheck]}             # …and not these (counted as filtered)
  encoding: gb18030                         # CSV only; otherwise detected
  sheet: 明细                               # Excel only
  timezone: UTC                             # for values without a zone
  timestamp_format: "%b %d %H:%M:%S"        # strptime format, or epoch_s / epoch_ms
  default_year: 2026                        # for a timestamp_format with no year
  values:
    action: {查询: read, 导出: export}      # source value -> contract value
consents:
  source: kantara                           # a native format by name: pgaudit, mysql-audit,
                                            # cloudtrail, ranger, syslog, kantara, iab-tcf
"""


def mapping_text() -> str:
    """Every key of mapping.yaml, commented out, with an example each, then
    the mapping's rules as its docstring states them (kept in step with it).

    Lines starting `# ` uncomment into a valid mapping; `## ` lines are prose.
    """
    doc = inspect.getdoc(mapping_module) or ""
    _, _, rules = doc.partition("Rules:")
    head = [
        "## mapping.yaml: how your exports map onto the data contract.",
        "## Needed only when your column names, values or formats differ from the",
        "## contract's (README.md lists each dataset's columns). One block per dataset,",
        "## every key optional. Uncomment (remove `# `) and edit what you need;",
        "## `privacy-audit validate` names every problem in it at once.",
        f"## Keys: {', '.join(mapping_module.KEYS)}.",
        "",
    ]
    body = [f"# {line}".rstrip() for line in MAPPING_EXAMPLE.splitlines()]
    tail = ["", "## Rules:", *(f"## {line}".rstrip() for line in rules.strip("\n").splitlines())]
    return "\n".join([*head, *body, *(tail if rules else [])]) + "\n"


def policy_meanings() -> dict[str, str]:
    """Each policy key's meaning: the comment above its field in policy.py."""
    meanings: dict[str, str] = {}
    comment: list[str] = []
    for line in inspect.getsource(Policy).splitlines():
        text = line.strip()
        if text.startswith("#"):
            comment.append(text.lstrip("# "))
        elif ":" in text and not text.startswith(("@", "def", "class", '"')):
            name = text.split(":", 1)[0].strip()
            if comment and name.isidentifier():
                meanings[name] = " ".join(comment)
            comment = []
        else:
            comment = []
    return meanings


def policy_text() -> str:
    """Every policy key at its default, commented out, with its meaning."""
    meanings = policy_meanings()
    lines = [
        "## policy.yaml: the thresholds and lists the controls use.",
        "## Every key is optional; a key left out keeps the default shown.",
        "## Uncomment (remove `# `) and change a line, then pass --policy policy.yaml.",
        "",
    ]
    defaults = Policy().as_dict()
    for f in fields(Policy):
        lines.append(f"## {meanings.get(f.name, f.name)}")
        value = yaml.safe_dump({f.name: defaults[f.name]}, default_flow_style=True,
                               allow_unicode=True, width=1000).strip().strip("{}")
        lines += [f"# {value}", ""]
    return "\n".join(lines)


def template_files(lang: str = "en") -> dict[str, str]:
    """File name -> text, in the order they are written."""
    files = {f"{ds.name}.csv": _csv_line(header(ds, lang)) for ds in DATASETS}
    files[README] = readme_text(lang)
    files[MAPPING] = mapping_text()
    files[POLICY] = policy_text()
    return files


def write_templates(folder: Path, *, lang: str = "en", force: bool = False,
                    ) -> tuple[list[str], list[str]]:
    """Write the starter files into `folder`: (written, kept because they or
    their dataset exist).

    The folder must be new or empty unless `force`. A file that exists, or a
    link of any kind in a file's place, is never written through (O_EXCL and
    O_NOFOLLOW): a link there could point anywhere outside the folder.
    """
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} exists and is not a folder",
                         hint="give a new or empty folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        shown = ", ".join(sorted(p.name for p in folder.iterdir())[:5])
        raise UsageError(f"folder {folder} is not empty (it holds {shown}…)",
                         hint="give a new or empty folder, or --force to add the missing "
                              "files (no file is ever overwritten)")
    folder.mkdir(parents=True, exist_ok=True)
    written, kept = [], []
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    # A dataset already given in any form (access_log/, access_log.csv.gz) keeps
    # it: a second file of it would make the dataset ambiguous to the loader.
    given = {p.name.lower().split(".")[0] for p in folder.iterdir()}
    for name, text in template_files(lang).items():
        path = folder / name
        dataset = name.removesuffix(".csv") if name.endswith(".csv") else None
        if path.exists() or path.is_symlink() or dataset in given:
            kept.append(name)
            continue
        fd = os.open(path, flags, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        written.append(name)
    return written, kept
