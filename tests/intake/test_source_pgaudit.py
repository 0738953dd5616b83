"""pgaudit read with only `source: pgaudit` (no conversion script): the real
regression output (no log_line_prefix) and a synthetic RDS-prefixed server
log. Expected counts and values: docs/formats.md and synthetic-formats/README.md."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

import privacylib
from privacylib.intake.readers.pgaudit import parse, prefix_pattern

from conftest import rows

DATA = Path(__file__).parent.parent / "data"


def _load(tmp_path: Path, sample: Path, name: str, mapping: str = "access_log: "
          "{source: pgaudit}\n"):
    folder = tmp_path / "pg"
    folder.mkdir()
    shutil.copy(sample, folder / name)
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    result = privacylib.load(folder, progress=False)
    d = result.datasets["access_log"]
    assert d.status == "loaded", d.error
    assert d.rows_read == d.rows_loaded + d.rows_rejected + d.rows_filtered
    return result, d


def test_the_regression_output_loads_with_only_source(tmp_path):
    result, d = _load(tmp_path, DATA / "real" / "pgaudit.out", "access_log.out")
    assert d.format == "pgaudit"
    # 169 data accesses, of which 18 were logged twice (a SESSION and an OBJECT record).
    assert (d.rows_read, d.rows_loaded, d.rows_rejected, d.rows_filtered) == (415, 151, 0, 264)
    assert d.filtered == {"keep (access)": 246, "drop (logged_twice)": 18}
    assert rows(result, "SELECT action, count(*) FROM access_log GROUP BY 1 ORDER BY 1") == [
        ("delete", 6), ("export", 1), ("read", 69), ("update", 75)]
    # The gap is said once for the source, not once per row.
    assert sum("no purpose" in w for w in d.warnings) == 1
    got = {r[0]: r[1:] for r in rows(
        result, "SELECT event_id, ts, actor_id, action, data_category, statement, "
                "record_count, purpose FROM access_log")}
    assert got["access_log.out:14"] == (None, None, "read", None,
                                        "CREATE TABLE tmp2 AS (SELECT * FROM tmp)", 1, None)
    assert got["access_log.out:1180"][:4] == (None, None, "delete", "public.bar")
    assert got["access_log.out:1833"] == (None, None, "export", None,
                                          "COPY account TO stdout", 0, None)


def test_a_multi_line_statement_is_one_record_at_its_first_line(tmp_path):
    result, _ = _load(tmp_path, DATA / "real" / "pgaudit.out", "access_log.out")
    # 179 records span several lines; the key is the line where each starts.
    lines = [r[0] for r in rows(result, "SELECT _source_line FROM access_log")]
    assert len(lines) == len(set(lines)) == 151
    multi = rows(result, "SELECT count(*) FROM access_log WHERE statement LIKE '%' || "
                         "chr(10) || '%'")[0][0]
    assert multi > 0


def test_an_rds_server_log_reads_time_user_database_and_client_from_the_prefix(tmp_path):
    result, d = _load(tmp_path, DATA / "synthetic-formats" / "pgaudit_rds_prefix.log",
                      "access_log.log")
    # 16 lines, 11 AUDIT records (the first over 3 lines), 3 other log lines; the
    # OBJECT twin of the first record is filtered with MISC SET and the DDL.
    assert (d.rows_read, d.rows_loaded, d.rows_rejected, d.rows_filtered) == (11, 8, 0, 3)
    assert d.filtered == {"keep (access)": 2, "drop (logged_twice)": 1}
    first = rows(result, "SELECT ts, actor_id, system, action, data_category, source_ip, "
                         "statement FROM access_log WHERE event_id = 'access_log.log:2'")
    assert first == [(datetime(2026, 10, 5, 1, 12, 9, tzinfo=UTC), "hr_app", "crm", "read",
                      "public.customer", "10.0.1.23",
                      "SELECT id, name\n\t  FROM customer\n\t WHERE id = 1042")]
    assert rows(result, "SELECT action FROM access_log WHERE statement LIKE 'COPY customer TO%'"
                ) == [("export",)]
    # A background process has an empty user (%q stops its prefix early).
    assert rows(result, "SELECT actor_id, pid FROM access_log WHERE event_id = "
                        "'access_log.log:15'") == [(None, "32064")]


def test_the_prefix_given_is_the_only_one_read(tmp_path):
    folder = tmp_path / "pg"
    folder.mkdir()
    (folder / "access_log.log").write_text(
        "2026-10-05 09:12:01.123 UTC [77] app@crm LOG:  AUDIT: SESSION,1,1,READ,SELECT,"
        "TABLE,public.t,select 1,<none>\n"
        "2026-10-05 09:12:02 UTC LOG:  AUDIT: SESSION,2,1,READ,SELECT,TABLE,public.t,"
        "select 2,<none>\n", encoding="utf-8")
    (folder / "mapping.yaml").write_text(
        "access_log:\n  source: {name: pgaudit, prefix: '%m [%p] %q%u@%d '}\n",
        encoding="utf-8")
    result = privacylib.load(folder, progress=False)
    d = result.datasets["access_log"]
    assert (d.rows_read, d.rows_loaded, d.rows_rejected) == (2, 1, 1)
    assert rows(result, "SELECT _reject_reason FROM access_log__rejects") == [
        ("an AUDIT line whose prefix is not the log_line_prefix (set source.prefix in "
         "mapping.yaml)",)]
    assert rows(result, "SELECT ts, actor_id, system FROM access_log") == [
        (datetime(2026, 10, 5, 9, 12, 1, 123000, tzinfo=UTC), "app", "crm")]


def test_session_and_log_line_make_the_key_when_the_prefix_has_them(tmp_path):
    folder = tmp_path / "pg"
    folder.mkdir()
    # STATEMENT_ID 1 in two sessions: no duplicate once the session is in the key.
    (folder / "access_log.log").write_text("".join(
        f"2026-10-05 09:12:0{i} UTC [{s}:{n}] u@crm LOG:  AUDIT: SESSION,1,1,READ,SELECT,"
        "TABLE,public.t,select 1,<none>\n" for i, (s, n) in enumerate(
            [("6700a1.5f", 1), ("6700b2.60", 1), ("6700b2.60", 2)])), encoding="utf-8")
    (folder / "mapping.yaml").write_text(
        "access_log:\n  source: {name: pgaudit, prefix: '%t [%c:%l] %u@%d '}\n",
        encoding="utf-8")
    result = privacylib.load(folder, progress=False)
    assert result.datasets["access_log"].rows_loaded == 3
    assert [r[0] for r in rows(result, "SELECT event_id FROM access_log ORDER BY 1")] == [
        "6700a1.5f:1", "6700b2.60:1", "6700b2.60:2"]


def test_a_statement_cut_off_by_the_end_of_the_log_is_refused():
    lines = enumerate(['NOTICE:  AUDIT: SESSION,1,1,READ,SELECT,,,"select', "  1"], start=1)
    (only,) = list(parse(lines, "x.log", {}))
    assert only.line == 1 and "never ends" in only.reason


def test_prefix_patterns_name_their_fields():
    m = prefix_pattern("%t:%r:%u@%d:[%p]:").match(
        "2026-10-05 01:12:09 UTC:10.0.1.23(50322):hr_app@crm:[24298]:LOG:  AUDIT: x")
    assert m is not None
    assert (m["time"], m["client"], m["user"], m["database"], m["pid"], m["rest"]) == (
        "2026-10-05 01:12:09 UTC", "10.0.1.23(50322)", "hr_app", "crm", "24298", "x")


def test_a_run_on_a_native_log_goes_through_the_runner(tmp_path, capsys):
    # The walk-through of the README: a server log, one line of mapping, a
    # staff list, then `privacy-audit run` (the notebook re-reads the mapping
    # as resolved: a preset's default options must survive that).
    from privacylib.cli import main

    _load(tmp_path, DATA / "synthetic-formats" / "pgaudit_rds_prefix.log", "access_log.log")
    folder = tmp_path / "pg"
    (folder / "employees.csv").write_text(
        "actor_id,name,department,hired_at,left_at\nhr_app,HR application,hr,2020-01-01,\n",
        encoding="utf-8")
    code = main(["run", "--data", str(folder), "--period", "2026-10", "--out",
                 str(tmp_path / "runs"), "--lang", "en"])
    out = capsys.readouterr()
    assert code == 0, out.err  # a complete audit, whatever it found
    assert "failed 3 (critical 1, medium 2) · passed 3 · no data 0 · skipped 30" in out.out
    controls = pd.read_csv(tmp_path / "runs" / "2026-10" / "controls.csv")
    s07 = controls[controls["control_id"] == "S07"].iloc[0]
    assert (s07["outcome"], s07["findings"]) == ("fail", 8)  # no purpose on any row


def test_csvlog_and_jsonlog_lines_are_said_to_be_what_they_are():
    """They were refused with "set source.prefix", which no prefix fixes."""
    csvlog = ('2026-10-05 09:12:01.123 UTC,"alice","crm",1234,"10.0.0.1:51234",66f0a1b2.4d2,'
              '3,"SELECT",2026-10-05 09:10:00 UTC,3/12,0,LOG,00000,"AUDIT: SESSION,1,1,READ,'
              'SELECT,TABLE,public.customer,""SELECT 1"",<not logged>",,,,,,,,,"psql",'
              '"client backend",,0')
    jsonlog = ('{"timestamp":"2026-10-05 09:12:01.123 UTC","user":"alice","dbname":"crm",'
               '"message":"AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.customer,SELECT 1,'
               '<not logged>"}')
    options = {"prefix": "%m [%p] %q%u@%d "}
    for line, kind in ((csvlog, "csvlog"), (jsonlog, "jsonlog")):
        (only,) = list(parse(enumerate([line], start=1), "x.log", options))
        assert f"a PostgreSQL {kind} line, which is not read" in only.reason
