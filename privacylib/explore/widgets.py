"""The explorer for JupyterLab (ipywidgets): filter findings and look at one,
the controls' outcomes, follow an actor over the period, follow a customer,
and the charts.

A finished run is shown from its result alone (opened.py): findings,
controls, history, status and charts come from result.json and
findings.parquet; the data is loaded only when a raw row is asked for
(session.py). Identifiers stay masked until the analyst types a reason and
ticks "show identifiers"; the page then says so in red, and every view shown
unmasked (a finding, an actor, a customer) is recorded in the audit store
with the OS user and the reason (trail/access.py). Without a reason or a
store, the tick is refused. This module wires the findings to the page;
people.py the actor and customer tabs.

Everything shown reads in the run's language (explore/words.py); the
filters' values and the picker's keys stay the codes the files hold.
"""

from __future__ import annotations

import html
import json
from functools import cached_property
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from privacylib.errors import PrivacyLibError, UsageError
from privacylib.explore import trend
from privacylib.explore.detail import finding_html, readable, run_policy, source_text
from privacylib.explore.opened import Explored, of_audit
from privacylib.explore.people import People
from privacylib.explore.tables import (
    COLUMNS,
    STYLE,
    image,
    list_line,
    problem_html,
    shown_table,
    status_html,
    text,
)
from privacylib.explore.words import column, value, words
from privacylib.masking.masker import Masker, load_key, unmasked
from privacylib.report import charts
from privacylib.report.words import sentence
from privacylib.trail import access

# The "all" choice's value (its label is the run language's).
ALL = "(all)"
# Rows in the findings list; narrow the filters for the rest.
LIST_ROWS = 500
FILTERS = ("family", "control_id", "severity", "department", "system", "status", "history")
TABS = ("tab_findings", "tab_controls", "tab_actor", "tab_customer", "tab_charts")
CHARTS_TAB = TABS.index("tab_charts")
CONTROL_COLUMNS = ["id", "family", "severity", "title", "outcome", "checked", "findings",
                   "reason"]


