"""Charts render to PNG without a screen and without touching pyplot's state."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from privacylib.report import charts

PNG = b"\x89PNG\r\n\x1a\n"


def test_importing_the_charts_leaves_the_analysts_backend_alone() -> None:
    # JupyterLab's inline or widget backend must survive `import privacylib...`.
    code = ("import matplotlib; matplotlib.use('svg'); "
            "import privacylib.report.charts, privacylib.explore.trend; "
            "print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "svg"


def test_each_chart_is_a_png_and_leaves_no_pyplot_figure_open() -> None:
    import matplotlib.pyplot as plt

    findings = pd.DataFrame({"severity": ["critical", "low", "low"],
                             "control_id": ["S08", "U04", "U04"]})
    heat = pd.DataFrame([[0] * 24] * 7, index=range(1, 8), columns=range(24))
    heat.iloc[2, 23] = 5
    before = plt.get_fignums()
    for fig in (charts.findings_by_control(findings), charts.access_heatmap(heat)):
        assert charts.png(fig).startswith(PNG)
    assert plt.get_fignums() == before


def test_a_chart_is_drawn_once_per_content_and_language(monkeypatch) -> None:
    drawn = []
    real = charts.findings_by_control
    monkeypatch.setattr(charts, "findings_by_control",
                        lambda frame, lang: drawn.append(lang) or real(frame, lang))
    findings = pd.DataFrame({"severity": ["critical", "low"], "control_id": ["S08", "U04"],
                             "reason": ["a", "b"]})
    first = charts.findings_png(findings, "zh")
    # The notebook and summary.html show the same frame: the second gets the first's PNG.
    assert charts.findings_png(findings.copy(), "zh") == first and drawn == ["zh"]
    charts.findings_png(findings, "en")
    changed = findings.assign(severity=["critical", "critical"])
    assert charts.findings_png(changed, "zh") != first
    assert drawn == ["zh", "en", "zh"]
