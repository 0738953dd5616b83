"""JSON Lines files: one JSON object a line, its keys the columns; a line that
is no object is a reject. A file that is one JSON document or array, not JSON
Lines, is told apart when its columns do not match (explain)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from privacylib.config.mapping import is_path, split_path
from privacylib.errors import DataError, suggest
from privacylib.intake.limits import DUCKDB_LINE, check_columns
from privacylib.intake.lines import Prepared, prepare_lines
from privacylib.intake.readers.base import RawSource, Reader, Scope, SourceFile

JSON_LINES = ("SELECT ordinality AS _source_line, j FROM read_csv($path, "
              "columns = {'j': 'VARCHAR'}, header = false, auto_detect = false, "
              "delim = E'\\x1f', quote = '', escape = '', new_line = '\\n', "
              f"hive_partitioning = false, max_line_size = {DUCKDB_LINE}) WITH ORDINALITY")
# CASE, unlike AND, never evaluates json_type on text that is not JSON.
_IS_OBJECT = "CASE WHEN json_valid(j) THEN json_type(j) = 'OBJECT' ELSE false END"


def json_path(parts: list[str]) -> str:
    """A DuckDB JSON path of keys, each quoted: matched exactly, case and dots kept."""
    return "$" + "".join(
        '."' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in parts)


@dataclass
class PathsSeen:
    """Over a dataset's files: how many records have each path of the
    mapping, and the top-level keys seen (for the hint)."""

    records: Counter = field(default_factory=Counter)
    keys: set[str] = field(default_factory=set)

    def check(self, files: list[SourceFile], paths: Sequence[str]) -> None:
        """A path that no record of any file has is an error, so that a
        misspelt path is not a column of nulls; one that only some files
        lack (a day with no queries) is null there."""
        missing = [p for p in paths if is_path(p) and p not in self.keys
                   and not self.records[p]]
        if not missing:
            return
        keys = sorted(self.keys)
        first = split_path(missing[0])[0]
        hint = (f"paths are case-sensitive; the records' top-level keys include "
                f"{', '.join(keys[:12])}" if first in keys else suggest(first, keys))
        where = files[0].name + (f" (and {len(files) - 1} more)" if len(files) > 1 else "")
        raise DataError(f"{where}: no record has the path(s) "
                        + ", ".join(f"'{m}'" for m in missing) + " named in mapping.yaml",
                        file=files[0].name, hint=hint)


def read_jsonl(con: duckdb.DuckDBPyConnection, src: SourceFile, workdir: Path,
               paths: Sequence[str] = (), unit: str = "line",
               seen: PathsSeen | None = None) -> RawSource:
    """One JSON object a line. Keys become columns, and so do the mapping's
    dotted `paths` (named as written there); a line that is not an object
    becomes a reject (column `_row`); blank lines are no rows. The scan of
    one text column counts empty lines (as nulls), so its row number is the
    line, refused lines (emptied) included. `seen` counts the records
    that have each path (PathsSeen.check, once all files are read)."""
    prepared = prepare_lines(src.path, "utf-8", workdir, quoting=False, json=True,
                             name=src.name)
    keys = con.execute(
        f"SELECT DISTINCT unnest(json_keys(j)) AS k FROM ({JSON_LINES}) "
        f"WHERE {_IS_OBJECT} ORDER BY k", {"path": str(prepared.path)}).fetchall()
    names = [k[0] for k in keys]
    wanted = [(p, json_path(split_path(p))) for p in paths if is_path(p) and p not in names]
    if seen is not None:
        seen.keys.update(names)
        seen.records.update(_count_paths(con, prepared.path, wanted))
    names += [p for p, _ in wanted]
    check_columns(src.name, len(names))
    params: dict[str, Any] = {"path": str(prepared.path)}
    cols = []
    for i, name in enumerate(names):
        params[f"key{i}"] = (wanted[i - len(keys)][1] if i >= len(keys)
                             else json_path([name]))
        cols.append(f"CASE WHEN _ok THEN j ->> $key{i} END AS c{i}")
    cols.append("CASE WHEN NOT _ok THEN j END AS _json")
    sql = (f"SELECT 0 AS _file_index, _source_line, {', '.join(cols)} FROM (SELECT *, "
           f"{_IS_OBJECT} AS _ok FROM ({JSON_LINES}) WHERE j IS NOT NULL AND trim(j) <> '')")
    return RawSource([src], names, ["VARCHAR"] * len(names), sql, params, ["utf-8"],
                     bad_row_column="_json", rejects=_refused(src, prepared),
                     bad_row_reason=f"{unit} is not a JSON object")


def _count_paths(con: duckdb.DuckDBPyConnection, path: Path,
                 wanted: list[tuple[str, str]]) -> dict[str, int]:
    if not wanted:
        return {}
    found = con.execute(
        "SELECT " + ", ".join(f"count(*) FILTER (WHERE json_exists(j, $p{i}))"
                              for i in range(len(wanted)))
        + f" FROM ({JSON_LINES}) WHERE {_IS_OBJECT}",
        {"path": str(path), **{f"p{i}": p for i, (_, p) in enumerate(wanted)}}).fetchall()[0]
    return {name: n for (name, _), n in zip(wanted, found, strict=True)}


def _refused(src: SourceFile, prepared: Prepared) -> list[tuple]:
    return [(src.name, line, "_row", reason, text) for line, reason, text in prepared.rejects]


def explain_json_document(con: duckdb.DuckDBPyConnection, src: SourceFile,
                          workdir: Path) -> str | None:
    """Why a .jsonl file whose columns do not match is no JSON Lines file at
    all, when it is a JSON array or one JSON document; else None.

    Asked only when the columns do not match, so a good file pays nothing."""
    prepared = prepare_lines(src.path, "utf-8", workdir, quoting=False, json=True,
                             name=src.name)
    first, objects, lines, lists = con.execute(
        f"SELECT first(trim(j) ORDER BY _source_line) FILTER (WHERE trim(j) <> ''), "
        f"count(*) FILTER (WHERE {_IS_OBJECT}), count(*) FILTER (WHERE trim(j) <> ''), "
        "bool_or(CASE WHEN json_valid(j) AND json_type(j) = 'OBJECT' THEN list_contains("
        "json_type(j, '$.*[0]'), 'OBJECT') END) "
        f"FROM ({JSON_LINES})", {"path": str(prepared.path)}).fetchall()[0]
    if prepared.copied:
        prepared.path.unlink(missing_ok=True)
    if first is None:
        undecodable = [r for r in prepared.rejects if "is not UTF-8" in r[1]]
        if undecodable:
            return (f"{src.name} is not UTF-8: no line of it can be read "
                    f"(line {undecodable[0][0]:,}: {undecodable[0][1]})")
        return None
    if first.startswith("["):
        return (f"{src.name} holds a JSON array, not one JSON object per line "
                f"(its first line starts with '[')")
    # {"Records": [{...}, ...]} on one line, or any document spread over many lines.
    if (objects == 0 and first.startswith("{")) or (objects == lines == 1 and lists):
        return (f"{src.name} holds a single JSON document ({lines:,} line(s)), not one "
                "JSON object per line")
    return None



def read(scope: Scope, files: list[SourceFile]) -> list[RawSource]:
    paths, seen = scope.mapping.source_names(), PathsSeen()
    sources = [read_jsonl(scope.con, src, scope.workdir, paths, seen=seen) for src in files]
    seen.check(files, paths)
    return sources


def explain(scope: Scope, src: SourceFile) -> tuple[str, str] | None:
    why = explain_json_document(scope.con, src, scope.workdir)
    if why is None:
        return None
    if "is not UTF-8" in why:
        return why, "convert the file to UTF-8 (iconv -f GB18030 -t UTF-8, or save it so)"
    return why, ("JSON Lines holds one object per line (jq -c '.[]' turns an array into "
                 "that); or name the file .json: a JSON array, or one object whose single key "
                 "holds an array, is read one record per element")


JSONL = Reader("jsonl", (".jsonl", ".jsonl.gz", ".ndjson"), read, explain=explain)
