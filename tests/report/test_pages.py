"""The parts of summary.html and report.html that are not a browser's
business: readable sentences and evidence, the one table builder, due dates,
the generated time, large results as digests, charts in severity order."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from privacylib.audit.run import Audit
from privacylib.report import charts, notebook, summary
from privacylib.report.facts import generated_text, remediation_days, seen_and_due
from privacylib.report.html import Raw, table
from privacylib.report.words import evidence_pairs, owner, sentence

SAMPLE = Path(__file__).parents[2] / "data" / "sample"


@pytest.fixture(scope="module")
def audited(sample_audit) -> Audit:
    return sample_audit


def in_lang(audit: Audit, lang: str) -> Audit:
    return dataclasses.replace(audit, config=dataclasses.replace(audit.config, lang=lang))


@pytest.mark.parametrize(("text", "lang", "shown"), [
    ("E1 did read on contact at 10:00", "en", "E1 read contact data at 10:00"),
    ("E1 did export on order_history", "en", "E1 exported order history data"),
    ("accessed customer data 1 times", "en", "accessed customer data once"),
    ("went 48.0 hours (1 gap(s)), 3 consent(s)", "en", "went 48 hours (1 gap), 3 consents"),
    ("以岗位 customer_service 执行 read payment", "zh",
     "以岗位 customer service 执行 读取 支付信息"),
    ("非工作时间 2026-10-23 07:30:00 Fri 访问（order，export）", "zh",
     "非工作时间 2026-10-23 07:30:00 周五 访问（order，导出）"),
    ("缺少：granted_at；(空/none)；从未/never；加密：false", "zh",
     "缺少：同意时间；（空）；从未；加密：否"),
    ("lacks: granted_at; (空/none); 从未/never", "en", "lacks: granted at; (none); never"),
])
def test_sentences_read_in_their_language(text, lang, shown):
    assert sentence(text, lang, {"payment": "支付信息"}) == shown


def test_evidence_reads_as_labelled_lines():
    evidence = json.dumps({"event": {"_source_file": "a.csv", "_source_line": 3,
                                     "actor_id": "E1", "action": "read", "ticket_id": None,
                                     "encrypted": True, "hours": 48.0}})
    assert evidence_pairs(evidence, "zh", {}) == [
        ("来源文件与行", "a.csv:3"), ("事件 · 操作", "读取"), ("事件 · 操作人", "E1"),
        ("事件 · 已加密", "是"), ("事件 · 小时数", "48"), ("事件 · 工单编号", "—")]
    assert ("event · actor", "E1") in evidence_pairs(evidence, "en", {})
    # A row without its source names none, rather than "None".
    assert evidence_pairs(json.dumps({"_source_file": None, "id": 1}), "en", {}) == [
        ("id", "1")]


def test_the_table_escapes_labels_and_never_shows_none():
    page = table(["对象", "n"], [["<b>x</b>", 3], [None, float("nan")], [Raw("<i>ok</i>"),
                                                                      pd.NaT]])
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<i>ok</i>" in page
    assert 'data-label="对象"' in page and '<td data-label="n" class="num">3</td>' in page
    assert "None" not in page and "nan" not in page and "NaT" not in page
    assert page.count("—") == 3


def test_owner_falls_back_from_department_to_system_to_the_officer():
    assert owner("市场部", "crm", "zh") == "市场部"
    assert owner("", "crm", "en") == "owner of system crm"
    assert owner(float("nan"), None, "zh") == "个人信息保护负责人"


def test_the_generated_time_is_in_the_policys_zone_with_its_offset():
    now = datetime(2026, 11, 1, 1, 30, tzinfo=UTC)
    assert generated_text("Asia/Shanghai", now) == "2026-11-01 09:30 (UTC+08:00, Asia/Shanghai)"


def test_a_due_date_needs_the_policys_remediation_window(audited):
    findings = audited.findings().head(3)
    assert remediation_days({}) == {} and remediation_days({"remediation_days_low": True}) == {}
    firsts, dues = seen_and_due(audited, findings, {})
    assert firsts == ["2026-10"] * 3 and dues == ["—"] * 3
    policy = {f"remediation_days_{s}": d for s, d in
              (("critical", 7), ("high", 30), ("medium", 60), ("low", 90))}
    _, dues = seen_and_due(audited, findings, policy)
    days = {"critical": "2026-11-07", "high": "2026-11-30", "medium": "2026-12-30",
            "low": "2027-01-29"}  # from the period's last day, 2026-10-31
    assert dues == [days[s] for s in findings["severity"]]


def _many(audit: Audit, control_id: str, n: int) -> pd.DataFrame:
    """n findings of one control, as a whole system logging no purpose would give."""
    one = audit.findings()
    one = one[one["control_id"] == control_id].head(1)
    big = pd.concat([one] * n, ignore_index=True)
    big["subject_id"] = [f"EV{i:07d}" for i in range(n)]
    big["finding_key"] = big["subject_id"]
    big["actor_id"] = [f"E{i % 7}" for i in range(n)]
    big["day"] = [f"2026-10-{1 + i % 28:02d}" for i in range(n)]
    return big


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_large_control_shows_its_digest_and_where_the_rest_is(audited, lang):
    audit = in_lang(audited, lang)
    big = _many(audit, "S07", 5000)
    page = notebook.control_findings(audit, "S07", big, {}, {})
    assert page.count("<tr") == 1 + 7 + 1 + 10 + 1 + 20  # groups by actor, system, day; 20 rows
    assert "5000" in page and "findings.csv" in page
    parts = summary._large(audit, big, {})
    assert "digest-S07" in "".join(parts) and "5000" in "".join(parts)
    small = notebook.control_findings(audit, "S07", big.head(3), {}, {})
    assert small.count("<tr") == 4


def test_the_findings_chart_puts_the_gravest_controls_first(audited):
    findings = pd.DataFrame({"control_id": ["U04", "U04", "S08", "C02"],
                             "severity": ["low", "low", "critical", "high"]})
    assert charts._severity_order(findings) == ["S08", "C02", "U04"]
    fig = charts.findings_by_control(findings, "zh")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["S08", "C02", "U04"]
    assert ax.get_title(loc="left") and ax.get_ylabel() == "发现数"
    assert "严重 1 项" in charts.findings_alt(findings, "zh")


def test_the_heat_map_marks_the_hours_outside_business_hours():
    heat = pd.DataFrame([[0] * 24] * 7, index=range(1, 8), columns=range(24))
    heat.iloc[0, 3], heat.iloc[2, 10] = 5, 20
    fig = charts.access_heatmap(heat, "en", "08:00-20:00")
    assert len(fig.axes[0].patches) == 2  # before 08:00 and from 20:00
    alt = charts.heatmap_alt(heat, "en", "08:00-20:00")
    assert re.search(r"25 accesses.*5 of them outside business hours", alt)
    assert "Wed 10:00" in alt


def test_the_top_findings_take_a_turn_from_each_grave_control(audited):
    # 5,000 findings of one critical control must not fill the table alone.
    findings = audited.findings()
    critical = sorted(set(findings.loc[findings["severity"] == "critical", "control_id"]))
    assert 1 < len(critical) <= summary.TOP_FINDINGS
    flood = _many(audited, critical[0], 5000)
    parts = summary._top(audited, pd.concat([flood, findings], ignore_index=True),
                         {}, {}, {})
    rows = re.findall(r'<tr class="[^"]*">(.*?)</tr>', "".join(parts), re.S)
    shown = [re.search(r">([A-Z]\d\d)<", r).group(1) for r in rows]
    assert len(shown) == summary.TOP_FINDINGS
    assert set(critical) <= set(shown)  # every critical control has its turn
    assert shown == sorted(shown, key=lambda c: (critical.index(c) if c in critical else 99, c))
