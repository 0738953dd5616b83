"""The coverage table `privacy-audit validate` prints after the data quality:
which controls can run on the datasets given, and what to export for the rest."""

from __future__ import annotations

from privacylib.controls.coverage import Coverage, Readiness

LABELS = {
    "en": {Readiness.RUNS: "runs", Readiness.NO_ROWS: "no rows", Readiness.SKIPPED: "skipped",
           Readiness.ERROR: "error"},
    "zh": {Readiness.RUNS: "可运行", Readiness.NO_ROWS: "无数据", Readiness.SKIPPED: "跳过",
           Readiness.ERROR: "出错"},
}
# What the datasets named after a control are, per readiness.
WHY = {
    "en": {Readiness.NO_ROWS: "no row in", Readiness.SKIPPED: "needs",
           Readiness.ERROR: "fix"},
    "zh": {Readiness.NO_ROWS: "没有数据行：", Readiness.SKIPPED: "需要：",
           Readiness.ERROR: "需修复："},
}


def coverage_lines(cov: Coverage, lang: str) -> list[str]:
    """The table (one line per control) and the lists of what to export or fill in."""
    label, why = LABELS[lang], WHY[lang]
    counts = {r: len(cov.by(r)) for r in Readiness}
    total = len(cov.controls)
    if lang == "zh":
        lines = [f"覆盖：{total} 项控制中 {counts[Readiness.RUNS]} 项可运行 · "
                 f"{counts[Readiness.SKIPPED]} 项跳过 · {counts[Readiness.NO_ROWS]} 项无数据 · "
                 f"{counts[Readiness.ERROR]} 项出错"]
    else:
        lines = [f"coverage: {counts[Readiness.RUNS]} of {total} controls can run · "
                 f"{counts[Readiness.SKIPPED]} skipped · {counts[Readiness.NO_ROWS]} no rows · "
                 f"{counts[Readiness.ERROR]} error"]
    # Chinese labels are two columns a character wide on a terminal.
    wide = 2 if lang == "zh" else 1
    width = max(len(v) for v in label.values())
    for c in cov.controls:
        word = label[c.readiness]
        pad = " " * ((width - len(word)) * wide)
        line = f"  {c.control.id}  {word}{pad}  {c.control.title(lang)}"
        if c.blocking:
            sep = "、" if lang == "zh" else ", "
            line += f"  [{why[c.readiness]}{'' if lang == 'zh' else ' '}{sep.join(c.blocking)}]"
        lines.append(line)
    lines += _needs(cov, Readiness.SKIPPED, lang, {
        "en": "to run the skipped controls, export:", "zh": "要运行被跳过的控制，请导出："})
    lines += _needs(cov, Readiness.NO_ROWS, lang, {
        "en": "no row yet in (the controls that need them will find no data; fill them in, "
              "or remove the files you do not have):",
        "zh": "以下数据集还没有数据行（需要它们的控制将无数据可查；"
              "请填入数据，或删除没有的数据集文件）："})
    lines += _needs(cov, Readiness.ERROR, lang, {
        "en": "fix the datasets in error (see the errors above):",
        "zh": "请修复出错的数据集（见上方错误）："})
    return lines


def _needs(cov: Coverage, readiness: Readiness, lang: str, title: dict[str, str]) -> list[str]:
    needed = cov.needed(readiness)
    if not needed:
        return []
    if lang == "zh":
        items = "、".join(f"{name}（{len(ids)} 项）" for name, ids in needed)
    else:
        items = ", ".join(f"{name} ({len(ids)} control{'s' if len(ids) > 1 else ''})"
                          for name, ids in needed)
    return ["", f"{title[lang]} {items}" if lang == "en" else f"{title[lang]}{items}"]
