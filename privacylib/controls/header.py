"""A control file's header: the leading `-- ` comment lines, read as YAML.

Kept strict because a control runs with what its header says: a key written
twice (YAML keeps the last, silently) or a key misspelt would make a control
run with a text or setting its author did not see as its own.
"""

from __future__ import annotations

from typing import Any

import yaml

from privacylib.errors import Problem, suggest

REQUIRED = ("id", "slug", "family", "title", "severity", "seed", "pipl", "datasets", "rule",
            "subject", "population", "reason", "remediation")
# Every key a header may hold: the required ones and these optional ones.
KNOWN = (*REQUIRED, "optional_datasets", "policy")


def split_file(text: str) -> tuple[str, str]:
    """(YAML header, SQL body) of a control file.

    The header is the leading run of `--` lines; a blank line ends it, so the
    query may open with comments of its own.
    """
    header, body, in_header = [], [], True
    for line in text.splitlines():
        if in_header and line.startswith("--"):
            header.append(line[3:] if line.startswith("-- ") else line[2:])
        else:
            in_header = False
            body.append(line)
    return "\n".join(header), "\n".join(body).strip()


class _HeaderLoader(yaml.SafeLoader):
    """A safe YAML loader noting the keys a mapping repeats: YAML keeps the
    last one silently, so a control would run with a text the analyst did not
    see as its own."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeated: list[tuple[str, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    self.repeated.append((key.value, key.start_mark.line + 1))
                seen.add(key.value)
        return super().construct_mapping(node, deep)


def load_header(head: str, where: str, problems: list[Problem]) -> dict | None:
    """The header's keys, or None (and a problem) when it is not a YAML mapping."""
    loader = _HeaderLoader(head)
    try:
        meta = loader.get_single_data() or {}
    except (yaml.YAMLError, RecursionError) as exc:
        problems.append(Problem(where, f"the header is not valid YAML: {exc}"))
        return None
    except ValueError as exc:  # a value read as a date that is none: seed: 2026-13-45
        problems.append(Problem(where, f"the header is not valid YAML: {exc}",
                                "quote a text that looks like a date: '2026-13-45'"))
        return None
    finally:
        loader.dispose()
    for key, line in loader.repeated:
        problems.append(Problem(where, f"the header repeats '{key}' (line {line}); YAML would "
                                "keep only the last", "keep one"))
    if not isinstance(meta, dict):
        problems.append(Problem(where, "the header is not `-- key: value` lines",
                                "start the file with the header, as in the examples"))
        return None
    for key in meta:
        if key not in KNOWN:
            problems.append(Problem(where, f"the header key '{key}' is unknown",
                                    suggest(str(key), KNOWN)))
    return meta


def dataset_names(value: Any, key: str, where: str, problems: list[Problem]) -> tuple[str, ...]:
    """Dataset names: a list, or one name alone (`datasets: access_log`), which
    is never taken letter by letter."""
    if isinstance(value, str):
        return (value,)
    if value is None and key == "optional_datasets":
        return ()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    problems.append(Problem(where, f"{key} must be a dataset name or a list of them",
                            f"e.g. {key}: [access_log, consents]"))
    return ()
