"""report.pdf: the run as a regulator files it (cover, headline, controls,
findings summary), in one language, from result.json and the findings.

The renderer is reportlab, pure Python from PyPI with no system library: the
PDF is made offline, on any machine, in well under a second for the sample.
Chinese is set in the PDF standard CID font STSong-Light (Adobe-GB1, Unicode
code points via the UniGB-UCS2-H CMap): no font file ships or must be
installed to write it; readers draw it with their Chinese font (Acrobat's
Asian font pack, the system's Song or Hei elsewhere). English pages use
Helvetica and switch to STSong-Light for runs of Chinese (a seed clause, a
Chinese name in a reason).

The cover carries the result seal: result.json's SHA-256 as `integrity()`
writes it. The manifest lists result.json with the same hash, and
`privacy-audit verify` prints the seal, so a reader holding only the PDF can
tell which signed run it belongs to.

`pdf_lines(path)` reads the text of any PDF back (PDFium, as Chrome's viewer
reads it) for the leak guard, which must see what a reader sees: page
streams are compressed and Chinese is two-byte codes, so reading the file's
bytes as text would find nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from privacylib.audit.result import RESULT, RunResult, file_integrity, integrity
from privacylib.controls.catalog import Control, load_catalog
from privacylib.errors import PrivacyLibError
from privacylib.masking.leakguard.documents import pdf_lines
from privacylib.report.i18n import words
from privacylib.report.pdfpages import (
    CJK_FONT,
    controls_table,
    cover,
    findings_summary,
    headline,
    ordered,
)

PDF = "report.pdf"
LATIN_FONT, LATIN_BOLD = "Helvetica", "Helvetica-Bold"

# Words the shared dictionary (report/i18n.py) does not have yet.
EXTRA: dict[str, dict[str, str]] = {
    "zh": {"pdf_for": "监管报送版", "run_id": "运行编号", "language": "语言",
           "lang_name": "中文", "masking": "脱敏", "seal": "结果封印",
           "seal_note": "结果封印为 result.json 的 SHA-256；privacy-audit verify 运行目录 "
                        "会显示同一印记，并核对签名清单中的该文件哈希。",
           "time_zone": "时区", "headline": "审计结论", "failed_by": "未通过控制（按严重程度）",
           "open_by": "待整改发现（按严重程度）", "incomplete": "审计不完整",
           "controls": "控制结果", "legal": "依据", "findings_summary": "发现摘要",
           "top_groups": "主要分布", "examples": "示例", "actor_id": "操作人",
           "system": "系统", "day": "日期", "page": "第 {n} 页",
           "more_in": "共 {total} 项，此处列出 {shown} 项；完整列表见 findings.csv",
           "total": "合计"},
    "en": {"pdf_for": "Regulatory filing", "run_id": "Run id", "language": "Language",
           "lang_name": "English", "masking": "Masking", "seal": "Result seal",
           "seal_note": "The result seal is the SHA-256 of result.json; `privacy-audit verify "
                        "RUN_DIR` prints the same seal and checks it against the signed "
                        "manifest.",
           "time_zone": "time zone", "headline": "Headline",
           "failed_by": "Failed controls by severity",
           "open_by": "Open findings by severity", "incomplete": "The audit is incomplete",
           "controls": "Controls", "legal": "Legal references",
           "findings_summary": "Findings summary", "top_groups": "Largest groups",
           "examples": "Examples", "actor_id": "Actor", "system": "System", "day": "Day",
           "page": "Page {n}",
           "more_in": "{total} in all, {shown} shown; the full list is in findings.csv",
           "total": "Total"},
}


def result_seal(result: RunResult, folder: Path) -> str:
    """The seal of `result`: result.json's integrity. When result.json is
    already written it must be this result, or the cover would name another."""
    seal = integrity(hashlib.sha256(result.to_json().encode("utf-8")).hexdigest())
    path = folder / RESULT
    if path.is_file() and file_integrity(path) != seal:
        raise PrivacyLibError(f"{path} is not the result report.pdf is written from",
                              hint="write report.pdf from the result.json of the same run")
    return seal


def write_pdf(result: RunResult, findings: pd.DataFrame, folder: Path, lang: str,
              *, run_id: str | None = None, catalog: Iterable[Control] | None = None,
              ) -> Path:
    """folder/report.pdf from the run's result and its findings, masked as
    `findings` is (the caller passes the masked frame). `catalog`: the
    controls run, when the company added its own (the built-in ones if None)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    w = {**words(lang), **EXTRA[lang]}
    seal = result_seal(result, folder)
    _register_fonts()
    path = folder / PDF
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=40, rightMargin=40, topMargin=44, bottomMargin=44,
        title=w["title"], subject=f"{w['seal']}: {seal}", creator="privacy-workbook",
        lang="zh-CN" if lang == "zh" else "en", invariant=1)
    styles = {**_styles(lang),
              "catalog": {c.id: c for c in (load_catalog() if catalog is None else catalog)},
              # The data's words for its codes: reasons read 人脸识别, not face_verification.
              "names": result.names()}

    def footer(canvas, _doc) -> None:
        canvas.saveState()
        canvas.setFont(CJK_FONT if lang == "zh" else LATIN_FONT, 7.5)
        canvas.setFillGray(0.35)
        canvas.drawString(40, 26, f"{w['title']} · {result.run.period} · {seal}")
        canvas.drawRightString(A4[0] - 40, 26, w["page"].format(n=canvas.getPageNumber()))
        canvas.restoreState()

    story = [*cover(result, w, styles, seal, run_id, generated(result.run.timezone)),
             *headline(result, w, styles), *controls_table(ordered(result), w, styles),
             *findings_summary(ordered(result), findings, w, styles)]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return path


def generated(tz: str) -> str:
    """Now, in the policy's time zone, as the cover says it."""
    return datetime.now(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %z")


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _styles(lang: str) -> dict[str, object]:
    from reportlab.lib.styles import ParagraphStyle

    body = CJK_FONT if lang == "zh" else LATIN_FONT
    bold = CJK_FONT if lang == "zh" else LATIN_BOLD
    # Chinese breaks between any two characters; English at spaces.
    wrap = "CJK" if lang == "zh" else None
    base = ParagraphStyle("body", fontName=body, fontSize=9, leading=12.5, wordWrap=wrap)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5),
        "head": ParagraphStyle("head", parent=base, fontName=bold, fontSize=7.5, leading=9.5),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=22, leading=30,
                                spaceAfter=6),
        "h1": ParagraphStyle("h1", parent=base, fontName=bold, fontSize=14, leading=20,
                             spaceBefore=6, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontName=bold, fontSize=10.5, leading=14,
                             spaceBefore=8, spaceAfter=3),
        "lang": lang,
    }


def pdf_text(path: str | Path) -> str:
    """All of a PDF's text, a line per line, pages in order."""
    return "\n".join(line for _, _, line in pdf_lines(path))
