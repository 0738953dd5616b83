"""summary.html in a real browser: Debian's Chromium, driven by Playwright."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is missing (apt-get install chromium)")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).parents[1] / "test-artifacts"


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    proc = subprocess.run([sys.executable, "-m", "privacylib.cli", "run", "--data",
                           SAMPLE / "exports", "--period", "2026-10", "--out", out],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out / "2026-10" / "summary.html"


def test_the_summary_page_shows_every_control(summary):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(summary.as_uri())
        rows = page.locator("#outcomes tbody tr")
        assert rows.count() == 36
        first = rows.nth(0).locator("td")
        assert first.nth(0).inner_text() == "C01" and first.nth(4).inner_text() == "未通过"
        # checked (22 fields examined) stands before the findings (3).
        assert int(first.nth(5).inner_text()) == 22 and int(first.nth(6).inner_text()) == 3
        colour = rows.nth(0).evaluate("r => getComputedStyle(r).backgroundColor")
        assert colour == "rgb(253, 236, 234)"  # failing controls stand out
        assert page.locator("#top-findings tbody tr").count() == 20
        charts = page.locator("img.chart")  # findings by control, access by hour: drawn
        assert charts.count() == 2
        assert all(charts.nth(i).evaluate("i => i.naturalWidth") > 500 for i in range(2))
        assert page.locator("#data-quality tbody tr").count() == 20
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "summary.png", full_page=True)
        browser.close()
    assert (SCREENSHOTS / "summary.png").stat().st_size > 10_000
