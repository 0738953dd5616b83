"""summary.html: the code-free page for managers. The cover (period, scope,
run id, result seal, signer, masking, generated time in the policy's zone),
a headline by severity, the controls with their reasons and legal
references, the gravest findings with fix, owner, first seen and due date,
where large results are, what changed, accepted risks and data quality;
masked as the audit is, in the run's language only.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from privacylib.audit.digest import TOP_EXAMPLES, TOP_GROUPS, digest
from privacylib.audit.result import RunResult
from privacylib.audit.run import Audit
from privacylib.controls.catalog import SEVERITIES, SEVERITY_ORDER, Control
from privacylib.report import charts
from privacylib.report.facts import Cover, cover, pass_rate, remediation_days, seen_and_due
from privacylib.report.html import EMPTY, STYLE, link, table
from privacylib.report.i18n import words
from privacylib.report.markup import CSP_META, html_text
from privacylib.report.words import dataset_name, legal_refs, owner, sentence, subject_text
from privacylib.vocab import Outcome, Status

TOP_FINDINGS = 20
# A control with more findings than this gets its digest on the page.
LARGE = TOP_EXAMPLES
OUTCOME_ORDER = (Outcome.FAIL, Outcome.ERROR, Outcome.NO_DATA, Outcome.SKIPPED, Outcome.PASS)
REPORT = "report.html"


def anchor(control_id: str) -> str:
    """The id of a control's section in report.html (notebook.show_family writes it)."""
    return f"control-{control_id}"


def page_names(audit: Audit) -> dict[str, str]:
    """The data's own descriptions of its codes (purposes, categories)."""
    from privacylib.audit.names import code_names

    return code_names(audit)


def page_policy(audit: Audit) -> dict[str, Any]:
    """The policy's settings, for rules that name one; text masked as the page is."""
    values = audit.loaded.policy.as_dict()
    if not audit.masker.enabled:
        return values
    text = audit.masker.text
    # Lists too: a rule names `ticketed_actions`, and the page shows its values.
    return {k: text(v) if isinstance(v, str) else [text(x) if isinstance(x, str) else x
                                                   for x in v]
            if isinstance(v, list | tuple) else v for k, v in values.items()}


def summary_html(audit: Audit, result: RunResult, *, seal: str | None = None,
                 run_id: str | None = None, signer: str | None = None) -> str:
    """The page for managers. `seal`: the result seal (result.json's
    file_integrity), computed from the output folder when not given; run_id
    and signer: the runner's, when it hands them over."""
    w, lang = audit.words, audit.config.lang
    names, policy = page_names(audit), page_policy(audit)
    catalog = {r.control.id: r.control for r in audit.result.results}
    findings = audit.findings()
    facts = cover(audit, seal=seal, run_id=run_id, signer=signer)
    parts = [
        f'<!doctype html><html lang="{html_text(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">', CSP_META,
        f"<title>{html_text(w['title'])} {html_text(audit.period.label)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{html_text(w['title'])}</h1>",
        _cover(audit, result, facts),
        _headline(audit, result),
        _figures(audit, result, findings),
        f"<h2>{html_text(w['outcomes'])}</h2>",
        _controls(audit, result, catalog, names, policy),
        *_top(audit, findings, catalog, names, policy),
        *_large(audit, findings, names),
        *_changes(audit),
        *_exceptions(audit, names),
        f"<h2>{html_text(w['data_quality'])}</h2>",
        table([w["dataset"], w["status"], w["rows_read"], w["rows_loaded"], w["rows_rejected"],
               w["rows_filtered"]],
              [[dataset_name(q.dataset, lang), w.get(q.status, q.status), q.rows_read,
                q.rows_loaded, q.rows_rejected, q.rows_filtered] for q in result.quality],
              table_id="data-quality"),
        "</body></html>",
    ]
    return "\n".join(parts)


