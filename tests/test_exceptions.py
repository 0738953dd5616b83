"""Exceptions: valid ones mark findings excepted, expired and invalid ones are listed."""

from __future__ import annotations

from datetime import date

import openpyxl
import pandas as pd
import pytest

from privacylib.audit.run import AuditConfig
from privacylib.config.waivers import apply, load_exceptions
from privacylib.errors import ConfigError
from privacylib.run.runner import execute

from conftest import SAMPLE, write_csv

HEADER = ["control_id", "subject_id", "reason", "compensating_control", "requested_by",
          "approved_by", "expires_on"]
AS_OF = date(2026, 11, 1)  # --period 2026-10: as_of is 2026-11-01 00:00 local
CONTROLS = {"S01", "S02", "U04"}


def judged(tmp_path, *rows):
    path = write_csv(tmp_path / "exceptions.csv", HEADER, rows)
    return load_exceptions(path, as_of_date=AS_OF, control_ids=CONTROLS)


def test_states_at_their_boundaries(tmp_path):
    found = judged(
        tmp_path,
        ["S01", "ST-MKT", "vendor moves", "VPN only", "王芳", "李强", "2026-11-01"],
        ["s01", "ST-NAS", "legacy", "", "王芳", "李强", "2026-10-31"],
        ["S01", "ST-X", "why", "", "王芳", "", "2027-01-01"],
        ["S01", "ST-X", "why", "", "王芳", " 王芳 ", "2027-01-01"],
        ["S01", "ST-X", "", "", "王芳", "李强", "2027-01-01"],
        ["S09", "ST-X", "why", "", "王芳", "李强", "2027-01-01"],
        ["S01", "ST-X", "why", "", "王芳", "李强", "next year"],
        ["S01", "ST-X", "why", "", "", "李强", "2027/01/01"],
    )
    assert [(e.source, e.state) for e in found] == [
        ("exceptions.csv:2", "valid"),  # holds through the day as_of falls on
        ("exceptions.csv:3", "expired"),  # ended the day before as_of
        *[(f"exceptions.csv:{n}", "invalid") for n in range(4, 10)]]
    assert [e.problem for e in found[2:]] == [
        "not approved: no approver", "approved by its own requester", "no reason given",
        "control 'S09' does not exist", "expiry 'next year' is not a date (YYYY-MM-DD)",
        "no requester recorded"]
    assert found[1].control_id == "S01"  # any case


def test_patterns_and_the_first_valid_match(tmp_path):
    found = judged(
        tmp_path,
        ["U04", "E10*", "night shift", "", "王芳", "李强", "2026-10-01"],  # expired: skipped
        ["U04", "E10*", "night shift", "CCTV", "王芳", "李强", "2026-12-31"],
        ["U04", "*", "all of them", "", "王芳", "赵敏", "2026-12-31"],
    )
    findings = pd.DataFrame({"control_id": ["U04", "U04", "S01"],
                             "subject_id": ["E1001:2026-10-03", "E2001:2026-10-03", "ST-A"]})
    out = apply(findings, found)
    assert list(out["status"]) == ["excepted", "excepted", "open"]
    assert list(out["exception_source"]) == ["exceptions.csv:3", "exceptions.csv:4", ""]
    assert list(out["exception_approved_by"]) == ["李强", "赵敏", ""]


def test_yaml_and_aliases(tmp_path):
    path = tmp_path / "exceptions.yaml"
    path.write_text("- {control: S01, subject: ST-MKT, reason: r, requester: a, approver: b,\n"
                    "   expiry: 2026-12-31}\n", encoding="utf-8")
    (one,) = load_exceptions(path, as_of_date=AS_OF, control_ids=CONTROLS)
    assert (one.source, one.state, one.expires_on) == ("exceptions.yaml#1", "valid", "2026-12-31")


def test_a_file_that_cannot_be_used_names_every_problem(tmp_path):
    path = write_csv(tmp_path / "exceptions.csv", ["control", "subjekt", "reason"], [])
    with pytest.raises(ConfigError) as exc:
        load_exceptions(path, as_of_date=AS_OF, control_ids=CONTROLS)
    text = str(exc.value)
    assert "'subjekt'" in text and "did you mean 'subject_id'" in text
    assert "no column 'approved_by'" in text and "no column 'expires_on'" in text
    with pytest.raises(ConfigError, match="does not exist"):
        load_exceptions(tmp_path / "none.csv", as_of_date=AS_OF, control_ids=CONTROLS)


@pytest.fixture(scope="module")
def excepted_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("exc")
    path = write_csv(root / "exceptions.csv", HEADER, [
        ["S01", "ST-MKT", "SaaS vendor migrates in Q1", "field-level encryption", "王芳", "李强",
         "2026-12-31"],
        ["S01", "ST-NAS", "old NAS", "", "王芳", "李强", "2026-10-15"],
        ["S02", "ST-*", "scan tool replaced", "", "王芳", "王芳", "2026-12-31"],
    ])
    config = AuditConfig(data=str(SAMPLE / "exports"), period="2026-10", exceptions=str(path),
                         lang="en")
    return execute(config, root / "runs")


def test_excepted_findings_show_in_every_output(excepted_run):
    findings = pd.read_csv(excepted_run / "findings.csv", keep_default_na=False)
    excepted = findings[findings["status"] == "excepted"]
    assert list(zip(excepted["control_id"], excepted["subject_id"], strict=True)) == [
        ("S01", "ST-MKT")]
    # 李强 is also a name the data holds: masked like every known name (fail closed).
    assert excepted.iloc[0]["exception_approved_by"] == "李*"
    assert excepted.iloc[0]["exception_expires_on"] == "2026-12-31"
    assert len(findings) == 100  # never hidden
    table = pd.read_csv(excepted_run / "exceptions.csv", keep_default_na=False)
    assert list(table["state"]) == ["valid", "expired", "invalid"]
    assert list(table["findings"]) == [1, 1, 3]
    page = (excepted_run / "summary.html").read_text(encoding="utf-8")
    for state in ("valid", "expired", "invalid"):
        assert page.count(f'<tr class="{state}">') == 1
    assert "approved by its own requester" in page and "expired on 2026-10-15" in page
    book = openpyxl.load_workbook(excepted_run / "workbook.xlsx")
    assert "Accepted risks (exceptions)" in book.sheetnames
    sheet = book[next(n for n in book.sheetnames if n.startswith("S01 "))]
    assert "excepted" in [c.value for row in sheet.iter_rows() for c in row]
    assert "excepted" in (excepted_run / "report.html").read_text(encoding="utf-8")


def test_an_unusable_exceptions_file_stops_the_run_before_it_starts(tmp_path):
    path = write_csv(tmp_path / "exceptions.csv", ["control_id"], [["S01"]])
    with pytest.raises(ConfigError, match="cannot be used"):
        execute(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10",
                            exceptions=str(path)), tmp_path / "runs")
    assert not (tmp_path / "runs").exists()


def test_no_findings_still_have_every_exception_column(tmp_path):
    found = judged(tmp_path, ["S01", "*", "r", "", "a", "b", "2026-12-31"])
    out = apply(pd.DataFrame(columns=["control_id", "subject_id"]), found)
    assert out.empty and {"status", "exception_source", "exception_expires_on"} <= set(out)
