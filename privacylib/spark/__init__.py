"""The controls on Apache Spark (`--engine spark`): the same 36 control files,
transpiled (transpile.py, macros.py), run where the data can be large, with
the same results (engine.py). pyspark and sqlglot are the optional `spark`
extra: nothing here is imported by a DuckDB audit."""
