"""A control's legal references as every output says them: the clause of the
operating rules (细则) and the PIPL articles, in the page's language.

A built-in control's header writes them tersely (`seed: 二(一)3`,
`pipl: Art. 13, 14`). A company's control may write anything there (its own
policy's words, another law); what does not read as a clause of the operating
rules or as PIPL articles is shown as written, without a label that would
misname it.
"""

from __future__ import annotations

import re

_NUMERALS = "一二三四五六七八九十"
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
# The principles of section 一 of the operating rules, as its English is said.
PRINCIPLES = {"合法性": "lawfulness", "最小必要": "minimum necessity",
              "透明性": "transparency", "安全性": "security", "责任": "accountability"}
_CLAUSE = re.compile(rf"([{_NUMERALS}])\(([{_NUMERALS}])\)(\d+(?:\s*[,，、]\s*\d+)*)")
_PRINCIPLE = re.compile(rf"([{_NUMERALS}])\s+({'|'.join(PRINCIPLES)})(?:原则)?")
_ARTICLES = re.compile(r"(?:Art(?:icle)?s?\.?|第)?\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*条?",
                       re.IGNORECASE)
_EMPTY = {"", "-", "—", "n/a", "none", "无"}


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def seed_text(seed: str, lang: str) -> str:
    """细则 二(一)3 / Operating rules II(1)3; a company's own words as written."""
    seed = seed.strip()
    if m := _CLAUSE.fullmatch(seed):
        section, part = _NUMERALS.index(m[1]), _NUMERALS.index(m[2])
        items = ("、" if lang == "zh" else ", ").join(_numbers(m[3]))
        if lang == "zh":
            return f"细则 {m[1]}({m[2]}){items}"
        return f"Operating rules {_ROMAN[section]}({part + 1}){items}"
    if m := _PRINCIPLE.fullmatch(seed):
        if lang == "zh":
            return f"细则 {m[1]}、{m[2]}原则"
        return f"Operating rules {_ROMAN[_NUMERALS.index(m[1])]}, {PRINCIPLES[m[2]]} principle"
    return seed


def pipl_text(pipl: str, lang: str) -> str:
    """个人信息保护法 第 13、14 条 / PIPL Art. 13, 14; other words as written."""
    pipl = pipl.strip()
    if m := _ARTICLES.fullmatch(pipl):
        numbers = _numbers(m[1])
        if lang == "zh":
            return f"个人信息保护法 第 {'、'.join(numbers)} 条"
        return f"PIPL Art. {', '.join(numbers)}"
    return pipl


def legal_text(seed: str, pipl: str, lang: str) -> str:
    """Both references, the empty ones left out."""
    parts = [text for text in (seed_text(seed, lang), pipl_text(pipl, lang))
             if text.strip().lower() not in _EMPTY]
    return ("；" if lang == "zh" else "; ").join(parts)
