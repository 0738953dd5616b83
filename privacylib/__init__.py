"""privacylib: load privacy records into DuckDB, check them, report.

The stages, each a package, in the order data flows through them:

    config/    policy, mapping, period, waivers: parsed and checked first
    intake/    a data folder into DuckDB, every row loaded or rejected
    controls/  the 36 controls (sql/) and the engine that runs them
    audit/     one audit as the notebook runs it; findings; verdict
    masking/   identifiers recognised and masked; the leak guard
    report/    what the notebook shows and the files it writes
    trail/     manifest, signing, verify, publish, the audit store
    run/       `privacy-audit run` and `batch` (papermill), notebooks/ beside
    explore/   finished runs in JupyterLab; trends
    synth/     the synthetic company the tests and the demo audit

The names below are imported on first use, so that `privacylib.trail.verify`
(or any light module) does not load DuckDB and pandas.
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import (
    ConfigError,
    DataError,
    MappingError,
    PolicyError,
    PrivacyLibError,
    UsageError,
)

__version__ = "0.1.0"

_LAZY = {
    "DatasetLoad": "privacylib.intake.ingest", "LoadResult": "privacylib.intake.ingest",
    "connect": "privacylib.intake.ingest", "load": "privacylib.intake.ingest",
    "Mapping": "privacylib.config.mapping", "load_mapping": "privacylib.config.mapping",
    "Policy": "privacylib.config.policy", "load_policy": "privacylib.config.policy",
}

__all__ = [
    "ConfigError", "DataError", "DatasetLoad", "LoadResult", "Mapping", "MappingError",
    "Policy", "PolicyError", "PrivacyLibError", "UsageError",
    "__version__", "connect", "load", "load_mapping", "load_policy",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'privacylib' has no attribute {name!r}")
