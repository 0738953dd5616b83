"""Turning raw source columns into the contract's typed columns, in SQL.

Every value is parsed by DuckDB, in one streaming pass per file. A value that
cannot be read as its column's type marks the row as a reject, with the
column and the reason; it never becomes a silent null. Time zones, formats
and value maps are bound as parameters.
"""

from __future__ import annotations

import re
from typing import Any

from privacylib.config.mapping import DatasetMapping
from privacylib.contract import Column, Dataset, Kind
from privacylib.intake.derived import built_key, filtered
from privacylib.intake.headers import Resolution
from privacylib.intake.readers import RawSource
from privacylib.intake.timestamps import TS_NAIVE, TS_OFFSET, reason_sql, timestamp_sql
from privacylib.sqlnames import quote_ident, quote_literal

SQL_TYPES = {Kind.TEXT: "VARCHAR", Kind.ENUM: "VARCHAR", Kind.TIMESTAMP: "TIMESTAMPTZ",
             Kind.BOOLEAN: "BOOLEAN", Kind.INTEGER: "BIGINT", Kind.LIST: "VARCHAR[]"}
# Characters trimmed from every text value (includes the ideographic space).
BLANKS_SQL = "' \t\r\n\u3000\ufeff'"
BLANKS_RE = " \t\r\n\u3000\ufeff"
TRUE_WORDS = ("true", "1", "yes", "y", "是")
FALSE_WORDS = ("false", "0", "no", "n", "否")
INT_TEXT = r"[+-]?\d+(?:\.0+)?"
_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                  "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT")
__all__ = ["TS_NAIVE", "TS_OFFSET", "stage_columns", "typed_select"]  # TS_*: for period.py
READABLE = {Kind.TIMESTAMP: "a timestamp (ISO 8601, YYYY/MM/DD HH:MM:SS or a date)",
            Kind.BOOLEAN: "a boolean (true/false, 1/0, yes/no, y/n, 是/否)",
            Kind.INTEGER: "a whole number", Kind.LIST: "a list (JSON array, or a;b or a|b)"}


def _words(words: tuple[str, ...]) -> str:
    return ", ".join("'" + w + "'" for w in words)


def _sql_text(text: str) -> str:
    """Text inside a SQL string literal."""
    return text.replace("'", "''")


def _sql_literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return quote_literal(str(value))


def stage_columns(dataset: Dataset, extras: list[str]) -> list[tuple[str, str]]:
    """(name, type) of the staging table every file of a dataset is read into."""
    cols = [(c.name, SQL_TYPES[c.kind]) for c in dataset.columns]
    cols += [(e, "VARCHAR") for e in extras]
    cols += [("_source_file", "VARCHAR"), ("_source_line", "BIGINT")]
    # The keep/drop rule of mapping.yaml that filtered the row out (null: kept).
    cols += [("_filtered", "VARCHAR")]
    # One column for everything about a reject (null for the rows that load):
    # a JSON object {column, reason, raw_line, raw: {column: text as read}}.
    cols += [("_reject", "VARCHAR")]
    return cols


