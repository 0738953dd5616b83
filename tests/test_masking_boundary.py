"""Masking at one boundary (issue #12): identifiers planted in every place
that reaches an output (a reason sentence, a subject id, an exception's
words, a rejected row's raw line, an extra column, a loader warning) are
masked in every file of the run folder, for real through `privacy-audit run`."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import subprocess
import sys
import zipfile

import pandas as pd
import pytest

from privacylib.masking.identifiers import find
from privacylib.report.pdf import pdf_text

from conftest import SAMPLE, gb11643, luhn

ID = "44030819990110151" + gb11643("44030819990110151")
ID_SPACED = f"{ID[:6]} {ID[6:14]} {ID[14:]}"
MOBILE = "15205985583"
CARD = "622202123456789012" + luhn("622202123456789012")
CARD_GROUPED = " ".join(CARD[i:i + 4] for i in range(0, len(CARD), 4))
TICKET = "6222021234567890" + str((int(luhn("6222021234567890")) + 1) % 10)  # fails Luhn
CUSTOMER = "C0000147"  # a customer of the sample
STAFF_NAME = "高娟雨"  # employees.csv, E0001
FILE_MOBILE, POLICY_MOBILE = "13912345678", "13712345678"
RAW = (ID, MOBILE, CARD, CUSTOMER, STAFF_NAME, FILE_MOBILE, POLICY_MOBILE)


def audit(*args):
    return subprocess.run([sys.executable, "-m", "privacylib.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def plant(data):
    """Identifiers in a share's recipient (H02's reason names it), an event id
    (S08's subject), an extra column, a rejected row, and an exception."""
    with (data / "sharing.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"SH-X1,{CUSTOMER},张三 {MOBILE} 身份证 {ID_SPACED},CN,contact,logistics,"
                 "2026-10-10 10:00:00,,\n")
    header = ("event_id,ts,actor_id,customer_id,system,data_category,action,purpose,"
              "ticket_id,record_count,result,source_ip,note\n")
    rows = (f"EV-{MOBILE},2026-10-06 10:00:00,X999,{CUSTOMER},crm,contact,read,service,,1,,"
            f"10.0.0.1,卡号 {CARD_GROUPED} 工单 {TICKET}\n"
            f"EV-BAD1,2026-10-06 10:00:00,E0001,{CUSTOMER},crm,contact,read,service,,12x,,"
            f"10.0.0.1,{STAFF_NAME} 查询 {ID}\n")
    # A note column the other daily files lack: its own header group.
    (data / "access_log" / "2026-10-06-extra.csv.gz").write_bytes(
        gzip.compress((header + rows).encode()))
    day = data / "access_log" / "2026-10-07.csv.gz"
    day.rename(day.with_name(f"2026-10-07 {FILE_MOBILE}.csv.gz"))  # a file name that is data
    (data.parent / "policy.yaml").write_text(
        f"ticketed_actions: [export, delete, x{POLICY_MOBILE}]\n", encoding="utf-8")
    exceptions = data.parent / "exceptions.csv"
    exceptions.write_text(
        "control_id,subject_id,reason,compensating_control,requested_by,approved_by,expires_on\n"
        f"H02,SH-X1,客户 {CUSTOMER} 手机 {MOBILE} 已确认,复核 {ID},{MOBILE},李四,2026-12-31\n",
        encoding="utf-8")
    return exceptions


def texts(folder):
    """(file, text) for every output file; xlsx and parquet read as their values."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                yield name, "\n".join(book.read(n).decode("utf-8") for n in book.namelist()
                                      if n.endswith(".xml"))
        elif path.suffix == ".parquet":
            yield name, pd.read_parquet(path).to_csv()
        elif path.suffix == ".pdf":
            yield name, pdf_text(path)  # the text PDFium draws, as a reader copies it
        elif path.suffix in (".sig",) or path.name == ".privacy-workbook":
            continue
        else:
            yield name, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("boundary")
    data = base / "exports"
    shutil.copytree(SAMPLE / "exports", data)
    exceptions = plant(data)
    proc = audit("run", "--data", data, "--period", "2026-10", "--out", base / "runs",
                 "--exceptions", exceptions, "--policy", base / "policy.yaml", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    return base / "runs" / "2026-10"


def test_no_planted_identifier_reaches_any_output(run):
    found = []
    for name, text in texts(run):
        found += [(name, raw) for raw in RAW if raw in text]
        if name != "manifest.json":  # SHA-256 hex holds digit runs; it holds no data
            found += [(name, f.kind, text[f.start:f.end]) for f in find(text)]
    assert found == []


def test_the_planted_findings_are_there_masked(run):
    findings = pd.read_csv(run / "findings.csv", dtype=str)
    h02 = findings[(findings.control_id == "H02") & findings.reason.str.contains("张")]
    assert len(h02) == 1 and "152****5583" in h02.reason.iloc[0]
    assert h02.status.iloc[0] == "excepted"  # the exception matched the raw subject
    assert "152****5583" in h02.exception_requested_by.iloc[0]
    s08 = findings[findings.subject_id.str.startswith("EV-152")]
    assert list(s08.subject_id) == ["EV-152****5583"]


def test_a_ticket_number_that_is_no_card_stays_readable(run):
    evidence = " ".join(pd.read_csv(run / "findings.csv", dtype=str).evidence)
    assert TICKET in evidence and CARD_GROUPED not in evidence


def test_rejected_raw_lines_and_warnings_are_masked(run):
    with (run / "rejects" / "access_log.csv").open(encoding="utf-8") as fh:
        bad = [r for r in csv.DictReader(fh) if "12x" in json.dumps(r, ensure_ascii=False)]
    assert bad and CUSTOMER not in json.dumps(bad, ensure_ascii=False)
    line = json.dumps(bad, ensure_ascii=False)
    assert "高**" in line and ID not in line


def test_terminal_errors_are_masked(tmp_path):
    # A policy file whose bad value is an ID number: the message quotes it.
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"timezone: {ID}\n", encoding="utf-8")
    proc = audit("validate", "--data", SAMPLE / "exports", "--policy", policy,
                 "--out", tmp_path / "v")
    assert proc.returncode == 2 and ID not in proc.stderr, proc.stderr
    assert io.StringIO(proc.stderr).read()  # it still says what is wrong


def test_the_store_keeps_masked_subjects(run):
    import duckdb

    con = duckdb.connect(str(run.parent / "audit-store.duckdb"), read_only=True)
    try:
        stored = " ".join(str(v) for row in con.execute(
            "SELECT * FROM findings").fetchall() for v in row)
    finally:
        con.close()
    assert "EV-152****5583" in stored and not [raw for raw in RAW if raw in stored]
