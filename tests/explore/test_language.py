"""The explorer in one language at a time (issue #14): every text a person
reads in the widget tree (descriptions, placeholders, tab titles, option
labels, HTML) is in the run's language, with no code-like token; the
filters' values stay the codes, so filtering works whatever the labels say."""

from __future__ import annotations

import html
import re
import warnings

import ipywidgets as w
import pytest
from test_browser import code_tokens

from privacylib.explore import opened
from privacylib.explore.widgets import ALL, CHARTS_TAB, Explorer
from privacylib.explore.words import EXPLORE, value, words
from privacylib.report.i18n import TEXT

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_explorer_words_are_the_same_keys_in_both_languages():
    assert set(EXPLORE["zh"]) == set(EXPLORE["en"])
    # The explorer's own words never shadow the reports': one word per key.
    assert not set(EXPLORE["zh"]) & set(TEXT["zh"])
    for key in EXPLORE["zh"]:
        fields = [re.findall(r"{(\w*)}", EXPLORE[lang][key]) for lang in ("zh", "en")]
        assert sorted(fields[0]) == sorted(fields[1]), key


def _visible(node: w.Widget) -> list[str]:
    """The texts of a widget and its children that a person reads."""
    out: list[str] = []
    for name in ("description", "placeholder"):
        out.append(getattr(node, name, "") or "")
    if isinstance(node, w.Tab):
        out += list(node.titles)
    if isinstance(node, w.Dropdown | w.Select):
        out += list(node._options_labels)
    if isinstance(node, w.HTML):
        out.append(_read(node.value))
    for child in getattr(node, "children", ()):
        out += _visible(child)
    return out


def _chrome(node: w.Widget) -> list[str]:
    """The explorer's own words in the tree: labels, titles, headers, bold lead-ins."""
    out = [getattr(node, n, "") or "" for n in ("description", "placeholder")]
    if isinstance(node, w.Tab):
        out += list(node.titles)
    if isinstance(node, w.HTML):
        # Headers, folds and lead-ins; a fact's value (bold inside a line) is the data's.
        out += re.findall(r"(?:<th>|<summary>|<p><b>|\A<b>)([^<]*)<", node.value)
    for child in getattr(node, "children", ()):
        out += _chrome(child)
    return out


def _read(markup: str) -> str:
    """HTML as it reads on the page: no style; a folded <details> (the SQL,
    the raw JSON: code the analyst opens on purpose) only by its summary."""
    markup = re.sub(r"<style>.*?</style>", "", markup, flags=re.S)
    markup = re.sub(r"<details><summary>(.*?)</summary>.*?</details>", r"\1", markup,
                    flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


@pytest.fixture(params=["zh", "en"])
def lang_run(request, sample_run, sample_run_en):
    return request.param, sample_run[0] if request.param == "zh" else sample_run_en


def test_the_explorer_speaks_the_run_language_without_codes(lang_run):
    lang, run = lang_run
    said = words(lang)
    explorer = Explorer(opened.open_run(run))  # the run's own store: its trend chart too
    page = explorer.widget()
    seen: list[str] = []
    explorer.unmask.value = True  # no reason: refused, in words
    seen.append(explorer.warning.value)
    assert explorer.unmask.value is False and said["needs_reason"] in explorer.warning.value
    explorer.people.actor.value = "E9003"  # loads the data: the data's own words from now on
    customer = explorer.session.audit.loaded.con.execute(
        "SELECT customer_id FROM access_log WHERE customer_id IS NOT NULL "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
    explorer.people.customer.value = explorer.masking.pseudonym(customer)
    explorer.filters["control_id"].value = "C03"  # a finding with codes in its evidence
    with warnings.catch_warnings(record=True) as drawn:
        warnings.simplefilter("always")
        explorer.tab.selected_index = CHARTS_TAB
    images = [c for c in explorer.tab.children[CHARTS_TAB].children if isinstance(c, w.Image)]
    assert len(images) == 3  # findings, accesses, and the runs of the store
    assert not [str(m.message) for m in drawn if "Glyph" in str(m.message)]  # CJK fonts
    seen += _visible(page)
    text = "\n".join(seen)
    assert code_tokens(text, lang) == []
    assert list(explorer.tab.titles) == [said[t] for t in ("tab_findings", "tab_controls",
                                                           "tab_actor", "tab_customer",
                                                           "tab_charts")]
    severities = explorer.filters["severity"]
    assert said["critical"] in severities._options_labels
    if lang == "en":
        # English reads as English: the explorer's own words, headers and the controls'
        # outcomes (only the data's values, a department's name, may be Chinese).
        assert not CJK.search(" ".join(_visible(explorer.tab.children[1]))), "controls table"
        assert not CJK.search(" ".join(_chrome(page))), _chrome(page)
    else:
        assert "严重" in severities._options_labels and "发现" in explorer.tab.titles


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_filter_labelled_in_words_filters_by_its_code(lang, sample_run, sample_run_en):
    explorer = Explorer(opened.open_run(sample_run[0] if lang == "zh" else sample_run_en))
    dropdown = explorer.filters["severity"]
    label = value("severity", "critical", lang)
    dropdown.label = label  # what a person's choice in the list does
    assert dropdown.value == "critical"
    listed = explorer.filtered()
    assert 0 < len(listed) < len(explorer.findings) and set(listed["severity"]) == {"critical"}
    assert all(line.split()[1] == label for line, _ in explorer.picker.options)
    dropdown.label = words(lang)["all_choice"]
    assert dropdown.value == ALL and len(explorer.filtered()) == len(explorer.findings)


def test_a_finished_run_shows_the_datas_own_words_without_loading_it(sample_run):
    # result.json carries the purposes' and categories' descriptions (masked):
    # the zh explorer reads 客户服务, not `service`, and no data is loaded for it.
    explored = opened.open_run(sample_run[0])
    assert explored.result.names()["service"] == "客户服务"
    text = "\n".join(_visible(Explorer(explored).widget()))
    assert "客户服务" in text
    assert not explored.session.opened
