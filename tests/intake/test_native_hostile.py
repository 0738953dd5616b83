"""Hostile native files: what a reviewer fed the presets' readers, and what
each must give (a counted reject with its line, or a clear error naming the
file, never a traceback or rows that vanish)."""

from __future__ import annotations

import json
from pathlib import Path

import privacylib

from conftest import rows


def _load(tmp_path: Path, name: str, text: str | bytes, mapping: str):
    folder = tmp_path / "d"
    folder.mkdir()
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    result = privacylib.load(folder, progress=False)
    return result, result.datasets[name.split(".")[0]], path


def _balanced(d) -> None:
    assert d.status == "loaded", d.error
    assert d.rows_read == d.rows_loaded + d.rows_rejected + d.rows_filtered


# 1. Kantara: the same receipt twice ------------------------------------------

def _receipt(rid: str, purposes: list[str]) -> dict:
    return {"consentReceiptID": rid, "consentTimestamp": 1759627921, "piiPrincipalId": "C9",
            "services": [{"service": "shop", "purposes": [
                {"purpose": p, "consentType": "explicit"} for p in purposes]}]}


def test_a_receipt_given_twice_is_rejected_as_duplicates_not_a_crash(tmp_path):
    # Both rows of line 2 repeat line 1's keys: two duplicates, one per row.
    r = json.dumps(_receipt("a", ["delivery", "ads"]))
    result, d, _ = _load(tmp_path, "consents.jsonl", f"{r}\n{r}\n",
                         "consents: {source: kantara}\n")
    _balanced(d)
    assert (d.rows_read, d.rows_loaded, d.rows_rejected) == (4, 2, 2)
    assert rows(result, "SELECT _source_line, consent_id, _reject_reason FROM "
                        "consents__rejects ORDER BY 2") == [
        (2, "a:1:1", "duplicate key: first loaded from consents.jsonl:1"),
        (2, "a:1:2", "duplicate key: first loaded from consents.jsonl:1")]


def test_a_duplicate_takes_only_itself_not_the_other_rows_of_its_line(tmp_path):
    # Line 2 repeats a:1:1 but brings a new purpose too: that one loads.
    text = (json.dumps(_receipt("a", ["delivery"])) + "\n"
            + json.dumps(_receipt("a", ["delivery", "ads"])) + "\n")
    result, d, _ = _load(tmp_path, "consents.jsonl", text, "consents: {source: kantara}\n")
    _balanced(d)
    assert (d.rows_read, d.rows_loaded, d.rows_rejected) == (3, 2, 1)
    assert rows(result, "SELECT consent_id, _source_line FROM consents ORDER BY 1") == [
        ("a:1:1", 1), ("a:1:2", 2)]
