"""Parquet files: read by DuckDB with their native types (the schema stage then
takes typed values as they are); files with the same schema are one scan."""

from __future__ import annotations

import duckdb

from privacylib.errors import DataError
from privacylib.intake.limits import check_columns
from privacylib.intake.readers.base import RawSource, Reader, Scope, SourceFile
from privacylib.intake.timestamps import is_utc
from privacylib.sqlnames import quote_ident


def parquet_schema(con: duckdb.DuckDBPyConnection, src: SourceFile) -> tuple[tuple, tuple]:
    try:
        desc = con.execute("DESCRIBE SELECT * FROM read_parquet($path, hive_partitioning = false)",
                           {"path": str(src.path)}).fetchall()
    except duckdb.Error as exc:
        raise DataError(f"{src.name} is not a readable Parquet file: {exc}", file=src.name,
                        hint="export it again; the file may be truncated") from exc
    check_columns(src.name, len(desc))
    return tuple(r[0] for r in desc), tuple(r[1] for r in desc)


def read_parquet_group(files: list[SourceFile], names: list[str], types: list[str]) -> RawSource:
    cols = ", ".join(f"{quote_ident(n)} AS c{i}" for i, n in enumerate(names))
    sql = ("SELECT file_index AS _file_index, file_row_number + 1 AS _source_line, "
           f"{cols} FROM read_parquet($paths, file_row_number = true, "
           "hive_partitioning = false)")
    return RawSource(files, names, types, sql, {"paths": [str(f.path) for f in files]},
                     ["parquet"] * len(files))



def int96_warning(con: duckdb.DuckDBPyConnection, src: SourceFile, names: tuple) -> str | None:
    """INT96 is the timestamp Spark, Hive and Impala write by default, and it
    holds no zone: Spark and Hive store a UTC time there. The data contract
    reads a Parquet time without a zone as local time, which for those files
    is hours off, with no error to show it: said, with the fix."""
    found = [r[0] for r in con.execute("SELECT name FROM parquet_schema($path) "
                                       "WHERE type = 'INT96'", {"path": str(src.path)}).fetchall()
             if r[0] in names]
    if not found:
        return None
    return (f"{src.name}: column(s) {', '.join(found)} hold INT96 timestamps (as Spark and Hive "
            "write them, normally UTC times without a zone): read as local time, as the data "
            "contract reads Parquet times without a zone; if the file came from Spark or Hive, "
            "give the dataset `timezone: UTC` in mapping.yaml")


def read(scope: Scope, files: list[SourceFile]) -> list[RawSource]:
    by_schema: dict[tuple, list[SourceFile]] = {}
    warned: dict[str, str] = {}
    for src in files:
        schema = parquet_schema(scope.con, src)
        by_schema.setdefault(schema, []).append(src)
        said = (None if is_utc(scope.mapping.timezone)
                else int96_warning(scope.con, src, schema[0]))
        if said:
            warned[src.name] = said
    sources = [read_parquet_group(g, list(names), list(types))
               for (names, types), g in by_schema.items()]
    for raw in sources:
        raw.warnings = [warned[f.name] for f in raw.files if f.name in warned]
    return sources


PARQUET = Reader("parquet", (".parquet",), read)
