"""nbconvert's HTML exporter for report.html, without its last pass.

HTMLExporter ends by parsing the whole page with BeautifulSoup and writing it
out again, to give images an alternative text and cells a tab stop: 0.35 s
of every run's page, more than the rest of the conversion. The same two
changes are made here on the page as the template wrote it (its tags are
nbconvert's, every value in them escaped), by two substitutions.
"""

from __future__ import annotations

import re
from typing import Any

from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

NO_ALT = ' alt="No description has been provided for this image"'
_IMG = re.compile(r"<img(?![^>]*\salt=)")
_FOCUSABLE = re.compile(r'(<div\s[^>]*class="[^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)'
                        r'\b[^"]*"(?![^>]*\stabindex=))')


def accessible(page: str) -> str:
    """What HTMLExporter adds last: an alternative text on every image that
    has none, a tab stop on every cell's input and output."""
    return _FOCUSABLE.sub(r'\1 tabindex="0"', _IMG.sub("<img" + NO_ALT, page))


class ReportExporter(HTMLExporter):
    def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None,
                           **kw: Any) -> tuple[str, dict[str, Any]]:
        # HTMLExporter.from_notebook_node (nbconvert 7), up to its template.
        info = nb.metadata.get("language_info", {})
        lexer = info.get("pygments_lexer", info.get("name", None))
        self.register_filter("highlight_code", self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return accessible(page), resources
