"""Tables and images as the explorer's widgets show them: every value as a
person reads it (local times YYYY-MM-DD HH:MM, whole numbers without .0,
nothing at all for a missing value, never NaT, None or nan)."""

from __future__ import annotations

import html
import math
from typing import Any

import ipywidgets as w
import pandas as pd
from matplotlib.figure import Figure

from privacylib.report import charts

TABLE_ROWS = 200
STYLE = """<style>
table.pw { border-collapse: collapse; font-size: 12px; }
table.pw th { background: #305496; color: #fff; text-align: left; padding: 3px 6px; }
table.pw td { border-bottom: 1px solid #ddd; padding: 3px 6px; vertical-align: top; }
table.pw tr.pw-hit td { background: #fde2e1; }
.pw-list select, .pw-list-head { font-family: monospace; font-size: 12px; white-space: pre; }
.pw-detail pre { white-space: pre-wrap; max-height: 420px; overflow: auto; }
</style>"""


def text(value: Any) -> str:
    """One value as a person reads it."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):  # a list or a dict: not a scalar
        pass
    return str(value)


def table(frame: pd.DataFrame, css: str, limit: int = TABLE_ROWS,
          hits: pd.Series | None = None) -> str:
    """An HTML table; rows where `hits` is true are marked (class pw-hit)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    marks = [False] * len(frame) if hits is None else list(hits)
    body = "".join(
        ('<tr class="pw-hit">' if hit else "<tr>")
        + "".join(f"<td>{html.escape(text(v))}</td>" for v in row) + "</tr>"
        for row, hit in zip(frame.head(limit).itertuples(index=False), marks, strict=False))
    more = f"<p>… {len(frame) - limit} more</p>" if len(frame) > limit else ""
    return (f'{STYLE}<table class="pw {css}"><thead><tr>{head}</tr></thead><tbody>{body}'
            f"</tbody></table>{more}")


def image(fig: Figure) -> w.Image:
    return w.Image(value=charts.png(fig), format="png")