class _Builder:
    """Collects the expressions of one file's typed SELECT and their parameters."""

    def __init__(self, mapping: DatasetMapping, timezone: str) -> None:
        self.mapping = mapping
        self.params: dict[str, Any] = {"tz": mapping.timezone or timezone}

    def clean(self, column: Column, ref: str, source_type: str) -> str:
        """The source value, trimmed and value-mapped; native types kept."""
        text = source_type == "VARCHAR"
        # The full trim is slow and most rows need none: _edges (one regex over
        # the whole row, see typed_select) says whether any value of the row does.
        value = (f"CASE WHEN _edges THEN nullif(trim({ref}, {BLANKS_SQL}), '') "
                 f"ELSE nullif({ref}, '') END" if text else ref)
        pairs = self.mapping.values.get(column.name)
        if not pairs:
            return value
        if not text:
            value = f"CAST({ref} AS VARCHAR)"
        whens = []
        for i, (src, dst) in enumerate(pairs.items()):
            key = f"map_{column.name}_{i}"
            self.params[key + "_from"], self.params[key + "_to"] = src, dst
            whens.append(f"WHEN ${key}_from THEN ${key}_to")
        return f"CASE lower({value}) {' '.join(whens)} ELSE {value} END"

    def parse(self, column: Column, v: str, source_type: str) -> str:
        """The typed value of `v`, or NULL when `v` cannot be read."""
        kind, native = column.kind, source_type.upper()
        if kind is Kind.TIMESTAMP:
            return self._timestamp(v, native)
        if kind is Kind.BOOLEAN:
            if native == "BOOLEAN":
                return v
            if native in _INTEGER_TYPES:
                return f"CASE {v} WHEN 1 THEN true WHEN 0 THEN false END"
            return (f"CASE WHEN lower({v}) IN ({_words(TRUE_WORDS)}) THEN true "
                    f"WHEN lower({v}) IN ({_words(FALSE_WORDS)}) THEN false END")
        if kind is Kind.INTEGER:
            if native in _INTEGER_TYPES:
                return f"TRY_CAST({v} AS BIGINT)"
            if native != "VARCHAR":
                return f"CASE WHEN {v} = trunc({v}) THEN TRY_CAST({v} AS BIGINT) END"
            # A number DuckDB writes back as it was (5, -3) needs no regex.
            number = f"TRY_CAST({v} AS BIGINT)"
            return (f"CASE WHEN CAST({number} AS VARCHAR) = {v} THEN {number} "
                    f"WHEN regexp_full_match({v}, '{INT_TEXT}') THEN "
                    f"TRY_CAST(regexp_replace({v}, '\\.0+$', '') AS BIGINT) END")
        if kind is Kind.LIST:
            return self._list(v, native)
        text = v if native == "VARCHAR" else f"CAST({v} AS VARCHAR)"
        if kind is Kind.ENUM:
            return f"upper({text})" if column.upper else f"lower({text})"
        return text

    def _timestamp(self, v: str, native: str) -> str:
        return timestamp_sql(v, native, self.mapping, self.params)

    @staticmethod
    def _list(v: str, native: str) -> str:
        tidy = "list_filter(list_transform({}, lambda e: nullif(trim(CAST(e AS VARCHAR), " \
               + BLANKS_SQL + "), '')), lambda e: e IS NOT NULL)"
        if native.endswith("[]"):
            return tidy.format(v)
        as_json = f"CASE WHEN json_valid({v}) AND json_type({v}) = 'ARRAY' " \
                  f"THEN TRY_CAST(json({v}) AS VARCHAR[]) END"
        split = f"string_split_regex({v}, '[;|；｜]')"
        return (f"CASE WHEN {v} IS NULL THEN NULL WHEN starts_with({v}, '[') "
                f"THEN {tidy.format(as_json)} ELSE {tidy.format(split)} END")


def typed_select(dataset: Dataset, raw: RawSource, res: Resolution, extras: list[str],
                 mapping: DatasetMapping, timezone: str) -> tuple[str, dict[str, Any]]:
    """The SELECT that reads raw files into the staging table's columns.

    Four layers, each computed once per row: clean the text (v__), parse it
    (p__), flag each problem (b__), then assemble the row with its reasons.
    """
    b = _Builder(mapping, timezone)
    b.params["file_names"] = [f.name for f in raw.files]
    cleaned, parsed, problems = ["_file_index", "_source_line"], [], []
    for col in dataset.columns:
        pos = res.contract.get(col.name)
        source_type = raw.types[pos] if pos is not None else "VARCHAR"
        v, p = quote_ident("v__" + col.name), quote_ident("p__" + col.name)
        value = b.clean(col, f"c{pos}", source_type) if pos is not None else "NULL"
        if pos is not None and mapping.values.get(col.name):
            source_type = "VARCHAR"  # a value map gives text, whatever the file's type was
        if col.name in mapping.constants:
            b.params[f"const_{col.name}"] = mapping.constants[col.name]
            value, source_type = f"CAST($const_{col.name} AS VARCHAR)", "VARCHAR"
        elif res.key and col.name == dataset.key[0]:
            value, source_type = built_key(res), "VARCHAR"
        cleaned.append(f"{value} AS {v}")
        parsed.append(f"{b.parse(col, v, source_type)} AS {p}")
        if col.kind not in (Kind.TEXT, Kind.ENUM):
            what = (reason_sql(v, mapping) if col.kind is Kind.TIMESTAMP
                    else f"'{_sql_text(READABLE[col.kind])}'")
            problems.append((col.name, f"{v} IS NOT NULL AND {p} IS NULL",
                             f"'{col.name}: cannot read ''' || CAST({v} AS VARCHAR) || "
                             f"''' as ' || {what}"))
    for name in dataset.key:
        if mapping.key_from_position:
            continue  # made from the row's file and line once they are known (ingest)
        if not dataset.column(name).null_finding:
            problems.append((name, f"{quote_ident('p__' + name)} IS NULL",
                             f"'{name}: the key is empty'"))
    for name in extras:
        pos = res.extras.get(name)  # another file of the dataset may have it, this one not
        value = f"CAST(c{pos} AS VARCHAR)" if pos is not None else "CAST(NULL AS VARCHAR)"
        cleaned.append(f"{value} AS {quote_ident('x__' + name)}")
    bad_row = raw.bad_row_column
    cleaned.append(filtered(mapping, res, bad_row, b.params))
    if bad_row:
        cleaned.append(bad_row)
        # An unreadable line has only this one problem; its values are all null.
        problems = [("_row", f"{bad_row} IS NOT NULL", _sql_literal(raw.bad_row_reason))] + [
            (n, f"{bad_row} IS NULL AND {cond}", why) for n, cond, why in problems]
    flags = [f"{cond} AS b__{i}" for i, (_, cond, _) in enumerate(problems)]
    flags.append(" OR ".join(f"b__{i}" for i in range(len(problems))) + " AS _bad"
                 if problems else "false AS _bad")
    texts = [f"c{pos}" for pos in res.contract.values() if raw.types[pos] == "VARCHAR"]
    sql = (f"SELECT {', '.join(_assembled(dataset, extras, problems, bad_row))} FROM ("
           f"SELECT *, {', '.join(flags[-1:])} FROM ("
           f"SELECT *, {', '.join(flags[:-1] or ['0 AS _none'])} FROM ("
           f"SELECT *, {', '.join(parsed)} FROM ("
           f"SELECT {', '.join(cleaned)} FROM ({_edges(texts, raw.sql)})))))")
    params = {**raw.params, **b.params}
    # DuckDB refuses parameters the statement does not use.
    return sql, {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}


