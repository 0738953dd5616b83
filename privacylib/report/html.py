"""The one table builder of the HTML pages, and the pages' shared style.

summary.html and the notebook's report.html show tables built here: every
cell escaped (markup.html_text), each cell labelled with its column header
(`data-label`) so that on a phone a row becomes a card that never scrolls
sideways, and numbers right-aligned. A cell given as `Raw` is markup we made
(a link, a list of evidence lines) and is not escaped again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Number

import pandas as pd

from privacylib.report.markup import html_text

# What a missing value reads as, in every language: a dash, never None/NaT/nan.
EMPTY = "—"

PAGE_STYLE = """
html { -webkit-text-size-adjust: 100%; }
body { font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Zen Hei",
       sans-serif; margin: 1.5em auto; max-width: 1100px; padding: 0 12px; color: #222;
       line-height: 1.45; overflow-wrap: break-word; }
.seal { word-break: break-all; }
h1 { font-size: 1.6em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; }
"""
# The tables, charts and cards: in summary.html and, within the notebook's own
# layout, in report.html (markup.py).
TABLE_STYLE = """
.box { overflow-x: auto; max-width: 100%; }
table.t { border-collapse: collapse; width: 100%; font-size: 0.9em; margin: 0.5em 0;
          table-layout: auto !important; }
/* !important: report.html's notebook style right-aligns every cell. */
table.t th, table.t td, ul.ev { border: 1px solid #ccc; padding: 4px 8px;
                                text-align: left !important; vertical-align: top; }
ul.ev { border: none; padding: 0 0 0 1.1em; }
table.t th { background: #305496; color: #fff; }
table.t td.num { text-align: right !important; white-space: nowrap; }
table.t td.s, table.t td a { white-space: nowrap; }
tr.pass { background: #eaf7ea; } tr.fail { background: #fdecea; }
tr.skipped, tr.no_data { background: #f2f2f2; } tr.error { background: #fff6d5; }
tr.excepted, tr.valid { background: #eef3fb; } tr.expired, tr.invalid { background: #fff6d5; }
dl.cover { display: grid; grid-template-columns: max-content 1fr; gap: 2px 1em; }
dl.cover dt { font-weight: bold; } dl.cover dd { margin: 0; }
.seal { font-family: monospace; }
.warn { color: #b00; font-weight: bold; } .note { color: #555; font-size: 0.9em; }
.headline { font-size: 1.15em; } .headline b { font-size: 1.2em; }
img.chart { max-width: 100%; height: auto; display: block; margin: 1em 0; }
@media (max-width: 700px) {
  table.t, table.t tbody, table.t tr, table.t td { display: block; width: auto; }
  table.t thead { display: none; }
  table.t tr { border: 1px solid #bbb; margin: 0 0 10px; }
  table.t td { border: none; border-bottom: 1px solid #eee; text-align: left; }
  table.t td.num { text-align: left !important; white-space: normal; }
  table.t td::before { content: attr(data-label) "："; font-weight: bold; }
  dl.cover { grid-template-columns: 1fr; } dl.cover dd { margin-bottom: 4px; }
}
@media print {
  @page { size: A4; margin: 14mm; }
  body { max-width: none; margin: 0; font-size: 10pt; }
  table.t th { background: #fff !important; color: #000 !important;
               border-bottom: 2px solid #000; }
  table.t thead { display: table-header-group; }
  table.t tr { break-inside: avoid; }
  tr.fail, tr.pass, tr.skipped, tr.no_data, tr.error { -webkit-print-color-adjust: exact;
                                                      print-color-adjust: exact; }
  h2 { break-after: avoid; } img.chart { break-inside: avoid; max-width: 100%; }
}
"""


STYLE = PAGE_STYLE + TABLE_STYLE


@dataclass(frozen=True)
class Raw:
    """Markup we built ourselves (its data already escaped): not escaped again."""

    html: str


def cell_text(value: object) -> str:
    """A value as a cell's text: missing values are EMPTY, whole floats whole."""
    if value is None or (not isinstance(value, str | Raw | Sequence) and pd.isna(value)):
        return EMPTY
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell(label: str, value: object) -> str:
    number = isinstance(value, Number) and not isinstance(value, bool)
    inner = value.html if isinstance(value, Raw) else html_text(cell_text(value))
    # A short word (an id, a severity, an outcome) never breaks over lines.
    short = not number and not isinstance(value, Raw) and len(cell_text(value)) <= 8
    cls = ' class="num"' if number else ' class="s"' if short else ""
    return f'<td data-label="{html_text(label)}"{cls}>{inner or EMPTY}</td>'


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *,
          table_id: str | None = None, classes: Sequence[str] | None = None) -> str:
    """An HTML table in its own box (a wide one scrolls there, not the page);
    `classes`: one CSS class per row (its outcome, status or state)."""
    head = "".join(f"<th>{html_text(h)}</th>" for h in headers)
    body = "".join(
        f'<tr class="{html_text(classes[i]) if classes else ""}">'
        + "".join(_cell(h, v) for h, v in zip(headers, row, strict=True)) + "</tr>"
        for i, row in enumerate(rows))
    ident = f' id="{html_text(table_id)}"' if table_id else ""
    return (f'<div class="box"><table class="t"{ident}><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def lines(pairs: Sequence[tuple[str, object]]) -> Raw:
    """`key: value` lines as a compact list (evidence, digests)."""
    items = "".join(f"<li>{html_text(k)}: {html_text(cell_text(v))}</li>" for k, v in pairs)
    return Raw(f'<ul class="ev">{items}</ul>' if items else EMPTY)


def link(href: str, text: str) -> Raw:
    return Raw(f'<a href="{html_text(href)}">{html_text(text)}</a>')
