"""Exit codes and last lines a pipeline can trust (issue #11): the audit says
when it did not look, for real, through `privacy-audit run`, `batch` and
`validate` on copies of the sample company made hostile. Where the question
is what the audit concluded from bad data, not what the command printed, the
audit runs in this process (in_process) and its verdict gives the exit code."""

from __future__ import annotations

import csv
import gzip
import shutil
import subprocess
import sys

from conftest import SAMPLE


def audit(*args):
    return subprocess.run([sys.executable, "-m", "privacylib.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def company(tmp_path, name="exports"):
    folder = tmp_path / name
    shutil.copytree(SAMPLE / "exports", folder)
    return folder


def rewrite_access_log(folder, change):
    """Every daily file of the access log, its `ts` column rewritten."""
    for path in sorted((folder / "access_log").glob("*.csv.gz")):
        lines = list(csv.reader(gzip.decompress(path.read_bytes()).decode().splitlines()))
        ts = lines[0].index("ts")
        for row in lines[1:]:
            row[ts] = change(row[ts])
        body = "\n".join(",".join(f'"{v}"' if "," in v else v for v in row) for row in lines)
        path.write_bytes(gzip.compress((body + "\n").encode()))


def outcomes(run_folder):
    with (run_folder / "controls.csv").open(encoding="utf-8") as fh:
        return {r["control_id"]: r for r in csv.DictReader(fh)}


def test_a_complete_audit_exits_0_and_says_its_counts_last(tmp_path):
    proc = audit("run", "--data", SAMPLE / "exports", "--period", "2026-10", "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert last == ("audit complete: failed 36 (critical 9, high 13, medium 12, low 2) · "
                    "passed 0 · no data 0 · skipped 0 · errors 0")
    table = outcomes(tmp_path / "2026-10")
    assert all(int(r["checked"]) >= int(r["findings"]) > 0 for r in table.values())


def test_fail_on_a_severity_exits_4(tmp_path):
    # The sample has open critical findings (the run without --fail-on exits 0, above).
    proc = audit("run", "--data", SAMPLE / "exports", "--period", "2026-10", "--out", tmp_path,
                 "--fail-on", "critical")
    assert proc.returncode == 4, proc.stderr
    assert audit("run", "--data", SAMPLE / "exports", "--period", "2026-10", "--out", tmp_path,
                 "--fail-on", "urgent").returncode == 2


def test_a_truncated_daily_file_makes_the_audit_incomplete(tmp_path):
    data = company(tmp_path)
    day = data / "access_log" / "2026-10-05.csv.gz"
    day.write_bytes(day.read_bytes()[:3000])
    proc = audit("run", "--data", data, "--period", "2026-10", "--out", tmp_path / "runs")
    assert proc.returncode == 3, proc.stderr
    assert "2026-10-05.csv.gz cannot be read" in proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith("audit INCOMPLETE: ")
    table = outcomes(tmp_path / "runs" / "2026-10")
    assert table["U04"]["outcome"] == "error" and table["U04"]["checked"] == ""
    assert table["S01"]["outcome"] == "fail"  # the other datasets were still audited


def in_process(data):
    """The audit of `data` for 2026-10 in English, without the notebook: its
    verdict's exit code is what `run` exits with (cli/run.py), its controls and
    data quality what controls.csv and data_quality.csv hold."""
    from privacylib.audit.run import AuditConfig, run_audit

    found = run_audit(AuditConfig(data=str(data), period="2026-10", lang="en"))
    table = {r["control_id"]: r for r in found.controls().astype(str).to_dict("records")}
    return found.verdict().exit_code(), table, found.quality()


def test_a_log_from_the_wrong_century_is_no_data_and_incomplete(tmp_path):
    # A syslog-style export read without its year lands in 1900.
    data = company(tmp_path)
    rewrite_access_log(data, lambda ts: "1900" + ts[4:] if ts else ts)
    code, table, quality = in_process(data)
    assert code == 3
    for control in ("C03", "S06", "U01", "U02", "U04", "A01"):
        assert table[control]["outcome"] == "no_data", control
        assert table[control]["checked"] == "0"
        assert "access_log" in table[control]["reason"] and "1900" in table[control]["reason"]
    assert "no_data" not in {table[c]["outcome"] for c in ("S01", "C06", "H02")}
    log = quality[quality["dataset"] == "access_log"].iloc[0]
    assert log["earliest"].startswith("1900-") and "before 1970" in log["warnings"]


def test_a_log_whose_every_timestamp_is_unreadable_is_incomplete(tmp_path):
    data = company(tmp_path)
    rewrite_access_log(data, lambda ts: "Oct  5 10:00:00" if ts else ts)
    code, table, _ = in_process(data)
    assert code == 3
    # Rows without a ts are S07's findings; every other event control saw nothing.
    assert table["U04"]["outcome"] == "no_data"
    assert "all rejected" in table["U04"]["reason"] or "no effective" in table["U04"]["reason"]


def test_a_scope_that_matches_nothing_is_exit_2_with_no_folder(tmp_path):
    proc = audit("run", "--data", SAMPLE / "exports", "--period", "2026-10",
                 "--scope", "department=客服", "--out", tmp_path / "runs")
    assert proc.returncode == 2, proc.stderr
    assert "matches nothing" in proc.stderr and "客服中心" in proc.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_validate_warns_when_the_log_is_of_another_period(tmp_path):
    proc = audit("validate", "--data", SAMPLE / "exports", "--period", "2025-10",
                 "--out", tmp_path / "v")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "access_log: no row in the audited period" in proc.stdout
    assert audit("validate", "--data", SAMPLE / "exports", "--period", "2026-10",
                 "--out", tmp_path / "w").returncode == 0


def test_batch_exit_code_is_its_gravest_run(tmp_path):
    data = company(tmp_path)
    day = data / "access_log" / "2026-10-05.csv.gz"
    day.write_bytes(day.read_bytes()[:3000])
    spec = tmp_path / "batch.yaml"
    spec.write_text(f"defaults: {{data: {SAMPLE / 'exports'}}}\n"
                    f"runs:\n  - {{period: 2026-10}}\n  - {{period: 2026-09, data: {data}}}\n"
                    "workers: 1\nout: runs\n", encoding="utf-8")
    # October has open critical findings (4 with --fail-on), September's log
    # is cut short (3): incomplete wins over findings, as over a clean run.
    proc = audit("batch", "--config", spec, "--fail-on", "critical")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "1 findings, 1 incomplete" in proc.stdout


def test_a_folder_without_any_dataset_is_exit_2_not_an_empty_audit(tmp_path):
    data = tmp_path / "exports"
    data.mkdir()
    (data / "customers_202610.csv").write_text("customer_id\nC1\n", encoding="utf-8")
    for command in (["run", "--period", "2026-10"], ["validate"]):
        proc = audit(*command, "--data", data, "--out", tmp_path / command[0])
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "no dataset of the data contract" in proc.stderr
        assert "customers_202610.csv" in proc.stderr
    assert not (tmp_path / "run").exists() or not any((tmp_path / "run").iterdir())
