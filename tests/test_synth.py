"""The synthetic company: realistic values, planted findings, determinism."""

from __future__ import annotations

import csv
import filecmp
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privacylib.synth import generate
from privacylib.synth.people import id_check_digit, person

from conftest import load_dir

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "data" / "sample"


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_check_digit_matches_known_numbers():
    # Published GB 11643 examples.
    assert id_check_digit("11010519491231002") == "X"
    assert id_check_digit("44052418800101001") == "4"


@settings(max_examples=200)
@given(st.integers(0, 2**32))
def test_people_have_valid_ids_phones_and_mail(seed):
    import random

    who = person(random.Random(seed))
    assert re.fullmatch(r"\d{17}[\dX]", who["id_number"])
    assert who["id_number"][17] == id_check_digit(who["id_number"][:17])
    assert 1960 <= int(who["id_number"][6:10]) <= 2004
    assert re.fullmatch(r"1[3-9]\d{9}", who["mobile"])
    assert re.fullmatch(r"[a-z]+\d+@[a-z0-9.]+", who["email"])
    assert 2 <= len(who["name"]) <= 3


def test_the_committed_sample_is_what_the_generator_makes(tmp_path):
    generate(tmp_path / "sample")
    cmp = filecmp.dircmp(SAMPLE, tmp_path / "sample")
    _assert_same(cmp)


def _assert_same(cmp: filecmp.dircmp) -> None:
    assert not cmp.left_only and not cmp.right_only, (cmp.left_only, cmp.right_only)
    _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
    assert not mismatch and not errors, (cmp.left, mismatch)
    for sub in cmp.subdirs.values():
        _assert_same(sub)


def test_the_sample_is_small_and_complete():
    size = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert size < 5 * 1024 * 1024
    result = load_dir(SAMPLE / "exports")
    assert all(d.status == "loaded" for d in result.datasets.values())


def test_expected_rejects_are_what_the_loader_rejects():
    result = load_dir(SAMPLE / "exports")
    expected = {
        r["dataset"]: int(r["rows_rejected"]) for r in _csv(SAMPLE / "expected_rejects.csv")
    }
    got = {name: d.rows_rejected for name, d in result.datasets.items() if d.rows_rejected}
    assert got == expected


def test_every_control_has_several_planted_subjects():
    ids = re.findall(
        r"^\| ([CSUHRA]\d\d) \|",
        (ROOT / "docs" / "controls.md").read_text(encoding="utf-8"),
        flags=re.M,
    )
    assert len(ids) == 36
    planted = _csv(SAMPLE / "planted.csv")
    per_control = {i: sum(1 for r in planted if r["control_id"] == i) for i in ids}
    assert min(per_control.values()) >= 2, per_control
    assert {r["control_id"] for r in planted} <= set(ids)


def test_same_seed_same_company_other_seed_other_company(tmp_path):
    a = generate(tmp_path / "a", 3000, seed=11)
    b = generate(tmp_path / "b", 3000, seed=11)
    c = generate(tmp_path / "c", 3000, seed=12)
    log = "access_log/2026-10-05.csv.gz"
    assert (a.folder / log).read_bytes() == (b.folder / log).read_bytes()
    assert (a.folder / log).read_bytes() != (c.folder / log).read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_both_formats_load_to_the_same_counts(tmp_path, fmt):
    made = generate(tmp_path / fmt, 5000, fmt=fmt)
    d = load_dir(made.folder).datasets["access_log"]
    assert d.rows_read == made.events and d.rows_rejected == 5
