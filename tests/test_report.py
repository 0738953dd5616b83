"""The report files: tables, workbook and summary page, all masked by default."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from privacylib.engine import run_controls
from privacylib.masking import Masker, unmasked
from privacylib.period import resolve_period
from privacylib.report import write_report_files

from conftest import assert_no_raw_identifiers, load_dir

SAMPLE = Path(__file__).parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def audited():
    loaded = load_dir(SAMPLE / "exports")
    return loaded, run_controls(loaded, resolve_period("2026-10"))


def test_report_files(audited, tmp_path):
    loaded, result = audited
    write_report_files(loaded, result, tmp_path, lang="zh", masker=Masker(b"k"))
    findings = pd.read_csv(tmp_path / "findings.csv")
    assert len(findings) == len(result.findings) == len(pd.read_parquet(
        tmp_path / "findings.parquet"))
    assert {"control_id", "subject_id", "severity", "finding_key", "status", "evidence"} <= set(
        findings.columns)
    controls = pd.read_csv(tmp_path / "controls.csv")
    assert list(controls.columns[:1]) == ["control_id"] and len(controls) == 36
    assert {"control_id", "outcome", "findings", "reason"} <= set(controls.columns)
    quality = pd.read_csv(tmp_path / "data_quality.csv")
    assert (quality["rows_read"] == quality["rows_loaded"] + quality["rows_rejected"]).all()
    assert sorted(p.name for p in (tmp_path / "rejects").iterdir()) == [
        "access_log.csv", "backups.csv", "consents.csv", "employees.csv"]
    book = openpyxl.load_workbook(tmp_path / "workbook.xlsx")
    assert book.sheetnames[0] == "审计摘要" and len(book.sheetnames) == 37
    assert book["C03 consent_before_use"].max_row == 1 + 4
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert page.count("<tr class=\"fail\">") == 36 and "个人信息已脱敏" in page


def test_no_raw_identifier_in_any_output_file(audited, tmp_path):
    loaded, result = audited
    write_report_files(loaded, result, tmp_path, lang="en", masker=Masker(b"k"))
    assert_no_raw_identifiers(tmp_path)


def test_unmasked_output_says_so(audited, tmp_path):
    loaded, result = audited
    write_report_files(loaded, result, tmp_path, lang="en", masker=unmasked())
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert "NOT masked" in page and "Control outcomes" in page
    assert "C9000101" in (tmp_path / "findings.csv").read_text(encoding="utf-8")
