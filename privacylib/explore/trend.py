"""Trends across the runs of an audit store, for notebooks/trend.ipynb and
the explorer: tables first, then the charts drawn from them.
"""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from privacylib.controls.catalog import FAMILIES
from privacylib.explore.words import words
from privacylib.report import charts
from privacylib.trail import store


def _label(frame: pd.DataFrame) -> pd.Series:
    """#3 2026-10 system=crm: a run as the charts name it."""
    scope = frame["scope"].where(frame["scope"] == "", " " + frame["scope"])
    return "#" + frame["seq"].astype(str) + " " + frame["period"] + scope


def runs_table(path: str) -> pd.DataFrame:
    """One row per run: outcomes, findings, new, resolved, excepted."""
    runs = store.runs(path)
    runs.insert(0, "run", _label(runs))
    return runs


def by_family(path: str) -> pd.DataFrame:
    """Findings per run (rows) and family (columns)."""
    outcomes = store.outcomes(path)
    outcomes["run"] = _label(outcomes)
    table = outcomes.pivot_table(index=["seq", "run"], columns="family", values="findings",
                                 aggfunc="sum", fill_value=0)
    table = table.reindex(columns=[f for f in FAMILIES if f in table.columns])
    return table.droplevel("seq")


def by_control(path: str) -> pd.DataFrame:
    """Findings per control (rows) and run (columns); an empty cell: the control did not run."""
    outcomes = store.outcomes(path)
    outcomes["run"] = _label(outcomes)
    ran = outcomes["outcome"].isin(["pass", "fail"])
    outcomes["value"] = outcomes["findings"].where(ran)
    order = outcomes.drop_duplicates("seq").sort_values("seq")["run"]
    return outcomes.pivot(index="control_id", columns="run", values="value")[list(order)]


def runs_chart(runs: pd.DataFrame, lang: str = "en") -> Figure:
    """Findings per run, split new / still open, with the resolved beside them."""
    said = words(lang)
    # Drawn in the reports' CJK fonts: tight_layout measures the Chinese labels here.
    with charts.fonts():
        fig = Figure(figsize=(9, 3.2))
        ax = fig.subplots()
        x = range(len(runs))
        still = runs["findings"] - runs["new"]
        ax.bar(x, still, color="#e4572e", label=said["runs_still"])
        ax.bar(x, runs["new"], bottom=still, color="#f3a712", label=said["runs_new"])
        ax.plot(x, runs["resolved"], "o-", color="#76b041", label=said["runs_resolved"])
        ax.set_xticks(list(x), runs["run"], rotation=30, ha="right", fontsize=8)
        ax.set_title(said["chart_runs"], fontsize=11, loc="left")
        ax.set_ylabel(said["findings"])
        ax.legend(fontsize=8)
        fig.tight_layout()
    return fig


def family_chart(table: pd.DataFrame) -> Figure:
    fig = Figure(figsize=(9, 3.2))
    ax = fig.subplots()
    for family in table.columns:
        ax.plot(range(len(table)), table[family], "o-", label=family)
    ax.set_xticks(range(len(table)), table.index, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("findings")
    ax.legend(fontsize=8, ncols=3)
    fig.tight_layout()
    return fig


def control_heatmap(table: pd.DataFrame) -> Figure:
    """Controls down, runs across; grey where the control did not run."""
    fig = Figure(figsize=(2 + 0.9 * len(table.columns), 0.22 * len(table) + 1.2))
    ax = fig.subplots()
    cmap = matplotlib.colormaps["Reds"].copy()
    cmap.set_bad("#dddddd")
    image = ax.imshow(table.to_numpy(dtype=float), aspect="auto", cmap=cmap)
    ax.set_yticks(range(len(table)), table.index, fontsize=7)
    ax.set_xticks(range(len(table.columns)), table.columns, rotation=30, ha="right", fontsize=8)
    fig.colorbar(image, ax=ax, label="findings")
    fig.tight_layout()
    return fig
