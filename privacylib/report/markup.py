"""Text that reaches HTML or Markdown, escaped in one place, and the HTML
pages' rules: no request leaves the file, no script runs.

Values come from exports, exception files and parameters (`--scope`, paths,
policy names): any of them may hold `<img src=x onerror=...>`. summary.html
and the notebook's HTML and Markdown are built from `html_text` and
`md_text`; the content-security policy in both pages is the second line of
defence. See docs/safe-outputs.md.
"""

from __future__ import annotations

import html
import string
from pathlib import Path
from typing import Any

# Both pages are static: no script at all; styles inline, images as data: URIs.
CSP = ("default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

# Markdown's punctuation, backslash-escaped; `&` and `;` stay, as they spell
# the entities html.escape made.
_MD_SPECIAL = {ord(c): "\\" + c for c in string.punctuation if c not in "&;"}


def html_text(value: object) -> str:
    """Any value as HTML text or attribute content."""
    return html.escape(str(value))


def md_text(value: object) -> str:
    """Any value as Markdown that renders as exactly its text: no HTML, link,
    emphasis or heading can come out of it."""
    return html.escape(str(value), quote=False).translate(_MD_SPECIAL)


# nbconvert's lab template without what it fetches from a CDN (require.js,
# MathJax, mermaid) or runs (widgets): the report has none of those.
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}""" + CSP_META + "<style>{{ resources.report_style }}</style>" + """
{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


# papermill's tags: the notebook's defaults and the values it was given. The
# page states what was audited in words (its header); code listing defaults
# and a temporary output folder would only mislead a reader. The executed
# report.ipynb keeps both cells, and manifest.json the parameters.
PARAMETER_TAGS = ("parameters", "injected-parameters")
# Cells the page leaves out (how to run the notebook), and cells shown by
# their output alone: the page reads as a report, report.ipynb keeps the code.
NOTEBOOK_ONLY_TAG = "notebook-only"
OUTPUT_ONLY_TAG = "report"


def html_exporter() -> Any:
    """nbconvert's exporter for report.html, its template compiled: one per
    page (the runner makes it while the kernel works; see run/runner.py)."""
    import jinja2
    import nbformat
    from nbconvert.preprocessors import TagRemovePreprocessor

    from privacylib.report.pageexport import ReportExporter

    exporter = ReportExporter(extra_loaders=[jinja2.DictLoader({"safe.html.j2": _TEMPLATE})],
                              template_file="safe.html.j2")
    exporter.exclude_input_prompt = exporter.exclude_output_prompt = True
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=(*PARAMETER_TAGS, NOTEBOOK_ONLY_TAG),
                              remove_input_tags=(OUTPUT_ONLY_TAG,), enabled=True), enabled=True)
    # Compiles the template and the ones it includes now, not on first use.
    exporter.from_notebook_node(nbformat.v4.new_notebook(), resources={"report_style": ""})
    return exporter


def notebook_html(notebook: Path, exporter: Any = None) -> str:
    """report.html: the executed notebook as a page that makes no request,
    without its parameter cells and without the code of its report cells.
    `exporter`: a fresh one from `html_exporter()`, else one is made."""
    import nbformat

    from privacylib.report.html import TABLE_STYLE

    exporter = exporter or html_exporter()
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4),
                                          resources={"report_style": TABLE_STYLE})
    return body
