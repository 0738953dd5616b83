"""The explorer's words, in the run's language: the reports' words
(report/i18n.py) and the workbook's labels of columns and the data's codes
(report/sheetwords.py), plus the few only the explorer needs, below, zh and
en side by side. The values behind every label stay the codes the files
hold: a filter's value is `critical`, its label 严重.
"""

from __future__ import annotations

from typing import Any

from privacylib.report.i18n import words as report_words
from privacylib.report.sheetwords import key_label, value_text
from privacylib.vocab import History, Outcome, Status

# Only the explorer's; a key here never repeats one of report/i18n.py (a test checks).
EXPLORE: dict[str, dict[str, str]] = {
    "zh": {
        "tab_findings": "发现", "tab_controls": "控制结果", "tab_actor": "操作人时间线",
        "tab_customer": "客户轨迹", "tab_charts": "图表", "all_choice": "（全部）",
        "show_unmasked": "显示标识符（不脱敏）", "reason_box": "事由",
        "reason_hint": "为何需要查看标识符（将被记录）", "unmasked_warning": "标识符未脱敏显示",
        "needs_reason": "显示未脱敏的标识符需要填写事由：事由与您的用户名一并记录",
        "needs_store": "显示未脱敏的标识符需要审计库来记录：请打开记录在审计库中的运行",
        "count_of": "{shown} / {total}", "first_listed": "（仅列出前 {n} 项：请缩小筛选范围）",
        "actor_box": "操作人", "actor_hint": "员工编号", "customer_box": "客户",
        "customer_hint": "客户编号或 CU- 假名", "drawing": "正在绘图…",
        "chart_runs": "审计库中各次运行的发现数", "runs_new": "新增",
        "runs_still": "仍未解决 / 首次运行", "runs_resolved": "已解决",
        "actor_line": "{actor}：访问 {n} 次，其中 {flagged} 次涉及发现",
        "trail_line": "访问 {n} 次，其中 {flagged} 次涉及发现", "more_rows": "… 另有 {n} 行",
        "col_day": "日期", "col_time": "时间", "col_controls": "涉及的控制",
        "col_basis": "处理依据", "no_consent": "无同意", "consent_of": "同意 {id}",
        "run_folder": "运行 {path}", "data_folder": "数据文件夹 {path}",
        "cannot": "无法读取原始数据：", "raw_json": "原始证据（JSON）",
        "opened_line": "正在探索{source}：{n} 项发现",
    },
    "en": {
        "tab_findings": "Findings", "tab_controls": "Controls", "tab_actor": "Actor timeline",
        "tab_customer": "Customer trail", "tab_charts": "Charts", "all_choice": "(all)",
        "show_unmasked": "show identifiers (unmasked)", "reason_box": "reason",
        "reason_hint": "why identifiers are needed (recorded)",
        "unmasked_warning": "identifiers are shown unmasked",
        "needs_reason": "showing identifiers unmasked needs a reason: it is recorded with "
                        "your user name",
        "needs_store": "showing identifiers unmasked needs an audit store to record it in: "
                       "open a run recorded in a store",
        "count_of": "{shown} of {total}",
        "first_listed": " (the first {n} listed: narrow the filters)",
        "actor_box": "actor", "actor_hint": "staff id", "customer_box": "customer",
        "customer_hint": "customer id or CU- pseudonym", "drawing": "drawing…",
        "chart_runs": "Findings across the runs of the audit store", "runs_new": "new",
        "runs_still": "still open / first run", "runs_resolved": "resolved",
        "actor_line": "{actor}: {n} accesses, {flagged} in findings",
        "trail_line": "{n} accesses, {flagged} in findings", "more_rows": "… {n} more",
        "col_day": "day", "col_time": "time", "col_controls": "controls",
        "col_basis": "basis", "no_consent": "no consent", "consent_of": "consent {id}",
        "run_folder": "run {path}", "data_folder": "data folder {path}",
        "cannot": "the raw rows cannot be read: ", "raw_json": "raw evidence (JSON)",
        "opened_line": "exploring {source}: {n} findings",
    },
}
# Table columns the explorer adds to the data's (the rest: the workbook's labels).
COLUMN_WORDS = {"day": "col_day", "time": "col_time", "controls": "col_controls",
                "basis": "col_basis", "id": "control", "control_id": "control",
                "title": "title_col", "subject_id": "subject"}
# Fields whose values are the audit's own words (report/i18n.py keys).
_AUDIT_VALUES = {"severity": {}, "family": {}, "outcome": {o.value: o.value for o in Outcome},
                 "status": {s.value: s.value for s in Status},
                 "history": {History.NEW.value: "h_new", History.RECURRING.value: "h_open",
                             History.RESOLVED.value: "runs_resolved"}}


def words(lang: str) -> dict[str, str]:
    """Every word the explorer shows: the reports' and its own."""
    return {**report_words(lang), **EXPLORE[lang]}


def column(name: str, lang: str) -> str:
    """A column or field as its header reads (in English capitalised, as the reports' are)."""
    w = words(lang)
    if name in COLUMN_WORDS:
        label = w[COLUMN_WORDS[name]]
    elif name in ("severity", "status", "history", "family", "outcome", "checked", "findings",
                  "reason"):
        label = w[name]
    else:
        label = key_label(name, lang)
    return label[:1].upper() + label[1:]


def value(name: str, code: Any, lang: str, names: dict[str, str] | None = None) -> Any:
    """A value of field `name` as a person reads it: the audit's words for its
    own enumerations, the data's descriptions (names) or the contract's words
    for the data's codes, anything else as it is."""
    if name in _AUDIT_VALUES and isinstance(code, str) and code:
        w = words(lang)
        key = _AUDIT_VALUES[name].get(code, code)
        return w.get(key, code)
    return value_text(name, code, lang, names or {})
