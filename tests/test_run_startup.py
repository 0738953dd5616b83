"""What a run starts with: the command loads only what it needs, and the
kernel it starts early talks over sockets in a private folder of its own."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from jupyter_core.utils import run_sync

from privacylib.run.kernel import started_kernel
from privacylib.run.runner import NOTEBOOK

# The modules a command must not load before it needs them: the kernel
# does the audit's work, `--help` none.
HEAVY = ["pandas", "matplotlib", "pyarrow", "nbconvert", "nbformat", "papermill"]


def _loaded_after(code: str) -> list[str]:
    probe = (f"import sys\n{code}\n"
             f"import json; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_loads_no_heavy_module():
    code = ("from privacylib.cli import main\n"
            "try:\n    main(['run', '--help'])\nexcept SystemExit:\n    pass")
    assert _loaded_after(code) == []


def test_the_runner_loads_no_heavy_module_before_its_kernel_starts():
    # execute() starts the kernel first: what its module loads delays that.
    assert _loaded_after("import privacylib.run.runner") == []


def test_the_kernel_sockets_are_private_and_removed(tmp_path):
    with started_kernel(str(NOTEBOOK.parent)) as kernel:
        sockets = Path(kernel.manager.ip).parent
        assert kernel.manager.ip.startswith(os.sep)  # not relative to anyone's cwd
        assert stat.S_IMODE(sockets.stat().st_mode) == 0o700
        assert run_sync(kernel.manager.is_alive)()
    assert not sockets.exists()
    assert not list(NOTEBOOK.parent.glob("kernel*"))  # the package folder stays clean


def test_a_long_temporary_folder_still_gives_the_kernel_its_sockets(tmp_path, monkeypatch):
    # A socket path over 107 bytes is refused (ZMQError): every run under such
    # a TMPDIR failed before the sockets moved to /tmp.
    import tempfile

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    with started_kernel(str(NOTEBOOK.parent)) as kernel:
        assert len(os.fsencode(kernel.manager.ip)) < 100
        client = kernel.manager.client()
        client.start_channels()
        assert run_sync(client._async_wait_for_ready)(timeout=60) is None
        client.stop_channels()


def test_a_failed_block_kills_the_kernel():
    try:
        with started_kernel(str(NOTEBOOK.parent)) as kernel:
            raise RuntimeError("the configuration was bad")
    except RuntimeError:
        pass
    assert not kernel.manager.has_kernel
    assert not Path(kernel.manager.ip).parent.exists()
