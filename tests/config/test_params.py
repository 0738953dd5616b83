"""The resolved configuration: read once, canonical as JSON, refused when edited."""

from __future__ import annotations

import json

import pytest

from privacylib.config.params import AuditConfig, ResolvedConfig, resolve, sha256_text
from privacylib.config.policy import load_policy
from privacylib.errors import ConfigError, UsageError

from conftest import SAMPLE

MAPPING = """\
access_log:
  columns: {操作时间: ts, 操作人: actor_id}
  timezone: UTC
  values:
    action: {查询: read, 导出: export}
"""


@pytest.fixture
def inputs(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("bulk_export_records_per_day: 5\nticketed_actions: [export]\n",
                      encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return AuditConfig(data=str(SAMPLE / "exports"), period="2026-10", policy=str(policy),
                       mapping=str(mapping), scope="system=crm")


def test_resolve_reads_every_input_once_and_round_trips_as_json(inputs):
    resolved = resolve(inputs)
    assert resolved.policy == load_policy(inputs.policy)
    assert resolved.policy.bulk_export_records_per_day == 5
    assert resolved.policy_sha256 == sha256_text(resolved.policy_text)
    assert json.loads(resolved.policy_text)["ticketed_actions"] == ["export"]
    assert resolved.mapping.for_dataset("access_log").columns["操作时间"] == "ts"
    assert resolved.period.label == "2026-10" and resolved.scope == "system=crm"
    text = resolved.to_json()
    again = ResolvedConfig.from_json(text)
    assert again == resolved and again.to_json() == text  # canonical: same text both ways


def test_the_json_is_data_and_its_policy_must_match_its_hash(inputs):
    data = json.loads(resolve(inputs).to_json())
    data["policy"]["bulk_export_records_per_day"] = 100000
    with pytest.raises(ConfigError, match="does not match its hash"):
        ResolvedConfig.from_json(json.dumps(data))
    with pytest.raises(ConfigError, match="format"):
        ResolvedConfig.from_json(json.dumps({**data, "format": 99}))


def test_paths_become_absolute_and_bad_inputs_stop_at_resolution(inputs, tmp_path,
                                                                  monkeypatch):
    monkeypatch.chdir(SAMPLE)
    resolved = resolve(AuditConfig(data="exports", period="2026-10"))
    assert resolved.config.data == str(SAMPLE / "exports")
    with pytest.raises(UsageError, match="does not exist or is not a folder"):
        resolve(AuditConfig(data=str(tmp_path / "nowhere"), period="2026-10"))
    with pytest.raises(UsageError, match="--new-key"):
        resolve(AuditConfig(data="exports", period="2026-10", key_file=str(tmp_path / "k")))
    with pytest.raises(UsageError):
        resolve(AuditConfig(data="exports", period="2026-10", scope="team=x"))


def test_the_exceptions_file_is_hashed_as_read(tmp_path):
    exceptions = tmp_path / "exceptions.csv"
    exceptions.write_text("control_id,subject_id,reason,compensating_control,requested_by,"
                          "approved_by,expires_on\nU04,E1001,night shift,,王五,李四,2026-12-31\n",
                          encoding="utf-8")
    resolved = resolve(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10",
                                   exceptions=str(exceptions)))
    assert resolved.exceptions_sha256 == sha256_text(exceptions.read_text(encoding="utf-8"))


def test_the_old_import_path_still_works():
    from privacylib.audit.run import AuditConfig as Old

    assert Old is AuditConfig


def test_a_scope_has_one_spelling_and_one_folder_of_its_own(tmp_path):
    """" department = 客服中心\\n" audited the same as "department=客服中心"
    under another folder and another scope in the store, so that the next
    period's run found no history; and 风控/部 and 风控_部 shared one folder,
    the second run replacing the first's (found by helper-40)."""
    from privacylib.run.runner import folder_name

    def scoped(scope: str) -> AuditConfig:
        return resolve(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10",
                                   scope=scope)).config

    assert scoped(" department = 客服中心 \n").scope == "department=客服中心"
    assert folder_name(scoped(" department = 客服中心 \n")) == "2026-10_department=客服中心"
    slash = folder_name(AuditConfig(data="d", period="2026-10", scope="department=风控/部"))
    under = folder_name(AuditConfig(data="d", period="2026-10", scope="department=风控_部"))
    assert under == "2026-10_department=风控_部" and slash.startswith("2026-10_department=风控_部-")
    assert folder_name(AuditConfig(data="d", period="2026-10", scope="system=..")) != \
        folder_name(AuditConfig(data="d", period="2026-10", scope="system=."))
