"""Values of a YAML file as they are written, where they stand for a data
file's text.

PyYAML reads YAML 1.1: a plain `yes` is the boolean true, `010` the octal
number 8, `1.10` the number 1.1, `2026-01-01` a date. In mapping.yaml's
filters and value maps those are the values of a column as the export
writes them, compared as text: read as YAML types they silently stopped
matching (`drop: {is_test: [yes]}` dropped nothing, `keep: {dept: [010]}`
kept dept 8). There, every scalar is taken as written; null stays null.
"""

from __future__ import annotations

from typing import Any

import yaml

NULL_TAG = "tag:yaml.org,2002:null"


def as_written(node: yaml.Node) -> Any:
    """The value of NODE with every scalar as its text (null: None)."""
    if isinstance(node, yaml.MappingNode):
        return {as_written(k): as_written(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [as_written(v) for v in node.value]
    return None if node.tag == NULL_TAG else node.value


def with_text_sections(raw: dict[str, Any], text: str, sections: tuple[str, ...],
                       ) -> dict[str, Any]:
    """RAW (TEXT read by yaml.safe_load), with each top-level block's
    SECTIONS read as written instead."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return raw
    out = dict(raw)
    for key_node, block in root.value:
        name = as_written(key_node)
        if not isinstance(block, yaml.MappingNode) or not isinstance(out.get(name), dict):
            continue
        entry = dict(out[name])
        for section_key, section in block.value:
            section_name = as_written(section_key)
            if section_name in sections and section_name in entry:
                entry[section_name] = as_written(section)
        out[name] = entry
    return out
