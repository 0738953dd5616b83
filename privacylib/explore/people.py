"""The explorer's actor and customer tabs: raw rows, so each opens the run's
data session (once) on its first use. The accesses that findings name are
marked (red rows, their controls); the customer's trail says on which basis
each access was made (the consent active then, else the purpose's legal
basis). Masked as the run's files are, unless identifiers are shown; every
header and code of the data in the run's language."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as w
import pandas as pd

from privacylib.errors import PrivacyLibError
from privacylib.explore.tables import image, problem_html, shown_table
from privacylib.explore.views import CHART_ONLY
from privacylib.explore.words import value
from privacylib.report import charts

if TYPE_CHECKING:
    from privacylib.explore.widgets import Explorer

TRAIL = ["day", "time", "actor_id", "system", "data_category", "action", "purpose", "basis",
         "result", "record_count", "controls", "customer_id", "event_id"]


class People:
    def __init__(self, explorer: Explorer) -> None:
        self.x = explorer
        said = explorer.words
        self.actor = w.Combobox(placeholder=said["actor_hint"], description=said["actor_box"],
                                options=explorer.explored.actors(), ensure_option=False)
        self.actor_view = w.VBox()
        self.customer = w.Text(placeholder=said["customer_hint"],
                               description=said["customer_box"])
        self.customer_view = w.VBox()
        self.actor.observe(self.show_actor, names="value")
        self.customer.observe(self.show_customer, names="value")

    def reshow(self, _change: object = None) -> None:
        self.show_actor()
        self.show_customer()

    def _masked(self, frame: pd.DataFrame) -> pd.DataFrame:
        masker = self.x.masker
        if "customer_id" in frame:
            frame = frame.assign(customer_id=[masker.value("customer_id", v)
                                              for v in frame["customer_id"]])
        return frame.drop(columns=[c for c in CHART_ONLY if c in frame])

    def _problem(self, exc: PrivacyLibError) -> w.HTML:
        return w.HTML(problem_html(exc, self.x.lang))

    def _table(self, frame: pd.DataFrame, css: str, hits: pd.Series | None = None) -> str:
        return shown_table(frame, css, self.x.lang, self.x.names, hits=hits)

    def _basis(self, consent_id: str, legal_basis: str) -> str:
        """views' basis in words: the consent active then, else the purpose's legal basis."""
        said = self.x.words
        if consent_id:
            return said["consent_of"].format(id=consent_id)
        if legal_basis and legal_basis != "consent":
            return str(value("legal_basis", legal_basis, self.x.lang, self.x.names))
        return said["no_consent"]

    def show_actor(self, _change: object = None) -> None:
        actor = (self.actor.value or "").strip()
        if not actor:
            self.actor_view.children = ()
            return
        try:
            if self.x.unmask.value:
                self.x._record("actor", actor)
            session = self.x.session
            events = session.actor_events(actor, self.x.explored.flagged)
            roles = session.actor_roles(actor)
            masked = self._masked(events)
        except PrivacyLibError as exc:
            self.actor_view.children = (self._problem(exc),)
            return
        run = self.x.result.run
        start, end = (pd.Timestamp(t).tz_convert(run.timezone)
                      for t in (run.period_start, run.period_end))
        hits = events["controls"] != ""
        order = list(events.index[hits]) + list(events.index[~hits])  # the flagged first
        self.actor_view.children = (
            w.HTML(self.x.words["actor_line"].format(
                actor=f"<b>{html.escape(actor)}</b>", n=len(events),
                flagged=f'<span class="pw-flagged">{int(hits.sum())}</span>')),
            image(charts.actor_timeline(events, roles, start, end, self.x.lang)),
            w.HTML(self._table(roles, "pw-roles")),
            w.HTML(self._table(masked.loc[order], "pw-actor-events", hits=hits.loc[order])),
        )

    def show_customer(self, _change: object = None) -> None:
        typed = (self.customer.value or "").strip()
        if not typed:
            self.customer_view.children = ()
            return
        try:
            session = self.x.session
            customer = (session.customer_of(typed, self.x.masking) if typed.startswith("CU-")
                        else typed)
            if self.x.unmask.value and customer:  # recorded by pseudonym: the store stays masked
                self.x._record("customer", self.x.masking.pseudonym(customer))
            trail = (session.customer_trail(customer, self.x.explored.flagged) if customer
                     else pd.DataFrame(columns=TRAIL))
            masked = self._masked(trail)
        except PrivacyLibError as exc:
            self.customer_view.children = (self._problem(exc),)
            return
        hits = trail["controls"] != "" if len(trail) else pd.Series(dtype=bool)
        if len(masked):
            masked = masked.assign(basis=[self._basis(c, b) for c, b in zip(
                masked["consent_id"], masked["legal_basis"], strict=True)])
        self.customer_view.children = (
            w.HTML(self.x.words["trail_line"].format(
                n=f'<span class="pw-trail-count">{len(trail)}</span>',
                flagged=f'<span class="pw-trail-flagged">{int(hits.sum())}</span>')),
            w.HTML(self._table(masked[[c for c in TRAIL if c in masked]], "pw-trail", hits=hits)),
        )

    def actor_tab(self) -> w.VBox:
        return w.VBox([self.actor, self.actor_view])

    def customer_tab(self) -> w.VBox:
        return w.VBox([self.customer, self.customer_view])
