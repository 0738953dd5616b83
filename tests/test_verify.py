"""Signed manifests and `privacy-audit verify`: every change to a run folder is caught."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import duckdb
import pytest

from privacylib.audit import AuditConfig
from privacylib.errors import ConfigError
from privacylib.manifest import MANIFEST, UNLISTED
from privacylib.runner import execute
from privacylib.signing import keygen
from privacylib.verify import verify_run

from conftest import SAMPLE


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    return execute(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10"), out)


@pytest.fixture
def copy(run, tmp_path):
    """A copy of the run folder to tamper with (the store stays where it is)."""
    target = tmp_path / run.name
    shutil.copytree(run, target)
    return target


def test_the_manifest_describes_the_run(run, signing_keys):
    manifest = json.loads((run / MANIFEST).read_text(encoding="utf-8"))
    assert {"run_id", "started_at", "finished_at", "parameters", "policy", "versions", "inputs",
            "outputs", "controls", "previous_manifest_sha256", "signing"} <= set(manifest)
    assert manifest["parameters"]["period"] == "2026-10"
    assert manifest["policy"]["content"]["timezone"] == "Asia/Shanghai"
    assert {"privacylib", "duckdb", "python", "papermill", "pandas"} <= set(manifest["versions"])
    inputs = {e["path"] for e in manifest["inputs"]}
    assert "data_stores.jsonl" in inputs and any(p.startswith("access_log/") for p in inputs)
    outputs = {e["path"] for e in manifest["outputs"]}
    assert {"findings.csv", "report.ipynb", "report.html", "summary.html", "workbook.xlsx",
            "rejects/access_log.csv", "run.json"} <= outputs
    assert not outputs & UNLISTED
    assert len(manifest["controls"]) == 36
    assert all(len(c["definition_sha256"]) == 64 for c in manifest["controls"])
    result = verify_run(run, public_key=signing_keys[1])
    assert result.ok, result.problems
    assert any("chain checked" in n for n in result.notes)


def test_every_byte_of_every_output_file_is_covered(run, tmp_path):
    listed = [e["path"] for e in json.loads((run / MANIFEST).read_text())["outputs"]]
    assert len(listed) >= 14
    for n, name in enumerate(listed):
        folder = tmp_path / f"c{n}"
        shutil.copytree(run, folder)
        path = folder / name
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01  # one bit, in the middle
        path.write_bytes(bytes(data))
        result = verify_run(folder)
        assert [p.split(" (")[0] for p in result.problems] == [f"changed: {name}"], name


def test_missing_and_added_files(copy):
    (copy / "findings.parquet").unlink()
    (copy / "rejects" / "note.txt").write_text("added later", encoding="utf-8")
    assert verify_run(copy).problems == ["missing: findings.parquet", "added: rejects/note.txt"]


def test_an_edited_manifest_breaks_the_signature(copy):
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    manifest["controls"][0]["findings"] += 1
    (copy / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1,
                                            sort_keys=True) + "\n", encoding="utf-8")
    problems = verify_run(copy).problems
    assert any("signature does not match" in p for p in problems)
    assert any("chain broken" in p for p in problems)  # the store has the original


def test_a_manifest_re_signed_by_another_key(copy, tmp_path, signing_keys):
    """A forger who re-signs with their own key passes only if the key is not pinned."""
    from privacylib.manifest import write_signed
    from privacylib.signing import load_private

    other, _ = keygen(tmp_path / "forger")
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    write_signed(copy, manifest, load_private(other))
    pinned = verify_run(copy, public_key=signing_keys[1])
    assert any("signature does not match" in p for p in pinned.problems)


def test_a_missing_signature_or_manifest(copy):
    (copy / "manifest.sig").unlink()
    assert verify_run(copy).problems == ["manifest.sig is missing: the manifest is not signed"]
    (copy / MANIFEST).unlink()
    assert "manifest.json is missing" in verify_run(copy).problems[0]


def test_a_store_that_lost_or_changed_the_run(run, tmp_path):
    manifest = json.loads((run / MANIFEST).read_text(encoding="utf-8"))
    db = tmp_path / "store.duckdb"
    shutil.copy(manifest["store"], db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE runs SET manifest_sha256 = repeat('0', 64)")
    con.close()
    assert any("recorded another manifest" in p for p in verify_run(run, store=db).problems)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM runs")
    con.close()
    assert any("has no run" in p for p in verify_run(run, store=db).problems)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "privacylib.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_verify_and_keygen_on_the_command_line(run, copy, tmp_path, signing_keys):
    ok = cli("verify", run, "--public-key", signing_keys[1])
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout + ok.stderr
    (copy / "summary.html").write_text("<p>all fine</p>", encoding="utf-8")
    bad = cli("verify", copy)
    assert bad.returncode == 1 and "FAILED: changed: summary.html" in bad.stdout
    assert cli("verify", tmp_path / "nowhere").returncode == 2
    made = cli("keygen", "--out", tmp_path / "k")
    assert made.returncode == 0 and (tmp_path / "k" / "signing.pub").exists()
    assert (tmp_path / "k" / "signing.key").stat().st_mode & 0o077 == 0
    again = cli("keygen", "--out", tmp_path / "k")
    assert again.returncode == 2 and "already exists" in again.stderr


def test_a_named_signing_key_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        execute(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10"), tmp_path,
                signing_key=tmp_path / "nope.key")
    assert not any(tmp_path.iterdir())  # stopped before anything was written
