"""Coverage in `privacy-audit validate`: which controls can run on what was
given, and which datasets the others need. Expectations are derived from the
catalog, never listed by hand, and checked against the engine itself."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter

import pytest

from privacylib.config.period import resolve_period
from privacylib.controls.catalog import load_catalog
from privacylib.controls.coverage import Readiness, coverage
from privacylib.controls.engine import run_controls
from privacylib.intake.ingest import DatasetLoad
from privacylib.vocab import Outcome

from conftest import load_dir, write_csv

LOG = ["event_id", "ts", "actor_id", "customer_id", "data_category", "action", "purpose"]
ROW = re.compile(r"^  ([CSUHRA]\d\d)  (runs|skipped|no rows|error)\s+.*?(?:\[(\w[\w ]*?) (.+)\])?$")


def audit(*args):
    return subprocess.run([sys.executable, "-m", "privacylib.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=180)


@pytest.fixture
def log_only(data_dir):
    write_csv(data_dir / "access_log.csv", LOG, [
        ["E1", "2026-10-01 10:00", "A1", "C1", "contact", "read", "service"],
        ["E2", "2026-10-02 23:00", "A1", "C2", "contact", "export", "service"]])
    return data_dir


def table(stdout: str) -> dict[str, tuple[str, list[str]]]:
    """control id -> (state, datasets named) from the printed coverage table."""
    found = {}
    for line in stdout.splitlines():
        if m := ROW.match(line):
            found[m[1]] = (m[2], m[4].split(", ") if m[4] else [])
    return found


def test_an_access_log_alone_runs_exactly_the_controls_that_need_only_it(log_only, tmp_path):
    catalog = load_catalog()
    proc = audit("validate", log_only, "--out", tmp_path / "v", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    expected = {c.id: ("runs", []) if set(c.datasets) <= {"access_log"} else
                ("skipped", [d for d in c.datasets if d != "access_log"]) for c in catalog}
    assert table(proc.stdout) == expected
    runs = sum(state == "runs" for state, _ in expected.values())
    assert 0 < runs < len(catalog)  # the case tells runnable from skipped at all
    assert f"coverage: {runs} of {len(catalog)} controls can run" in proc.stdout
    # What to export, most controls first, each with the number it is needed by.
    needs = Counter(d for _, names in expected.values() for d in names)
    (line,) = [x for x in proc.stdout.splitlines() if x.startswith("to run the skipped")]
    listed = re.findall(r"(\w+) \((\d+) controls?\)", line)
    assert {d: int(n) for d, n in listed} == dict(needs)
    counts = [int(n) for _, n in listed]
    assert counts == sorted(counts, reverse=True)


def test_coverage_agrees_with_what_the_engine_then_does(log_only):
    loaded = load_dir(log_only)
    cov = coverage(loaded.datasets)
    result = run_controls(loaded, resolve_period("2026-10"))
    outcomes = {r.control.id: r.outcome for r in result.results}
    for c in cov.controls:
        skipped = outcomes[c.control.id] == Outcome.SKIPPED
        assert skipped == (c.readiness is Readiness.SKIPPED), (c.control.id, outcomes)


def test_errors_and_empty_datasets_block_the_controls_that_read_them():
    catalog = load_catalog()
    reader = next(c for c in catalog if c.optional_datasets)
    optional = reader.optional_datasets[0]
    datasets = {name: DatasetLoad(name, "loaded", rows_read=3, rows_loaded=3)
                for c in catalog for name in (*c.datasets, *c.optional_datasets)}
    datasets[optional] = DatasetLoad(optional, "error", error="broken")
    empty = next(d for d in reader.datasets)
    datasets[empty] = DatasetLoad(empty, "loaded", rows_read=2, rows_loaded=0)  # all rejected
    cov = {c.control.id: c for c in coverage(datasets).controls}
    # An optional dataset in error stops the control, as the engine does.
    assert (cov[reader.id].readiness, cov[reader.id].blocking) == (Readiness.ERROR, (optional,))
    for c in catalog:
        if optional not in (*c.datasets, *c.optional_datasets) and empty in c.datasets:
            assert (cov[c.id].readiness, cov[c.id].blocking) == (Readiness.NO_ROWS, (empty,))
        elif optional not in (*c.datasets, *c.optional_datasets):
            assert cov[c.id].readiness is Readiness.RUNS, c.id


def test_chinese_by_default_and_json_for_machines(log_only, tmp_path):
    zh = audit("validate", "--data", log_only, "--out", tmp_path / "zh")
    assert zh.returncode == 0, zh.stderr
    assert "覆盖：" in zh.stdout and "要运行被跳过的控制，请导出：" in zh.stdout
    js = audit("validate", log_only, "--out", tmp_path / "js", "--json")
    assert js.returncode == 0, js.stderr
    report = json.loads(js.stdout)  # stdout is the document alone
    catalog = load_catalog()
    assert sum(report["counts"].values()) == len(catalog)
    assert report["datasets"]["access_log"]["rows_loaded"] == 2
    assert report["to_export"][0]["controls"]  # the most needed dataset first
    assert "access_log" in js.stderr  # the quality lines went to stderr


def test_the_data_folder_is_given_once(log_only, tmp_path):
    both = audit("validate", log_only, "--data", tmp_path, "--out", tmp_path / "v")
    assert both.returncode == 2 and "two data folders" in both.stderr
    assert audit("validate", "--out", tmp_path / "v").returncode == 2


def test_the_dates_of_each_dataset_are_local_days(log_only, tmp_path):
    # 2020-01-01 at midnight in Asia/Shanghai is 2019-12-31 in UTC: the user
    # wrote the first, and reads it back.
    write_csv(log_only / "employees.csv", ["actor_id", "hired_at"], [["A1", "2020-01-01"]])
    proc = audit("validate", log_only, "--out", tmp_path / "v", "--lang", "en")
    (line,) = [x for x in proc.stdout.splitlines() if x.startswith("employees")]
    assert line.endswith("dated 2020-01-01 .. 2020-01-01"), line
