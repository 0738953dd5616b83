"""One audit as the notebook runs it (run.py), its findings as DataFrames (frames),
their evidence, and the verdict a pipeline reads."""
