"""summary.html and report.html in a real browser: Debian's Chromium, driven
by Playwright, at a desktop (1440 px) and a phone (390 px) width, printed to
PDF, and read back as a reader sees them (innerText). Screenshots are kept
in test-artifacts/ (gitignored)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from privacylib.audit.result import file_integrity, integrity

from conftest import SAMPLE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is missing (apt-get install chromium)")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).parents[1] / "test-artifacts"
PAGES = ("summary.html", "report.html")
WIDTHS = (1440, 390)


def _run(out: Path, period: str, lang: str) -> Path:
    proc = subprocess.run([sys.executable, "-m", "privacylib.cli", "run", "--data",
                           SAMPLE / "exports", "--period", period, "--lang", lang, "--out", out],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out / period


@pytest.fixture(scope="module")
def runs(shared_runs) -> dict[str, Path]:
    """The sample's October run in each language; the Chinese one after a
    September run in the same store, so that it has a history."""
    return {"zh": shared_runs.out("september-october") / "2026-10",
            "en": shared_runs.out("october-en") / "2026-10"}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _open(browser, path: Path, width: int, outside: list[str]):
    """A page in a fresh context whose every request outside file:// (and the
    page's own data: images) is counted and refused."""
    context = browser.new_context(viewport={"width": width, "height": 900})

    def route(r):
        if r.request.url.startswith(("file://", "data:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.goto(path.as_uri(), wait_until="load")
    return page


def test_the_summary_page_shows_every_control(runs, browser):
    outside: list[str] = []
    page = _open(browser, runs["zh"] / "summary.html", 1440, outside)
    rows = page.locator("#outcomes tbody tr")
    assert rows.count() == 36
    first = rows.nth(0).locator("td")
    # Failed first, gravest first: A02 is critical, and fails.
    assert first.nth(0).inner_text() == "A02" and first.nth(4).inner_text() == "未通过"
    assert first.nth(3).inner_text() == "严重"
    assert first.nth(0).locator("a").get_attribute("href") == "report.html#control-A02"
    assert "二" in first.nth(8).inner_text() or "第" in first.nth(8).inner_text()
    reasons = [rows.nth(i).locator("td").nth(7).inner_text() for i in range(36)]
    assert all(r.strip() and r != "—" for r in reasons)  # the 说明 column is never empty
    colour = rows.nth(0).evaluate("r => getComputedStyle(r).backgroundColor")
    assert colour == "rgb(253, 236, 234)"  # failing controls stand out
    headline = page.inner_text("#headline")
    assert "未通过 36 项控制" in headline and "严重 9 项" in headline
    top = page.locator("#top-findings tbody tr")
    assert top.count() == 20
    cells = top.nth(0).locator("td")
    assert cells.nth(4).inner_text() not in ("", "—")  # remediation
    assert cells.nth(5).inner_text() not in ("", "—")  # owner
    assert re.fullmatch(r"2026-\d\d", cells.nth(6).inner_text())  # first seen
    more = page.locator("#more a")
    assert more.get_attribute("href") == "findings.csv"
    charts = page.locator("img.chart")
    assert charts.count() == 2
    for i in range(2):
        assert charts.nth(i).evaluate("i => i.naturalWidth") > 500
        assert len(charts.nth(i).get_attribute("alt")) > 20  # a description, not "chart"
    assert page.locator("#data-quality tbody tr").count() == 20
    page.context.close()
    assert outside == []


def test_the_summary_shows_the_result_seal_the_manifest_signs(runs, browser):
    folder = runs["en"]
    seal = file_integrity(folder / "result.json")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = next(e for e in manifest["outputs"] if e["path"] == "result.json")
    assert integrity(listed["sha256"]) == seal
    page = _open(browser, folder / "summary.html", 1440, [])
    assert page.inner_text("#seal") == seal
    page.context.close()


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_fit_the_screen_and_stay_in_the_file(runs, browser, name, width, lang):
    outside: list[str] = []
    page = _open(browser, runs[lang] / name, width, outside)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if name == "summary.html":  # the outcome of a control is never cut off
        cell = page.locator("#outcomes tbody tr").nth(0).locator("td").nth(4)
        box = cell.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
    SCREENSHOTS.mkdir(exist_ok=True)
    shot = SCREENSHOTS / f"{Path(name).stem}-{lang}-{width}.png"
    page.screenshot(path=shot, full_page=name == "summary.html")
    page.context.close()
    assert outside == []
    assert shot.stat().st_size > 10_000


def test_the_printed_summary_keeps_its_headers(runs, browser):
    import pypdfium2 as pdfium

    page = _open(browser, runs["zh"] / "summary.html", 1440, [])
    page.emulate_media(media="print")
    th = page.locator("#outcomes th").nth(0)
    # On paper a header is dark text with a rule, never white on a dropped background.
    assert th.evaluate("e => getComputedStyle(e).color") == "rgb(0, 0, 0)"
    SCREENSHOTS.mkdir(exist_ok=True)
    pdf = SCREENSHOTS / "summary-zh.pdf"
    page.pdf(path=str(pdf), format="A4")
    page.context.close()
    document = pdfium.PdfDocument(str(pdf))
    text = "".join(p.get_textpage().get_text_range() for p in document)
    document.close()
    for header in ("控制", "严重程度", "结果", "说明", "法律依据", "整改建议", "责任方",
                   "首次发现"):
        assert header in text, header
    assert "未通过" in text and "sha256-" in text


# Words of code a reader must not meet. Identifiers of the data itself (a
# source file `collection_fields.csv`, a path, a subject `app:blood_type`)
# are joined to their file suffix or system by `.`, `/` or `:`: not flagged.
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![A-Za-z0-9_./:-])", r"(?![A-Za-z0-9_./:-])"
SNAKE = re.compile(_EDGE_BEFORE + r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+" + _EDGE_AFTER)
NULLS = re.compile(r"\b(?:None|NaT|NaN|nan|null)\b")
ENGLISH_CODES = ("pass", "fail", "skipped", "error", "open", "excepted", "new", "critical",
                 "high", "medium", "low", "read", "export", "update", "delete", "success",
                 "denied", "never", "none", "true", "false", "findings", "hours", "times",
                 "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
IN_ZH = re.compile(_EDGE_BEFORE + "(?:" + "|".join(ENGLISH_CODES) + ")" + _EDGE_AFTER)
CLUMSY_EN = re.compile(r"\b1 times\b|\b\d+\.0 (?:hours|days)\b|\bdid \w+ on\b|\(s\)")


def code_tokens(text: str, lang: str) -> list[str]:
    found = SNAKE.findall(text) + NULLS.findall(text)
    found += IN_ZH.findall(text) if lang == "zh" else CLUMSY_EN.findall(text)
    return sorted(set(found))


def test_the_token_check_finds_what_it_looks_for():
    assert code_tokens("数据集 access_log 为 None，结果 fail", "zh") == ["None", "access_log",
                                                                       "fail"]
    assert code_tokens("来源 collection_fields.csv:3 · app:blood_type", "zh") == []
    assert code_tokens("E1 did read on contact 1 times in 48.0 hours", "en") == [
        "1 times", "48.0 hours", "did read on"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_speak_one_language_without_code(runs, browser, name, lang):
    page = _open(browser, runs[lang] / name, 1440, [])
    text = page.inner_text("body")
    page.context.close()
    assert code_tokens(text, lang) == []
