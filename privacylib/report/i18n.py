"""Words of the reports, in Chinese (the default) and English."""

from __future__ import annotations

from privacylib.errors import UsageError
from privacylib.vocab import Lang

LANGS = tuple(Lang)

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "客户隐私保护合规审计报告", "summary": "审计摘要", "period": "审计期间",
        "as_of": "评估时点", "scope": "范围", "all": "全部", "generated": "生成时间",
        "masked": "个人信息已脱敏", "unmasked": "注意：本报告未脱敏，含个人信息",
        "outcomes": "控制结果",
        "control": "控制", "title_col": "名称", "family": "类别", "severity": "严重程度",
        "outcome": "结果", "findings": "发现数", "reason": "说明", "subject": "对象",
        "top_findings": "主要发现", "data_quality": "数据质量", "dataset": "数据集",
        "status": "状态", "rows_read": "读取行数", "rows_loaded": "加载行数",
        "rows_rejected": "拒收行数", "evidence": "证据", "remediation": "整改建议",
        "rule": "规则", "finding_key": "发现编号", "none": "无",
        "pass": "通过", "fail": "未通过", "skipped": "跳过", "error": "错误",
        "no_data": "无数据", "checked": "检查对象数",
        "critical": "严重", "high": "高", "medium": "中", "low": "低",
        "loaded": "已加载", "absent": "缺失",
        "collection": "收集", "storage": "存储", "use": "使用", "sharing": "共享",
        "rights": "个人权利", "accountability": "责任",
        "more_findings": "另有 {n} 项发现见 findings.csv 与 workbook.xlsx",
        "open": "待整改", "excepted": "已豁免", "h_new": "新增", "h_open": "持续存在",
        "history": "与上次相比", "changes": "与上次审计相比",
        "no_previous": "无可比较的上次审计（未使用审计库，或本范围首次审计）",
        "compared_with": "对比上次审计 {run}（{period}）：新增 {new} 项，仍未解决 {open} 项，"
                         "已解决 {resolved} 项",
        "exceptions": "风险豁免", "source": "来源", "state": "状态", "valid": "有效",
        "expired": "已过期", "invalid": "无效", "requested_by": "申请人",
        "yes": "是", "no": "否", "system_owner": "系统 {system} 的负责人",
        "pipo": "个人信息保护负责人", "legal": "法律依据", "owner": "责任方",
        "first_seen": "首次发现", "due": "整改期限", "this_run": "本次审计",
        "run_id": "运行编号", "seal": "结果封印", "signer": "签名密钥",
        "seal_note": "result.json 的 SHA-256，与 privacy-audit verify 显示的“结果封印”一致",
        "in_manifest": "见 manifest.json（privacy-audit verify 显示）",
        "failed_headline": "未通过 {n} 项控制", "sev_count": "{sev} {n} 项",
        "open_headline": "待整改发现 {n} 项", "pass_rate": "有数据的控制通过率 {rate}",
        "incomplete": "审计不完整：{n} 项控制或数据集未能得出结论",
        "complete": "审计完整：每项控制都得出了结论",
        "more_link": "另有 {n} 项发现，完整清单见 {link}",
        "due_none": "策略未设定各严重程度的整改时限，整改期限未推算。",
        "due_rule": "整改期限 = 首次发现的审计期间结束日 + 策略规定的天数（{days}）。",
        "owner_rule": "责任方：证据或操作人档案所载部门；无部门时为所涉系统的负责人；"
                      "两者皆无时为个人信息保护负责人（个人信息保护法第 52 条）。",
        "first_seen_rule": "首次发现：审计库中最早发现该问题的审计期间；无审计库记录时为本次审计。",
        "details": "详见完整报告", "large": "发现分布", "digest_note":
        "{id} 共 {total} 项发现，下表按操作人、系统和日期汇总（各取前 {top} 名）；"
        "完整清单见 {file}。",
        "by_actor_id": "按操作人", "by_system": "按系统", "by_day": "按日期",
        "value": "值", "examples": "示例（前 {n} 项）",
        "chart_findings": "各控制的发现数（按严重程度）",
        "roles_held": "所任岗位", "an_access": "访问", "in_a_finding": "属于某项发现",
        "chart_heat": "本期访问次数（按星期与本地时间）", "axis_hour": "本地时间（时）",
        "axis_weekday": "星期", "axis_accesses": "访问次数", "off_hours": "非工作时间",
        "alt_heat": "热力图：本期共 {n} 次访问，"
        "其中工作时间（{hours}）以外 {off} 次；最多的时段为{peak}",
        "weekdays": "周一,周二,周三,周四,周五,周六,周日", "rows_filtered": "筛除行数",
        "warnings": "警告", "error_col": "错误", "resolved_list": "已解决的发现",
        "failing_controls": "未通过的控制（按严重程度）", "section_rule": "规则",
        "approved_by": "批准人", "expires_on": "到期日", "problem": "问题",
    },
    "en": {
        "title": "Customer privacy compliance audit", "summary": "Audit summary",
        "period": "Period", "as_of": "As of", "scope": "Scope", "all": "whole company",
        "generated": "Generated", "masked": "Personal identifiers are masked",
        "unmasked": "Warning: this report is NOT masked and holds personal data",
        "outcomes": "Control outcomes",
        "control": "Control", "title_col": "Title", "family": "Family",
        "severity": "Severity", "outcome": "Outcome", "findings": "Findings",
        "reason": "Reason", "subject": "Subject", "top_findings": "Top findings",
        "data_quality": "Data quality", "dataset": "Dataset", "status": "Status",
        "rows_read": "Rows read", "rows_loaded": "Rows loaded", "rows_rejected": "Rows rejected",
        "evidence": "Evidence", "remediation": "Remediation", "rule": "Rule",
        "finding_key": "Finding key", "none": "none",
        "pass": "pass", "fail": "fail", "skipped": "skipped", "error": "error",
        "no_data": "no data", "checked": "Checked",
        "critical": "critical", "high": "high", "medium": "medium", "low": "low",
        "loaded": "loaded", "absent": "absent",
        "collection": "Collection", "storage": "Storage", "use": "Use", "sharing": "Sharing",
        "rights": "Rights", "accountability": "Accountability",
        "more_findings": "{n} more findings are in findings.csv and workbook.xlsx",
        "open": "open", "excepted": "excepted", "h_new": "new", "h_open": "still open",
        "history": "Since last run", "changes": "Changes since the previous run",
        "no_previous": "No previous run to compare with (no audit store, or the first run "
                       "of this scope)",
        "compared_with": "Compared with run {run} ({period}): {new} new, {open} still open, "
                         "{resolved} resolved",
        "exceptions": "Accepted risks (exceptions)", "source": "Source", "state": "State",
        "valid": "valid", "expired": "expired", "invalid": "invalid",
        "yes": "yes", "no": "no", "system_owner": "owner of system {system}",
        "pipo": "Personal information protection officer", "legal": "Legal references",
        "owner": "Owner", "first_seen": "First seen", "due": "Due", "this_run": "this run",
        "run_id": "Run id", "seal": "Result seal", "signer": "Signing key",
        "seal_note": "SHA-256 of result.json, the result seal `privacy-audit verify` prints",
        "in_manifest": "in manifest.json (privacy-audit verify prints it)",
        "failed_headline": "{n} controls failed", "sev_count": "{n} {sev}",
        "open_headline": "{n} open findings", "pass_rate": "pass rate of controls with data {rate}",
        "incomplete": "The audit is incomplete: {n} controls or datasets gave no conclusion",
        "complete": "The audit is complete: every control reached a conclusion",
        "more_link": "{n} more findings: the full list is in {link}",
        "due_none": "The policy sets no remediation window per severity: no due date is "
                    "derived.",
        "due_rule": "Due = end of the period in which the finding was first seen + the "
                    "policy's days ({days}).",
        "owner_rule": "Owner: the department named by the evidence or the actor's record; "
                      "else the owner of the system involved; else the personal information "
                      "protection officer (PIPL Art. 52).",
        "first_seen_rule": "First seen: the earliest audit period in the audit store with this "
                           "finding; this run when the store has none.",
        "details": "details in the full report", "large": "Where the findings are",
        "digest_note": "{id} has {total} findings, counted below by actor, system and day "
                       "(top {top} each); the full list is in {file}.",
        "by_actor_id": "By actor", "by_system": "By system", "by_day": "By day",
        "value": "Value", "examples": "Examples (first {n})",
        "chart_findings": "Findings per control, by severity",
        "roles_held": "Roles held", "an_access": "Access", "in_a_finding": "In a finding",
        "chart_heat": "Accesses in the period by weekday and local hour",
        "axis_hour": "Local hour", "axis_weekday": "Weekday", "axis_accesses": "Accesses",
        "off_hours": "Out of hours",
        "alt_heat": "Heat map: {n} accesses in the period, {off} of them outside business "
                    "hours ({hours}); busiest: {peak}",
        "weekdays": "Mon,Tue,Wed,Thu,Fri,Sat,Sun", "rows_filtered": "Rows filtered",
        "warnings": "Warnings", "error_col": "Error", "resolved_list": "Resolved findings",
        "failing_controls": "Failed controls by severity", "section_rule": "Rule",
        "requested_by": "Requested by", "approved_by": "Approved by",
        "expires_on": "Expires on", "problem": "Problem",
    },
}


def words(lang: str) -> dict[str, str]:
    if lang not in LANGS:
        raise UsageError(f"language '{lang}' is not available", hint="use zh or en")
    return TEXT[lang]
