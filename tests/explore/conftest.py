"""A finished run of the sample company, made once by the real runner (papermill)."""

from __future__ import annotations

import shutil

import pytest

from conftest import SAMPLE


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """(run folder, its data folder): `privacy-audit run` on a copy of the sample."""
    from privacylib.audit.run import AuditConfig
    from privacylib.run.runner import execute

    root = tmp_path_factory.mktemp("explored")
    exports = root / "exports"
    shutil.copytree(SAMPLE / "exports", exports)
    return execute(AuditConfig(data=str(exports), period="2026-10"), root / "runs"), exports
