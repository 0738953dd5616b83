"""The report files: tables, workbook and summary page, all masked by default."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from privacylib.audit.run import Audit
from privacylib.masking.masker import Masker, unmasked
from privacylib.report.files import write_report_files

from conftest import assert_no_raw_identifiers

SAMPLE = Path(__file__).parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def audited(sample_audit) -> Audit:
    return sample_audit


def variant(audit: Audit, lang: str, masker: Masker) -> Audit:
    """The same audit shown in another language or masking."""
    return dataclasses.replace(audit, config=dataclasses.replace(audit.config, lang=lang),
                               masker=masker)


def test_report_files(audited, tmp_path):
    write_report_files(variant(audited, "zh", Masker(b"k")), tmp_path)
    findings = pd.read_csv(tmp_path / "findings.csv")
    assert len(findings) == len(audited.result.findings) == len(pd.read_parquet(
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
    # A cover, the controls, and a sheet per failed control (tests/report/test_workbook.py).
    assert book.sheetnames[:2] == ["审计摘要", "控制结果"] and len(book.sheetnames) == 38
    assert book["C03 先同意后使用"].max_row == 7 + 4  # rule, legal, fix; header; 4 findings
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert page.count("<tr class=\"fail\">") == 36 and "个人信息已脱敏" in page


def test_no_raw_identifier_in_any_output_file(audited, tmp_path):
    write_report_files(variant(audited, "en", Masker(b"k")), tmp_path)
    assert_no_raw_identifiers(tmp_path)


def test_unmasked_output_says_so(audited, tmp_path):
    write_report_files(variant(audited, "en", unmasked()), tmp_path)
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert "NOT masked" in page and "Control outcomes" in page
    assert "C9000101" in (tmp_path / "findings.csv").read_text(encoding="utf-8")
