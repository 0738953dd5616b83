"""Header matching: any case, Chinese aliases, mapping renames, missing columns."""

from __future__ import annotations

from privacylib.config.mapping import mapping_from_dict
from privacylib.contract import BY_NAME
from privacylib.intake.headers import resolve

from conftest import load_dir, rows, write_csv


def _resolve(dataset, names, mapping=None):
    m = mapping_from_dict({dataset: mapping} if mapping else {}).for_dataset(dataset)
    return resolve(BY_NAME[dataset], names, m)


def test_names_match_trimmed_and_in_any_case():
    res = _resolve("employees", [" Actor_ID ", "NAME", "Department\u3000"])
    assert res.contract == {"actor_id": 0, "name": 1, "department": 2}
    assert not res.problems


def test_chinese_aliases_are_built_in():
    res = _resolve("access_log", ["日志编号", "访问时间", "工号", "客户编号", "数据类别", "操作",
                                  "用途", "备注"])
    assert set(res.contract) == {"event_id", "ts", "actor_id", "customer_id", "data_category",
                                 "action", "purpose"}
    assert res.extras == {"备注": 7}


def test_an_alias_for_several_columns_takes_the_datasets_own():
    assert _resolve("backups", ["备份编号", "存储编号", "开始时间", "状态", "备份位置"]).contract[
        "started_at"] == 2
    assert _resolve("role_assignments", ["工号", "角色", "开始时间"]).contract["valid_from"] == 2
    assert _resolve("incidents", ["事件编号", "发现时间"]).contract["incident_id"] == 0


def test_an_explicit_name_wins_over_an_alias():
    res = _resolve("employees", ["actor_id", "工号"])
    assert res.contract == {"actor_id": 0} and res.extras == {"工号": 1}


def test_two_aliases_for_one_column_is_a_problem():
    res = _resolve("access_log", ["event_id", "时间", "访问时间", "actor_id", "data_category",
                                  "action", "purpose"])
    assert any("'时间' and '访问时间'" in p for p in res.problems)


def test_mapping_renames_win():
    res = _resolve("access_log", ["id", "when", "who", "cat", "act", "why"], {"columns": {
        "ID": "event_id", "when": "ts", "who": "actor_id", "cat": "data_category",
        "act": "action", "why": "purpose"}})
    assert not res.problems and res.contract["ts"] == 1


def test_mapping_rename_and_same_named_column_conflict():
    res = _resolve("employees", ["actor_id", "staff_no"], {"columns": {"staff_no": "actor_id"}})
    assert any("both give column 'actor_id'" in p for p in res.problems)


def test_missing_required_column_names_dataset_column_and_found_columns(data_dir):
    write_csv(data_dir / "access_log.csv", ["event_id", "when", "actor_id", "data_category",
                                            "action", "purpose"], [["E1", "x", "A", "c", "r", "p"]])
    write_csv(data_dir / "employees.csv", ["actor_id"], [["A1"]])
    result = load_dir(data_dir)
    d = result.datasets["access_log"]
    assert d.status == "error" and not result.ok
    assert "access_log" in d.error and "'ts'" in d.error
    assert "columns found: event_id, when, actor_id" in d.error
    assert "mapping.yaml" in d.error
    assert result.datasets["employees"].status == "loaded"  # the others still load
    assert rows(result, "SELECT count(*) FROM access_log") == [(0,)]


def test_every_file_of_a_folder_is_checked_at_once(data_dir):
    write_csv(data_dir / "employees" / "a.csv", ["name"], [["x"]])
    write_csv(data_dir / "employees" / "b.csv", ["姓名"], [["y"]])
    d = load_dir(data_dir).datasets["employees"]
    assert "employees/a.csv" in d.error and "employees/b.csv" in d.error


def test_extra_columns_are_kept_with_their_names(data_dir):
    write_csv(data_dir / "employees.csv", ["actor_id", "手机号", "_secret", ""],
              [["A1", "13800138000", "s", "z"]])
    result = load_dir(data_dir)
    assert result.datasets["employees"].extra_columns == ["手机号", "x_secret", "column_4"]
    assert rows(result, 'SELECT "手机号", x_secret, column_4 FROM employees') == [
        ("13800138000", "s", "z")]


def test_optional_columns_absent_from_the_source_are_null(data_dir):
    write_csv(data_dir / "employees.csv", ["actor_id"], [["A1"]])
    result = load_dir(data_dir)
    assert result.datasets["employees"].missing_columns == [
        "name", "department", "role", "hired_at", "terminated_at"]
    assert rows(result, "SELECT role, hired_at FROM employees") == [(None, None)]
