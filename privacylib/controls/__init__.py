"""The 36 controls: one .sql file each under sql/ (metadata header above the query),
read by the catalog and run by the engine with bound parameters."""
