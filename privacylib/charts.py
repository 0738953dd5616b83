"""Charts where a picture says more, drawn with matplotlib (Agg: papermill
and tests have no screen) and shown as PNG images, so that an executed
notebook, its HTML and the explorer all carry the picture, not its repr.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, display

from .catalog import SEVERITY_ORDER, load_catalog

SEVERITY_COLOURS = {"critical": "#8b0000", "high": "#e4572e", "medium": "#f3a712",
                    "low": "#76b041"}


def png(fig: plt.Figure) -> bytes:
    """The figure as PNG bytes; the figure is closed (notebooks draw many)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def show(fig: plt.Figure) -> None:
    display(Image(png(fig)))


def findings_by_control(findings: pd.DataFrame) -> plt.Figure:
    """Findings per control, stacked by severity (labels are ids: no font issues)."""
    ids = [c.id for c in load_catalog()]
    fig, ax = plt.subplots(figsize=(11, 3.2))
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
