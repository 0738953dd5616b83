"""Loading a data folder into DuckDB: finding files (sources, links), reading them
(encoding, lines, limits; readers/: one module per format and their registry),
matching headers, typing columns (schema), staging, rejects and reconciliation, and
the plausibility and identifier-quality warnings. `ingest.load` runs these in order."""
