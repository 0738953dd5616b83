"""`privacy-audit run` and `demo`: the notebook through papermill, for real."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import SAMPLE, assert_no_raw_identifiers

EXPECTED = {".privacy-workbook", "controls.csv", "data_quality.csv", "exceptions.csv",
            "findings.csv", "findings.parquet", "manifest.json", "manifest.sig", "rejects",
            "report.html", "report.ipynb", "report.pdf", "resolved.csv", "result.json", "run.json",
            "summary.html", "workbook.xlsx"}


def audit(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "privacylib.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def zh_run(shared_runs):
    return shared_runs.out("october") / "2026-10"


def test_a_run_writes_a_complete_folder(zh_run):
    assert {p.name for p in zh_run.iterdir()} == EXPECTED
    notebook = json.loads((zh_run / "report.ipynb").read_text(encoding="utf-8"))
    injected = [c for c in notebook["cells"] if "injected-parameters" in c["metadata"].get(
        "tags", [])]
    assert injected and "2026-10" in "".join(injected[0]["source"])
    outputs = [o for c in notebook["cells"] for o in c.get("outputs", [])]
    assert [o for o in outputs if o.get("output_type") == "error"] == []
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2  # the charts, drawn
    page = (zh_run / "report.html").read_text(encoding="utf-8")
    assert "先同意后使用" in page and "本期内对具名客户的有效访问" in page


def test_the_covers_name_the_run_and_its_signer(zh_run):
    manifest = json.loads((zh_run / "manifest.json").read_text(encoding="utf-8"))
    run_id, signer = manifest["run_id"], manifest["signing"]["key_id"]
    for page in ("summary.html", "report.html"):
        text = (zh_run / page).read_text(encoding="utf-8")
        assert run_id in text and signer in text, page
    from privacylib.report.pdf import pdf_text

    assert run_id in pdf_text(zh_run / "report.pdf")


def test_every_output_file_is_masked(zh_run):
    assert_no_raw_identifiers(zh_run)


def test_english_and_unmasked_on_request(tmp_path):
    proc = audit("run", "--data", SAMPLE / "exports", "--period-start", "2026-10-01",
                 "--period-end", "2026-10-31", "--scope", "system=crm", "--lang", "en",
                 "--no-mask", "--reason", "regulator request 117", "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "2026-10-01..2026-10-31_system=crm"
    page = (folder / "summary.html").read_text(encoding="utf-8")
    assert "Control outcomes" in page and "NOT masked" in page and "system=crm" in page
    # Audit the auditor: the unmasked run is in the store's record, with why.
    log = audit("access-log", "--store", tmp_path / "audit-store.duckdb")
    assert log.returncode == 0 and "regulator request 117" in log.stdout
    assert "unmasked run" in log.stdout and folder.name in log.stdout


def test_an_unmasked_run_needs_a_reason(tmp_path):
    proc = audit("run", "--data", SAMPLE / "exports", "--period", "2026-10", "--no-mask",
                 "--out", tmp_path)
    assert proc.returncode == 2 and "--reason" in proc.stderr
    assert not any(tmp_path.iterdir())


def test_a_failing_notebook_leaves_a_failed_folder_and_exits_1(tmp_path, monkeypatch):
    monkeypatch.delenv("PRIVACY_AUDIT_PSEUDONYM_KEY")  # so that the key file is read, and fails
    # The folder's name holds an ID number: the crash quotes it, masked everywhere.
    id_number = "11010519491231002X"
    broken_key = tmp_path / f"key-is-a-folder-{id_number}"
    broken_key.mkdir()
    proc = audit("run", "--data", SAMPLE / "exports", "--period", "2026-10", "--out",
                 tmp_path / "runs", "--key-file", broken_key)
    assert proc.returncode == 1
    assert "FAILED" in proc.stderr
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["2026-10.FAILED"]
    failed = tmp_path / "runs" / "2026-10.FAILED"
    assert (failed / "FAILED").exists()
    notebook = (failed / "report.ipynb").read_text(encoding="utf-8")
    assert "An Exception was encountered" in notebook  # papermill's banner at the top
    kept = notebook + (failed / "FAILED").read_text(encoding="utf-8") + proc.stderr
    assert id_number not in kept and "110105********002X" in kept


@pytest.mark.parametrize("args", [
    ["--period", "2026-13"], ["--period", "2026-10", "--period-start", "2026-10-01"],
    ["--period", "2026-10", "--scope", "team=x"], ["--period", "2026-10", "--policy", "nope.yaml"],
])
def test_bad_usage_exits_2_before_any_notebook_runs(tmp_path, args):
    proc = audit("run", "--data", SAMPLE / "exports", "--out", tmp_path / "runs", *args)
    assert proc.returncode == 2, proc.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_demo_with_a_relative_folder(tmp_path):
    proc = audit("demo", "--out", "demo", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "summary.html" in proc.stdout
    assert (tmp_path / "demo" / "runs" / "2026-10" / "summary.html").exists()
    # The last line is the outcome; the kernel runs on Unix sockets, so no
    # warning about traffic "susceptible to eavesdropping" (nor any other).
    assert proc.stdout.splitlines()[-1].startswith("audit complete: failed ")
    assert "eavesdropping" not in proc.stderr and "Kernel" not in proc.stderr, proc.stderr


def test_the_english_report_has_no_chinese_sentences_from_the_catalog(shared_runs):
    page = (shared_runs.out("october-en") / "2026-10" / "report.html").read_text(
        encoding="utf-8")
    assert "An effective access in the period to a named customer" in page
    assert "本期内对具名客户的有效访问" not in page
