"""The workbook's words, and evidence made readable: keys as column headers,
values as words, in one language.

report/i18n.py holds the words every report shares; these are the ones only
the workbook needs (its cover, owner columns and evidence headers). Evidence
keys are the data contract's column names (`granted_at`), which a reader
should not have to decode: each has a label per language, and catalog texts
that quote a column name show the label instead.
"""

from __future__ import annotations

import re
from typing import Any

from privacylib.report.legal import legal_text

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "controls_sheet": "控制结果", "run_id": "运行编号",
        "no_run_id": "见本报告文件夹的 manifest.json（经签名的运行才有）",
        "seal": "结果封印（result.json 的 SHA-256）", "masking": "个人信息脱敏",
        "masked_on": "已脱敏：标识符以假名显示", "masked_off":
        "未脱敏：本次运行使用了 --no-mask（不脱敏），工作底稿含个人信息，仅限授权人员查阅",
        "language": "语言", "lang_name": "中文", "outcome_counts": "控制结果统计",
        "failed_by_severity": "未通过控制（按严重程度）",
        "open_by_severity": "待整改发现（按严重程度）", "completeness": "审计完整性",
        "complete": "完整",
        "incomplete": "不完整：{n} 项控制或数据集未能得出结论（见“控制结果”表的说明列）",
        "how_to_read": "如何阅读", "how": "“控制结果”表每行一项控制，含规则、法律依据与整改建议；"
        "每项未通过的控制有一张以其编号命名的工作表：顶部为规则、法律依据与整改建议，"
        "其下每行一项发现，证据按字段展开；“责任人”“已采取措施”“整改期限”“整改状态”"
        "四列留给审计人员填写。发现超过一万项的控制只列前一万项，顶部给出按操作人、系统和日期"
        "的分布；全部发现见 findings.csv 与 findings.parquet。打印时每张控制工作表打印发现"
        "与上述四列，证据列只在屏幕上查看。",
        "legal": "法律依据", "owner": "责任人", "action": "已采取措施",
        "due": "整改期限", "fix_status": "整改状态", "department": "部门",
        "fix_values": "未开始,整改中,已整改,已接受风险",
        "capped": "本表仅列出前 {shown} 项发现（共 {total} 项，按对象排序）；"
                  "全部发现见 findings.csv 与 findings.parquet（按控制编号 {cid} 筛选）",
        "all_shown": "共 {total} 项发现，全部列于下表",
        "digest": "发现分布（前 {top} 名）", "by_actor_id": "按操作人", "by_system": "按系统",
        "by_day": "按日期", "count": "发现数", "items": "{n} 项", "more": "等，共 {n} 项",
        "yes": "是", "no": "否", "exception": "风险豁免", "period_fmt": "{start} 至 {end}（{tz}）",
        "approved_by": "批准人", "expires_on": "到期日",
    },
    "en": {
        "controls_sheet": "Controls", "run_id": "Run id",
        "no_run_id": "see manifest.json in this report folder (signed runs only)",
        "seal": "Result seal (SHA-256 of result.json)", "masking": "Masking of personal data",
        "masked_on": "on: identifiers are shown as pseudonyms", "masked_off":
        "OFF: this run used --no-mask; the workbook holds personal data, for authorised "
        "readers only",
        "language": "Language", "lang_name": "English", "outcome_counts": "Control outcomes",
        "failed_by_severity": "Failed controls by severity",
        "open_by_severity": "Open findings by severity", "completeness": "Completeness",
        "complete": "complete", "incomplete": "incomplete: {n} controls or datasets gave no "
        "conclusion (see the reason column of the Controls sheet)",
        "how_to_read": "How to read", "how": "The Controls sheet has one row per control with "
        "its rule, legal references and remediation. Each failed control has a sheet named "
        "by its id: the rule, legal references and remediation at the top, then one row per "
        "finding with its evidence spread over columns. Owner, Action taken, Due date and "
        "Remediation status are for the auditor to fill in. A control with more than "
        "10,000 findings lists the first 10,000, with counts by actor, system and day on "
        "top; every finding is in findings.csv and findings.parquet. Printed, a control "
        "sheet shows the findings and those four columns; the evidence columns are on "
        "screen.",
        "legal": "Legal references", "owner": "Owner", "action": "Action taken",
        "due": "Due date", "fix_status": "Remediation status", "department": "Department",
        "fix_values": "not started,in progress,remediated,risk accepted",
        "capped": "This sheet lists the first {shown} findings (of {total}, by subject); "
                  "every finding is in findings.csv and findings.parquet (filter by control {cid})",
        "all_shown": "{total} findings, all listed below",
        "digest": "Where the findings are (top {top})", "by_actor_id": "By actor",
        "by_system": "By system", "by_day": "By day", "count": "Findings",
        "items": "{n} items", "more": "and more, {n} in all", "yes": "yes", "no": "no",
        "exception": "Accepted risk", "period_fmt": "{start} to {end} ({tz})",
        "approved_by": "Approved by", "expires_on": "Expires on",
    },
}

