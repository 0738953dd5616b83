"""Where a company's own controls run: a database of their own, shut in.

A built-in control is ours, reviewed and hashed into the package. A company's
control is a file from a folder someone names on the command line, and it runs
inside the process that holds the signing key and writes the report. On the
audit's own connection its query could read any file the process can
(`read_text('~/.privacy-workbook/…key')`) and put it into a finding's
evidence, or change the connection the rest of the audit uses
(`enable_profiling()`, `SET`, `ATTACH`).

So the custom controls run on a separate in-memory DuckDB that holds only the
datasets they declare (the audit's scoped views, handed over as Arrow tables,
no file in between), with file access and extension loading disabled and the
configuration locked once the session is set up as the controls expect (macros,
the policy's TimeZone, the `scoped` schema first on the search path). A query
that reaches outside fails, and the control is `error` with DuckDB's reason.
The cost is one in-memory copy of the datasets they name, paid only when a
controls folder is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import duckdb

from privacylib.controls.catalog import Control
from privacylib.controls.macros import install_macros
from privacylib.controls.session import AUDIT_SCHEMA
from privacylib.sqlnames import quote_ident

_CLOSED = {
    "enable_external_access": False,  # no file, no URL, no ATTACH of a file
    "python_enable_replacements": False,  # no Python variable read as a table
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


def declared(controls: Iterable[Control]) -> tuple[str, ...]:
    """The datasets these controls may read: those their headers name."""
    return tuple(sorted({n for c in controls for n in (*c.datasets, *c.optional_datasets)}))


@contextmanager
def sandbox(source: duckdb.DuckDBPyConnection, controls: Iterable[Control],
            tz: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A locked connection holding the scoped datasets `controls` declare,
    closed on leaving. `source` has been through engine.prepare_scope."""
    box = duckdb.connect(":memory:", config=_CLOSED)
    try:
        box.execute(f"CREATE SCHEMA {AUDIT_SCHEMA}")
        for name in declared(controls):
            table = source.sql(f"SELECT * FROM {AUDIT_SCHEMA}.{quote_ident(name)}")
            handle = f"privacylib_source_{name}"
            box.register(handle, table.to_arrow_table())
            box.execute(f"CREATE VIEW {AUDIT_SCHEMA}.{quote_ident(name)} AS "
                        f"SELECT * FROM {quote_ident(handle)}")
        install_macros(box)
        box.execute("SET TimeZone = $tz", {"tz": tz})
        box.execute("SET search_path = $path", {"path": AUDIT_SCHEMA})
        box.execute("SET lock_configuration = true")
        yield box
    finally:
        box.close()
