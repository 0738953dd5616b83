"""The files of a report folder that are not the notebook: tables for
machines (CSV, Parquet), a workbook for auditors who live in Excel, and a
code-free summary page for managers. Everything personal is masked by the
Masker given (see masking.py); `--no-mask` output says so on every page.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .engine import AuditResult
from .frames import controls_frame, findings_frame
from .i18n import words
from .ingest import LoadResult
from .masking import Masker
from .outputs import quality_rows, write_quality

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
OUTCOME_COLOURS = {"pass": "C6EFCE", "fail": "FFC7CE", "skipped": "EDEDED", "error": "FFEB9C"}
TOP_FINDINGS = 20


def write_report_files(loaded: LoadResult, result: AuditResult, folder: Path, *,
                       lang: str, masker: Masker) -> None:
    """findings.csv/.parquet, controls.csv, data_quality.csv, rejects/,
    workbook.xlsx and summary.html, into `folder`."""
    controls = controls_frame(result, lang)
    findings = findings_frame(result, lang, masker)
    controls.drop(columns=["seconds"]).to_csv(folder / "controls.csv", index=False)
    findings.to_csv(folder / "findings.csv", index=False)
    findings.to_parquet(folder / "findings.parquet", index=False)
    write_quality(loaded, folder, masker)
    write_workbook(result, controls, findings, folder / "workbook.xlsx", lang)
    (folder / "summary.html").write_text(
        summary_html(loaded, result, controls, findings, lang, masker.enabled), encoding="utf-8")


def _sheet(book: Workbook, title: str, frame: pd.DataFrame, w: dict[str, str]) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append([w.get(c, c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="305496")
    for i, column in enumerate(frame.columns, start=1):
        longest = max([len(str(v)) for v in frame[column].head(200)] + [len(column)])
        sheet.column_dimensions[get_column_letter(i)].width = min(max(10, longest + 2), 80)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)


def write_workbook(result: AuditResult, controls: pd.DataFrame, findings: pd.DataFrame,
                   path: Path, lang: str) -> None:
    """A summary sheet, then one sheet per failing control with its findings."""
    w = words(lang)
    book = Workbook()
    book.remove(book.active)
    summary = controls.drop(columns=["seconds"])
    _sheet(book, w["summary"], summary, w)
    colour_column = list(summary.columns).index("outcome") + 1
    for row in book[w["summary"][:31]].iter_rows(min_row=2):
        cell = row[colour_column - 1]
        cell.fill = PatternFill("solid", fgColor=OUTCOME_COLOURS.get(str(cell.value), "FFFFFF"))
    for r in result.results:
        if r.outcome == "fail":
            rows = findings[findings["control_id"] == r.control.id]
            _sheet(book, f"{r.control.id} {r.control.slug}",
                   rows[["subject_id", "severity", "reason", "finding_key", "status",
                         "evidence"]], w)
    book.save(path)


def _table(headers: list[str], rows: list[list[object]], table_id: str,
           classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        f"<tr class=\"{html.escape(classes[i]) if classes else ''}\">"
        + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
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
tr.skipped { background: #f2f2f2; } tr.error { background: #fff6d5; }
.meta span { margin-right: 2em; } .warn { color: #b00; font-weight: bold; }
.counts span { display: inline-block; margin-right: 1.5em; font-size: 1.2em; }
"""


def summary_html(loaded: LoadResult, result: AuditResult, controls: pd.DataFrame,
                 findings: pd.DataFrame, lang: str, masked: bool) -> str:
    """The page for managers: outcomes, the gravest findings, data quality. No code."""
    w = words(lang)
    tz = loaded.policy.timezone
    period = (f"{_local(result.period.start, loaded)} – {_local(result.period.end, loaded)} "
              f"({tz})")
    counts = controls["outcome"].value_counts()
    outcome_rows = [[c.control_id, w[c.family], w[c.severity], c.title, w[c.outcome],
                     c.findings, c.reason] for c in controls.itertuples()]
    top = findings.assign(order=findings["severity"].map(SEVERITY_ORDER)).sort_values(
        ["order", "control_id", "subject_id"]).head(TOP_FINDINGS)
    top_rows = [[f.control_id, w[f.severity], f.subject_id, f.reason] for f in top.itertuples()]
    quality = [[q["dataset"], w.get(q["status"], q["status"]), q["rows_read"], q["rows_loaded"],
                q["rows_rejected"]] for q in quality_rows(loaded)]
    more = len(findings) - len(top)
    parts = [
        f"<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">",
        f"<title>{html.escape(w['title'])} {html.escape(result.period.label)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(w['title'])}</h1>",
        '<p class="meta">'
        f"<span>{w['period']}: {html.escape(period)}</span>"
        f"<span>{w['scope']}: {html.escape(str(result.scope) if result.scope else w['all'])}</span>"
        f"<span>{w['generated']}: {datetime.now().astimezone():%Y-%m-%d %H:%M %z}</span></p>",
        f"<p class=\"{'' if masked else 'warn'}\">{w['masked'] if masked else w['unmasked']}</p>",
        '<p class="counts">' + "".join(
            f"<span>{w[o]}: {int(counts.get(o, 0))}</span>"
            for o in ("fail", "pass", "skipped", "error")) + "</p>",
        f"<h2>{w['outcomes']}</h2>",
        _table([w["control"], w["family"], w["severity"], w["title_col"], w["outcome"],
                w["findings"],
                w["reason"]], outcome_rows, "outcomes", list(controls["outcome"])),
        f"<h2>{w['top_findings']}</h2>",
        _table([w["control"], w["severity"], w["subject"], w["reason"]], top_rows,
               "top-findings"),
        f"<p>{w['more_findings'].format(n=more)}</p>" if more > 0 else "",
        f"<h2>{w['data_quality']}</h2>",
        _table([w["dataset"], w["status"], w["rows_read"], w["rows_loaded"], w["rows_rejected"]],
               quality, "data-quality"),
        "</body></html>",
    ]
    return "\n".join(parts)


def _local(instant: datetime, loaded: LoadResult) -> str:
    found = loaded.con.execute("SELECT strftime(timezone($tz, $t), '%Y-%m-%d %H:%M')",
                               {"tz": loaded.policy.timezone, "t": instant}).fetchall()
    return found[0][0]
