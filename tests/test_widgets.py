"""The explorer's views over an audit made in this kernel (a data folder,
no run), without a browser: filters, evidence, masking, an actor's timeline,
a customer's trail. Opening a finished run: tests/explore/."""

from __future__ import annotations

import getpass

import pytest

from privacylib.errors import UsageError
from privacylib.explore import opened
from privacylib.explore import views as explore
from privacylib.explore.widgets import ALL, Explorer
from privacylib.explore.words import words
from privacylib.trail import access

from conftest import SAMPLE, sample_identifiers


@pytest.fixture(scope="module")
def audit(sample_audit):
    return sample_audit


@pytest.fixture
def explorer(audit, tmp_path):
    return Explorer(audit, run_id="r1", store=str(tmp_path / "store.duckdb"))


def test_filters_narrow_the_table(explorer):
    assert explorer.count.value.startswith('<span class="pw-count">100</span>')
    explorer.filters["system"].value = "crm"
    crm = explorer.filtered()
    assert 0 < len(crm) < 100 and set(crm["system"]) == {"crm"}
    explorer.filters["severity"].value = "critical"
    both = explorer.filtered()
    assert set(both["severity"]) == {"critical"} and len(both) < len(crm)
    assert len(explorer.picker.options) == len(both)
    # Listed in the run's language (Chinese, the default); filtered by the code.
    assert all(label.split()[1] == "严重" for label, _ in explorer.picker.options)
    explorer.filters["system"].value = ALL
    explorer.filters["severity"].value = ALL
    assert len(explorer.filtered()) == 100


def test_every_finding_has_its_department_and_system_where_the_evidence_says(audit):
    findings = audit.findings()
    events = findings[findings["control_id"].isin(["U01", "C03", "U04"])]
    assert (events["department"] != "").all() and (events["system"] != "").all()
    stores = findings[findings["control_id"] == "S01"]
    assert (stores["department"] == "").all()


def test_a_finding_shows_its_rule_sql_and_masked_evidence(explorer):
    explorer.filters["control_id"].value = "C03"
    assert explorer.picker.value is not None
    detail = explorer.detail.value
    assert "consent" in detail.lower() and "SELECT" in detail and "pw-detail" in detail
    raw = sample_identifiers()
    assert not any(secret in detail for secret in raw)
    explorer.unmask.value = True  # no reason typed: refused, nothing shown
    assert explorer.unmask.value is False
    assert words("zh")["needs_reason"] in explorer.warning.value
    assert not any(secret in explorer.detail.value for secret in raw)
    explorer.reason.value = "DSAR 2026-117: the customer asked who saw their data"
    explorer.unmask.value = True
    assert words("zh")["unmasked_warning"] in explorer.warning.value
    assert any(secret in explorer.detail.value for secret in raw)  # asked for, shown
    explorer.people.customer.value = "C000001"
    seen = access.views(explorer.store)
    assert set(seen["kind"]) >= {"findings table", "finding", "customer"}
    assert set(seen["run_id"]) == {"r1"} and set(seen["os_user"]) == {getpass.getuser()}
    assert set(seen["reason"]) == {explorer.reason.value}
    assert explorer.picker.value in set(seen["subject"])
    assert not any(secret in " ".join(seen["subject"]) for secret in raw)  # pseudonyms


def test_unmasking_without_a_store_is_refused(audit):
    explorer = Explorer(audit)
    explorer.reason.value = "checking"
    explorer.unmask.value = True
    assert explorer.unmask.value is False
    assert words("zh")["needs_store"] in explorer.warning.value


def test_an_actor_timeline_flags_the_accesses_in_findings(explorer, audit):
    events = explorer.session.actor_events("E9003", explorer.explored.flagged)
    assert len(events) and events["day"].between("2026-10-01", "2026-10-31").all()
    flagged = events[events["controls"] != ""]
    assert "U02" in ",".join(flagged["controls"])  # the bulk exports of 2026-10-16
    assert set(flagged[flagged["controls"].str.contains("U02")]["day"]) == {"2026-10-16"}
    explorer.people.actor.value = "E9003"
    header, chart, roles, table = explorer.people.actor_view.children
    assert f'<span class="pw-flagged">{len(flagged)}</span>' in header.value
    assert chart.value[:4] == b"\x89PNG" and "pw-roles" in roles.value
    assert not any(secret in table.value for secret in sample_identifiers())


def test_a_customer_trail_by_id_or_pseudonym(explorer, audit):
    customer = audit.loaded.con.execute(
        "SELECT customer_id FROM access_log WHERE customer_id IS NOT NULL "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
    trail = explore.customer_trail(audit, customer)
    assert len(trail) > 1 and set(trail.columns) >= {"actor_id", "purpose", "consent_id"}
    explorer.people.customer.value = audit.masker.pseudonym(customer)
    count, table = explorer.people.customer_view.children
    assert f">{len(trail)}<" in count.value
    assert customer not in table.value and audit.masker.pseudonym(customer) in table.value


def test_consent_in_the_trail_is_the_one_active_at_the_access(audit):
    rows = audit.loaded.con.execute("""
        SELECT a.customer_id FROM access_log a JOIN consents c USING (customer_id)
        WHERE c.withdrawn_at IS NOT NULL LIMIT 1""").fetchall()
    trail = explore.customer_trail(audit, rows[0][0])
    for event in trail.itertuples():
        active = audit.loaded.con.execute("""
            SELECT min(c.consent_id) FROM consents c JOIN access_log a
              ON a.customer_id = c.customer_id AND a.purpose = c.purpose
            WHERE a.event_id = $e AND c.granted_at <= a.ts
              AND (c.withdrawn_at IS NULL OR a.ts < c.withdrawn_at)""",
            {"e": event.event_id}).fetchone()[0]
        assert event.consent_id == (active or "")


def test_access_by_weekday_and_hour_counts_every_event_of_the_period(audit):
    table = audit.access_by_hour()
    assert table.shape == (7, 24)
    total = audit.loaded.con.execute(
        "SELECT count(*) FROM access_log WHERE ts >= $s AND ts < $e",
        {"s": audit.period.start, "e": audit.period.end}).fetchone()[0]
    assert int(table.to_numpy().sum()) == total


def test_a_data_folder_is_audited_only_when_named(tmp_path):
    with pytest.raises(UsageError, match="no finished run was found") as raised:
        opened.open_explored(here=tmp_path)
    assert str(tmp_path / "demo" / "runs") in raised.value.message
    explored = opened.open_explored(data=str(SAMPLE / "exports"), period="2026-10",
                                    here=tmp_path)
    assert explored.source.startswith("data folder") and explored.session.opened
    assert len(explored.findings) == 100 and explored.run_id is None
