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
from privacylib.explore.opened import Explored, of_audit
from privacylib.explore.people import People
from privacylib.explore.tables import (
    COLUMNS,
    STYLE,
    image,
    list_line,
    status_html,
    table,
    text,
)
from privacylib.masking.masker import Masker, load_key, unmasked
from privacylib.report import charts
from privacylib.trail import access

ALL = "(all)"
# Rows in the findings list; narrow the filters for the rest.
LIST_ROWS = 500
FILTERS = ("family", "control_id", "severity", "department", "system", "status", "history")
TABS = ("Findings", "Controls", "Actor timeline", "Customer trail", "Charts")
CONTROL_COLUMNS = ["id", "family", "severity", "title", "outcome", "checked", "findings",
                   "reason"]


class Explorer:
    """A run's findings, controls, actors and customers, in one tabbed widget."""

    def __init__(self, explored: Any, *, run_id: str | None = None,
                 store: str | None = None) -> None:
        if not isinstance(explored, Explored):  # an Audit made in this kernel
            explored = of_audit(explored)
        self.explored, self.result = explored, explored.result
        # Where unmasked views are recorded, and the run they are views of.
        self.store = store or explored.store
        self.run_id = run_id or explored.run_id
        self.findings = explored.findings.reset_index(drop=True)
        self.controls = {c.id: c for c in explored.catalog()}
        self.filters = {name: self._dropdown(name) for name in FILTERS}
        self.unmask = w.Checkbox(value=False, description="show identifiers (unmasked)",
                                 indent=False)
        self.reason = w.Text(placeholder="why identifiers are needed (recorded)",
                             description="reason")
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

    # --- filters and the findings list ---------------------------------------------------
    def _dropdown(self, name: str) -> w.Dropdown:
        values = sorted({text(v) for v in self.findings.get(name, ()) if text(v)})
        dropdown = w.Dropdown(options=[ALL, *values], value=ALL, description=name)
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
                self.refused = exc.message
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
        self.warning.value = ('<b style="color:#b00">identifiers are shown unmasked</b>'
                              if self.unmask.value else html.escape(self.refused))
        more = (f" (the first {LIST_ROWS} listed: narrow the filters)"
                if len(frame) > LIST_ROWS else "")
        self.count.value = (f'<span class="pw-count">{len(frame)}</span> of '
                            f"{len(self.findings)}{more}")
        rows = self.shown.loc[frame.index[:LIST_ROWS]]
        options = [(list_line(r), r["finding_key"]) for r in rows.to_dict("records")]
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
                problem = f'<p class="pw-problem" style="color:#b00">{html.escape(str(exc))}</p>'
        self.detail.value = self._detail_html(row, evidence, problem)

    def _detail_html(self, row: pd.Series, evidence: Any, problem: str) -> str:
        control = self.controls.get(row["control_id"])
        lang = self.result.run.lang
        title = control.title(lang) if control else text(row.get("title"))
        facts = " · ".join(f"{name} <b>{html.escape(text(row.get(name)))}</b>"
                           for name in ("severity", "status", "history", "department", "system",
                                        "actor_id", "day") if text(row.get(name)))
        shown = json.dumps(evidence, ensure_ascii=False, indent=1, default=str)
        rule = (f"<p><b>rule</b>: {html.escape(control.rule(lang))}</p>"
                f"<details><summary>SQL</summary><pre>{html.escape(control.sql)}</pre>"
                "</details>") if control else ""
        return (f'{STYLE}<div class="pw-detail"><h4>{html.escape(row["control_id"])} '
                f"{html.escape(title)}</h4><p>{facts}</p>{problem}"
                f"<p>{html.escape(text(row['reason']))}</p>{rule}"
                f"<p><b>evidence</b></p><pre>{html.escape(shown)}</pre></div>")

    # --- the page ------------------------------------------------------------------------
    def status(self) -> w.HTML:
        return w.HTML(status_html(self.explored.source, self.result))

    def controls_table(self) -> w.HTML:
        frame = pd.DataFrame([vars(c) for c in self.result.controls], columns=CONTROL_COLUMNS)
        frame["outcome"] = frame["outcome"].map(str)
        return w.HTML(table(frame, "pw-controls", limit=len(frame) + 1))

    def charts(self) -> w.VBox:
        parts = [w.HTML("<b>findings by control and severity</b>"),
                 image(charts.findings_by_control(self.findings))]
        heat = self.result.access_frame()
        if len(heat):
            parts += [w.HTML("<b>accesses by weekday and local hour</b>"),
                      image(charts.access_heatmap(heat, "en", self.explored.business_hours))]
        store = self.store
        if store and Path(store).is_file():
            parts += [w.HTML("<b>findings across the runs of the audit store</b>"),
                      image(trend.runs_chart(trend.runs_table(store)))]
        return w.VBox(parts)

    def findings_tab(self) -> w.VBox:
        names = list_line({**{n: n for n, _ in COLUMNS}, "control_id": "id"})
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
        drawn = w.VBox([w.HTML("drawing…")])
        self.tab = w.Tab(children=[self.findings_tab(), self.controls_table(),
                                   self.people.actor_tab(), self.people.customer_tab(), drawn])
        for n, title in enumerate(TABS):
            self.tab.set_title(n, title)
        self.tab.add_class("pw-explorer")

        def draw(change: dict) -> None:
            if TABS[change["new"] or 0] == "Charts" and drawn.children[0].value == "drawing…":
                drawn.children = self.charts().children

        self.tab.observe(draw, names="selected_index")
        return w.VBox([self.status(), self.tab])


def explorer(explored: Any, *, run_id: str | None = None, store: str | None = None) -> w.VBox:
    return Explorer(explored, run_id=run_id, store=store).widget()
