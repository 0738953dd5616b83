"""Charts where a picture says more, drawn with matplotlib and shown as PNG
images, so that an executed notebook, its HTML and the explorer all carry the
picture, not its repr.

Figures are made with `matplotlib.figure.Figure`, never pyplot: rendering to
PNG needs no screen (papermill, CI), and importing this module leaves an
analyst's JupyterLab backend as it was.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterator

import pandas as pd
from IPython.display import Image, display
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from privacylib.controls.catalog import SEVERITIES
from privacylib.report.i18n import words
from privacylib.report.markup import html_text

SEVERITY_COLOURS = {"critical": "#8b0000", "high": "#e4572e", "medium": "#f3a712",
                    "low": "#76b041"}
# Chinese labels need a CJK font; the first one installed wins, DejaVu draws the rest.
FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei",
         "PingFang SC", "SimHei", "DejaVu Sans"]


@contextlib.contextmanager
def fonts() -> Iterator[None]:
    # rc_context, not rcParams: an analyst's own settings stay as they were.
    # A CJK font has one weight: matplotlib's note that it took it is noise.
    log = logging.getLogger("matplotlib.font_manager")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with rc_context({"font.family": "sans-serif", "font.sans-serif": FONTS,
                         "axes.unicode_minus": False}):
            yield
    finally:
        log.setLevel(level)


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (no pyplot state holds it: nothing to close)."""
    buffer = io.BytesIO()
    with fonts():
        fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


# The report draws its charts twice from the same frames, in the notebook and
# in summary.html: the second gets the first's PNG (drawing is most of a small
# run's chart time). Keyed by the frame's content, so another run's frame of
# the same shape is drawn anew.
_DRAWN: OrderedDict[tuple[str, ...], bytes] = OrderedDict()


def _content(frame: pd.DataFrame) -> str:
    hashed = pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
    return hashlib.sha256(hashed + repr(list(frame.columns)).encode()).hexdigest()


def _drawn(key: tuple[str, ...], draw: Callable[[], Figure]) -> bytes:
    if key not in _DRAWN:
        _DRAWN[key] = png(draw())
        while len(_DRAWN) > 8:
            _DRAWN.popitem(last=False)
    return _DRAWN[key]


def findings_png(findings: pd.DataFrame, lang: str) -> bytes:
    """findings_by_control as PNG, drawn once per content and language."""
    shown = findings[["control_id", "severity"]]
    return _drawn(("findings", _content(shown), lang),
                  lambda: findings_by_control(shown, lang))


def heatmap_png(table: pd.DataFrame, lang: str, business_hours: str | None) -> bytes:
    """access_heatmap as PNG, drawn once per content, language and hours."""
    return _drawn(("heatmap", _content(table), lang, business_hours or ""),
                  lambda: access_heatmap(table, lang, business_hours))


def show(fig: Figure) -> None:
    display(Image(png(fig)))


def img_html(fig: Figure | bytes, alt: str) -> str:
    """The figure (or its PNG) as an <img> with its alt text, inline (no
    request leaves the page)."""
    return _img(fig if isinstance(fig, bytes) else png(fig), alt)


def _img(data: bytes, alt: str) -> str:
    return (f'<img class="chart" alt="{html_text(alt)}" style="max-width:100%;height:auto" '
            f'src="data:image/png;base64,{base64.b64encode(data).decode()}">')


def show_with_alt(fig: Figure | bytes, alt: str) -> None:
    """The figure (or its PNG) as an output holding both the PNG (JupyterLab,
    the executed notebook's readers) and the <img> with its alt text, which
    report.html shows."""
    data = fig if isinstance(fig, bytes) else png(fig)
    display({"image/png": base64.b64encode(data).decode(),
             "text/html": _img(data, alt)}, raw=True)


def _severity_order(findings: pd.DataFrame) -> list[str]:
    """Controls with findings, gravest first: by their severity, then most findings."""
    if not len(findings):
        return []
    rank = {s: n for n, s in enumerate(SEVERITIES)}
    per = findings.groupby("control_id").agg(sev=("severity", lambda s: min(rank[v] for v in s)),
                                             n=("severity", "size"))
    return list(per.sort_values(["sev", "n"], ascending=[True, False], kind="stable").index)


def findings_by_control(findings: pd.DataFrame, lang: str = "en") -> Figure:
    """Findings per control with findings, gravest first, stacked by severity."""
    w = words(lang)
    ids = _severity_order(findings)
    with fonts():
        fig = Figure(figsize=(11, 3.6))
        ax = fig.subplots()
        bottom = [0] * len(ids)
        for severity in SEVERITIES:
            counts = findings[findings["severity"] == severity]["control_id"].value_counts()
            values = [int(counts.get(i, 0)) for i in ids]
            ax.bar(ids, values, bottom=bottom, color=SEVERITY_COLOURS[severity],
                   label=w[severity])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_title(w["chart_findings"], fontsize=11, loc="left")
        ax.set_xlabel(w["control"])
        ax.set_ylabel(w["findings"])
        ax.tick_params(axis="x", labelrotation=90, labelsize=8)
        ax.legend(ncols=4, fontsize=8)
        # Fixed margins, not tight_layout: the labels are short and known, and
        # laying them out took most of the chart's time (a second per figure).
        fig.subplots_adjust(left=0.07, right=0.99, top=0.9, bottom=0.2)
    return fig