# Evidence keys (contract columns and the controls' own names) in Chinese; in
# English a key reads as its words unless EN says otherwise.
ZH = {
    "access_logging": "访问日志", "accesses": "访问次数", "accesses_in_period": "本期访问次数",
    "action": "操作", "actor_id": "操作人", "anchor": "起算点", "anonymized_at": "匿名化时间",
    "backup": "备份", "backup_id": "备份编号", "business_hours": "工作时间",
    "category": "数据类别", "closed_at": "销户时间", "collected_at": "收集时间",
    "completed_at": "完成时间", "consent": "同意", "consent_id": "同意编号",
    "consents": "同意记录", "consents_not_withdrawn": "未撤回的同意",
    "contract_ref": "合同编号", "course": "课程", "created_at": "创建时间",
    "customer": "客户", "customer_id": "客户", "customers": "客户",
    "customers_notified_at": "通知客户时间", "data_category": "数据类别",
    "deadline": "截止时间", "deleted_at": "删除时间", "department": "部门",
    "description": "说明", "detected_at": "发现时间", "disposal": "处置方式",
    "distinct_customers": "涉及客户数", "employee": "员工", "encrypted": "已加密",
    "encrypted_at_rest": "静态加密", "encryption_algorithm": "加密算法", "event": "事件",
    "event_id": "事件编号", "events": "事件", "evidence_ref": "证据编号", "examples": "示例",
    "exports": "导出", "failed_test": "失败的恢复测试", "field": "字段", "fields": "字段",
    "first_access": "首次访问", "first_events": "最早的事件", "from": "起",
    "gaps": "备份间隔", "granted_at": "同意时间", "hired_at": "入职时间",
    "holds_personal_data": "含个人信息", "hours": "小时数", "incident": "事件报告",
    "incident_id": "事件编号", "integrity_verified": "完整性已验证", "kind": "类型",
    "last_access": "最近访问", "last_vuln_scan_at": "最近漏洞扫描",
    "later_accesses": "之后的访问", "later_tests": "之后的测试", "legal_basis": "合法性基础",
    "local_day": "日期", "local_time": "本地时间", "location": "位置", "mandatory": "必填",
    "method": "方式", "name": "名称", "notice": "告知", "notice_version": "告知版本",
    "open_critical_vulns": "未修复的严重漏洞", "permissions_on_category": "对该类别的权限",
    "physical_safeguards": "物理防护", "published_at": "发布时间", "purpose": "目的",
    "purpose_needs": "目的所需类别", "purposes": "目的", "received_at": "收到时间",
    "record": "记录", "record_count": "记录数", "record_id": "记录编号", "records": "记录",
    "records_affected": "受影响记录数", "recipient": "接收方", "recipient_country": "接收方国家",
    "regulator_notified_at": "报告监管时间", "request": "请求", "request_id": "请求编号",
    "restore_minutes": "恢复分钟数", "restore_tests": "恢复测试", "result": "结果",
    "retention": "保存期限", "retention_days": "保存天数", "retired_at": "停用时间",
    "role": "角色", "roles_held": "所任角色", "sensitive": "敏感", "separate": "单独同意",
    "severity": "严重程度", "share": "共享", "share_id": "共享编号", "shared_at": "共享时间",
    "source_ip": "来源 IP", "started_at": "开始时间", "status": "状态", "store": "存储",
    "store_id": "存储编号", "stores": "存储", "successful_backups_in_period": "本期成功备份",
    "system": "系统", "target_location": "目标位置", "terminated_at": "离职时间",
    "test_id": "测试编号", "tested_at": "测试时间", "ticket_id": "工单编号", "to": "止",
    "training": "培训", "transfer_assessment_ref": "出境评估编号", "ts": "时间",
    "type": "类型", "valid_from": "生效时间", "valid_to": "失效时间",
    "withdrawn_at": "撤回时间", "_source": "来源文件与行", "as_of": "评估时点",
    "period_start": "期间开始", "period_end": "期间结束", "purpose_categories": "目的所需类别表",
    "role_assignments": "岗位分配表", "flag_weekends": "标记周末访问",
}
EN = {"ts": "time", "_source": "source file and line", "to": "until", "from": "from",
      "actor_id": "actor", "customer_id": "customer", "store_id": "store"}

