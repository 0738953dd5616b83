"""Finished runs of the sample company (Chinese, the default, and English),
made once by the real runner (papermill)."""

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


@pytest.fixture(scope="session")
def sample_run_en(tmp_path_factory):
    """The same run, in English (`--lang en`)."""
    from privacylib.audit.run import AuditConfig
    from privacylib.run.runner import execute

    root = tmp_path_factory.mktemp("explored-en")
    exports = root / "exports"
    shutil.copytree(SAMPLE / "exports", exports)
    return execute(AuditConfig(data=str(exports), period="2026-10", lang="en"), root / "runs")
