"""summary.html: the code-free page for managers. Outcomes, the gravest
findings, what changed since the previous run, accepted risks and data
quality; masked as the audit is.
"""

from __future__ import annotations

import base64
from datetime import datetime

import pandas as pd

from privacylib.audit.result import RunResult
from privacylib.audit.run import Audit
from privacylib.controls.catalog import SEVERITY_ORDER
from privacylib.report import charts
from privacylib.report.markup import CSP_META, html_text
from privacylib.vocab import Outcome

TOP_FINDINGS = 20


def _table(headers: list[str], rows: list[list[object]], table_id: str,
           classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{html_text(h)}</th>" for h in headers)
    body = "".join(
        f"<tr class=\"{html_text(classes[i]) if classes else ''}\">"
        + "".join(f"<td>{html_text(v)}</td>" for v in row) + "</tr>"
        for i, row in enumerate(rows))
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


STYLE = """
body { font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
       margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #305496; color: white; }
tr.pass { background: #eaf7ea; } tr.fail { background: #fdecea; }
tr.skipped, tr.no_data { background: #f2f2f2; } tr.error { background: #fff6d5; }
tr.excepted, tr.valid { background: #eef3fb; } tr.expired, tr.invalid { background: #fff6d5; }
.meta span { margin-right: 2em; } .warn { color: #b00; font-weight: bold; }
img.chart { max-width: 100%; display: block; margin: 1em 0; }
.counts span { display: inline-block; margin-right: 1.5em; font-size: 1.2em; }
"""


def summary_html(audit: Audit, result: RunResult) -> str:
    """The page for managers: outcomes, the gravest findings, changes, accepted
    risks, data quality. No code, and no query: what the run was comes from
    its result."""
    w, lang = audit.words, audit.config.lang
    findings = audit.findings()
    run = result.run
    # Half-open, as the controls read it: the end instant is not in the period.
    period = f"[{run.local_start}, {run.local_end}) {run.timezone}"
    counts = result.verdict.outcomes
    outcome_rows = [[c.id, w[c.family], w[c.severity], c.title, w[c.outcome],
                     "—" if c.checked is None else c.checked, c.findings, c.reason]
                    for c in result.controls]
    top = findings.assign(order=findings["severity"].map(SEVERITY_ORDER)).sort_values(
        ["order", "control_id", "subject_id"]).head(TOP_FINDINGS)
    top_rows = [[f.control_id, w[f.severity], f.subject_id, f.reason, w[f.status],
                 w.get("h_" + f.history, "")] for f in top.itertuples()]
    quality = [[q.dataset, w.get(q.status, q.status), q.rows_read, q.rows_loaded,
                q.rows_rejected] for q in result.quality]
    more = len(findings) - len(top)
    masked = audit.masker.enabled
    scope = audit.config.scope or w["all"]
    parts = [
        f"<!doctype html><html lang=\"{html_text(lang)}\"><head><meta charset=\"utf-8\">",
        CSP_META,
        f"<title>{html_text(w['title'])} {html_text(audit.period.label)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{html_text(w['title'])}</h1>",
        '<p class="meta">'
        f"<span>{html_text(w['period'])}: {html_text(period)}</span>"
        f"<span>{html_text(w['scope'])}: {html_text(scope)}</span>"
        f"<span>{html_text(w['generated'])}: "
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %z}</span></p>",
        f"<p class=\"{'' if masked else 'warn'}\">"
        f"{html_text(w['masked'] if masked else w['unmasked'])}</p>",
        '<p class="counts">' + "".join(
            f"<span>{html_text(w[o])}: {int(counts.get(o, 0))}</span>"
            for o in Outcome) + "</p>",
        f"<h2>{html_text(w['outcomes'])}</h2>",
        _table([w["control"], w["family"], w["severity"], w["title_col"], w["outcome"],
                w["checked"], w["findings"], w["reason"]], outcome_rows, "outcomes",
               [str(c.outcome) for c in result.controls]),
        _figures(result, findings),
        f"<h2>{html_text(w['top_findings'])}</h2>",
        _table([w["control"], w["severity"], w["subject"], w["reason"], w["status"],
                w["history"]], top_rows, "top-findings", list(top["status"])),
        f"<p>{html_text(w['more_findings'].format(n=more))}</p>" if more > 0 else "",
        *_changes(audit),
        *_exceptions(audit),
        f"<h2>{html_text(w['data_quality'])}</h2>",
        _table([w["dataset"], w["status"], w["rows_read"], w["rows_loaded"], w["rows_rejected"]],
               quality, "data-quality"),
        "</body></html>",
    ]
    return "\n".join(parts)


def _figures(result: RunResult, findings: pd.DataFrame) -> str:
    """The explorer's charts, static: findings by control, access by hour."""
    figures = [charts.findings_by_control(findings)]
    heat = result.access_frame()
    if len(heat):
        figures.append(charts.access_heatmap(heat))
    return "".join(f'<img class="chart" alt="chart" src="data:image/png;base64,'
                   f'{base64.b64encode(charts.png(f)).decode()}">' for f in figures)


def _changes(audit: Audit) -> list[str]:
    w = audit.words
    rows = [[r.control_id, w[r.severity], r.subject_id, r.finding_key]
            for r in audit.resolved().itertuples()]
    return [f"<h2>{html_text(w['changes'])}</h2>",
            f"<p id=\"changes\">{html_text(audit.comparison())}</p>",
            _table([w["control"], w["severity"], w["subject"], w["finding_key"]], rows,
                   "resolved") if rows else ""]


def _exceptions(audit: Audit) -> list[str]:
    w = audit.words
    table = audit.exceptions_table()
    if not len(table):
        return []
    rows = [[e.source, e.control_id, e.subject_id, w[e.state], e.findings, e.requested_by,
             e.approved_by, e.expires_on, e.reason, e.problem]
            for e in table.itertuples()]
    return [f"<h2>{html_text(w['exceptions'])}</h2>",
            _table([w["source"], w["control"], w["subject"], w["state"], w["findings"],
                    w["requested_by"], w["approved_by"], w["expires_on"], w["reason"],
                    w["problem"]], rows, "exceptions", list(table["state"]))]

