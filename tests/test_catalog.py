"""The control files hold to docs/controls.md, and the loader reports every problem."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from privacylib.controls.catalog import CONTROLS_DIR, load_catalog, select
from privacylib.errors import ProblemsError, UsageError
from privacylib.vocab import Localized

DOC = Path(__file__).parents[1] / "docs" / "controls.md"
FAMILY_OF_SECTION = {"Collection": "collection", "Storage": "storage", "Use": "use",
                     "Sharing": "sharing", "Rights": "rights", "Accountability": "accountability"}


def _spec() -> dict[str, dict]:
    rows, family = {}, None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            family = FAMILY_OF_SECTION.get(line[3:].split()[0])
        m = re.match(r"^\| ([CSUHRA]\d\d) \| (.+?) \| (.+?) \| (\w+) \| (.+?) \| (.+) \| (.+?) \|$",
                     line)
        if not m:
            continue
        cid, names, refs, sev, datasets, _rule, subject = m.groups()
        slug, titles = (s.strip() for s in names.split("·", 1))
        zh, en = (s.strip() for s in titles.split("/", 1))
        seed, pipl = (s.strip() for s in refs.split("·", 1))
        rows[cid] = {"family": family, "slug": slug, "zh": zh, "en": en, "seed": seed,
                     "pipl": pipl, "severity": sev,
                     "datasets": [d.strip() for d in datasets.split(",")],
                     "subject": subject.replace("`", "").replace("{", "").replace("}", "")}
    return rows


def test_thirty_six_controls_as_the_spec_names_them():
    spec, catalog = _spec(), load_catalog()
    assert len(spec) == 36 and [c.id for c in catalog] == list(spec)
    for c in catalog:
        s = spec[c.id]
        assert (c.family, c.slug, c.title) == (s["family"], s["slug"],
                                                Localized(s["zh"], s["en"])), c.id
        assert (c.title("zh"), c.title("en")) == (s["zh"], s["en"]), c.id
        assert (c.seed, c.pipl, c.severity) == (s["seed"], s["pipl"], s["severity"]), c.id
        assert list(c.datasets) == s["datasets"], c.id
        assert c.subject.replace("{", "").replace("}", "") == s["subject"], c.id


def test_every_control_reads_only_its_datasets():
    catalog = load_catalog()
    words = {d: re.compile(rf"\b(FROM|JOIN)\s+{d}\b") for c in catalog for d in c.datasets}
    for c in load_catalog():
        declared = {*c.datasets, *c.optional_datasets}
        for name, pattern in words.items():
            if pattern.search(c.sql):
                assert name in declared, (c.id, name)
        for name in declared:
            assert words.get(name, re.compile(rf"\bJOIN\s+{name}\b|\bFROM\s+{name}\b")
                             ).search(c.sql), (c.id, name)


def test_the_loader_reports_every_problem_of_every_file(tmp_path):
    folder = tmp_path / "controls"
    shutil.copytree(CONTROLS_DIR, folder)
    c01 = folder / "C01_purpose_declared.sql"
    c01.write_text(c01.read_text(encoding="utf-8").replace("severity: high", "severity: urgent")
                   .replace("$period", "$perio"), encoding="utf-8")
    s01 = folder / "S01_encryption_at_rest.sql"
    s01.write_text(s01.read_text(encoding="utf-8").replace("[data_stores]", "[data_store]"),
                   encoding="utf-8")
    (folder / "U01_ticketed_privileged_action.sql").rename(folder / "U01_tickets.sql")
    load_catalog.cache_clear()
    with pytest.raises(ProblemsError) as exc:
        load_catalog(folder)
    text = str(exc.value)
    assert "severity 'urgent'" in text and "dataset 'data_store'" in text
    assert "U01_ticketed_privileged_action.sql" in text
    # S01's population is drawn from data_stores, no longer one of its datasets.
    assert "population dataset 'data_stores'" in text
    assert "4 problem(s)" in text


def test_selection_by_id_family_and_severity():
    catalog = load_catalog()
    assert [c.id for c in select(catalog, ids=["U02", "C01"])] == ["C01", "U02"]
    assert {c.family for c in select(catalog, families=["sharing"])} == {"sharing"}
    critical = select(catalog, severities=["critical"])
    assert {c.id for c in critical} == {"C03", "C04", "C05", "S08", "U05", "H01", "H03",
                                        "R02", "A02"}
    with pytest.raises(UsageError):
        select(catalog, ids=["Z99"])
    with pytest.raises(UsageError):
        select(catalog, severities=["urgent"])
