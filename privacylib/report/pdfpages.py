"""The pages of report.pdf as reportlab flowables: cover, headline, controls
table and findings summary (pdf.py sets them in a document). Every text is
the result's or the findings' own, masked as they are; `markup` escapes it."""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from privacylib.audit.digest import DIMENSIONS, digest
from privacylib.audit.result import ControlOutcome, RunResult
from privacylib.controls.catalog import SEVERITIES, SEVERITY_ORDER
from privacylib.report.legal import legal_text
from privacylib.report.words import sentence, subject_text
from privacylib.vocab import Outcome

CJK_FONT = "STSong-Light"
# Groups per dimension and examples per failing control: a summary; the full
# list is in findings.csv, and the page says so.
PDF_GROUPS, PDF_EXAMPLES = 5, 5
OUTCOME_ORDER = {o: n for n, o in enumerate(Outcome)}
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+")
_HEAD_FILL, _GRID = colors.HexColor("#DCE3EE"), colors.HexColor("#9AA5B5")
SEVERITY_FILL = {"critical": "#F4C7C3", "high": "#FCE1C4", "medium": "#FFF2C4", "low": "#E8F0E0"}
Styles = dict[str, Any]


def markup(text: object, styles: Styles) -> str:
    """Text for a Paragraph: escaped, and on English pages Chinese runs set in
    the CID font (Helvetica has no Chinese glyphs)."""
    safe = escape("" if text is None else str(text))
    if styles["lang"] == "zh":
        return safe
    return _CJK.sub(lambda m: f'<font name="{CJK_FONT}">{m[0]}</font>', safe)


def para(text: object, styles: Styles, style: str = "cell") -> Paragraph:
    return Paragraph(markup(text, styles), styles[style])


def ordered(result: RunResult) -> list[ControlOutcome]:
    """Failing controls first, gravest first, then by outcome and id: the reader reads down."""
    return sorted(result.controls, key=lambda c: (
        c.outcome != Outcome.FAIL, SEVERITY_ORDER.get(c.severity, len(SEVERITIES)),
        OUTCOME_ORDER[c.outcome], c.id))


def legal(control_id: str, styles: Styles) -> str:
    """The seed clause and PIPL articles a control enforces, in the page's language."""
    control = styles["catalog"].get(control_id)
    return legal_text(control.seed, control.pipl, styles["lang"]) if control else ""


def title(control: ControlOutcome, styles: Styles) -> str:
    """The catalog's title in the page's language (the result's is in the run's)."""
    found = styles["catalog"].get(control.id)
    return found.title(styles["lang"]) if found else control.title


def grid(rows: list[list[Any]], widths: list[float], styles: Styles, *,
         fills: list[tuple[int, int, str]] = ()) -> Table:
    """A table with a shaded header row repeated on each page; cells as Paragraphs.
    `fills`: (column, row, colour) of cells to shade."""
    cells = [[c if isinstance(c, Paragraph) else para(c, styles, "head" if r == 0 else "cell")
              for c in row] for r, row in enumerate(rows)]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), _HEAD_FILL),
        ("GRID", (0, 0), (-1, -1), 0.4, _GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *[("BACKGROUND", (c, r), (c, r), colors.HexColor(f)) for c, r, f in fills]]))
    return table


def cover(result: RunResult, w: dict[str, str], styles: Styles, seal: str,
          run_id: str | None, generated: str) -> list[Any]:
    r = result.run
    rows = [
        [w["period"], f"{r.period}: {r.local_start} – {r.local_end} ({w['time_zone']} "
                      f"{r.timezone}); UTC {r.bounds}"],
        [w["scope"], r.scope or w["all"]],
        *([[w["run_id"], run_id]] if run_id else []),
        [w["language"], w["lang_name"]],
        [w["masking"], w["masked"] if r.masked else w["unmasked"]],
        [w["seal"], seal],
        [w["generated"], f"{generated} ({r.timezone})"],
    ]
    table = grid([[w["pdf_for"], ""], *rows], [110, 405], styles)
    return [Spacer(1, 80), para(w["title"], styles, "title"),
            para(f"{w['summary']} · {r.period}", styles, "h2"), Spacer(1, 24), table,
            Spacer(1, 10), para(w["seal_note"], styles, "small"), PageBreak()]


