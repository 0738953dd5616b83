"""A batch worker's kernel serves its runs one after another (run/kernel.py):
each notebook starts in a new session with the run's own environment, and a
run that fails leaves the next one a new kernel."""

from __future__ import annotations

from pathlib import Path

from jupyter_core.utils import run_sync

from privacylib.config.params import AuditConfig, resolve
from privacylib.run.batch import _one
from privacylib.run.kernel import KernelSupply, ServingKernel
from privacylib.run.runner import NOTEBOOK

from conftest import SAMPLE


def _ask(kernel: ServingKernel, code: str) -> dict:
    """Run CODE as a notebook cell would; its reply and the value it printed."""
    client = kernel.manager.client()
    client.start_channels()
    printed: list[str] = []

    def output(msg: dict) -> None:
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])

    try:
        reply = run_sync(client.execute_interactive)(code, output_hook=output, timeout=60)
    finally:
        kernel.manager.close_clients()
    return {"count": reply["content"]["execution_count"], "printed": "".join(printed)}


def test_a_served_notebook_starts_a_new_session_with_its_own_environment():
    supply = KernelSupply(str(NOTEBOOK.parent))
    try:
        kernel = supply.get()
        kernel.begin({"PRIVACY_TEST_A": "first", "PRIVACY_TEST_B": "gone soon"})
        _ask(kernel, "secret = 'the last run left this'")
        assert _ask(kernel, "import os; print(os.environ['PRIVACY_TEST_B'])")["count"] == 2

        kernel.begin({"PRIVACY_TEST_A": "second", "PRIVACY_TEST_B": None})
        seen = _ask(kernel, "import os; print('secret' in dir(), os.environ['PRIVACY_TEST_A'], "
                            "'PRIVACY_TEST_B' in os.environ)")
        assert seen == {"count": 1, "printed": "False second False\n"}
        assert supply.get() is kernel  # still serving
    finally:
        supply.close()
    assert not kernel.manager.has_kernel
    assert not Path(kernel.manager.ip).parent.exists()  # its private sockets are removed


def test_a_failed_run_leaves_the_next_a_new_kernel(tmp_path):
    def run(scope: str) -> str:
        # The scope is checked in the notebook, against the data: a value it
        # lacks fails the run there (exit 2), after the kernel took the run.
        return resolve(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10", scope=scope,
                                   store=str(tmp_path / "store.duckdb"))).to_json()

    supply = KernelSupply(str(NOTEBOOK.parent))
    try:
        first = supply.get()
        failed = _one(run("system=no-such-system"), tmp_path / "out", None, None, {}, supply)
        assert failed.status == "failed" and "no-such-system" in failed.detail
        assert not first.manager.has_kernel  # killed: its state is unknown
        second = supply.get()
        assert second is not first and run_sync(second.manager.is_alive)()
    finally:
        supply.close()