def _cover(audit: Audit, result: RunResult, facts: Cover) -> str:
    w, run = audit.words, result.run
    period = f"{run.period}: [{run.local_start}, {run.local_end}) {run.timezone}"
    rows = [(w["period"], html_text(period)),
            (w["scope"], html_text(audit.config.scope or w["all"])),
            (w["run_id"], html_text(facts.run_id or w["in_manifest"])),
            (w["seal"], f'<span class="seal" id="seal">{html_text(facts.seal or EMPTY)}</span>'
                        f' <span class="note">{html_text(w["seal_note"])}</span>'),
            (w["signer"], html_text(facts.signer or w["in_manifest"])),
            (w["generated"], html_text(facts.generated))]
    masked = audit.masker.enabled
    body = "".join(f"<dt>{html_text(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return (f'<dl class="cover">{body}</dl>'
            f"<p class=\"{'' if masked else 'warn'}\">"
            f"{html_text(w['masked'] if masked else w['unmasked'])}</p>")


def by_severity(counts: dict[str, int], lang: str) -> str:
    w = words(lang)
    sep = "、" if lang == "zh" else ", "
    return sep.join(w["sev_count"].format(sev=w[s], n=int(counts.get(s, 0))) for s in SEVERITIES)


def _headline(audit: Audit, result: RunResult) -> str:
    w, lang, v = audit.words, audit.config.lang, result.verdict
    colon = "：" if lang == "zh" else ": "
    failed = int(v.outcomes.get(Outcome.FAIL, 0))
    open_n = sum(int(n) for n in v.open_by_severity.values())
    others = ("、" if lang == "zh" else ", ").join(
        f"{w[o]} {int(v.outcomes.get(o, 0))}" for o in OUTCOME_ORDER[1:])
    items = [f"<b>{html_text(w['failed_headline'].format(n=failed))}</b>"
             + html_text(colon + by_severity(v.failed_by_severity, lang)),
             html_text(w["open_headline"].format(n=open_n) + colon
                       + by_severity(v.open_by_severity, lang)),
             html_text(others),
             html_text(w["pass_rate"].format(rate=pass_rate(result))),
             html_text(w["incomplete"].format(n=len(v.incomplete)) if v.incomplete
                       else w["complete"]),
             html_text(audit.comparison())]
    return ('<ul class="headline" id="headline">' + "".join(f"<li>{i}</li>" for i in items)
            + "</ul>")


def _figures(audit: Audit, result: RunResult, findings: pd.DataFrame) -> str:
    """Findings by control (gravest first) and accesses by hour with the off-hours band."""
    lang = audit.config.lang
    out = []
    if len(findings):
        out.append(charts.img_html(charts.findings_png(findings, lang),
                                   charts.findings_alt(findings, lang)))
    heat = result.access_frame()
    if len(heat):
        hours = audit.loaded.policy.business_hours
        out.append(charts.img_html(charts.heatmap_png(heat, lang, hours),
                                   charts.heatmap_alt(heat, lang, hours)))
    return "".join(out)


def _controls(audit: Audit, result: RunResult, catalog: dict[str, Control],
              names: dict[str, str], policy: dict[str, Any]) -> str:
    w, lang = audit.words, audit.config.lang
    ordered = sorted(result.controls, key=lambda c: (OUTCOME_ORDER.index(c.outcome),
                                                     SEVERITY_ORDER[c.severity], c.id))
    rows = []
    for c in ordered:
        control = catalog.get(c.id)
        # A failed control's reason is its rule; the others say why they concluded nothing.
        reason = c.reason or (control.rule(lang) if control else "")
        rows.append([link(f"{REPORT}#{anchor(c.id)}", c.id), c.title, w[c.family],
                     w[c.severity], w[c.outcome], EMPTY if c.checked is None else c.checked,
                     c.findings, sentence(reason, lang, names, policy),
                     legal_refs(control.seed, control.pipl, lang) if control else EMPTY])
    return table([w["control"], w["title_col"], w["family"], w["severity"], w["outcome"],
                  w["checked"], w["findings"], w["reason"], w["legal"]], rows,
                 table_id="outcomes", classes=[str(c.outcome) for c in ordered])


