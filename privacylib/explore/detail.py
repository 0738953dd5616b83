"""One finding as the explorer's detail pane shows it, in the run's language:
its facts and reason sentence in words, the control's rule, the evidence as
labelled lines; the control's SQL and the raw evidence folded away for the
analyst who wants the codes. Also what was opened, as the page names it.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

from privacylib.explore.tables import STYLE, text
from privacylib.explore.words import column, value, words
from privacylib.report.words import evidence_pairs, sentence, subject_text
from privacylib.trail.manifest import MANIFEST

if TYPE_CHECKING:
    from privacylib.controls.catalog import Control
    from privacylib.explore.opened import Explored

FACTS = ("severity", "status", "history", "department", "system", "actor_id", "day")


def readable(row: dict[str, Any], lang: str, names: dict[str, str],
             policy: dict[str, Any]) -> dict[str, Any]:
    """A finding's fields as the list and the detail show them."""
    return {**{k: value(k, v, lang, names) for k, v in row.items()},
            "subject_id": subject_text(row.get("subject_id"), lang, names),
            "reason": sentence(text(row.get("reason")), lang, names, policy)}


def finding_html(row: dict[str, Any], control: Control | None, evidence: Any, problem: str,
                 lang: str, names: dict[str, str], policy: dict[str, Any]) -> str:
    said, w = readable(row, lang, names, policy), words(lang)
    title = control.title(lang) if control else text(row.get("title"))
    facts = " · ".join(f"{html.escape(column(name, lang))} "
                       f"<b>{html.escape(text(said.get(name)))}</b>"
                       for name in FACTS if text(row.get(name)))
    raw = json.dumps(evidence, ensure_ascii=False, indent=1, default=str)
    pairs = evidence_pairs(json.dumps(evidence, ensure_ascii=False, default=str), lang, names)
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                    for k, v in pairs)
    rule = (f"<p><b>{html.escape(w['rule'])}</b>: "
            f"{html.escape(sentence(control.rule(lang), lang, names, policy))}</p>"
            f"<details><summary>SQL</summary><pre>{html.escape(control.sql)}</pre>"
            "</details>") if control else ""
    return (f'{STYLE}<div class="pw-detail"><h4>{html.escape(row["control_id"])} '
            f"{html.escape(title)}</h4><p>{facts}</p>{problem}"
            f"<p>{html.escape(said['reason'])}</p>{rule}"
            f"<p><b>{html.escape(w['evidence'])}</b></p>"
            f'<table class="pw pw-evidence">{cells}</table>'
            f"<details><summary>{html.escape(w['raw_json'])}</summary>"
            f'<pre class="pw-raw">{html.escape(raw)}</pre></details></div>')


def run_policy(explored: Explored) -> dict[str, Any]:
    """The policy's numbers and lists of codes, for rules that name a setting
    (incident_notify_hours, ticketed_actions): from the run's manifest; none
    for a data folder explored without a run. Free text is left out: the
    report pages mask it, and the explorer has no masking before the data loads."""
    if explored.run_dir is None:
        return {}
    manifest = json.loads((explored.run_dir / MANIFEST).read_text(encoding="utf-8"))
    content = manifest.get("policy", {}).get("content", {})
    return {k: v for k, v in content.items()
            if (isinstance(v, int | float) and not isinstance(v, bool))
            or (isinstance(v, list) and all(isinstance(x, str) for x in v))}


def source_text(explored: Explored) -> str:
    """What was opened, as the page names it."""
    w = words(explored.result.run.lang)
    if explored.run_dir is not None:
        return w["run_folder"].format(path=explored.run_dir)
    return w["data_folder"].format(path=explored.session.source)
