"""`privacy-audit init DIR`: the starter folder, its templates, and what it refuses."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from privacylib.config import mapping as mapping_module
from privacylib.config.examples import example
from privacylib.config.mapping import DatasetMapping, load_mapping
from privacylib.config.policy import Policy, load_policy
from privacylib.config.templates import header, policy_meanings
from privacylib.contract import DATASETS
from privacylib.controls.catalog import load_catalog
from privacylib.intake.headers import resolve

from conftest import load_dir, write_csv


def audit(*args):
    return subprocess.run([sys.executable, "-m", "privacylib.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=180)


def uncomment(text: str) -> str:
    """The template with its `# ` lines made live (`## ` lines are prose)."""
    return "\n".join(line[2:] if line.startswith("# ") else line
                     for line in text.splitlines()) + "\n"


@pytest.fixture(scope="module")
def starter(tmp_path_factory):
    folder = tmp_path_factory.mktemp("init") / "company"
    proc = audit("init", folder)
    assert proc.returncode == 0, proc.stderr
    return folder


def test_init_writes_the_header_of_every_dataset_and_nothing_else_as_data(starter):
    for ds in DATASETS:
        lines = (starter / f"{ds.name}.csv").read_text(encoding="utf-8").splitlines()
        assert lines == [",".join(ds.column_names)], ds.name
    expected = {f"{ds.name}.csv" for ds in DATASETS} | {"README.md", "mapping.yaml",
                                                        "policy.yaml"}
    assert {p.name for p in starter.iterdir()} == expected
    readme = (starter / "README.md").read_text(encoding="utf-8")
    for ds in DATASETS:  # every column is explained, with its example
        assert f"## {ds.name}.csv" in readme
        for col in ds.columns:
            value, meaning = example(ds, col)
            assert f"| `{col.name}` |" in readme and meaning in readme
            assert not value or f"`{value}`" in readme


def test_chinese_headers_are_read_back_as_every_contract_column(tmp_path):
    proc = audit("init", tmp_path / "zh", "--lang", "zh")
    assert proc.returncode == 0, proc.stderr
    chinese = 0
    for ds in DATASETS:
        with (tmp_path / "zh" / f"{ds.name}.csv").open(encoding="utf-8") as fh:
            (names,) = list(csv.reader(fh))
        res = resolve(ds, names, DatasetMapping())
        assert not res.problems and not res.extras, (ds.name, res.problems, res.extras)
        assert sorted(res.contract) == sorted(ds.column_names), ds.name
        chinese += sum(n not in ds.column_names for n in names)
    assert chinese > 50  # the aliases were used, not the English names again


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_readme_examples_load_as_one_clean_row_per_dataset(tmp_path, lang):
    for ds in DATASETS:
        write_csv(tmp_path / f"{ds.name}.csv", header(ds, lang),
                  [[example(ds, c)[0] for c in ds.columns]])
    loaded = load_dir(tmp_path)
    for ds in DATASETS:
        d = loaded.datasets[ds.name]
        assert (d.status, d.rows_read, d.rows_loaded, d.warnings) == ("loaded", 1, 1, []), \
            (ds.name, d.error, d.warnings)


def test_the_templates_load_as_written_and_uncommented(starter, tmp_path):
    assert load_mapping(starter / "mapping.yaml").datasets == {}
    assert load_policy(starter / "policy.yaml") == Policy()
    live = tmp_path / "mapping.yaml"
    live.write_text(uncomment((starter / "mapping.yaml").read_text(encoding="utf-8")),
                    encoding="utf-8")
    mapping = load_mapping(live)
    entry = mapping.for_dataset("access_log")
    # Every key of the mapping has its example in the template.
    for key in mapping_module.KEYS:
        assert any(getattr(e, key) for e in mapping.datasets.values()), key
    assert mapping.for_dataset("consents").source_name == "kantara"
    assert entry.targets("操作时间") == ("ts",)
    policy = tmp_path / "policy.yaml"
    policy.write_text(uncomment((starter / "policy.yaml").read_text(encoding="utf-8")),
                      encoding="utf-8")
    text = policy.read_text(encoding="utf-8")
    meanings = policy_meanings()
    for key in Policy().as_dict():
        assert f"\n{key}: " in text and meanings.get(key), key
    assert load_policy(policy) == Policy()  # every default, spelt as the template spells it


def test_init_refuses_a_folder_that_is_not_empty_and_never_overwrites(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "access_log.csv").write_text("my,own,data\n", encoding="utf-8")
    outside = tmp_path / "outside.csv"
    outside.write_text("not yours\n", encoding="utf-8")
    (folder / "consents.csv").symlink_to(outside)
    (folder / "backups").mkdir()  # a dataset given as a folder of files
    proc = audit("init", folder)
    assert proc.returncode == 2 and "is not empty" in proc.stderr
    assert {p.name for p in folder.iterdir()} == {"access_log.csv", "consents.csv", "backups"}
    proc = audit("init", folder, "--force")
    assert proc.returncode == 0, proc.stderr
    (kept,) = [line for line in proc.stdout.splitlines() if line.startswith("kept")]
    assert all(f"{n}.csv" in kept for n in ("access_log", "consents", "backups")), kept
    assert not (folder / "backups.csv").exists()
    assert (folder / "access_log.csv").read_text(encoding="utf-8") == "my,own,data\n"
    assert outside.read_text(encoding="utf-8") == "not yours\n"
    assert (folder / "customers.csv").is_file() and (folder / "policy.yaml").is_file()
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    assert audit("init", tmp_path / "afile").returncode == 2


def test_validate_on_the_starter_folder_exits_0_and_says_what_each_control_needs(starter,
                                                                                 tmp_path):
    proc = audit("validate", starter, "--out", tmp_path / "v", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["template"] is True
    assert "no file here holds a row yet" in proc.stderr
    catalog = load_catalog()
    assert [c["control"] for c in report["controls"]] == [c.id for c in catalog]
    for c, got in zip(catalog, report["controls"], strict=True):
        # Every dataset is given with no row: each control waits on all it needs.
        assert (got["readiness"], got["blocking"]) == ("no_rows", list(c.datasets)), c.id
    assert report["counts"]["no_rows"] == len(catalog)
    text = audit("validate", starter, "--out", tmp_path / "w", "--lang", "en")
    assert text.returncode == 0, text.stderr
    assert f"coverage: 0 of {len(catalog)} controls can run" in text.stdout
    assert "no row yet in" in text.stdout and "access_log (" in text.stdout


def test_an_export_with_an_empty_log_is_no_template(starter, tmp_path):
    # Fewer files, none with a row: an export that came out empty still warns.
    folder = tmp_path / "export"
    folder.mkdir()
    for name in ("access_log.csv", "consents.csv"):
        (folder / name).write_bytes((starter / name).read_bytes())
    proc = audit("validate", folder, "--out", tmp_path / "v", "--lang", "en")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "access_log: no row at all" in proc.stdout
    assert "no file here holds a row yet" not in proc.stdout