class Explorer:
    """A run's findings, controls, actors and customers, in one tabbed widget."""

    def __init__(self, explored: Any, *, run_id: str | None = None,
                 store: str | None = None) -> None:
        if not isinstance(explored, Explored):  # an Audit made in this kernel
            explored = of_audit(explored)
        self.explored, self.result = explored, explored.result
        self.lang = self.result.run.lang
        self.words = words(self.lang)
        # Where unmasked views are recorded, and the run they are views of.
        self.store = store or explored.store
        self.run_id = run_id or explored.run_id
        self.findings = explored.findings.reset_index(drop=True)
        self.controls = {c.id: c for c in explored.catalog()}
        self.filters = {name: self._dropdown(name) for name in FILTERS}
        self.unmask = w.Checkbox(value=False, description=self.words["show_unmasked"],
                                 indent=False)
        self.reason = w.Text(placeholder=self.words["reason_hint"],
                             description=self.words["reason_box"],
                             style={"description_width": "initial"})
        self.warning = w.HTML()
        self.refused = ""  # why the last tick of "show identifiers" was refused
        self.count = w.HTML()
        self.picker = w.Select(rows=14, layout=w.Layout(width="100%"))
        self.picker.add_class("pw-list")
        self.detail = w.HTML()
        self._quiet = False  # while the list is refilled: one detail shown, one view recorded
        self.people = People(self)
        self.unmask.observe(self._asked, names="value")  # first: it may refuse
        for control in (*self.filters.values(), self.unmask):
            control.observe(self.refresh, names="value")
        self.picker.observe(self.show_detail, names="value")
        self.unmask.observe(self.people.reshow, names="value")
        self.refresh()

    @property
    def session(self) -> Any:
        return self.explored.session

    @cached_property
    def names(self) -> dict[str, str]:
        """The data's own words for its codes (purposes, categories), as the
        run's result carries them: the data need not be loaded for them."""
        return self.result.names()

    @cached_property
    def policy(self) -> dict[str, Any]:
        return run_policy(self.explored)

    # --- filters and the findings list ---------------------------------------------------
    def _dropdown(self, name: str) -> w.Dropdown:
        values = sorted({text(v) for v in self.findings.get(name, ()) if text(v)})
        labels = [(text(value(name, v, self.lang)), v) for v in values]
        dropdown = w.Dropdown(options=[(self.words["all_choice"], ALL), *labels], value=ALL,
                              description=column(name, self.lang),
                              style={"description_width": "initial"})
        dropdown.add_class(f"pw-filter-{name}")
        return dropdown

    def filtered(self) -> pd.DataFrame:
        frame = self.findings
        for name, dropdown in self.filters.items():
            if dropdown.value != ALL:
                frame = frame[frame[name].map(text) == dropdown.value]
        return frame

    def _asked(self, change: dict) -> None:
        if change["new"]:
            try:
                self._record("findings table", "")
            except UsageError as exc:
                self.unmask.value = False
                # The same refusals as access.record_view's, in the run's language.
                self.refused = (self.words["needs_reason"] if not self.reason.value.strip()
                                else self.words["needs_store"] if not self.store
                                else exc.message)
                return
        self.refused = ""

    def _record(self, kind: str, subject: str) -> None:
        """Each view shown unmasked, in the store: who, when, what, why."""
        access.record_view(self.store, run_id=self.run_id, kind=kind, subject=subject,
                           reason=self.reason.value)

    @property
    def masker(self) -> Masker:
        """For raw rows (the data session's): none when unmasked, else the run's masking."""
        return unmasked() if self.unmask.value else self.masking

    @property
    def masking(self) -> Masker:
        return self.session.masker(self.explored.key_file)

    @cached_property
    def shown(self) -> pd.DataFrame:
        """The findings as the page shows them masked: as written, or masked
        here with the run's key when the run was written unmasked."""
        if self.result.run.masked:
            return self.findings
        key = Masker(load_key(self.explored.key_file))
        return self.findings.assign(**{c: [key.value(None, v) for v in self.findings[c]]
                                       for c in ("subject_id", "reason")},
                                    evidence=[json.dumps(key.evidence(json.loads(e)),
                                                         ensure_ascii=False, sort_keys=True)
                                              for e in self.findings["evidence"]])

    def refresh(self, _change: object = None) -> None:
        frame = self.filtered()
        w_ = self.words
        self.warning.value = (f'<b style="color:#b00">{html.escape(w_["unmasked_warning"])}</b>'
                              if self.unmask.value else html.escape(self.refused))
        more = w_["first_listed"].format(n=LIST_ROWS) if len(frame) > LIST_ROWS else ""
        self.count.value = w_["count_of"].format(
            shown=f'<span class="pw-count">{len(frame)}</span>', total=len(self.findings)
        ) + html.escape(more)
        rows = self.shown.loc[frame.index[:LIST_ROWS]]
        options = [(list_line(readable(r, self.lang, self.names, self.policy)), r["finding_key"])
                   for r in rows.to_dict("records")]
        # The finding being viewed stays when it is still listed (unmasking, a filter).
        keep = self.picker.value
        keys = [key for _, key in options]
        self._quiet = True
        try:
            self.picker.options = options
            self.picker.value = keep if keep in keys else (keys[0] if keys else None)
        finally:
            self._quiet = False
        self.show_detail()

    def show_detail(self, _change: object = None) -> None:
        if self._quiet:
            return
        key = self.picker.value
        if key is None:
            self.detail.value = ""
            return
        row = self.shown[self.shown["finding_key"] == key].iloc[0]
        evidence: Any = json.loads(row["evidence"])
        problem = ""
        if self.unmask.value:
            try:
                evidence = self.session.raw_evidence(key)  # the data session opens here
                self._record("finding", key)
            except PrivacyLibError as exc:
                problem = problem_html(exc, self.lang)
        self.detail.value = finding_html(row.to_dict(), self.controls.get(row["control_id"]),
                                         evidence, problem, self.lang, self.names, self.policy)

    # --- the page ------------------------------------------------------------------------
    def status(self) -> w.HTML:
        return w.HTML(status_html(source_text(self.explored), self.result))

    def controls_table(self) -> w.HTML:
        frame = pd.DataFrame([vars(c) for c in self.result.controls], columns=CONTROL_COLUMNS)
        frame["outcome"] = frame["outcome"].map(str)
        frame["reason"] = [sentence(r, self.lang, self.names, self.policy)
                           for r in frame["reason"]]
        return w.HTML(shown_table(frame, "pw-controls", self.lang, self.names,
                                  limit=len(frame) + 1))

    def charts(self) -> w.VBox:
        lang, w_ = self.lang, self.words
        parts = [w.HTML(f"<b>{html.escape(w_['chart_findings'])}</b>"),
                 image(charts.findings_by_control(self.findings, lang))]
        heat = self.result.access_frame()
        if len(heat):
            parts += [w.HTML(f"<b>{html.escape(w_['chart_heat'])}</b>"),
                      image(charts.access_heatmap(heat, lang, self.explored.business_hours))]
        store = self.store
        if store and Path(store).is_file():
            parts += [w.HTML(f"<b>{html.escape(w_['chart_runs'])}</b>"),
                      image(trend.runs_chart(trend.runs_table(store), lang))]
        return w.VBox(parts)

    def findings_tab(self) -> w.VBox:
        names = list_line({n: column(n, self.lang) for n, _ in COLUMNS})
        head = w.HTML(f'<div class="pw-list-head">{html.escape(names)}</div>')
        listing = w.VBox([self.count, head, self.picker],
                         layout=w.Layout(flex="3 1 0%", min_width="420px"))
        self.detail.layout = w.Layout(flex="2 1 0%", min_width="340px")
        return w.VBox([
            w.HTML(STYLE),
            w.HBox([self.filters[n] for n in ("family", "control_id", "severity", "history")],
                   layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.filters[n] for n in ("department", "system", "status")],
                   layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.reason, self.unmask, self.warning]),
            # The evidence beside the list (below it on a narrow page).
            w.HBox([listing, self.detail], layout=w.Layout(flex_flow="row wrap"))])

    def widget(self) -> w.VBox:
        # The charts are drawn when their tab is first opened: matplotlib's
        # first figure costs seconds the findings should not wait for.
        drawing = self.words["drawing"]
        drawn = w.VBox([w.HTML(drawing)])
        self.tab = w.Tab(children=[self.findings_tab(), self.controls_table(),
                                   self.people.actor_tab(), self.people.customer_tab(), drawn])
        for n, title in enumerate(TABS):
            self.tab.set_title(n, self.words[title])
        self.tab.add_class("pw-explorer")

        def draw(change: dict) -> None:
            if change["new"] == CHARTS_TAB and drawn.children[0].value == drawing:
                drawn.children = self.charts().children

        self.tab.observe(draw, names="selected_index")
        return w.VBox([self.status(), self.tab])


def explorer(explored: Any, *, run_id: str | None = None, store: str | None = None) -> w.VBox:
    return Explorer(explored, run_id=run_id, store=store).widget()


def opened_line(explored: Explored) -> str:
    """The notebook's line on what it opened, in the run's language."""
    said = words(explored.result.run.lang)
    return said["opened_line"].format(source=source_text(explored), n=len(explored.findings))
