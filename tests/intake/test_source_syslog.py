"""auth.log/syslog read with only `source: syslog`: Elastic Beats' real
RFC 3164 and ISO lines, and the synthetic relay file (RFC 5424 and 3164
mixed). Expected values: docs/formats.md and synthetic-formats/README.md."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import privacylib
from privacylib.intake.readers.syslog import parse

from conftest import rows

DATA = Path(__file__).parent.parent / "data"
MAPPING = "access_log:\n  source: {name: syslog, year: 2026}\n  timezone: UTC\n"


def _load(tmp_path: Path, sample: str | None = None, text: str | None = None,
          mapping: str = MAPPING):
    folder = tmp_path / "s"
    folder.mkdir()
    if sample:
        shutil.copy(DATA / sample, folder / "access_log.log")
    else:
        (folder / "access_log.log").write_text(text or "", encoding="utf-8")
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    result = privacylib.load(folder, progress=False)
    d = result.datasets["access_log"]
    assert d.status == "loaded", d.error
    return result, d, folder


def test_beats_auth_log_loads_with_only_source(tmp_path):
    result, d, _ = _load(tmp_path, "real/syslog_auth_beats_test.log")
    assert d.format == "syslog"
    assert (d.rows_read, d.rows_loaded, d.rows_rejected, d.rows_filtered) == (10, 7, 0, 3)
    got = {r[0]: r[1:] for r in rows(result, "SELECT event_id, ts, actor_id, system, action, "
                                             "result, source_ip FROM access_log")}
    assert rows(result, "SELECT count(*) FROM access_log WHERE result = 'denied'") == [(3,)]
    assert got["access_log.log:1"] == (datetime(2026, 2, 21, 21, 54, 44, tzinfo=UTC),
                                       "vagrant", "localhost", "read", "success", "10.0.2.2")
    assert got["access_log.log:4"] == (datetime(2026, 2, 20, 8, 35, 22, tzinfo=UTC), "root",
                                       "slave22", "read", "denied", "216.160.83.57")
    assert got["access_log.log:8"][:5] == (datetime(2026, 2, 24, 0, 13, 2, tzinfo=UTC), "tsg",
                                           "precise32", "read", "denied")


def test_iso_timestamps_keep_their_offset_and_pam_lines_are_filtered(tmp_path):
    _, d, _ = _load(tmp_path, "real/syslog_auth_beats_timestamp.log")
    assert (d.rows_read, d.rows_loaded, d.rows_filtered) == (2, 0, 2)
    lines = (DATA / "real/syslog_auth_beats_timestamp.log").read_text().splitlines()
    recs = list(parse(enumerate(lines, start=1), "x", {}))
    assert [r.fields["time"] for r in recs] == ["2019-06-14T10:40:20.912134",
                                                "2019-06-14T13:01:15.412+01:30"]


def test_a_relay_file_mixes_rfc5424_and_rfc3164(tmp_path):
    result, d, _ = _load(tmp_path, "synthetic-formats/syslog_rfc5424_auth.log")
    assert (d.rows_read, d.rows_loaded, d.rows_rejected, d.rows_filtered) == (7, 5, 0, 2)
    assert rows(result, "SELECT _source_line, ts, actor_id, result FROM access_log "
                        "ORDER BY 1") == [
        (1, datetime(2026, 10, 5, 1, 12, 1, 3000, tzinfo=UTC), "li.wei", "success"),
        (2, datetime(2026, 10, 5, 1, 13, 44, 871000, tzinfo=UTC), "li.wei", "success"),
        (3, datetime(2026, 10, 5, 1, 20, 10, tzinfo=UTC), "admin", "denied"),
        (4, datetime(2026, 10, 5, 1, 21, tzinfo=UTC), "tsg", "denied"),
        (7, datetime(2026, 10, 5, 9, 31, 15, tzinfo=UTC), "hr_app", "success")]
    assert rows(result, "SELECT run_as FROM access_log WHERE _source_line = 2") == [
        ("postgres",)]


def test_without_a_year_the_file_date_gives_it_and_new_year_rolls_over(tmp_path):
    text = ("Dec 31 23:59:01 h sshd[1]: Accepted password for a from 10.0.0.1 port 1 ssh2\n"
            "Jan  1 00:00:02 h sshd[2]: Accepted password for b from 10.0.0.1 port 2 ssh2\n")
    folder = tmp_path / "s"
    folder.mkdir()
    log = folder / "access_log.log"
    log.write_text(text, encoding="utf-8")
    stamp = datetime(2027, 1, 3, tzinfo=UTC).timestamp()
    os.utime(log, (stamp, stamp))
    (folder / "mapping.yaml").write_text("access_log:\n  source: syslog\n  timezone: UTC\n",
                                         encoding="utf-8")
    result = privacylib.load(folder, progress=False)
    assert rows(result, "SELECT actor_id, ts FROM access_log ORDER BY ts") == [
        ("a", datetime(2026, 12, 31, 23, 59, 1, tzinfo=UTC)),
        ("b", datetime(2027, 1, 1, 0, 0, 2, tzinfo=UTC))]
    assert any("have no year" in w for w in result.datasets["access_log"].warnings)


def test_openssh_9_8_sessions_and_a_sudo_command_holding_a_semicolon(tmp_path):
    """OpenSSH 9.8 logs a session as sshd-session: its logins were "other"
    and filtered. A sudo command's own " ; " made a success a denial."""
    result, d, _ = _load(tmp_path, text=(
        "Oct  5 09:00:01 web1 sshd-session[2211]: Accepted publickey for alice from 10.0.0.5 "
        "port 50122 ssh2\n"
        "Oct  5 09:00:02 web1 sshd-session[2212]: Failed password for invalid user admin from "
        "198.51.100.7 port 40022 ssh2\n"
        "Oct  5 09:00:04 web1 sudo[2214]:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
        "COMMAND=/bin/sh -c pg_dump crm ; gzip\n"
        "Oct  5 09:00:05 web1 sudo:      bob : 3 incorrect password attempts ; TTY=pts/1 ; "
        "PWD=/home/bob ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow\n"))
    assert (d.rows_read, d.rows_loaded, d.rows_filtered) == (4, 4, 0)
    assert rows(result, "SELECT actor_id, result FROM access_log ORDER BY _source_line") == [
        ("alice", "success"), ("admin", "denied"), ("alice", "success"), ("bob", "denied")]
    (command,) = rows(result, "SELECT command FROM access_log WHERE _source_line = 3")[0]
    assert command == "/bin/sh -c pg_dump crm ; gzip"
