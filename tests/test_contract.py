"""privacylib.contract holds exactly what docs/data-contract.md says."""

from __future__ import annotations

import re
from pathlib import Path

from privacylib.contract import ALIASES, BY_NAME, DATASETS, Kind

DOC = Path(__file__).parents[1] / "docs" / "data-contract.md"


def _documented() -> dict[str, dict]:
    text = DOC.read_text(encoding="utf-8").split("## Datasets", 1)[1].split("\n## ", 1)[0]
    parts = re.split(r"^\*\*(\w+)\*\* —", text, flags=re.M)[1:]
    found = {}
    for name, body in zip(parts[::2], parts[1::2], strict=True):
        body = body.split("\n###", 1)[0]
        explicit_key = re.search(r"Key: `([^`]+)`", body)
        while re.search(r"\([^()]*\)", body):
            body = re.sub(r"\([^()]*\)", "", body)
        columns, required, key = [], set(), []
        for segment in body.split("·"):
            m = re.search(r"`(\w+)`(\s+R\b)?(\s+key\b)?", segment)
            if m:
                columns.append(m.group(1))
                if m.group(2):
                    required.add(m.group(1))
                if m.group(3):
                    key.append(m.group(1))
        if explicit_key:
            key = [k.strip() for k in explicit_key.group(1).split(",")]
        found[name] = {"columns": columns, "required": required, "key": key}
    return found


def test_twenty_datasets_in_the_documented_order():
    assert list(_documented()) == [d.name for d in DATASETS]
    assert len(DATASETS) == 20


def test_columns_required_and_keys_match_the_document():
    for name, doc in _documented().items():
        ds = BY_NAME[name]
        assert list(ds.column_names) == doc["columns"], name
        null_finding = {c.name for c in ds.columns if c.null_finding}
        # "null is a finding" columns must exist too (the contract says so above the list).
        assert set(ds.required) == doc["required"] | null_finding, name
        assert list(ds.key) == doc["key"], name


def test_value_kinds_follow_the_document():
    kinds = {(d.name, c.name): c.kind for d in DATASETS for c in d.columns}
    for (dataset, column), kind in kinds.items():
        if column.endswith("_at") or column in ("ts", "valid_from", "valid_to"):
            assert kind is Kind.TIMESTAMP, (dataset, column)
    enums = {"action", "result", "status", "kind", "legal_basis", "method", "type", "anchor",
             "disposal", "recipient_country"}
    for (dataset, column), kind in kinds.items():
        assert (kind is Kind.ENUM) == (column in enums), (dataset, column)
    assert {c.name: c.default for d in DATASETS for c in d.columns if c.default is not None} == {
        "record_count": 1, "result": "success", "separate": False, "recipient_country": "CN"}


def test_aliases_name_contract_columns_only():
    all_columns = {c for d in DATASETS for c in d.column_names}
    for alias, targets in ALIASES.items():
        assert alias == alias.casefold()
        assert set(targets) <= all_columns, alias
    for d in DATASETS:  # within one dataset an alias is never ambiguous
        for alias, targets in ALIASES.items():
            assert len([t for t in targets if t in d.column_names]) <= 1, (d.name, alias)
