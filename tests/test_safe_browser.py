"""report.html and summary.html of a hostile run, opened in Chromium: no
request leaves the file and no planted script runs, with the pages'
content-security policy and, to show that escaping alone holds, without it."""

from __future__ import annotations

import pytest
from test_browser import ARGS, CHROMIUM, pytestmark  # noqa: F401
from test_safe_outputs import SYSTEM, hostile_run  # noqa: F401

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
                          e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "without-csp"])
def test_pages_make_no_request_and_run_no_planted_script(hostile_run, bypass_csp):  # noqa: F811
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(bypass_csp=bypass_csp)
        context.add_init_script(WATCH)
        outside: list[str] = []
        context.on("request", lambda r: outside.append(r.url)
                   if not r.url.startswith(("file://", "data:")) else None)
        for name in ("summary.html", "report.html"):
            page = context.new_page()
            page.goto((hostile_run / name).as_uri(), wait_until="load")
            page.wait_for_timeout(300)  # an onerror would fire by now
            assert page.evaluate("typeof window.pwned") == "undefined", name
            assert page.locator("img[src='x']").count() == 0, name
            assert SYSTEM in page.inner_text("body"), name  # the scope, shown as text
            assert page.evaluate("window.__violations") == [], name
            page.close()
        browser.close()
    assert outside == []
