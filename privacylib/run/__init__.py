"""Running audits: one run through papermill (runner), many from a YAML file (batch)."""
