"""What the audit notebook shows, section by section. The notebook itself
holds only calls to these, so that its logic is tested here, not in cells.

Every section speaks the run's language only: tables are built by
report/html.py with translated headers, values as words (report/words.py),
severities gravest first, evidence as `label: value` lines. A control's
heading carries the anchor summary.html links to (summary.anchor).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

from privacylib.audit.digest import TOP_GROUPS, digest
from privacylib.audit.result import local_text
from privacylib.audit.run import Audit
from privacylib.controls.catalog import FAMILIES, SEVERITIES, SEVERITY_ORDER
from privacylib.masking.leakguard import hand_over
from privacylib.report import charts
from privacylib.report.facts import cover
from privacylib.report.files import write_report_files
from privacylib.report.html import EMPTY, lines, table
from privacylib.report.markup import html_text
from privacylib.report.summary import (
    OUTCOME_ORDER,
    anchor,
    by_severity,
    page_names,
    page_policy,
)
from privacylib.report.words import (
    dataset_name,
    evidence_pairs,
    legal_refs,
    sentence,
    subject_text,
)
from privacylib.vocab import Outcome, Status

# A control with more findings than this shows its digest and the first ones.
NOTEBOOK_ROWS = 50


def _html(text: str) -> None:
    display(HTML(text))


def heading(audit: Audit, key: str, level: int = 2) -> None:
    _html(f"<h{level}>{html_text(audit.words.get(key, key))}</h{level}>")


def show_header(audit: Audit, *, run_id: str | None = None, signer: str | None = None) -> None:
    """The cover: title, period in local time, scope, masking, the run id and
    signer (the runner's), the result seal (when the files are written
    already) and the generated time."""
    w, tz, p = audit.words, audit.loaded.policy.timezone, audit.period
    facts = cover(audit, seal=None, run_id=run_id, signer=signer)
    period = f"{p.label}: [{local_text(p.start, tz)}, {local_text(p.end, tz)}) {tz}"
    rows = [(w["period"], period),
            (w["scope"], audit.config.scope or w["all"]),
            *([(w["run_id"], facts.run_id)] if facts.run_id else []),
            (w["seal"], f"{facts.seal or EMPTY} ({w['seal_note']})"),
            *([(w["signer"], facts.signer)] if facts.signer else []),
            (w["generated"], facts.generated)]
    masked = audit.masker.enabled
    _html(f"<h1>{html_text(w['title'])}</h1><dl>"
          + "".join(f"<dt><b>{html_text(k)}</b></dt><dd>{html_text(v)}</dd>" for k, v in rows)
          + f"</dl><p>{'' if masked else '<b>'}"
          f"{html_text(w['masked'] if masked else w['unmasked'])}{'' if masked else '</b>'}</p>")


def show_quality(audit: Audit) -> None:
    w, lang = audit.words, audit.config.lang
    heading(audit, "data_quality")
    q = audit.quality()
    _html(table([w["dataset"], w["status"], w["rows_read"], w["rows_loaded"],
                 w["rows_rejected"], w["rows_filtered"], w["warnings"], w["error_col"]],
                [[dataset_name(r.dataset, lang), w.get(r.status, r.status), r.rows_read,
                  r.rows_loaded, r.rows_rejected, r.rows_filtered,
                  sentence(r.warnings, lang) or EMPTY, sentence(r.error, lang) or EMPTY]
                 for r in q.itertuples()], table_id="data-quality"))


def show_overview(audit: Audit) -> None:
    """The headline by severity, outcomes per family, findings per family and
    severity, and the charts."""
    w, lang = audit.words, audit.config.lang
    heading(audit, "outcomes")
    v = audit.verdict()
    colon = "：" if lang == "zh" else ": "
    failed = int(v.outcomes.get(Outcome.FAIL, 0))
    open_n = sum(int(n) for n in v.open_by_severity.values())
    _html(f"<p><b>{html_text(w['failed_headline'].format(n=failed))}</b>"
          f"{html_text(colon + by_severity(v.failed_by_severity, lang))}<br>"
          f"{html_text(w['open_headline'].format(n=open_n) + colon)}"
          f"{html_text(by_severity(v.open_by_severity, lang))}</p>")
    controls = audit.controls()
    per = pd.crosstab(controls["family"], controls["outcome"])
    _html(table([w["family"], *(w[o] for o in OUTCOME_ORDER)],
                [[w[f], *(int(per.at[f, o]) if o in per.columns else 0 for o in OUTCOME_ORDER)]
                 for f in FAMILIES if f in per.index], table_id="outcomes-by-family"))
    findings = audit.findings()
    if len(findings):
        sev = pd.crosstab(findings["family"], findings["severity"])
        _html(table([w["family"], *(w[s] for s in SEVERITIES)],
                    [[w[f], *(int(sev.at[f, s]) if s in sev.columns else 0 for s in SEVERITIES)]
                     for f in FAMILIES if f in sev.index], table_id="findings-by-severity"))
        charts.show_with_alt(charts.findings_png(findings, lang),
                             charts.findings_alt(findings, lang))
    heat = audit.access_by_hour()
    if len(heat):
        hours = audit.loaded.policy.business_hours
        charts.show_with_alt(charts.heatmap_png(heat, lang, hours),
                             charts.heatmap_alt(heat, lang, hours))


def _status(w: dict[str, str], finding: object) -> str:
    """open, or excepted with who approved it until when; and new/still open."""
    text = w[finding.status]
    if finding.status == Status.EXCEPTED:
        text += (f" ({w['approved_by']}: {finding.exception_approved_by}, "
                 f"{w['expires_on']}: {finding.exception_expires_on})")
    return text + (f" · {w['h_' + finding.history]}" if finding.history else "")


def findings_table(audit: Audit, rows: pd.DataFrame, names: dict[str, str],
                   policy: dict[str, object]) -> str:
    w, lang = audit.words, audit.config.lang
    return table([w["subject"], w["reason"], w["status"], w["evidence"]],
                 [[subject_text(f.subject_id, lang, names), sentence(f.reason, lang, names, policy),
                   _status(w, f),
                   lines(evidence_pairs(f.evidence, lang, names))] for f in rows.itertuples()],
                 classes=[str(s) for s in rows["status"]])


def control_findings(audit: Audit, control_id: str, rows: pd.DataFrame,
                     names: dict[str, str], policy: dict[str, object]) -> str:
    """A control's findings: all of them, or for a large result its digest
    and the first ones, with where the rest are."""
    w = audit.words
    if len(rows) <= NOTEBOOK_ROWS:
        return findings_table(audit, rows, names, policy)
    d = digest(rows, control_id)
    note = w["digest_note"].format(id=control_id, total=d.total, top=TOP_GROUPS,
                                   file="findings.csv")
    groups = table([w["large"], w["value"], w["findings"]],
                   [[w["by_" + dim], value, n] for dim, g in d.groups.items() for value, n in g])
    return (f"<p>{html_text(note)}</p>{groups}<p>{html_text(w['examples'].format(n=d.shown))}"
            f"</p>{findings_table(audit, d.examples, names, policy)}")


def show_family(audit: Audit, family: str) -> None:
    """A family's controls: rule, legal references, outcome, remediation, and
    its findings with their evidence."""
    w, lang = audit.words, audit.config.lang
    names, policy = page_names(audit), page_policy(audit)
    heading(audit, family)
    findings = audit.findings(family)
    for r in audit.result.results:
        if r.control.family != family:
            continue
        c = r.control
        facts = [(w["outcome"], w[r.outcome]), (w["severity"], w[c.severity]),
                 (w["checked"], EMPTY if r.checked is None else r.checked),
                 (w["findings"], len(r.findings)), (w["legal"], legal_refs(c.seed, c.pipl, lang)),
                 (w["section_rule"], sentence(c.rule(lang), lang, names, policy))]
        if r.reason_en:
            facts.append((w["reason"], sentence(audit.masker.value(None, r.reason(lang)), lang,
                                                names, policy)))
        if r.outcome == Outcome.FAIL:
            facts.append((w["remediation"], c.remediation(lang)))
        rows = findings[findings["control_id"] == c.id]
        _html(f'<h3 id="{anchor(c.id)}">{html_text(c.id)} {html_text(c.title(lang))}</h3>'
              + lines(facts).html
              + (control_findings(audit, c.id, rows, names, policy) if len(rows) else ""))


def show_changes(audit: Audit) -> None:
    """New, still open and resolved findings since the store's previous run."""
    w = audit.words
    heading(audit, "changes")
    _html(f"<p>{html_text(audit.comparison())}</p>")
    resolved = audit.resolved()
    if len(resolved):
        _html(table([w["control"], w["severity"], w["subject"]],
                    [[r.control_id, w[r.severity], r.subject_id] for r in resolved.itertuples()],
                    table_id="resolved"))


