"""report.html from an executed notebook: no parameter cells, no request, no script."""

from __future__ import annotations

from pathlib import Path

import nbformat

from privacylib.report.markup import CSP, notebook_html


def _notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    defaults = nbformat.v4.new_code_cell("period = None  # DEFAULT-MARK")
    defaults.metadata["tags"] = ["parameters"]
    given = nbformat.v4.new_code_cell("out = '/tmp/.2026-10.tmp-1'  # GIVEN-MARK")
    given.metadata["tags"] = ["injected-parameters"]
    shown = nbformat.v4.new_markdown_cell("# Audit header KEPT-MARK")
    nb.cells = [defaults, given, shown, nbformat.v4.new_code_cell("1 + 1  # CODE-MARK")]
    nbformat.write(nb, path)
    return path


def test_the_page_drops_the_parameter_cells_and_keeps_the_rest(tmp_path: Path) -> None:
    page = notebook_html(_notebook(tmp_path / "report.ipynb"))
    assert "DEFAULT-MARK" not in page and "GIVEN-MARK" not in page
    assert ".tmp-1" not in page
    assert "KEPT-MARK" in page and "CODE-MARK" in page
    assert CSP in page and "<script src" not in page