def findings_alt(findings: pd.DataFrame, lang: str) -> str:
    w = words(lang)
    counts = findings["severity"].value_counts()
    parts = [w["sev_count"].format(sev=w[s], n=int(counts.get(s, 0))) for s in SEVERITIES]
    sep = "，" if lang == "zh" else ", "
    top = _severity_order(findings)[:5]
    return (w["chart_findings"] + ("：" if lang == "zh" else ": ")
            + sep.join(parts) + (sep + sep.join(top) if top else ""))


def _hours(business_hours: str | None) -> tuple[float, float] | None:
    if not business_hours or "-" not in business_hours:
        return None
    start, end = business_hours.split("-", 1)
    h = [int(t.split(":")[0]) + int(t.split(":")[1]) / 60 for t in (start, end)]
    return h[0], h[1]


def access_heatmap(table: pd.DataFrame, lang: str = "en",
                   business_hours: str | None = None) -> Figure:
    """Accesses per weekday (rows) and local hour (columns); the hours outside
    `business_hours` ("09:00-18:00", the policy's) shaded and outlined."""
    w = words(lang)
    with fonts():
        fig = Figure(figsize=(10, 3.2))
        ax = fig.subplots()
        image = ax.imshow(table.to_numpy(dtype=float), aspect="auto", cmap="Blues")
        ax.set_yticks(range(7), w["weekdays"].split(","), fontsize=8)
        ax.set_xticks(range(24), [str(h) for h in range(24)], fontsize=8)
        hours = _hours(business_hours)
        if hours:
            # Cell h spans h-0.5 to h+0.5: out of hours is before start and from end on.
            for left, right in ((-0.5, hours[0] - 0.5), (hours[1] - 0.5, 23.5)):
                if right > left:
                    ax.axvspan(left, right, facecolor="none", edgecolor="#b00000",
                               hatch="//", linewidth=0.8)
            ax.legend(handles=[Patch(facecolor="none", edgecolor="#b00000", hatch="//",
                                     label=w["off_hours"])], fontsize=8, loc="upper right",
                      bbox_to_anchor=(1.0, 1.22), frameon=False)
        ax.set_title(w["chart_heat"], fontsize=11, loc="left")
        ax.set_xlabel(w["axis_hour"])
        ax.set_ylabel(w["axis_weekday"])
        fig.colorbar(image, ax=ax, label=w["axis_accesses"], fraction=0.04, pad=0.02)
        fig.subplots_adjust(left=0.07, right=0.92, top=0.84, bottom=0.16)
    return fig


def heatmap_alt(table: pd.DataFrame, lang: str, business_hours: str | None) -> str:
    w = words(lang)
    values = table.to_numpy(dtype=int)
    total = int(values.sum())
    hours = _hours(business_hours)
    off = total
    if hours:
        inside = [h for h in range(24) if hours[0] <= h and h + 1 <= hours[1]]
        off = total - int(values[:, inside].sum())
    day, hour = divmod(int(values.argmax()), 24)
    weekday = w["weekdays"].split(",")[day]
    peak = f"{weekday} {hour}:00–{hour + 1}:00"
    return w["alt_heat"].format(n=total, off=off, hours=business_hours or "—", peak=peak)


def actor_timeline(events: pd.DataFrame, roles: pd.DataFrame, start: object, end: object,
                   lang: str = "en") -> Figure:
    """Each access by day and hour, the flagged ones in red; the roles held above."""
    w = words(lang)
    with fonts():
        fig = Figure(figsize=(10, 4.2))
        top, ax = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 4]})
        start, end = pd.Timestamp(start).tz_localize(None), pd.Timestamp(end).tz_localize(None)
        for n, role in enumerate(roles.itertuples()):
            begin = (max(pd.Timestamp(role.valid_from), start) if pd.notna(role.valid_from)
                     else start)
            finish = min(pd.Timestamp(role.valid_to), end) if pd.notna(role.valid_to) else end
            if finish > begin:
                top.broken_barh([(begin, finish - begin)], (n - 0.4, 0.8), color=f"C{n % 10}")
                top.text(begin, n, f" {role.role}", va="center", fontsize=8,
                         parse_math=False)  # a role name is data, never mathtext
        top.set_yticks([])
        top.set_ylim(-0.6, max(len(roles), 1) - 0.4)
        top.set_title(w["roles_held"], fontsize=9, loc="left")
        if len(events):
            days = pd.to_datetime(events["day"])
            flagged = events["controls"] != ""
            ax.scatter(days[~flagged], events["hour"][~flagged], s=10, color="#7f8c8d",
                       label=w["an_access"])
            ax.scatter(days[flagged], events["hour"][flagged], s=36, color="#d62728",
                       label=w["in_a_finding"])
            ax.legend(fontsize=8, loc="upper right")
        ax.set_xlim(start, end)
        ax.set_ylim(24, 0)
        ax.set_ylabel(w["axis_hour"])
        fig.autofmt_xdate()
        fig.tight_layout()
    return fig
