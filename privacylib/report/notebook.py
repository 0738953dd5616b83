"""What the audit notebook shows, section by section. The notebook itself
holds only calls to these, so that its logic is tested here, not in cells.
"""

from __future__ import annotations

import json
from pathlib import Path

from IPython.display import HTML, Markdown, display

from privacylib.audit.run import Audit
from privacylib.controls.catalog import SEVERITY_ORDER
from privacylib.masking.leakguard import hand_over
from privacylib.report.charts import access_heatmap, findings_by_control, show
from privacylib.report.files import write_report_files
from privacylib.report.markup import html_text, md_text
from privacylib.vocab import Outcome, Status


def _show(template: str, **values: object) -> None:
    """Markdown from a template of ours with every value escaped: data and
    parameters (scope, paths, exception text) show as text, never as markup."""
    display(Markdown(template.format_map({k: md_text(v) for k, v in values.items()})))


def heading(audit: Audit, key: str, level: int = 2) -> None:
    _show("#" * level + " {text}", text=audit.words.get(key, key))


def show_header(audit: Audit) -> None:
    w, c = audit.words, audit.config
    _show("# {title}\n\n- {period}\n- {scope}\n- " + ("{masked}" if c.mask else "**{masked}**"),
          title=w["title"], period=f"{w['period']}: {audit.period.label} {audit.period.describe()}",
          scope=f"{w['scope']}: {c.scope or w['all']}",
          masked=w["masked"] if c.mask else w["unmasked"])


def show_quality(audit: Audit) -> None:
    heading(audit, "data_quality")
    display(audit.quality()[["dataset", "status", "rows_read", "rows_loaded", "rows_rejected",
                             "warnings", "error"]])


def show_overview(audit: Audit) -> None:
    heading(audit, "outcomes")
    display(audit.outcomes_by_family())
    display(audit.findings_by_severity())
    show(findings_by_control(audit.findings()))
    heat = audit.access_by_hour()
    if len(heat):
        show(access_heatmap(heat))


def _evidence_html(evidence: str) -> str:
    pretty = json.dumps(json.loads(evidence), ensure_ascii=False, indent=1)
    return f"<details><summary>…</summary><pre>{html_text(pretty)}</pre></details>"


def _status(w: dict[str, str], finding: object) -> str:
    """open, or excepted with who approved it until when; and new/still open."""
    text = w[finding.status]
    if finding.status == Status.EXCEPTED:
        text += (f" ({w['approved_by']}: {finding.exception_approved_by}, "
                 f"{w['expires_on']}: {finding.exception_expires_on})")
    return text + (f" · {w['h_' + finding.history]}" if finding.history else "")


def show_family(audit: Audit, family: str) -> None:
    """A family's controls: rule, outcome, and each finding with its evidence."""
    w = audit.words
    _show("## {family}", family=w[family])
    findings = audit.findings(family)
    for r in audit.result.results:
        if r.control.family != family:
            continue
        c = r.control
        _show("### {head}\n\n{rule}" + ("\n\n{reason}" if r.reason_en else ""),
              head=f"{c.id} {c.title(audit.config.lang)} — {w[r.outcome]}"
              f" ({w['severity']}: {w[c.severity]}, {w['checked']}: "
              f"{'—' if r.checked is None else r.checked}, {w['findings']}: {len(r.findings)})",
              rule=f"{w['rule']}: {c.rule(audit.config.lang)}",
              reason=audit.masker.value(None, r.reason(audit.config.lang)))
        rows = findings[findings["control_id"] == c.id]
        if len(rows):
            table = "".join(
                f"<tr><td>{html_text(f.subject_id)}</td><td>{html_text(f.reason)}</td>"
                f"<td>{html_text(_status(w, f))}</td>"
                f"<td>{_evidence_html(f.evidence)}</td></tr>" for f in rows.itertuples())
            head = "".join(f"<th>{html_text(w[k])}</th>"
                           for k in ("subject", "reason", "status", "evidence"))
            display(HTML(f"<table><tr>{head}</tr>{table}</table>"))
            _show("{text}", text=f"{w['remediation']}: {c.remediation(audit.config.lang)}")


def show_changes(audit: Audit) -> None:
    """New, still open and resolved findings since the store's previous run."""
    heading(audit, "changes")
    _show("{text}", text=audit.comparison())
    resolved = audit.resolved()
    if len(resolved):
        display(resolved)


def show_exceptions(audit: Audit) -> None:
    """Every exception with its state; excepted findings stay in every table."""
    if not audit.exceptions:
        return
    heading(audit, "exceptions")
    display(audit.exceptions_table()[["source", "control_id", "subject_id", "state", "findings",
                                      "requested_by", "approved_by", "expires_on", "problem"]])


def show_conclusion(audit: Audit) -> None:
    heading(audit, "summary")
    controls = audit.controls()
    counts = controls["outcome"].value_counts()
    w = audit.words
    _show("{text}", text=", ".join(f"{w[o]}: {int(counts.get(o, 0))}" for o in Outcome))
    failing = controls[controls["outcome"] == Outcome.FAIL].copy()
    failing["order"] = failing["severity"].map(SEVERITY_ORDER)
    display(failing.sort_values(["order", "control_id"])[
        ["control_id", "severity", "title", "findings"]])


def write_files(audit: Audit) -> None:
    """The report files, when the run has an output folder; and, for the
    runner's leak guard, the raw values they must not hold (masking/leakguard.py)."""
    if audit.config.out:
        write_report_files(audit, Path(audit.config.out))
        if audit.masker.enabled:
            hand_over(audit.loaded.con)
