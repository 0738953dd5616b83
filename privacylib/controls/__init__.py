"""The 36 controls: one .sql file each under sql/ (metadata header above the query),
read by the catalog, run by the engine with bound parameters in a session that
installs the shared SQL macros (macros.sql, session.py); coverage says which
controls the given datasets let run."""
