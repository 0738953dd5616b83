"""The explorer for JupyterLab (ipywidgets): filter findings and look at one,
follow an actor over the period, follow a customer, and the charts.

Identifiers stay masked (customer ids as pseudonyms, ID numbers, phones…)
until the analyst types a reason and ticks "show identifiers"; the page then
says so in red, and every view shown unmasked (a finding, an actor, a
customer) is recorded in the audit store with the OS user and the reason
(trail/access.py). Without a reason or a store, the tick is refused.
Every view is computed by views.py and report/charts.py; this module only wires
them to controls on the page.
"""

from __future__ import annotations

import html
import json
from functools import cached_property
from pathlib import Path

import ipywidgets as w
import pandas as pd

from privacylib.audit.run import Audit
from privacylib.controls.catalog import load_catalog
from privacylib.errors import UsageError
from privacylib.explore import trend
from privacylib.explore import views as explore
from privacylib.masking.masker import Masker, load_key, unmasked
from privacylib.report import charts
from privacylib.trail import access

ALL = "(all)"
TABLE_ROWS = 200
FILTERS = ("family", "control_id", "severity", "department", "system", "status")
SHOWN = ["control_id", "severity", "subject_id", "department", "system", "status", "history",
         "reason"]


STYLE = """table.pw { border-collapse: collapse; font-size: 12px; }
table.pw th { background: #305496; color: #fff; text-align: left; padding: 3px 6px; }
table.pw td { border-bottom: 1px solid #ddd; padding: 3px 6px; vertical-align: top; }"""


