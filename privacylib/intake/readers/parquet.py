"""Parquet files: read by DuckDB with their native types (the schema stage then
takes typed values as they are); files with the same schema are one scan."""

from __future__ import annotations

import duckdb

from privacylib.errors import DataError
from privacylib.intake.limits import check_columns
from privacylib.intake.readers.base import RawSource, Reader, Scope, SourceFile
from privacylib.sqlnames import quote_ident


def parquet_schema(con: duckdb.DuckDBPyConnection, src: SourceFile) -> tuple[tuple, tuple]:
    try:
        desc = con.execute("DESCRIBE SELECT * FROM read_parquet($path)",
                           {"path": str(src.path)}).fetchall()
    except duckdb.Error as exc:
        raise DataError(f"{src.name} is not a readable Parquet file: {exc}", file=src.name,
                        hint="export it again; the file may be truncated") from exc
    check_columns(src.name, len(desc))
    return tuple(r[0] for r in desc), tuple(r[1] for r in desc)


def read_parquet_group(files: list[SourceFile], names: list[str], types: list[str]) -> RawSource:
    cols = ", ".join(f"{quote_ident(n)} AS c{i}" for i, n in enumerate(names))
    sql = ("SELECT file_index AS _file_index, file_row_number + 1 AS _source_line, "
           f"{cols} FROM read_parquet($paths, file_row_number = true)")
    return RawSource(files, names, types, sql, {"paths": [str(f.path) for f in files]},
                     ["parquet"] * len(files))



def read(scope: Scope, files: list[SourceFile]) -> list[RawSource]:
    by_schema: dict[tuple, list[SourceFile]] = {}
    for src in files:
        by_schema.setdefault(parquet_schema(scope.con, src), []).append(src)
    return [read_parquet_group(g, list(names), list(types))
            for (names, types), g in by_schema.items()]


PARQUET = Reader("parquet", (".parquet",), read)
