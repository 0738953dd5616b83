"""Signed manifests and `privacy-audit verify`: every change to a run folder is caught."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import duckdb
import pytest

from privacylib.audit.run import AuditConfig
from privacylib.errors import ConfigError
from privacylib.run.runner import execute
from privacylib.trail.manifest import MANIFEST, UNLISTED
from privacylib.trail.signing import keygen
from privacylib.trail.verify import verify_run

from conftest import SAMPLE


@pytest.fixture(scope="module")
def runs(tmp_path_factory, shared_runs):
    """September, October, and October again: (09, 10, a copy of the first 10).
    The two Octobers are this module's own: the replaced run's manifest must
    name the store that recorded the second."""
    september = shared_runs.out("september-october") / "2026-09"
    out = tmp_path_factory.mktemp("runs")
    october = execute(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10"), out)
    replaced = tmp_path_factory.mktemp("replaced") / october.name
    shutil.copytree(october, replaced)
    again = execute(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10"), out)
    return september, again, replaced


@pytest.fixture(scope="module")
def run(runs):
    return runs[1]


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
    assert manifest["binding"] == {"run_id": manifest["run_id"], "folder": "2026-10",
                                   "period": "2026-10", "scope": ""}
    result = verify_run(run, public_key=signing_keys[1])
    assert result.proven and result.code == 0, result.problems
    assert any("chain checked" in n for n in result.notes)


def test_every_byte_of_every_output_file_is_covered(run, tmp_path):
    listed = [e["path"] for e in json.loads((run / MANIFEST).read_text())["outputs"]]
    assert len(listed) >= 14
    for n, name in enumerate(listed):
        folder = tmp_path / f"c{n}" / run.name
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
    from privacylib.trail.manifest import write_signed
    from privacylib.trail.signing import key_id, load_private, public_text

    other, _ = keygen(tmp_path / "forger")
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    manifest["controls"][0]["findings"] += 1
    forger = load_private(other).public_key()
    manifest["signing"] = {"algorithm": "Ed25519", "key_id": key_id(forger),
                           "public_key": public_text(forger)}
    for store in (None, str(tmp_path / "nowhere.duckdb")):  # and the chain out of the way
        manifest["store"] = store
        write_signed(copy, manifest, load_private(other))
        pinned = verify_run(copy, public_key=signing_keys[1])
        assert any("signature does not match" in p for p in pinned.problems)
        assert pinned.code == 1
        unpinned = verify_run(copy)
        assert unpinned.ok and unpinned.code == 3 and not unpinned.trusted
        assert unpinned.summary().startswith("INTEGRITY ONLY")
        shown = cli("verify", copy)
        assert shown.returncode == 3 and "INTEGRITY ONLY" in shown.stdout
        assert "OK" not in shown.stdout and "not trusted" in shown.stdout


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
    assert ok.returncode == 0 and "PROVEN" in ok.stdout, ok.stdout + ok.stderr
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


def verified(folder, *args):
    """(exit code, stdout + stderr) of `privacy-audit verify`, pinned and not."""
    proc = cli("verify", folder, *args)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout + proc.stderr


def test_swapped_and_renamed_folders_fail(runs, tmp_path, signing_keys):
    september, october, _ = runs
    swapped = tmp_path / "swapped"
    shutil.copytree(september, swapped / october.name)
    shutil.copytree(october, swapped / september.name)
    for folder in swapped.iterdir():
        for pin in ([], ["--public-key", signing_keys[1]]):
            code, said = verified(folder, *pin)
            assert code == 1 and f"this folder is named {folder.name}" in said, said
    renamed = tmp_path / "2026-10-final"
    shutil.copytree(october, renamed)
    assert verify_run(renamed).code == 1


def test_a_replaced_run_put_back_fails(runs, tmp_path, signing_keys):
    """The first October run, put back in place of the second: intact, signed
    by us, and no longer what the store says the folder holds."""
    _, october, replaced = runs
    for pin in (None, signing_keys[1]):
        result = verify_run(replaced, public_key=pin)
        assert result.code == 1
        assert [p for p in result.problems if "now holds run" in p], result.problems
    assert verify_run(october).code == 0


def test_a_trusted_keys_file(run, tmp_path, monkeypatch, signing_keys):
    from privacylib.trail import signing

    monkeypatch.delenv("PRIVACY_AUDIT_SIGNING_KEY")  # not this machine's key, then
    monkeypatch.setattr(signing, "DEFAULT_KEY_DIR", tmp_path / "nokeys")
    assert verify_run(run).code == 3
    line = signing.public_text(signing.load_public(signing_keys[1]))
    trusted = tmp_path / "trusted_keys"
    trusted.write_text(f"# the audit team\n{line} audit-team\n", encoding="utf-8")
    trusted.chmod(0o600)
    result = verify_run(run, trusted=trusted)
    assert result.code == 0 and any("trusted_keys line 2" in n for n in result.notes)
    trusted.chmod(0o666)
    with pytest.raises(ConfigError, match="may be changed by others"):
        verify_run(run, trusted=trusted)
    trusted.write_bytes(b"\xff\xfe" + line.encode("utf-16-le"))  # a traceback, it was
    trusted.chmod(0o600)
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        verify_run(run, trusted=trusted)


@pytest.mark.parametrize("damage", ["truncated", "empty", "not duckdb"])
def test_a_damaged_store_is_one_line_and_exit_2(run, tmp_path, damage):
    manifest = json.loads((run / MANIFEST).read_text(encoding="utf-8"))
    data = open(manifest["store"], "rb").read()  # noqa: SIM115
    store = tmp_path / "store.duckdb"
    store.write_bytes({"truncated": data[:len(data) // 2], "empty": b"",
                       "not duckdb": b"hello" * 100}[damage])
    code, said = verified(run, "--store", store)
    assert code == 2 and said.count("\n") == 1 and "store.duckdb" in said, said
    assert "holding it open" not in said


@pytest.mark.parametrize("field", ["signing", "outputs", "binding", "run_id"])
def test_null_manifest_fields_are_one_line_and_exit_2(copy, field):
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    manifest[field] = None
    (copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    code, said = verified(copy)
    assert code == 2 and said.count("\n") == 1 and f"'{field}'" in said, said
    (copy / MANIFEST).write_text("{not json", encoding="utf-8")
    code, said = verified(copy)
    assert code == 2 and "not valid JSON" in said


@pytest.mark.parametrize("binding", ["a string", {}])
def test_a_binding_of_another_shape_under_another_format_is_one_line(copy, binding):
    """Under another format a binding was not checked: a KeyError (exit 1)."""
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    manifest["format"], manifest["binding"] = "privacy-workbook/0", binding
    (copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    code, said = verified(copy)
    assert code == 2 and said.count("\n") == 1 and "'binding'" in said, said


def test_verify_prints_the_result_seal_that_report_pdf_shows(run):
    from privacylib.audit.result import file_integrity
    from privacylib.report.pdf import pdf_text

    seal = file_integrity(run / "result.json")
    shown = cli("verify", run)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert f"result seal: {seal}" in shown.stdout
    assert verify_run(run).seal == seal
    # The run's own report.pdf, written from this result, names the same seal.
    assert f"结果封印 {seal}" in pdf_text(run / "report.pdf")  # the run's language


def test_verify_from_inside_the_run_folder(run, monkeypatch):
    # "." has no name of its own: the folder binding is checked on the real one.
    monkeypatch.chdir(run)
    assert verify_run(".").ok
    monkeypatch.chdir(run / "rejects")
    assert verify_run("..").ok


def test_a_changed_result_is_named_as_the_seal(copy):
    path = copy / "result.json"
    sealed = verify_run(copy).seal
    path.write_text(path.read_text(encoding="utf-8").replace('"fail"', '"pass"', 1),
                    encoding="utf-8")
    result = verify_run(copy)
    assert result.seal == sealed  # the seal is what was signed, not what is there now
    assert [p.split(" (")[0] for p in result.problems] == ["changed: result.json"]
    assert any("not the one the result seal names" in n for n in result.notes)


def test_a_manifest_without_a_result_has_no_seal(copy, signing_keys):
    from privacylib.trail.manifest import write_signed
    from privacylib.trail.signing import load_private

    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    manifest["outputs"] = [e for e in manifest["outputs"] if e["path"] != "result.json"]
    write_signed(copy, manifest, load_private(signing_keys[0]))
    result = verify_run(copy)
    assert result.seal is None
    assert "the manifest lists no result.json: the run has no result seal" in result.problems
    assert "added: result.json" in result.problems