def _edges(texts: list[str], scan: str) -> str:
    """The scan with `_edges`: true when a value of the row may start or end
    with a blank (the clean layer then trims the row's values).

    One regex over the row's text values joined by chr(31) says it exactly,
    but costs a third of a large log's typing; most rows hold no blank at
    all, which contains() (a memchr) tells for a fraction of that, so the
    regex runs only on rows that hold one somewhere.
    """
    if not texts:
        return f"SELECT *, false AS _edges FROM ({scan})"
    joined = f"concat_ws(chr(31), {', '.join(texts)})"
    some_blank = " OR ".join(f"contains(_joined, '{ch}')" for ch in BLANKS_RE)
    exact = f"regexp_matches(_joined, '(^|\\x1f)[{BLANKS_RE}]|[{BLANKS_RE}](\\x1f|$)')"
    return (f"SELECT *, CASE WHEN {some_blank} THEN {exact} ELSE false END AS _edges "
            f"FROM (SELECT *, {joined} AS _joined FROM ({scan}))")


def _assembled(dataset: Dataset, extras: list[str], problems: list[tuple[str, str, str]],
               bad_row: str | None) -> list[str]:
    """The staging row: typed values with defaults, extras, where it came from,
    and for a reject its columns at fault, its reasons and its raw values."""
    cols = ["CAST($file_names AS VARCHAR[])[CAST(_file_index AS BIGINT) + 1] AS _source_file",
            "_source_line", "_filtered"]
    for col in dataset.columns:
        final = quote_ident("p__" + col.name)
        if col.default is not None:
            final = f"coalesce({final}, {_sql_literal(col.default)})"
        cols.append(f"{final} AS {quote_ident(col.name)}")
    cols += [f"{quote_ident('x__' + e)} AS {quote_ident(e)}" for e in extras]
    names = ", ".join(f"CASE WHEN b__{i} THEN '{n}' END" for i, (n, _, _) in enumerate(problems))
    whys = ", ".join(f"CASE WHEN b__{i} THEN {why} END" for i, (_, _, why) in enumerate(problems))
    raws = ", ".join(f"'{c.name}': CAST({quote_ident('v__' + c.name)} AS VARCHAR)"
                     for c in dataset.columns if c.kind is not Kind.TEXT)
    raw = "{" + raws + "}" if raws else "NULL"  # values as read, where typing changes them
    if problems:
        cols.append("CASE WHEN _bad AND _filtered IS NULL THEN "
                    f"to_json({{'column': concat_ws(', ', {names}), "
                    f"'reason': concat_ws('; ', {whys}), "
                    f"'raw_line': {bad_row or 'CAST(NULL AS VARCHAR)'}, "
                    f"'raw': {raw}}})::VARCHAR END AS _reject")
    else:
        cols.append("CAST(NULL AS VARCHAR) AS _reject")
    return cols