def headline(result: RunResult, w: dict[str, str], styles: Styles) -> list[Any]:
    v = result.verdict
    outcomes = [o for o in Outcome]
    counts = [[w[str(o)] for o in outcomes] + [w["total"]],
              [v.outcomes.get(str(o), 0) for o in outcomes] + [len(result.controls)]]
    by = [[w[s] for s in SEVERITIES] + [w["total"]]]
    failed = [v.failed_by_severity.get(s, 0) for s in SEVERITIES]
    opened = [v.open_by_severity.get(s, 0) for s in SEVERITIES]
    story: list[Any] = [para(w["headline"], styles, "h1"), para(w["outcomes"], styles, "h2"),
                        grid(counts, [86] * 6, styles), para(w["failed_by"], styles, "h2"),
                        grid([*by, [*failed, sum(failed)]], [103] * 5, styles,
                             fills=[(n, 0, SEVERITY_FILL[s]) for n, s in enumerate(SEVERITIES)]),
                        para(w["open_by"], styles, "h2"),
                        grid([*by, [*opened, sum(opened)]], [103] * 5, styles)]
    if v.incomplete:
        story += [para(w["incomplete"], styles, "h2"),
                  *(para(f"• {line}", styles, "body") for line in v.incomplete)]
    c = result.comparison
    story += [para(w["changes"], styles, "h2"), para(
        w["compared_with"].format(run=c.previous_run, period=c.previous_period, new=c.new,
                                  open=c.recurring, resolved=len(c.resolved))
        if c.previous_run else w["no_previous"], styles, "body")]
    return story


def controls_table(controls: list[ControlOutcome], w: dict[str, str],
                   styles: Styles) -> list[Any]:
    rows: list[list[Any]] = [[w["control"], w["title_col"], w["severity"], w["outcome"],
                              w["checked"], w["findings"], w["legal"]]]
    fills = []
    for n, c in enumerate(controls, start=1):
        rows.append([c.id, title(c, styles), w.get(c.severity, c.severity), w[str(c.outcome)],
                     "" if c.checked is None else c.checked, c.findings,
                     legal(c.id, styles)])
        fills.append((2, n, SEVERITY_FILL.get(c.severity, "#FFFFFF")))
    return [PageBreak(), para(w["controls"], styles, "h1"),
            grid(rows, [40, 140, 48, 48, 46, 46, 147], styles, fills=fills)]


def findings_summary(controls: list[ControlOutcome], findings: pd.DataFrame, w: dict[str, str],
                     styles: Styles) -> list[Any]:
    story: list[Any] = [PageBreak(), para(w["findings_summary"], styles, "h1")]
    # Only the columns a digest reads, split by control once: a million
    # findings carry their evidence, and filtering every column per control
    # took seconds.
    wanted = [k for k in ("control_id", "subject_id", "finding_key", "reason", *DIMENSIONS)
              if k in findings]
    by_control = dict(iter(findings[wanted].groupby("control_id", sort=False, observed=True)))
    empty = findings[wanted].head(0)
    for c in controls:
        if c.outcome != Outcome.FAIL:
            continue
        d = digest(by_control.get(c.id, empty), c.id, top_groups=PDF_GROUPS,
                   top_examples=PDF_EXAMPLES)
        head = [para(f"{c.id} {title(c, styles)} · {w.get(c.severity, c.severity)} · "
                     f"{w['findings']} {c.findings}", styles, "h2")]
        colon, semi = ("：", "；") if styles["lang"] == "zh" else (": ", "; ")
        groups = [w[dim] + colon + ", ".join(f"{value} ({n})" for value, n in d.groups[dim])
                  for dim in DIMENSIONS if dim in d.groups]
        if groups:
            head.append(para(w["top_groups"] + colon + semi.join(groups), styles, "small"))
        rows: list[list[Any]] = [[w["subject"], w["reason"]]]
        lang, names = styles["lang"], styles["names"]
        rows += [[subject_text(e.subject_id, lang, names),
                  sentence(getattr(e, "reason", ""), lang, names)]
                 for e in d.examples.itertuples(index=False)]
        story.append(KeepTogether([*head, grid(rows, [150, 365], styles)]))
        if not d.complete or d.total != c.findings:
            story.append(para(w["more_in"].format(total=c.findings, shown=d.shown), styles,
                              "small"))
    return story
