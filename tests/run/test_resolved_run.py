"""The run's configuration is resolved once and signed as used; signing reads
result.json, not the tables people read."""

from __future__ import annotations

import json
import shutil

import pandas as pd

from privacylib.audit.result import integrity, open_result
from privacylib.audit.run import AuditConfig, run_audit
from privacylib.config.params import resolve, sha256_text
from privacylib.report.files import write_report_files
from privacylib.run import runner
from privacylib.trail import store
from privacylib.trail.manifest import sha256_file
from privacylib.trail.publish import publish_run
from privacylib.trail.signing import load_private, signing_key_path
from privacylib.trail.verify import verify_run

from conftest import SAMPLE

OLD, NEW = "bulk_export_records_per_day: 1000\n", "bulk_export_records_per_day: 1\n"


def _u02(audit) -> int:
    return next(len(r.findings) for r in audit.result.results if r.control.id == "U02")


def test_the_manifest_records_the_policy_the_audit_used_not_the_file_now(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(OLD, encoding="utf-8")
    config = AuditConfig(data=str(SAMPLE / "exports"), period="2026-10", policy=str(policy))
    record = runner.prepare_run(config, tmp_path / "runs")  # resolved: the policy is read
    policy.write_text(NEW, encoding="utf-8")  # changed on disk before the notebook starts
    folder = runner.execute_run(record, tmp_path / "runs")

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    used = record.resolved.policy_sha256
    now = resolve(config).policy_sha256  # the policy the file holds now
    assert used != now
    assert manifest["policy"]["sha256"] == used == sha256_text(record.resolved.policy_text)
    assert manifest["policy"]["content"]["bulk_export_records_per_day"] == 1000
    assert open_result(folder).run.policy_digest == integrity(used)  # what the notebook used
    # and it did use it: U02's findings are those of the old threshold, not the new one
    u02 = next(c for c in manifest["controls"] if c["id"] == "U02")["findings"]
    assert u02 == _u02(run_audit(record.resolved)) != _u02(run_audit(resolve(config)))
    # the inputs were hashed when resolved, so they name the file as it was read
    entry = next(e for e in manifest["inputs"] if e["role"] == "policy")
    assert entry["sha256"] == sha256_text(OLD) != sha256_file(policy)
    assert verify_run(folder).ok


def test_signing_reads_result_json_not_the_tables(tmp_path):
    """A run folder whose tables changed shape (a renamed column, a file gone) is
    signed and recorded the same: the manifest and store take result.json."""
    out = tmp_path / "runs"
    record = runner.prepare_run(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10"),
                                out)
    tmp = out / ".2026-10.tmp-test"
    tmp.mkdir(parents=True)
    audit = run_audit(record.resolved.with_out(tmp))  # what the notebook does, in-process
    result = write_report_files(audit, tmp)
    controls = pd.read_csv(tmp / "controls.csv")
    controls.rename(columns={"outcome": "result", "control_id": "id"}).to_csv(
        tmp / "controls.csv", index=False)
    (tmp / "run.json").unlink()
    (tmp / "resolved.csv").unlink()
    target = out / "2026-10"
    publish_run(record, tmp, target, load_private(signing_key_path(None)))

    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert [(c["id"], c["outcome"], c["findings"]) for c in manifest["controls"]] == [
        (c.id, str(c.outcome), c.findings) for c in result.controls]
    assert manifest["run"] == result.run_record()
    recorded = store.outcomes(record.config.store)
    assert list(recorded["outcome"]) == [str(c.outcome) for c in sorted(
        result.controls, key=lambda c: c.id)]
    assert store.runs(record.config.store)["findings"].iloc[0] == result.findings.rows
    assert verify_run(target).proven
    shutil.rmtree(out)
