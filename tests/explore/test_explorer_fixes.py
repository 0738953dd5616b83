"""The explorer's fixes (issue #14) on a finished run, without a browser:
the finding viewed stays when identifiers are shown, choosing a row shows it
beside the list, times read as local HH:MM and nothing is NaT, the customer's
trail gives the basis of each access and marks the accesses in findings."""

from __future__ import annotations

import re

import pytest

from privacylib.explore import opened
from privacylib.explore.widgets import Explorer
from privacylib.explore.words import column, value, words
from privacylib.trail import access

from conftest import sample_identifiers

CODE_LIKE = re.compile(r"\b(NaT|nan|None|NaN)\b")


@pytest.fixture
def explorer(sample_run, tmp_path):
    run, _ = sample_run
    return Explorer(opened.open_run(run), store=str(tmp_path / "store.duckdb"))


def _raw(detail: str) -> str:
    """The detail pane's raw evidence (JSON, folded away)."""
    return re.search(r'<pre class="pw-raw">(.*?)</pre>', detail, re.S).group(1)


def _cells(html: str) -> list[str]:
    return re.findall(r"<td>(.*?)</td>", html)


def test_choosing_a_row_shows_that_finding_beside_the_list(explorer):
    keys = [key for _, key in explorer.picker.options]
    row = explorer.findings.set_index("finding_key").loc[keys[40]]
    explorer.picker.value = keys[40]  # what a click on the row does
    assert f"<h4>{row['control_id']} " in explorer.detail.value
    assert row["reason"][:20] in explorer.detail.value
    tab = explorer.findings_tab()
    listing_and_detail = tab.children[-1]
    assert explorer.detail in listing_and_detail.children  # beside the list, not under it


def test_showing_identifiers_keeps_the_finding_being_viewed(explorer):
    explorer.filters["control_id"].value = "C03"
    keys = [key for _, key in explorer.picker.options]
    assert len(keys) > 2
    explorer.picker.value = keys[2]
    masked = explorer.detail.value
    assert not any(secret in masked for secret in sample_identifiers())
    explorer.reason.value = "DSAR 2026-117: the customer asked who saw their data"
    explorer.unmask.value = True
    assert explorer.picker.value == keys[2]
    assert explorer.detail.value != masked and "C03 " in explorer.detail.value
    assert any(secret in explorer.detail.value for secret in sample_identifiers())
    explorer.filters["severity"].value = explorer.findings.set_index("finding_key").loc[
        keys[2], "severity"]
    assert explorer.picker.value == keys[2]  # a filter that still lists it keeps it too
    seen = access.views(explorer.store)
    assert list(seen[seen["kind"] == "finding"]["subject"]) == [keys[2]] * 2
    explorer.unmask.value = False
    # The same finding, masked again (its codes may now read as the data's own
    # words: the data was loaded to unmask).
    assert explorer.picker.value == keys[2]
    assert _raw(explorer.detail.value) == _raw(masked)
    assert not any(secret in explorer.detail.value for secret in sample_identifiers())


def test_times_are_local_hours_and_minutes_and_nothing_is_nat(explorer):
    explorer.people.actor.value = "E9003"
    _, _, roles, events = explorer.people.actor_view.children
    assert f"<th>{column('time', 'zh')}</th>" in events.value  # the sample's run is Chinese
    assert "<th>hour</th>" not in events.value and f"<th>{column('hour', 'zh')}</th>" not in (
        events.value)  # the chart's number, not a column
    times = re.findall(r"<td>(\d\d:\d\d)</td>", events.value)
    assert len(times) == 7  # E9003's seven accesses
    assert not CODE_LIKE.search(events.value) and not CODE_LIKE.search(roles.value)
    for actor in explorer.explored.actors():
        explorer.people.actor.value = actor
        for child in explorer.people.actor_view.children[2:]:
            assert not CODE_LIKE.search(" ".join(_cells(child.value))), actor
            assert not re.search(r"\d\.\d\d", " ".join(_cells(child.value))), actor
    assert not CODE_LIKE.search(explorer.detail.value)


def test_the_customer_trail_gives_the_basis_and_marks_the_findings(explorer):
    flagged = explorer.explored.flagged
    con = explorer.session.audit.loaded.con
    customer = con.execute(
        "SELECT customer_id FROM access_log WHERE event_id IN (SELECT unnest($events)) "
        "AND customer_id IS NOT NULL ORDER BY 1 LIMIT 1", {"events": sorted(flagged)}
    ).fetchone()[0]
    trail = explorer.session.customer_trail(customer, flagged)
    for access_ in trail.itertuples():
        if access_.consent_id:
            assert access_.basis == f"consent {access_.consent_id}"
        elif access_.legal_basis and access_.legal_basis != "consent":
            assert access_.basis == access_.legal_basis
        else:
            assert access_.basis == "no consent"
    hits = trail[trail["controls"] != ""]
    assert len(hits) >= 1
    explorer.people.customer.value = explorer.masking.pseudonym(customer)
    count, table = explorer.people.customer_view.children
    assert f'<span class="pw-trail-flagged">{len(hits)}</span>' in count.value
    assert table.value.count('<tr class="pw-hit">') == len(hits)
    assert f"<th>{column('basis', 'zh')}</th>" in table.value and customer not in table.value
    said = words("zh")
    basis = [said["consent_of"].format(id=c) if c else
             value("legal_basis", b, "zh", explorer.names) if b and b != "consent"
             else said["no_consent"] for c, b in zip(trail["consent_id"], trail["legal_basis"],
                                                     strict=True)]
    assert set(basis) <= set(_cells(table.value))


def test_the_legal_basis_shows_where_no_consent_is_needed(explorer):
    con = explorer.session.audit.loaded.con
    customer = con.execute("""
        SELECT a.customer_id FROM access_log a JOIN purposes p USING (purpose)
        WHERE p.legal_basis = 'contract' AND a.customer_id IS NOT NULL
        ORDER BY 1 LIMIT 1""").fetchone()[0]
    trail = explorer.session.customer_trail(customer, {})
    assert "contract" in set(trail["basis"])
