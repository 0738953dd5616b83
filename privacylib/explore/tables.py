"""Tables and images as the explorer's widgets show them: every value as a
person reads it (local times YYYY-MM-DD HH:MM, whole numbers without .0,
nothing at all for a missing value, never NaT, None or nan), headers and the
data's codes in the run's language."""

from __future__ import annotations

import html
import math
import unicodedata
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd
from matplotlib.figure import Figure

from privacylib.errors import PrivacyLibError
from privacylib.explore.words import column, value, words
from privacylib.report import charts
from privacylib.report.sheetwords import WORDS as SHEET_WORDS
from privacylib.report.summary import by_severity
from privacylib.vocab import Outcome

if TYPE_CHECKING:
    from privacylib.audit.result import RunResult

# The list's columns and widths: one monospace line per finding.
COLUMNS = (("control_id", 5), ("severity", 9), ("subject_id", 26), ("department", 12),
           ("system", 10), ("status", 9), ("history", 8), ("reason", 0))
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


def shown_table(frame: pd.DataFrame, css: str, lang: str, names: dict[str, str],
                limit: int = TABLE_ROWS, hits: pd.Series | None = None) -> str:
    """`frame` as a table in the run's language: each column's header its
    label, each value its word (the data's codes, the audit's enumerations)."""
    said = pd.DataFrame({column(c, lang): [value(c, v, lang, names) for v in frame[c]]
                         for c in frame.columns}, index=frame.index)
    return table(said, css, limit, hits, more=words(lang)["more_rows"])


def table(frame: pd.DataFrame, css: str, limit: int = TABLE_ROWS,
          hits: pd.Series | None = None, more: str = "… {n} more") -> str:
    """An HTML table; rows where `hits` is true are marked (class pw-hit)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    marks = [False] * len(frame) if hits is None else list(hits)
    body = "".join(
        ('<tr class="pw-hit">' if hit else "<tr>")
        + "".join(f"<td>{html.escape(text(v))}</td>" for v in row) + "</tr>"
        for row, hit in zip(frame.head(limit).itertuples(index=False), marks, strict=False))
    rest = (f"<p>{html.escape(more.format(n=len(frame) - limit))}</p>"
            if len(frame) > limit else "")
    return (f'{STYLE}<table class="pw {css}"><thead><tr>{head}</tr></thead><tbody>{body}'
            f"</tbody></table>{rest}")


def problem_html(exc: PrivacyLibError, lang: str) -> str:
    """Why raw rows could not be shown: the run language's lead, then the error's own words."""
    return (f'<p class="pw-problem" style="color:#b00">{html.escape(words(lang)["cannot"])}'
            f"{html.escape(str(exc))}</p>")


def image(fig: Figure) -> w.Image:
    return w.Image(value=charts.png(fig), format="png")


def _fit(value: str, width: int) -> str:
    """`value` cut and padded to `width` columns of a monospace font, where a
    Chinese character takes two: the list's columns stay aligned."""
    out, used = "", 0
    for char in value:
        size = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used + size > width - 1:
            break
        out, used = out + char, used + size
    return out + " " * (width - used)


def list_line(values: dict[str, Any]) -> str:
    cells = []
    for name, width in COLUMNS:
        value = text(values.get(name, "")).replace("\n", " ")
        cells.append(value if not width else _fit(value, width))
    return "".join(cells)[:160]


def status_html(source: str, result: RunResult) -> str:
    """What was opened, its period in local time, its outcome and history, in
    the run's language (the reports' headline words)."""
    r, compared, v = result.run, result.comparison, result.verdict
    lang = r.lang
    w = words(lang)
    colon, sep = ("：", "、") if lang == "zh" else (": ", ", ")
    since = w["compared_with"].format(
        run=compared.previous_run, period=compared.previous_period, new=compared.new,
        open=compared.recurring, resolved=len(compared.resolved)) if compared.previous_run \
        else w["no_previous"]
    period = SHEET_WORDS[lang]["period_fmt"].format(start=r.local_start, end=r.local_end,
                                                    tz=r.timezone)
    scope = f" · {w['scope']}{colon}{r.scope}" if r.scope else ""
    failed = int(v.outcomes.get(Outcome.FAIL, 0))
    outcomes = sep.join(f"{w[o]} {int(v.outcomes.get(o, 0))}"
                        for o in (Outcome.PASS, Outcome.NO_DATA, Outcome.SKIPPED, Outcome.ERROR))
    verdict = (w["failed_headline"].format(n=failed) + colon
               + by_severity(v.failed_by_severity, lang) + " · " + outcomes + " · "
               + (w["incomplete"].format(n=len(v.incomplete)) if v.incomplete
                  else w["complete"]))
    return (f'<div class="pw-status"><b>{html.escape(source)}</b><br>'
            f"{html.escape(w['period'])} {html.escape(r.period)}{colon}{html.escape(period)}"
            f"{html.escape(scope)}<br>{html.escape(verdict)} · {html.escape(since)}</div>")
