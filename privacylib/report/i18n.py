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
        "requested_by": "Requested by", "approved_by": "Approved by",
        "expires_on": "Expires on", "problem": "Problem",
    },
}


def words(lang: str) -> dict[str, str]:
    if lang not in LANGS:
        raise UsageError(f"language '{lang}' is not available", hint="use zh or en")
    return TEXT[lang]