def _top(audit: Audit, findings: pd.DataFrame, catalog: dict[str, Control],
         names: dict[str, str], policy: dict[str, Any]) -> list[str]:
    w, lang = audit.words, audit.config.lang
    if not len(findings):
        return []
    # Open before excepted, gravest first, and within a severity a finding of
    # each control in turn: one control with hundreds of findings must not
    # hide the others. Shown grouped by control; the same findings give the same page.
    keys = ["excepted", "order", "control_id", "subject_id"]
    ranked = findings.assign(order=findings["severity"].map(SEVERITY_ORDER),
                             excepted=findings["status"] == Status.EXCEPTED).sort_values(
        keys, kind="stable")
    ranked["turn"] = ranked.groupby(["excepted", "control_id"]).cumcount()
    top = ranked.sort_values(["excepted", "order", "turn", "control_id"], kind="stable").head(
        TOP_FINDINGS).sort_values(keys, kind="stable")
    firsts, dues = seen_and_due(audit, top, policy)
    rows = [[link(f"{REPORT}#{anchor(f.control_id)}", f.control_id), w[f.severity],
             subject_text(f.subject_id, lang, names), sentence(f.reason, lang, names, policy),
             catalog[f.control_id].remediation(lang) if f.control_id in catalog else EMPTY,
             owner(f.department, f.system, lang), first, due, w[f.status]]
            for f, first, due in zip(top.itertuples(), firsts, dues, strict=True)]
    days = remediation_days(policy)
    due_note = (w["due_rule"].format(days=", ".join(f"{w[s]} {d}" for s, d in days.items()))
                if days else w["due_none"])
    more = len(findings) - len(top)
    notes = [w["owner_rule"], w["first_seen_rule"], due_note]
    return [f"<h2>{html_text(w['top_findings'])}</h2>",
            table([w["control"], w["severity"], w["subject"], w["reason"], w["remediation"],
                   w["owner"], w["first_seen"], w["due"], w["status"]], rows,
                  table_id="top-findings", classes=list(top["status"])),
            "".join(f'<p class="note">{html_text(n)}</p>' for n in notes),
            (f'<p id="more">{_more(w, more)}</p>' if more > 0 else "")]


def _more(w: dict[str, str], n: int) -> str:
    before, after = w["more_link"].split("{link}")
    return (html_text(before.format(n=n)) + link("findings.csv", "findings.csv").html
            + html_text(after))


def _large(audit: Audit, findings: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """Controls with many findings: counts by actor, system and day, for the
    reader who cannot scroll a hundred thousand rows."""
    w, lang = audit.words, audit.config.lang
    counts = findings["control_id"].value_counts() if len(findings) else pd.Series(dtype=int)
    out = []
    for control_id in [c for c in dict.fromkeys(findings["control_id"]) if counts[c] > LARGE]:
        d = digest(findings, control_id)
        out.append(f"<h3>{html_text(control_id)}</h3><p>" + html_text(w["digest_note"].format(
            id=control_id, total=d.total, top=TOP_GROUPS, file="findings.csv")) + "</p>")
        out.append(table([w["large"], w["value"], w["findings"]],
                         [[w["by_" + dim], value, n] for dim, groups in d.groups.items()
                          for value, n in groups], table_id=f"digest-{control_id}"))
        out.append(f"<p>{html_text(w['examples'].format(n=d.shown))}</p>")
        out.append(table([w["subject"], w["reason"]],
                         [[subject_text(f.subject_id, lang, names), sentence(f.reason, lang, names)]
                          for f in d.examples.itertuples()]))
    return [f"<h2>{html_text(w['large'])}</h2>", *out] if out else []


def _changes(audit: Audit) -> list[str]:
    w = audit.words
    rows = [[r.control_id, w[r.severity], r.subject_id] for r in audit.resolved().itertuples()]
    return [f"<h2>{html_text(w['changes'])}</h2>",
            f"<p id=\"changes\">{html_text(audit.comparison())}</p>",
            table([w["control"], w["severity"], w["subject"]], rows, table_id="resolved")
            if rows else ""]


def _exceptions(audit: Audit, names: dict[str, str]) -> list[str]:
    w, lang = audit.words, audit.config.lang
    frame = audit.exceptions_table()
    if not len(frame):
        return []
    rows = [[e.source, e.control_id, e.subject_id, w[e.state], e.findings, e.requested_by,
             e.approved_by, e.expires_on, sentence(e.reason, lang, names),
             sentence(e.problem, lang, names)] for e in frame.itertuples()]
    return [f"<h2>{html_text(w['exceptions'])}</h2>",
            table([w["source"], w["control"], w["subject"], w["state"], w["findings"],
                   w["requested_by"], w["approved_by"], w["expires_on"], w["reason"],
                   w["problem"]], rows, table_id="exceptions", classes=list(frame["state"]))]