def show_exceptions(audit: Audit) -> None:
    """Every exception with its state; excepted findings stay in every table."""
    if not audit.exceptions:
        return
    w, lang = audit.words, audit.config.lang
    heading(audit, "exceptions")
    frame = audit.exceptions_table()
    _html(table([w["source"], w["control"], w["subject"], w["state"], w["findings"],
                 w["requested_by"], w["approved_by"], w["expires_on"], w["problem"]],
                [[e.source, e.control_id, e.subject_id, w[e.state], e.findings, e.requested_by,
                  e.approved_by, e.expires_on, sentence(e.problem, lang) or EMPTY]
                 for e in frame.itertuples()], table_id="exceptions",
                classes=list(frame["state"])))


def show_conclusion(audit: Audit) -> None:
    w, lang = audit.words, audit.config.lang
    heading(audit, "summary")
    counts = audit.controls()["outcome"].value_counts()
    sep = "、" if lang == "zh" else ", "
    _html(f"<p>{html_text(sep.join(f'{w[o]} {int(counts.get(o, 0))}' for o in Outcome))}</p>")
    failing = [r for r in audit.result.results if r.outcome == Outcome.FAIL]
    failing.sort(key=lambda r: (SEVERITY_ORDER[r.control.severity], r.control.id))
    _html(f"<h3>{html_text(w['failing_controls'])}</h3>"
          + table([w["control"], w["severity"], w["title_col"], w["findings"]],
                  [[r.control.id, w[r.control.severity], r.control.title(lang), len(r.findings)]
                   for r in failing], table_id="failing"))


def write_files(audit: Audit, *, run_id: str | None = None,
                signer: str | None = None) -> None:
    """The report files, when the run has an output folder; and, for the
    runner's leak guard, the raw values they must not hold (masking/leakguard.py).
    Called before the sections, so that the header can show the result seal.
    run_id and signer: the runner's, shown on the covers."""
    if audit.config.out:
        write_report_files(audit, Path(audit.config.out), run_id=run_id, signer=signer)
        if audit.masker.enabled:
            hand_over(audit.loaded.con)
