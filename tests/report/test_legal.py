"""Legal references as every output says them (report/legal.py): the built-in
headers' terse forms in words of the page's language, a company's own words
as written, never under a label that misnames them."""

from __future__ import annotations

import re

import pytest

from privacylib.controls.catalog import load_catalog
from privacylib.report.legal import legal_text, pipl_text, seed_text


@pytest.mark.parametrize(("seed", "zh", "en"), [
    ("二(一)3", "细则 二(一)3", "Operating rules II(1)3"),
    ("二(二)1,4", "细则 二(二)1、4", "Operating rules II(2)1, 4"),
    ("一 责任", "细则 一、责任原则", "Operating rules I, accountability principle"),
    ("公司制度：节假日数据导出须经审批", "公司制度：节假日数据导出须经审批",
     "公司制度：节假日数据导出须经审批"),
    ("Group policy 4.2", "Group policy 4.2", "Group policy 4.2"),
])
def test_seed(seed, zh, en):
    assert (seed_text(seed, "zh"), seed_text(seed, "en")) == (zh, en)


@pytest.mark.parametrize(("pipl", "zh", "en"), [
    ("Art. 13, 14", "个人信息保护法 第 13、14 条", "PIPL Art. 13, 14"),
    ("第51条", "个人信息保护法 第 51 条", "PIPL Art. 51"),
    ("网络安全法 第 21 条", "网络安全法 第 21 条", "网络安全法 第 21 条"),
])
def test_pipl(pipl, zh, en):
    assert (pipl_text(pipl, "zh"), pipl_text(pipl, "en")) == (zh, en)


def test_empty_references_are_left_out():
    assert legal_text("公司制度", "—", "zh") == "公司制度"
    assert legal_text("", "Art. 51", "en") == "PIPL Art. 51"


def test_every_built_in_reads_without_chinese_in_english():
    for control in load_catalog():
        en = legal_text(control.seed, control.pipl, "en")
        assert en.startswith("Operating rules ") and "; PIPL Art. " in en, (control.id, en)
        assert not re.search(r"[\u4e00-\u9fff]", en), (control.id, en)
        assert legal_text(control.seed, control.pipl, "zh").startswith("细则 ")
