"""privacylib: load privacy records into DuckDB, check them, report."""

from .errors import (
    ConfigError,
    DataError,
    MappingError,
    PolicyError,
    PrivacyLibError,
    UsageError,
)
from .ingest import DatasetLoad, LoadResult, connect, load
from .mapping import Mapping, load_mapping
from .policy import Policy, load_policy

__version__ = "0.1.0"

__all__ = [
    "ConfigError", "DataError", "DatasetLoad", "LoadResult", "Mapping", "MappingError",
    "Policy", "PolicyError", "PrivacyLibError", "UsageError",
    "__version__", "connect", "load", "load_mapping", "load_policy",
]