# Values of the contract's enumerations, in Chinese.
VALUES_ZH = {
    "read": "读取", "export": "导出", "update": "修改", "delete": "删除", "print": "打印",
    "success": "成功", "denied": "被拒绝", "failed": "失败", "partial": "部分成功",
    "pass": "通过", "fail": "未通过", "checkbox": "勾选", "pre_checked": "默认勾选",
    "opt_out": "默认同意需退出", "database": "数据库", "object_storage": "对象存储",
    "file_share": "共享盘", "saas": "SaaS 服务", "paper_archive": "纸质档案",
    "collected_at": "收集时间", "account_closed": "销户", "anonymize": "匿名化",
    "consent": "同意", "contract": "合同", "legal_obligation": "法定义务",
    "vital_interest": "重大利益", "public_interest": "公共利益", "access": "查阅",
    "correction": "更正", "deletion": "删除", "withdrawal": "撤回同意", "portability": "转移",
    "completed": "已完成", "open": "处理中", "pending": "处理中", "rejected": "已拒绝",
    "implied": "默示同意", "default": "默认同意", "none": "无", "critical": "严重", "high": "高",
    "medium": "中", "low": "低",
}
# Keys whose values are the data's own codes (purposes, categories, roles…).
CODED = frozenset({"action", "result", "method", "kind", "anchor", "disposal", "legal_basis",
                   "type", "status", "severity", "purpose", "purposes", "data_category",
                   "role", "roles_held", "field", "purpose_needs", "category"})
_TOKEN = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
# Markers some controls write in both languages at once, and SQL's null, as
# each language says them (the reason sentences are filled by the engine).
MARKERS = {"从未/never": ("从未", "never"), "（无/none）": ("（无）", "(none)"),
           "(空/none)": ("（空）", "(none)")}
_NULL = re.compile(r"\bnull\b")
_QUOTED = re.compile(r"「([a-z][a-z_]*)」")
# The event time a rule names in a comparison (ts < hired_at), not inside a word.
_BARE_TS = re.compile(r"(?<![\w.])ts(?![\w.])")
_SAID_TWICE = re.compile(r"([\u4e00-\u9fff]+)（\1）")


def key_label(key: str, lang: str) -> str:
    if lang == "zh":
        return ZH.get(key, key.replace("_", " ").strip())
    return EN.get(key, key.replace("_", " ").strip())


def header(path: tuple[str, ...], lang: str) -> str:
    """`("event", "actor_id")` as 事件 · 操作人 / event · actor."""
    return " · ".join(key_label(k, lang) for k in path)


