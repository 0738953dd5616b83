"""Exploring finished runs in JupyterLab: tables (views), widgets, and trends across runs."""