def _table(frame: pd.DataFrame, css: str, limit: int = TABLE_ROWS) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.head(limit).itertuples(index=False))
    more = f"<p>… {len(frame) - limit} more</p>" if len(frame) > limit else ""
    return (f"<style>{STYLE}</style>"
            f'<table class="pw {css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            f"</table>{more}")


def _image(fig: object) -> w.Image:
    return w.Image(value=charts.png(fig), format="png")


class Explorer:
    """Findings of one audit, its actors and customers, in one tabbed widget."""

    def __init__(self, audit: Audit, *, run_id: str | None = None,
                 store: str | None = None) -> None:
        self.audit = audit
        # Where unmasked views are recorded, and the run they are views of.
        self.store, self.run_id = store or audit.config.store, run_id
        self.findings = audit.findings()
        self.raw = {f.finding_key: f.evidence for f in audit.result.findings}
        self.controls = {c.id: c for c in load_catalog()}
        self.events = explore.actor_events(audit)
        self.filters = {name: self._dropdown(name) for name in FILTERS}
        self.unmask = w.Checkbox(value=False, description="show identifiers (unmasked)",
                                 indent=False)
        self.reason = w.Text(placeholder="why identifiers are needed (recorded)",
                             description="reason")
        self.warning = w.HTML()
        self.refused = ""  # why the last tick of "show identifiers" was refused
        self.count = w.HTML()
        self.table = w.HTML()
        self.picker = w.Dropdown(description="finding", layout=w.Layout(width="600px"))
        self.detail = w.HTML()
        self.actor = w.Combobox(placeholder="staff id", description="actor",
                                options=self._actors(), ensure_option=False)
        self.actor_view = w.VBox()
        self.customer = w.Text(placeholder="customer id or CU- pseudonym", description="customer")
        self.customer_view = w.VBox()
        self.unmask.observe(self._asked, names="value")  # first: it may refuse
        for control in (*self.filters.values(), self.unmask):
            control.observe(self.refresh, names="value")
        self.picker.observe(self.show_detail, names="value")
        self.actor.observe(self.show_actor, names="value")
        self.customer.observe(self.show_customer, names="value")
        self.unmask.observe(self._reshow, names="value")
        self.refresh()

    # --- filters and the findings table -------------------------------------------------
    def _dropdown(self, name: str) -> w.Dropdown:
        values = sorted({str(v) for v in self.findings[name] if str(v)})
        dropdown = w.Dropdown(options=[ALL, *values], value=ALL, description=name)
        dropdown.add_class(f"pw-filter-{name}")
        return dropdown

    def filtered(self) -> pd.DataFrame:
        frame = self.findings
        for name, dropdown in self.filters.items():
            if dropdown.value != ALL:
                frame = frame[frame[name].astype(str) == dropdown.value]
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
        return unmasked() if self.unmask.value else self._masking

    @cached_property
    def _masking(self) -> Masker:
        """Masks even when the audit itself was run unmasked: unmasking is a tick here."""
        return self.audit.masker if self.audit.masker.enabled else Masker(
            load_key(self.audit.config.key_file))

    def refresh(self, _change: object = None) -> None:
        frame = self.filtered()
        self.warning.value = ('<b style="color:#b00">identifiers are shown unmasked</b>'
                              if self.unmask.value else html.escape(self.refused))
        self.count.value = f'<span class="pw-count">{len(frame)}</span> of {len(self.findings)}'
        self.table.value = _table(frame[SHOWN], "pw-findings")
        options = [(f"{f.control_id} · {f.subject_id}", f.finding_key)
                   for f in frame.head(TABLE_ROWS).itertuples()]
        self.picker.options = options
        self.picker.value = options[0][1] if options else None
        self.show_detail()

    def show_detail(self, _change: object = None) -> None:
        key = self.picker.value
        if key is None:
            self.detail.value = ""
            return
        if self.unmask.value:
            self._record("finding", key)
        row = self.findings[self.findings["finding_key"] == key].iloc[0]
        control = self.controls[row["control_id"]]
        lang = self.audit.config.lang
        evidence = json.dumps(self.masker.evidence(self.raw[key]), ensure_ascii=False, indent=1,
                              default=str)
        self.detail.value = (
            f'<div class="pw-detail"><h4>{control.id} {html.escape(control.title(lang))}</h4>'
            f"<p>{html.escape(str(row['reason']))}</p>"
            f"<p><b>rule</b>: {html.escape(control.rule(lang))}</p>"
            f"<p><b>evidence</b></p><pre>{html.escape(evidence)}</pre>"
            f"<details><summary>SQL</summary><pre>{html.escape(control.sql)}</pre></details>"
            "</div>")

    def _reshow(self, _change: object = None) -> None:
        self.show_actor()
        self.show_customer()

    # --- one actor, one customer ---------------------------------------------------------
    def _actors(self) -> list[str]:
        if not self.audit.loaded.present("access_log"):
            return []
        rows = self.audit.loaded.con.execute(
            "SELECT DISTINCT actor_id FROM scoped.access_log WHERE actor_id IS NOT NULL "
            "ORDER BY 1").fetchall()
        return [r[0] for r in rows]

    def _masked(self, frame: pd.DataFrame) -> pd.DataFrame:
        masker = self.masker
        if "customer_id" in frame:
            frame = frame.assign(customer_id=[masker.value("customer_id", v)
                                              for v in frame["customer_id"]])
        return frame

    def show_actor(self, _change: object = None) -> None:
        actor = (self.actor.value or "").strip()
        if not actor:
            self.actor_view.children = ()
            return
        if self.unmask.value:
            self._record("actor", actor)
        events, roles = self.events(actor), explore.actor_roles(self.audit, actor)
        p = self.audit.period
        tz = self.audit.loaded.policy.timezone
        start, end = (pd.Timestamp(t).tz_convert(tz) for t in (p.start, p.end))
        flagged = events[events["controls"] != ""] if len(events) else events
        self.actor_view.children = (
            w.HTML(f"<b>{html.escape(actor)}</b>: {len(events)} accesses, "
                   f'<span class="pw-flagged">{len(flagged)}</span> in findings'),
            _image(charts.actor_timeline(events, roles, start, end)),
            w.HTML(_table(roles, "pw-roles")),
            w.HTML(_table(self._masked(pd.concat([flagged, events.drop(flagged.index)])),
                          "pw-actor-events")),  # the flagged accesses first
        )

    def show_customer(self, _change: object = None) -> None:
        text = (self.customer.value or "").strip()
        if not text:
            self.customer_view.children = ()
            return
        customer = self._customer_id(text)
        if self.unmask.value and customer:  # recorded by pseudonym: the store stays masked
            self._record("customer", self._masking.pseudonym(customer))
        trail = explore.customer_trail(self.audit, customer) if customer else pd.DataFrame()
        self.customer_view.children = (
            w.HTML(f'<span class="pw-trail-count">{len(trail)}</span> accesses'),
            w.HTML(_table(self._masked(trail), "pw-trail")),
        )

    def _customer_id(self, text: str) -> str | None:
        """A customer id as typed, or the one whose pseudonym was typed."""
        if not text.startswith("CU-"):
            return text
        rows = self.audit.loaded.con.execute(
            "SELECT DISTINCT customer_id FROM main.access_log WHERE customer_id IS NOT NULL"
        ).fetchall()
        return next((r[0] for r in rows if self._masking.pseudonym(r[0]) == text), None)

    # --- the page ------------------------------------------------------------------------
    def charts(self) -> w.VBox:
        parts = [w.HTML("<b>findings by control and severity</b>"),
                 _image(charts.findings_by_control(self.findings))]
        heat = self.audit.access_by_hour()
        if len(heat):
            parts += [w.HTML("<b>accesses by weekday and local hour</b>"),
                      _image(charts.access_heatmap(heat))]
        store = self.audit.config.store
        if store and Path(store).is_file():
            parts += [w.HTML("<b>findings across the runs of the audit store</b>"),
                      _image(trend.runs_chart(trend.runs_table(store)))]
        return w.VBox(parts)

    def widget(self) -> w.Tab:
        findings = w.VBox([
            w.HBox([self.filters["family"], self.filters["control_id"],
                    self.filters["severity"]]),
            w.HBox([self.filters["department"], self.filters["system"],
                    self.filters["status"]]),
            w.HBox([self.reason, self.unmask, self.warning]), self.count, self.table, self.picker,
            self.detail])
        tab = w.Tab(children=[findings, w.VBox([self.actor, self.actor_view]),
                              w.VBox([self.customer, self.customer_view]), self.charts()])
        for n, title in enumerate(("Findings", "Actor timeline", "Customer trail", "Charts")):
            tab.set_title(n, title)
        tab.add_class("pw-explorer")
        return tab


def explorer(audit: Audit, *, run_id: str | None = None, store: str | None = None) -> w.Tab:
    return Explorer(audit, run_id=run_id, store=store).widget()
