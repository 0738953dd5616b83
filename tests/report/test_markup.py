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


def test_the_page_gets_what_nbconvert_adds_last_without_its_second_parse() -> None:
    # pageexport.accessible does by substitution what HTMLExporter does by
    # parsing the page again: the same tags gain the same attributes.
    from bs4 import BeautifulSoup

    from privacylib.report.pageexport import NO_ALT, accessible

    page = ('<div class="jp-Notebook"><div class="jp-Cell-inputWrapper x">'
            '<img src="data:image/png;base64,AA"><img alt="chart" src="data:,">'
            '</div><div class="jp-OutputArea-output" data-mime-type="text/html">'
            '<p>&lt;img src=x&gt; jp-OutputArea-output</p></div></div>')
    soup = BeautifulSoup(page, features="html.parser")
    for tag in soup.select("img:not([alt])"):
        tag.attrs["alt"] = NO_ALT.split('"')[1]
    for tag in soup.select(".jp-Notebook div.jp-Cell-inputWrapper, "
                           ".jp-Notebook div.jp-OutputArea-output"):
        tag.attrs["tabindex"] = "0"
    ours = BeautifulSoup(accessible(page), features="html.parser")
    assert [t.attrs for t in ours.find_all(True)] == [t.attrs for t in soup.find_all(True)]
    assert accessible(page).count('tabindex="0"') == 2 and accessible(page).count(NO_ALT) == 1
