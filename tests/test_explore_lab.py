"""explore.ipynb in a real JupyterLab, in Debian's Chromium: it finds the run
beside it by itself, speaks the run's language (Chinese, the default), lists
the findings, filters them by a label in words, and a click on a row shows
that finding's evidence beside the list."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from test_browser import ARGS, CHROMIUM, SCREENSHOTS

from privacylib.explore.widgets import TABS
from privacylib.explore.words import words

from conftest import SAMPLE

NOTEBOOK = Path(__file__).parents[1] / "privacylib" / "notebooks" / "explore.ipynb"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is missing (apt-get install chromium)")


KERNEL_READY = """() => {
    const k = window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel;
    return k && k.connectionStatus === 'connected' && k.status === 'idle';
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on loopback over a folder holding explore.ipynb as shipped
    and, in runs/ beside it, a real run of the sample: the notebook's own
    defaults must find it."""
    import shutil

    from privacylib.audit.run import AuditConfig
    from privacylib.run.runner import execute

    root = tmp_path_factory.mktemp("lab")
    shutil.copy(NOTEBOOK, root / "explore.ipynb")
    shutil.copytree(SAMPLE / "exports", root / "exports")
    execute(AuditConfig(data=str(root / "exports"), period="2026-10"), root / "runs")
    # Every cell kept in the page: JupyterLab's default windowing detaches
    # cells out of view, and under a busy suite it had scrolled to the SQL
    # cell still running and taken the explorer out of the page mid-test.
    tracker = root / ".settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}',
                                                          encoding="utf-8")
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / ".config"),
           "JUPYTERLAB_SETTINGS_DIR": str(root / ".settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(root / ".workspaces"),
           "JUPYTER_RUNTIME_DIR": str(root / ".runtime")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", "--allow-root", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
         "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(root / "lab.log", "w"))  # noqa: SIM115
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("JupyterLab did not start:\n" + (root / "lab.log").read_text())
            time.sleep(0.5)
    yield base, token, root
    server.terminate()
    server.wait(timeout=30)


def test_explore_notebook_filters_findings_in_jupyterlab(lab):
    from playwright.sync_api import sync_playwright

    base, token, root = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{base}/lab/tree/explore.ipynb?token={token}")
        page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')",
                               timeout=120_000)
        # Run all only once the kernel is connected and idle, or the request is lost.
        page.wait_for_function(KERNEL_READY, timeout=120_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_selector(".pw-explorer", timeout=180_000)
        count = page.locator(".pw-count")
        assert count.inner_text() == "100"
        rows = page.locator(".pw-list select option")
        assert rows.count() == 100
        said = words("zh")
        tabs = page.locator(".pw-explorer .lm-TabBar-tabLabel")
        assert [tabs.nth(i).inner_text() for i in range(tabs.count())] == [said[t] for t in TABS]
        severity = page.locator(".pw-filter-severity select")
        choices = severity.locator("option").all_inner_texts()
        assert choices[0] == said["all_choice"] and said["critical"] in choices, choices
        assert "critical" not in choices  # the code stays underneath, as the value
        severity.select_option(label=said["critical"])  # as a person picks it: by its words
        page.wait_for_function(
            "document.querySelector('.pw-count').textContent !== '100'", timeout=30_000)
        shown = int(count.inner_text())
        assert 0 < shown < 100
        page.wait_for_function(
            f"document.querySelectorAll('.pw-list select option').length === {shown}",
            timeout=30_000)
        labels = [rows.nth(i).text_content() for i in range(shown)]
        assert {label.split()[1] for label in labels} == {said["critical"]}
        # A click on a row shows that finding, beside the list.
        pick = labels[3]
        rows.nth(3).click()
        page.wait_for_function(
            "t => document.querySelector('.pw-detail h4').textContent.startsWith(t)",
            arg=pick.split()[0] + " ", timeout=30_000)
        detail = page.locator(".pw-detail")
        assert detail.locator(".pw-evidence tr").count() > 0  # the evidence, in words
        assert detail.locator(".pw-raw").text_content().strip().startswith("{")  # folded JSON
        # Both boxes are read at once, in one script that looks each up
        # afresh: the detail is an HTML widget's value, so a late update
        # replaces its element, and a handle taken before (as a scroll into
        # view takes) can be left detached from the page.
        boxes = page.wait_for_function(
            "() => { const r = ['.pw-list', '.pw-detail'].map(s =>"
            " document.querySelector(s)?.getBoundingClientRect());"
            " return r.every(b => b && b.width > 0) &&"
            " r.map(b => ({x: b.x, y: b.y, width: b.width, height: b.height})); }",
            timeout=30_000)
        listing, placed = boxes.json_value()
        assert placed["width"] > 0 and listing["width"] > 0, (placed, listing)
        assert placed["y"] < listing["y"] + listing["height"], (placed, listing)
        assert placed["x"] > listing["x"] + listing["width"] / 2  # beside it, on this page
        # The %%sql cell at the end answers from the run's data, masked.
        answer = page.locator(".jp-Notebook .jp-Cell").last.locator(".jp-OutputArea-output")
        answer.locator("table").wait_for(timeout=180_000)
        assert answer.inner_text().count("CU-") == 5, answer.inner_text()
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "explore.png", full_page=True)
        page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
        browser.close()
    assert (SCREENSHOTS / "explore.png").stat().st_size > 20_000
    saved = json.loads((root / "explore.ipynb").read_text(encoding="utf-8"))
    errors = [o for c in saved["cells"] for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors == []
    shown = "".join("".join(o.get("data", {}).get("text/html", ""))
                    for o in saved["cells"][-1].get("outputs", []))
    assert shown.count("CU-") == 5
    days = [pd.read_csv(p, dtype=str) for p in (SAMPLE / "exports" / "access_log").iterdir()]
    raw = set(pd.concat(days)["customer_id"].dropna())
    assert not any(value in shown for value in raw)  # no raw customer id reached the page
