"""`%%sql`: the analyst's own question in a notebook cell, masked as `audit.sql` masks it.

    %load_ext privacylib.audit.magic

    %%sql
    SELECT actor_id, count(*) AS reads FROM access_log
    WHERE customer_id = {customer} AND ts >= $since GROUP BY ALL

The cell runs through the audit found in the notebook's namespace (`audit`,
or `%%sql --audit NAME`; NAME may be the explorer's `explored` run, whose
data is then loaded once): one read-only SELECT over a snapshot of its data,
every cell masked (audit/adhoc.py). `{name}` and `$name` take the value of
the notebook variable `name`, bound as a parameter, never pasted into the
text (a quote in a value cannot end the string); inside a literal ('…',
E'…', $$…$$, $tag$…$tag$), a quoted name or a comment they are text. `:name`
is no parameter here: `::` casts and `:` separates a struct's fields. `%%sql --unmasked --reason
"…"` shows identifiers, and the view is recorded in the audit store.

Why a magic of our own and not JupySQL, the ecosystem's usual `%%sql`:
JupySQL connects to a database (here the audit's DuckDB connection) and
returns its rows as they are. It would bypass the masking, the statement
check and the read-only snapshot, which are the point; its own parameters
are pasted into the text (Jinja-style `{{name}}`) rather than bound. This
magic keeps its cell syntax close to it (`%%sql` then the query) and its
results are the same DataFrames `audit.sql` returns.
"""

from __future__ import annotations

import argparse
import re
import shlex
from typing import Any

import pandas as pd

from privacylib.errors import UsageError

# DuckDB's literals, quoted names and comments are matched first and left
# alone: a `{x}` or `$x` in them is not a parameter. An unterminated one runs
# to the end (DuckDB then says the SQL is invalid). A `$` inside a name
# (price$usd) starts neither a parameter nor a dollar-quoted text.
_TOKENS = re.compile(
    r"""(?<![\w$])[Ee]'(?:[^'\\]|\\.|'')*(?:'|\Z)"""  # E'it\'s': a backslash escapes
    r"""|'(?:[^']|'')*(?:'|\Z)|"(?:[^"]|"")*(?:"|\Z)"""  # 'it''s', "a name"
    r"""|(?<![\w$])\$(?P<tag>(?:[A-Za-z_]\w*)?)\$.*?(?:\$(?P=tag)\$|\Z)"""  # $$…$$, $t$…$t$
    r"""|--[^\n]*|/\*.*?(?:\*/|\Z)"""
    r"""|\{(?P<brace>[A-Za-z_]\w*)\}|(?<![\w$])\$(?P<dollar>[A-Za-z_]\w*)""", re.S)


def parameters(cell: str) -> tuple[str, list[str]]:
    """(the query with each `{name}` written `$name`, the names it binds, in order)."""
    names: list[str] = []

    def bind(match: re.Match[str]) -> str:
        name = match["brace"] or match["dollar"]
        if name is None:
            return match[0]
        names.append(name)
        return "$" + name

    return _TOKENS.sub(bind, cell), list(dict.fromkeys(names))


def _options(line: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="%%sql", add_help=False, exit_on_error=False)
    parser.add_argument("--audit", default="audit")
    parser.add_argument("--unmasked", action="store_true")
    parser.add_argument("--reason", default="")
    try:
        options, extra = parser.parse_known_args(shlex.split(line))
    except (argparse.ArgumentError, ValueError) as exc:
        raise UsageError(f"%%sql {line}: {exc}",
                         hint='%%sql [--audit NAME] [--unmasked --reason "why"]') from None
    if extra:
        raise UsageError(f"%%sql does not know {' '.join(extra)}",
                         hint='%%sql [--audit NAME] [--unmasked --reason "why"]')
    return options


def run_cell(line: str, cell: str, namespace: dict[str, Any]) -> pd.DataFrame:
    """The `%%sql` cell's result, through the audit named in `namespace`."""
    from privacylib.audit.run import Audit
    from privacylib.explore.opened import Explored

    options = _options(line)
    audit = namespace.get(options.audit)
    if isinstance(audit, Explored):  # a finished run: its data is loaded now, once
        audit = audit.session.audit
    if not isinstance(audit, Audit):
        raise UsageError(f"%%sql needs an audit or an explored run: '{options.audit}' is "
                         f"{'not defined' if audit is None else type(audit).__name__}",
                         hint="audit = run_audit(config) first, or %%sql --audit NAME")
    query, names = parameters(cell)
    missing = [n for n in names if n not in namespace]
    if missing:
        raise UsageError(f"%%sql binds {', '.join(missing)}, which the notebook does not define",
                         hint="set the variable(s) in a cell above")
    return audit.sql(query, {n: namespace[n] for n in names} or None,
                     unmasked=options.unmasked, reason=options.reason)


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext privacylib.audit.magic`: registers the `%%sql` cell magic."""

    def sql(line: str, cell: str) -> pd.DataFrame:
        return run_cell(line, cell, ipython.user_ns)

    ipython.register_magic_function(sql, magic_kind="cell", magic_name="sql")
