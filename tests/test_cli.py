"""`privacy-audit validate`, run as a real process."""

from __future__ import annotations

import csv
import subprocess
import sys

from conftest import write_csv

LOG = ["event_id", "ts", "actor_id", "data_category", "action", "purpose"]


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "privacylib.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


def _quality(folder):
    with (folder / "data_quality.csv").open(encoding="utf-8") as fh:
        return {row["dataset"]: row for row in csv.DictReader(fh)}


def test_validate_reports_each_dataset_and_writes_rejects(data_dir, tmp_path):
    write_csv(data_dir / "access_log.csv", LOG, [["E1", "2026-10-01 10:00", "A", "c", "read", "p"],
                                                 ["E2", "later", "A", "c", "read", "p"]])
    out = tmp_path / "out"
    proc = run("validate", "--data", data_dir, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert "access_log" in proc.stdout and "rejected" in proc.stdout
    assert "consents" in proc.stdout and "absent" in proc.stdout
    quality = _quality(out)
    assert len(quality) == 20
    log = quality["access_log"]
    assert (log["rows_read"], log["rows_loaded"], log["rows_rejected"]) == ("2", "1", "1")
    assert quality["consents"]["status"] == "absent"
    with (out / "rejects" / "access_log.csv").open(encoding="utf-8") as fh:
        (reject,) = list(csv.DictReader(fh))
    assert reject["_source_file"] == "access_log.csv" and reject["_source_line"] == "3"
    assert reject["_reject_column"] == "ts" and reject["ts"] == "later"


def test_missing_required_column_exits_2_with_the_report_written(data_dir, tmp_path):
    write_csv(data_dir / "access_log.csv", LOG[:-1], [["E1", "2026-10-01 10:00", "A", "c", "read"]])
    out = tmp_path / "out"
    proc = run("validate", "--data", data_dir, "--out", out)
    assert proc.returncode == 2
    assert "required column 'purpose' is missing" in proc.stderr
    assert _quality(out)["access_log"]["status"] == "error"


def test_bad_policy_exits_2_and_writes_nothing(data_dir, tmp_path):
    write_csv(data_dir / "access_log.csv", LOG, [])
    policy = tmp_path / "policy.yaml"
    policy.write_text("bulk_export_limit: 5\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = run("validate", "--data", data_dir, "--policy", policy, "--out", out)
    assert proc.returncode == 2
    assert "bulk_export_limit" in proc.stderr and "did you mean" in proc.stderr
    assert not out.exists()


def test_missing_data_folder_and_bad_usage_exit_2(tmp_path):
    proc = run("validate", "--data", tmp_path / "nowhere", "--out", tmp_path / "o")
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    assert run("validate").returncode == 2
    assert run("frobnicate").returncode == 2


def test_an_existing_foreign_folder_is_not_overwritten(data_dir, tmp_path):
    write_csv(data_dir / "access_log.csv", LOG, [])
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    proc = run("validate", "--data", data_dir, "--out", out)
    assert proc.returncode == 2 and "not written by privacy-audit" in proc.stderr
    assert (out / "thesis.docx").read_text() == "precious"


def test_rerun_replaces_its_own_output_whole(data_dir, tmp_path):
    write_csv(data_dir / "access_log.csv", LOG, [["E1", "bad", "A", "c", "read", "p"]])
    out = tmp_path / "out"
    # Its only row rejected, the log is unusable (exit 3), and the folder is written.
    assert run("validate", "--data", data_dir, "--out", out).returncode == 3
    assert (out / "rejects" / "access_log.csv").exists()
    write_csv(data_dir / "access_log.csv", LOG, [["E1", "2026-10-01", "A", "c", "read", "p"]])
    assert run("validate", "--data", data_dir, "--out", out).returncode == 0
    assert not (out / "rejects").exists()  # the old rejects went with the old run
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_rejected_rows_are_masked_unless_asked(data_dir, tmp_path):
    write_csv(data_dir / "customers.csv", ["客户编号", "开户时间", "身份证号", "手机号", "姓名"],
              [["C1", "never", "11010519491231002X", "13812345678", "张三丰"]])
    masked, raw = tmp_path / "masked", tmp_path / "raw"
    # The only customer rejected: the table is unusable (3), its rejects written.
    assert run("validate", "--data", data_dir, "--out", masked).returncode == 3
    assert run("validate", "--data", data_dir, "--out", raw, "--no-mask").returncode == 3
    text = (masked / "rejects" / "customers.csv").read_text(encoding="utf-8")
    for secret in ("11010519491231002X", "13812345678", "张三丰", ",C1,"):
        assert secret not in text
    assert "110105********002X" in text and "138****5678" in text and "张**" in text
    assert "13812345678" in (raw / "rejects" / "customers.csv").read_text(encoding="utf-8")


def test_an_option_given_twice_is_an_error_not_the_last_kept():
    """`--scope department=客服中心 --scope system=crm` audited crm alone."""
    proc = run("run", "--data", "d", "--period", "2026-10", "--scope", "department=客服中心",
               "--scope", "system=crm")
    assert proc.returncode == 2 and "--scope is given twice" in proc.stderr


def test_a_path_that_cannot_serve_is_one_line_not_a_traceback(tmp_path):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    for args in (["demo", "--out", tmp_path / "a-file"],
                 ["keygen", "--out", tmp_path / "a-file" / "key"]):
        proc = run(*args)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr and proc.stderr.startswith("error: ")
