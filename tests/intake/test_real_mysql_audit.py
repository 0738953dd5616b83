"""Real MySQL audit logs ({"audit_record": {...}} lines) loaded with only a
mapping.yaml: nested paths, the zone word of `2021-06-30T15:07:58 UTC`, keys
from file and line, and housekeeping events filtered (docs/formats.md)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import privacylib

from conftest import rows

REAL = Path(__file__).parent.parent / "data" / "real"
MAPPING = """\
access_log:
  key: "@file_line"           # `record` restarts when the log file is reopened
  columns:
    audit_record.timestamp: ts
    audit_record.user: actor_id
    audit_record.host: system
    audit_record.db: data_category
    audit_record.command_class: action
    audit_record.ip: source_ip
    audit_record.status: result
  constants: {purpose: null}  # a database log has no purpose
  timezone: UTC
  keep: {audit_record.name: [Query, Execute]}
  drop: {audit_record.command_class: [show_databases, create_table]}
  values:
    action: {select: read, insert: update, update: update, delete: delete}
    result: {"0": success, "1045": denied, "1156": denied}
"""


def _load(tmp_path: Path, sample: str, mapping: str = MAPPING):
    folder = tmp_path / "mysql"
    folder.mkdir()
    shutil.copy(REAL / sample, folder / "access_log.jsonl")
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    d = (result := privacylib.load(folder, progress=False)).datasets["access_log"]
    assert d.status == "loaded", d.error
    return result, d


def test_percona_show_databases_is_filtered(tmp_path):
    _, d = _load(tmp_path, "percona_audit_log_plugin.json")
    assert (d.rows_read, d.rows_loaded, d.rows_rejected, d.rows_filtered) == (1, 0, 0, 1)
    assert d.filtered == {"drop (audit_record.command_class)": 1}


def test_percona_time_with_a_zone_word_reads_as_utc(tmp_path):
    # Without the drop rule the one record loads: its time ends in " UTC".
    result, d = _load(tmp_path, "percona_audit_log_plugin.json",
                      MAPPING.replace("  drop: {audit_record.command_class: "
                                      "[show_databases, create_table]}\n", "")
                      .replace("timezone: UTC", "timezone: Asia/Shanghai"))
    assert (d.rows_read, d.rows_loaded) == (1, 1)
    assert rows(result, "SELECT event_id, ts, actor_id, action, result FROM access_log") == [
        ("access_log.jsonl:1", datetime(2021, 6, 30, 15, 7, 58, tzinfo=UTC),
         "root[root] @ localhost []", "show_databases", "success")]


# A log of connections only has no command_class in any record: a path no
# record has is an error (a misspelt path must not be a column of nulls).
CONNECTIONS = MAPPING.replace("audit_record.command_class: action", "audit_record.name: action"
                              ).replace("  drop: {audit_record.command_class: [show_databases, "
                                        "create_table]}\n", "").replace(
    "delete: delete}", "delete: delete, connect: read}")


def test_a_path_no_record_has_is_an_error(tmp_path):
    folder = tmp_path / "mysql"
    folder.mkdir()
    shutil.copy(REAL / "charmed_mysql_audit.log", folder / "access_log.jsonl")
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    d = privacylib.load(folder, progress=False).datasets["access_log"]
    assert d.status == "error"
    assert "no record has the path(s) 'audit_record.command_class' named in mapping.yaml" \
        in d.error


def test_a_path_some_files_lack_is_null_there(tmp_path):
    folder = tmp_path / "mysql"
    (folder / "access_log").mkdir(parents=True)
    shutil.copy(REAL / "charmed_mysql_audit.log", folder / "access_log" / "a.jsonl")
    shutil.copy(REAL / "percona_audit_log_plugin.json", folder / "access_log" / "b.jsonl")
    (folder / "mapping.yaml").write_text(MAPPING.replace("[Query, Execute]", "[Query, Connect]")
                                         .replace("show_databases, ", ""), encoding="utf-8")
    result = privacylib.load(folder, progress=False)
    d = result.datasets["access_log"]
    assert (d.status, d.rows_read, d.rows_loaded, d.rows_filtered) == ("loaded", 11, 8, 3)
    assert rows(result, "SELECT action, count(*) FROM access_log GROUP BY 1 ORDER BY 1") == [
        ("show_databases", 1), (None, 7)]


def test_charmed_mysql_connects_and_quits_are_all_filtered(tmp_path):
    _, d = _load(tmp_path, "charmed_mysql_audit.log", CONNECTIONS)
    assert (d.rows_read, d.rows_loaded, d.rows_rejected, d.rows_filtered) == (10, 0, 0, 10)
    assert d.filtered == {"keep (audit_record.name)": 10}


def test_charmed_mysql_values_when_connects_are_kept(tmp_path):
    result, d = _load(tmp_path, "charmed_mysql_audit.log",
                      CONNECTIONS.replace("[Query, Execute]", "[Connect]"))
    assert (d.rows_read, d.rows_loaded, d.rows_filtered) == (10, 7, 3)
    assert rows(result, "SELECT ts, actor_id, source_ip, action, result FROM access_log "
                        "WHERE event_id = 'access_log.jsonl:2'") == [
        (datetime(2024, 9, 3, 1, 53, 14, tzinfo=UTC), "serverconfig", "10.207.85.214", "read",
         "success")]
    # 3 Connects failed with status 1156 and an empty user
    assert rows(result, "SELECT count(*) FROM access_log WHERE result = 'denied' "
                        "AND actor_id IS NULL") == [(3,)]
