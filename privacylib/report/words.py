"""What the pages show instead of codes: display names of datasets, columns
and enumeration values, readable finding sentences and evidence, owners and
legal references, in one language at a time.

The key and value labels are the workbook's (report/sheetwords.py), so that
a column reads the same in every file. Reason sentences are the controls'
templates filled by the engine; a few templates speak in codes ("did read on
contact", "1 times", "48.0 hours", "Fri" in Chinese): `sentence` rewrites
those for display only. findings.csv and result.json keep the text as the
engine wrote it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from privacylib.report.i18n import words
from privacylib.report.sheetwords import VALUES_ZH, key_label, legal, readable

# Datasets of the data contract by name, in Chinese (English: the words of the name).
DATASETS_ZH = {
    "access_log": "访问日志", "backups": "备份", "collection_fields": "收集字段",
    "consents": "同意记录", "customers": "客户", "data_categories": "数据类别",
    "data_stores": "数据存储", "dsr_requests": "个人权利请求", "employees": "员工",
    "incidents": "安全事件", "notices": "隐私告知", "purpose_categories": "目的所需类别",
    "purposes": "处理目的", "records": "数据记录", "restore_tests": "恢复测试",
    "retention_policy": "保存期限", "role_assignments": "岗位分配", "role_permissions": "岗位权限",
    "sharing": "对外提供", "training": "隐私培训",
}
WEEKDAYS_ZH = {"Mon": "周一", "Tue": "周二", "Wed": "周三", "Thu": "周四", "Fri": "周五",
               "Sat": "周六", "Sun": "周日"}
PAST_EN = {"read": "read", "export": "exported", "update": "updated", "delete": "deleted",
           "print": "printed"}
# Evidence keys a reader does not need (where a row came from stays: _source).
_HIDDEN_KEYS = frozenset({"_source_file", "_source_line"})
_WORD = re.compile(r"(?<![A-Za-z0-9_.-])([a-z][a-z]+)(?![A-Za-z0-9_-])")
_WHOLE_FLOAT = re.compile(r"\b(\d+)\.0\b")
_PLURAL = re.compile(r"\b(\d+) (\w+?)\(s\)")
_DID_ON = re.compile(r"\bdid (\w+) on (\w+)")


def dataset_name(name: str, lang: str) -> str:
    if lang == "zh":
        return DATASETS_ZH.get(name, name.replace("_", " "))
    return name.replace("_", " ")


def code_word(code: str, lang: str, names: dict[str, str]) -> str:
    """A value of the data's codes (a purpose, a category, an action) as a word:
    the data's own description where it has one, else the contract's word."""
    if lang == "zh":
        return names.get(code) or VALUES_ZH.get(code) or code.replace("_", " ")
    return code.replace("_", " ")


def sentence(text: object, lang: str, names: dict[str, str] | None = None,
             policy: dict[str, Any] | None = None) -> str:
    """A catalog text or finding sentence as a reader should see it."""
    names = names or {}
    if text is None or text == "":
        return ""
    out = str(text)
    if lang == "en":  # before the codes become words: "did read on contact"
        out = _DID_ON.sub(lambda m: f"{PAST_EN.get(m[1], m[1])} {code_word(m[2], lang, names)}"
                          " data", out)
    out = readable(out, lang, policy, names)
    out = _WHOLE_FLOAT.sub(r"\1", out)
    if lang == "en":
        out = re.sub(r"\b1 times\b", "once", out)
        out = _PLURAL.sub(lambda m: f"{m[1]} {m[2]}" + ("" if m[1] == "1" else "s"), out)
        return out
    for short, day in WEEKDAYS_ZH.items():
        out = re.sub(rf"(?<![A-Za-z]){short}(?![A-Za-z])", day, out)
    # A lower-case word in a Chinese sentence is a code of the data (marketing,
    # read, payment): its description or the contract's word, when there is one.
    w = words(lang)
    booleans = {"true": w["yes"], "false": w["no"]}
    return _WORD.sub(lambda m: names.get(m[1]) or VALUES_ZH.get(m[1]) or booleans.get(m[1])
                     or m[1], out)


def subject_text(subject: object, lang: str, names: dict[str, str]) -> str:
    """A finding's subject: an id as it is; a code of the data (a data
    category, social_graph) as its description or words. findings.csv keeps it."""
    text = "" if subject is None else str(subject)
    return code_word(text, lang, names) if re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+",
                                                        text) else text


def evidence_pairs(evidence: str, lang: str, names: dict[str, str]) -> list[tuple[str, str]]:
    """A finding's evidence (JSON) as `label: value` lines, nested keys joined."""
    try:
        data = json.loads(evidence)
    except (TypeError, ValueError):
        return [(words(lang)["evidence"], str(evidence))]
    out: list[tuple[str, str]] = []

    def walk(value: Any, path: tuple[str, ...]) -> None:
        if isinstance(value, dict):
            if value.get("_source_file"):
                line = value.get("_source_line")
                out.append((key_label("_source", lang), f"{value['_source_file']}"
                            + (f":{line}" if line is not None else "")))
            for k in sorted(value):
                if k not in _HIDDEN_KEYS:
                    walk(value[k], (*path, k))
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                out.append((_label(path, lang), ("、" if lang == "zh" else ", ").join(
                    scalar(path[-1] if path else None, v, lang, names) for v in value) or "—"))
            else:
                for item in value:
                    walk(item, path)
        else:
            out.append((_label(path, lang), scalar(path[-1] if path else None, value, lang,
                                                   names)))

    walk(data, ())
    return out


def _label(path: tuple[str, ...], lang: str) -> str:
    # The innermost two keys say enough: 事件 · 时间, not 证据 · 事件 · 时间.
    return " · ".join(key_label(k, lang) for k in path[-2:])


def scalar(key: str | None, value: Any, lang: str, names: dict[str, str]) -> str:
    w = words(lang)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return w["yes"] if value else w["no"]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]*", value):
        return code_word(value, lang, names)
    return sentence(value, lang, names) if isinstance(value, str) else str(value)


def legal_refs(seed: str, pipl: str, lang: str) -> str:
    return legal(seed, pipl, lang)


def owner(department: object, system: object, lang: str) -> str:
    """Who acts on a finding: the department the evidence or the actor's record
    names; else the owner of the system it names; else the personal
    information protection officer (PIPL Art. 52), who answers for the rest."""
    w = words(lang)
    if isinstance(department, str) and department:
        return department
    if isinstance(system, str) and system:
        return w["system_owner"].format(system=system)
    return w["pipo"]