def readable(text: str, lang: str, policy: dict[str, Any] | None = None,
             names: dict[str, str] | None = None) -> str:
    """A catalog text or reason with the policy settings it names
    (incident_notify_hours) as this run's values, the column names it quotes
    (granted_at) as labels, and the data's codes (insurance_referral) as words."""
    policy, names = policy or {}, names or {}
    sep = "、" if lang == "zh" else ", "

    def code(value: Any) -> str:
        text = str(value)
        if lang == "zh":
            return names.get(text) or VALUES_ZH.get(text) or text.replace("_", " ")
        return text.replace("_", " ")

    def word(match: re.Match[str]) -> str:
        token = match.group()
        value = policy.get(token)
        if isinstance(value, list | tuple):
            return sep.join(code(v) for v in value)
        if value is not None and not isinstance(value, bool):  # a switch reads as its name
            return str(value)
        if token in ZH:
            return key_label(token, lang)
        return code(token)

    # A one-word code a sentence quotes (「marketing」) reads as the data's word for it.
    text = _QUOTED.sub(lambda m: f"「{code(m.group(1))}」", text)
    for marker, said in MARKERS.items():
        text = text.replace(marker, said[0] if lang == "zh" else said[1])
    text = _NULL.sub("空" if lang == "zh" else "none", text)
    text = _BARE_TS.sub(key_label("ts", lang), text)
    # 同意时间（granted_at） once granted_at is a label says the word twice.
    return _SAID_TWICE.sub(r"\1", _TOKEN.sub(word, text))


def value_text(key: str | None, value: Any, lang: str, names: dict[str, str]) -> Any:
    """A scalar of evidence as a cell: booleans as words, the data's codes as
    its own descriptions (names: purposes and categories) or contract words."""
    w = WORDS[lang]
    if value is None:
        return ""
    if isinstance(value, bool):
        return w["yes"] if value else w["no"]
    if isinstance(value, str) and key in CODED:
        if lang == "zh":
            return names.get(value) or VALUES_ZH.get(value) or value.replace("_", " ")
        return value.replace("_", " ")
    return value


def legal(seed: str, pipl: str, lang: str) -> str:
    """细则 二(一)3；个人信息保护法 第 13、14 条 / Operating rules II(1)3; PIPL Art. 13, 14."""
    return legal_text(seed, pipl, lang)


_SOURCE = ("_source_file", "_source_line")


def flatten(evidence: Any, lang: str, names: dict[str, str]) -> dict[tuple[str, ...], Any]:
    """One cell per evidence key path; a record's source as `file:line`;
    a list as one summarising cell."""
    out: dict[tuple[str, ...], Any] = {}

    def walk(value: Any, path: tuple[str, ...]) -> None:
        if isinstance(value, dict):
            for k in sorted(value):
                if k not in _SOURCE:
                    walk(value[k], (*path, k))
            if value.get("_source_file"):
                out[(*path, "_source")] = f"{value['_source_file']}:{value.get('_source_line')}"
        elif isinstance(value, list):
            out[path] = summarise(path[-1] if path else None, value, lang, names)
        else:
            out[path] = value_text(path[-1] if path else None, value, lang, names)

    walk(evidence, ())
    return out


def summarise(key: str | None, items: list[Any], lang: str, names: dict[str, str]) -> str:
    """A list in one cell: its first few items, and how many there are."""
    s = WORDS[lang]
    if not items:
        return ""

    def one(item: Any) -> str:
        if isinstance(item, dict | list):
            values = flatten(item, lang, names)
            return " / ".join(str(v) for p, v in values.items()
                              if v not in ("", None) and p[-1:] != ("_source",))[:200]
        return str(value_text(key, item, lang, names))

    sep = "；" if lang == "zh" else "; "
    limit = 3 if isinstance(items[0], dict) else 10
    text = sep.join(one(i) for i in items[:limit])
    if len(items) > limit:
        text += sep + s["more"].format(n=len(items))
    elif isinstance(items[0], dict) and len(items) > 1:
        text = s["items"].format(n=len(items)) + ("：" if lang == "zh" else ": ") + text
    return text
