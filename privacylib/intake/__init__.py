"""Loading a data folder into DuckDB: finding files (sources), reading them (readers),
matching headers, typing columns (schema), staging, rejects and reconciliation, and
the plausibility and identifier-quality warnings. `ingest.load` runs these in order."""
