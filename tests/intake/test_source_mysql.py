"""MySQL/Percona audit logs read with only `source: mysql-audit`: the
plugin's JSON lines and header-less CSV, the audit_log_filter JSON array,
Charmed MySQL's log (docs/formats.md), and the shapes the samples lack."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import privacylib
from privacylib.intake.readers.mysql import parse
from privacylib.intake.readers.native import Record

from conftest import rows

DATA = Path(__file__).parent.parent / "data"


def _load(tmp_path: Path, text: str | None = None, sample: str | None = None):
    folder = tmp_path / "my"
    folder.mkdir()
    if sample:
        shutil.copy(DATA / sample, folder / "access_log.log")
    else:
        (folder / "access_log.log").write_text(text or "", encoding="utf-8")
    (folder / "mapping.yaml").write_text("access_log: {source: mysql-audit}\n",
                                         encoding="utf-8")
    result = privacylib.load(folder, progress=False)
    d = result.datasets["access_log"]
    assert d.status == "loaded", d.error
    assert d.format == "mysql-audit"
    return result, (d.rows_read, d.rows_loaded, d.rows_rejected, d.rows_filtered)


def _records(sample: str) -> list[Record]:
    text = (DATA / sample).read_text(encoding="utf-8").splitlines()
    return list(parse(enumerate(text, start=1), sample, {}))


def test_the_filter_array_is_one_ddl_statement_seen_four_times(tmp_path):
    _, counts = _load(tmp_path, sample="real/percona_audit_filter.json")
    assert counts == (7, 0, 0, 7)
    status = _records("real/percona_audit_filter.json")[5]
    assert (status.line, status.fields["user"], status.fields["time"],
            status.fields["access"]) == (6, "root", "2023-03-29 11:17:05", "create_table")


def test_the_plugin_json_line_is_show_databases_filtered(tmp_path):
    _, counts = _load(tmp_path, sample="real/percona_audit_log_plugin.json")
    assert counts == (1, 0, 0, 1)
    (rec,) = _records("real/percona_audit_log_plugin.json")
    assert (rec.fields["user"], rec.fields["time"], rec.fields["access"]) == (
        "root", "2021-06-30T15:07:58 UTC", "show_databases")


def test_the_plugin_csv_line_loads_as_a_read(tmp_path):
    result, counts = _load(tmp_path, sample="real/percona_audit_log_plugin.csv")
    assert counts == (1, 1, 0, 0)
    assert rows(result, "SELECT event_id, actor_id, ts, action, result, statement, "
                        "connection_id, data_category, purpose FROM access_log") == [
        ("access_log.log:1", "root", datetime(2021, 6, 30, 16, 19, tzinfo=UTC), "read",
         "success", "select count(*) from one", "2", "one", None)]


def test_charmed_mysql_logins_and_logouts_are_all_filtered(tmp_path):
    _, counts = _load(tmp_path, sample="real/charmed_mysql_audit.log")
    assert counts == (10, 0, 0, 10)
    recs = _records("real/charmed_mysql_audit.log")
    assert (recs[1].fields["user"], recs[1].fields["time"], recs[1].fields["kind"],
            recs[1].fields["ip"]) == ("serverconfig", "2024-09-03T01:53:14Z", "Connect",
                                      "10.207.85.214")
    failed = [r for r in recs if r.fields["status"] == 1156]
    assert len(failed) == 3 and all(r.fields["user"] is None for r in failed)


def test_mixed_csv_layouts_and_a_multi_line_statement(tmp_path):
    result, counts = _load(tmp_path, sample="synthetic-formats/percona_audit_log_plugin_mixed.csv")
    assert counts == (8, 3, 0, 5)
    assert rows(result, "SELECT event_id, actor_id, ts, action, result FROM access_log "
                        "ORDER BY _source_line") == [
        ("access_log.log:3", "hr_app", datetime(2026, 10, 5, 1, 10, 5, tzinfo=UTC), "read",
         "success"),
        ("access_log.log:4", "hr_app", datetime(2026, 10, 5, 1, 10, 9, tzinfo=UTC), "update",
         "success"),
        ("access_log.log:7", "hr_app", datetime(2026, 10, 5, 1, 10, 12, tzinfo=UTC), "delete",
         "denied")]


def _event(i: int, cls: str, event: str, **data) -> dict:
    return {"timestamp": f"2026-10-05 01:00:0{i}", "id": i, "class": cls, "event": event,
            "connection_id": 9, "account": {"user": "app[app] @ web [10.0.0.5]", "host": "web"},
            "login": {"user": "app", "ip": "10.0.0.5"}, **data}


def test_table_access_events_count_a_statement_once_and_an_open_array_is_read(tmp_path):
    q = "select * from crm.customer"
    events = [_event(1, "general", "status", general_data={"sql_command": "select",
                                                           "query": q, "status": 0}),
              _event(2, "table_access", "read", table_access_data={
                  "db": "crm", "table": "customer", "query": q, "sql_command": "select"}),
              _event(3, "general", "status", general_data={"sql_command": "update",
                                                           "query": "update x", "status": 1146})]
    # Percona 9 JSONL: one object a line, each followed by a comma; no closing bracket.
    text = "[\n" + "".join(json.dumps(e) + ",\n" for e in events)
    result, counts = _load(tmp_path, text)
    assert counts == (3, 1, 0, 2)
    assert rows(result, "SELECT event_id, ts, actor_id, system, data_category, source_ip "
                        "FROM access_log") == [
        ("access_log.log:2", datetime(2026, 10, 5, 1, 0, 2, tzinfo=UTC), "app", "crm",
         "customer", "10.0.0.5")]


def test_into_outfile_is_an_export_and_a_failed_statement_is_filtered(tmp_path):
    lines = [{"audit_record": {"name": "Query", "timestamp": "2026-10-05T01:00:00Z",
                               "command_class": "select", "status": status, "user": "u[u] @ h []",
                               "sqltext": sql, "db": "crm"}}
             for sql, status in [("select * into outfile '/tmp/c' from customer", 0),
                                 ("select * from nosuch", 1146),
                                 ("select * from salary", 1142)]]
    result, counts = _load(tmp_path, "".join(json.dumps(x) + "\n" for x in lines) + "{bad\n")
    assert counts == (4, 2, 1, 1)
    assert rows(result, "SELECT action, result, data_category FROM access_log "
                        "ORDER BY _source_line") == [("export", "success", "customer"),
                                                     ("read", "denied", "salary")]
    assert rows(result, "SELECT _source_line, _reject_reason LIKE 'line is not a JSON object%' "
                        "FROM access_log__rejects") == [(4, True)]


def test_an_xml_audit_log_is_refused_with_a_hint(tmp_path):
    result, counts = _load(tmp_path, '<?xml version="1.0" encoding="UTF-8"?>\n<AUDIT>\n')
    assert counts == (1, 0, 1, 0)
    (reason,) = rows(result, "SELECT _reject_reason FROM access_log__rejects")[0]
    assert "audit_log_format=JSON or CSV" in reason


def test_a_statement_refused_in_a_file_with_table_access_events_is_denied_not_lost(tmp_path):
    """A statement refused by a privilege check opens no table, so it has no
    table_access event: counting a file's statements by those alone, its
    general/status was filtered, and the denial lost, unseen."""
    q = "select * from crm.customer"
    events = [_event(1, "general", "status", general_data={"sql_command": "select",
                                                           "query": q, "status": 0}),
              _event(2, "table_access", "read", table_access_data={
                  "db": "crm", "table": "customer", "query": q, "sql_command": "select"}),
              _event(3, "general", "status", general_data={
                  "sql_command": "select", "query": "select * from salary", "status": 1142})]
    result, counts = _load(tmp_path, json.dumps(events))
    assert counts == (3, 2, 0, 1)
    assert rows(result, "SELECT data_category, result FROM access_log ORDER BY _source_line") \
        == [("customer", "success"), ("salary", "denied")]


def test_a_bare_plugin_record_a_line_is_read_as_one_in_its_wrapper(tmp_path):
    record = {"name": "Query", "record": "8_2026-10-05T09:00:00",
              "timestamp": "2026-10-05T09:00:08 UTC", "command_class": "select",
              "connection_id": "12", "status": 0, "sqltext": "SELECT * FROM customer",
              "user": "alice[alice] @  [10.0.0.5]", "host": "", "ip": "10.0.0.5", "db": "crm"}
    text = json.dumps(record) + "\n" + json.dumps({"audit_record": record}) + "\n"
    result, counts = _load(tmp_path, text)
    assert counts == (2, 2, 0, 0)
    assert rows(result, "SELECT DISTINCT actor_id, system, data_category FROM access_log") == [
        ("alice", "crm", "customer")]
