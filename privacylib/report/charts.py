"""Charts where a picture says more, drawn with matplotlib and shown as PNG
images, so that an executed notebook, its HTML and the explorer all carry the
picture, not its repr.

Figures are made with `matplotlib.figure.Figure`, never pyplot: rendering to
PNG needs no screen (papermill, CI), and importing this module leaves an
analyst's JupyterLab backend as it was.
"""

from __future__ import annotations

import io

import pandas as pd
from IPython.display import Image, display
from matplotlib.figure import Figure

from privacylib.controls.catalog import SEVERITY_ORDER, load_catalog

SEVERITY_COLOURS = {"critical": "#8b0000", "high": "#e4572e", "medium": "#f3a712",
                    "low": "#76b041"}


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (no pyplot state holds it: nothing to close)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def show(fig: Figure) -> None:
    display(Image(png(fig)))


def findings_by_control(findings: pd.DataFrame) -> Figure:
    """Findings per control, stacked by severity (labels are ids: no font issues)."""
    ids = [c.id for c in load_catalog()]
    fig = Figure(figsize=(11, 3.2))
    ax = fig.subplots()
    bottom = [0] * len(ids)
    for severity in sorted(SEVERITY_ORDER, key=SEVERITY_ORDER.get):
        counts = findings[findings["severity"] == severity]["control_id"].value_counts()
        values = [int(counts.get(i, 0)) for i in ids]
        ax.bar(ids, values, bottom=bottom, color=SEVERITY_COLOURS[severity], label=severity)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("findings")
    ax.tick_params(axis="x", labelrotation=90, labelsize=8)
    ax.legend(ncols=4, fontsize=8)
    fig.tight_layout()
    return fig


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def access_heatmap(table: pd.DataFrame) -> Figure:
    """Accesses per weekday (rows) and local hour (columns)."""
    fig = Figure(figsize=(10, 2.8))
    ax = fig.subplots()
    image = ax.imshow(table.to_numpy(dtype=float), aspect="auto", cmap="Blues")
    ax.set_yticks(range(7), WEEKDAYS, fontsize=8)
    ax.set_xticks(range(24), [str(h) for h in range(24)], fontsize=8)
    ax.set_xlabel("local hour")
    fig.colorbar(image, ax=ax, label="accesses")
    fig.tight_layout()
    return fig


def actor_timeline(events: pd.DataFrame, roles: pd.DataFrame, start: object, end: object,
                   ) -> Figure:
    """Each access by day and hour, the flagged ones in red; the roles held above."""
    fig = Figure(figsize=(10, 4.2))
    top, ax = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 4]})
    start, end = pd.Timestamp(start).tz_localize(None), pd.Timestamp(end).tz_localize(None)
    for n, role in enumerate(roles.itertuples()):
        begin = max(pd.Timestamp(role.valid_from), start) if pd.notna(role.valid_from) else start
        finish = min(pd.Timestamp(role.valid_to), end) if pd.notna(role.valid_to) else end
        if finish > begin:
            top.broken_barh([(begin, finish - begin)], (n - 0.4, 0.8), color=f"C{n % 10}")
            top.text(begin, n, f" {role.role}", va="center", fontsize=8,
                     parse_math=False)  # a role name is data, never mathtext
    top.set_yticks([])
    top.set_ylim(-0.6, max(len(roles), 1) - 0.4)
    top.set_title("roles held", fontsize=9, loc="left")
    if len(events):
        days = pd.to_datetime(events["day"])
        flagged = events["controls"] != ""
        ax.scatter(days[~flagged], events["hour"][~flagged], s=10, color="#7f8c8d",
                   label="access")
        ax.scatter(days[flagged], events["hour"][flagged], s=36, color="#d62728",
                   label="in a finding")
        ax.legend(fontsize=8, loc="upper right")
    ax.set_xlim(start, end)
    ax.set_ylim(24, 0)
    ax.set_ylabel("local hour")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
