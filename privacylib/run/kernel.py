"""The kernel an audit runs in: on private Unix sockets, started early.

Jupyter's default transport is TCP on localhost, and ipykernel warns on every
run that such traffic "is susceptible to eavesdropping": a warning a privacy
team should not have to learn to ignore, about traffic that carries the
audit's personal data. The IPC sockets go in a folder of their own made for
this kernel (mode 0700, removed with it), so only the user can reach them,
and the warning is gone because its cause is. (jupyter_client's default
socket path is relative, "kernel-ipc-N" in the working directory: papermill
changes directory to the notebook's, so the sockets landed in the installed
package, shared by concurrent runs.)

A kernel takes about a second to boot (a Python process importing ipykernel);
`started_kernel` starts it first, so that the runner's own checks and imports
run while it boots, and papermill is handed the started kernel. The runner
then asks it to shut down as soon as the notebook is done and reaps it at the
end, so the kernel's exit overlaps the HTML conversion and the signing.

A batch worker's runs share one kernel instead (`ServingKernel`, handed out
by a `KernelSupply`): booting it and importing the audit's modules is about
1.5 s of every run, paid once per worker. Before each notebook its namespace
is reset to a new session (nothing of the last run is left to read, and the
execution counts start at 1 again, as in a new kernel) and it takes the
run's own environment variables, the ones a kernel started for that run
would have inherited. Only imported modules carry over, and what they cache
is keyed by content (the catalog's files, the charts' data). A run that
fails discards its kernel: the next run starts a new one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from traitlets import CaselessStrEnum

from privacylib.errors import PrivacyLibError

# What nbclient gives a kernel it starts itself: no IPython history file,
# so a run leaves nothing in ~/.ipython and two runs never share a sqlite file.
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]


# A Unix socket's path must fit in 107 bytes (sun_path). Under a long TMPDIR
# (a CI job's, a test's) every run failed with a ZMQError "File name too
# long": the socket folder then goes under /tmp.
SOCKET_PATH_MAX = 100
# What the folder's name (prefix and 8 random characters) and the socket's
# ("/kernel-N") add to the base folder.
SOCKET_NAME_ROOM = 40


def socket_dir() -> str:
    """A new private folder (mode 0700) for the kernel's sockets."""
    base = tempfile.gettempdir()
    if len(os.fsencode(base)) + SOCKET_NAME_ROOM > SOCKET_PATH_MAX and os.path.isdir("/tmp"):
        base = "/tmp"
    return tempfile.mkdtemp(prefix="privacy-audit-kernel-", dir=base)


class IPCKernelManager(AsyncKernelManager):
    """papermill's kernel manager, on Unix sockets where the system has them."""

    # The default of the trait (not a later assignment): the socket addresses
    # derive from it when the connection file is written.
    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc" if os.name == "posix"
                                else "tcp", config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._socket_dir: str | None = None
        self._clients: list[Any] = []
        if self.transport == "ipc":
            self._socket_dir = socket_dir()
            self.ip = os.path.join(self._socket_dir, "kernel")

    def client(self, **kwargs: Any) -> Any:
        # nbclient leaves the channels of a kernel it was handed open: kept
        # here to be closed with the kernel.
        made = super().client(**kwargs)
        self._clients.append(made)
        return made

    def remove_socket_dir(self) -> None:
        if self._socket_dir:
            shutil.rmtree(self._socket_dir, ignore_errors=True)

    def close_clients(self) -> None:
        for made in self._clients:
            if made.channels_running:
                made.stop_channels()
        self._clients.clear()


class StartedKernel:
    """A kernel booting in the background, for one notebook run."""

    def __init__(self, cwd: str) -> None:
        self.manager = IPCKernelManager(kernel_name="python3")
        self._asked = False
        try:
            run_sync(self.manager.start_kernel)(extra_arguments=list(KERNEL_ARGUMENTS), cwd=cwd)
        except BaseException:
            self.close(now=True)
            raise

    def notebook_done(self) -> None:
        """The notebook ran: this kernel is not needed any more."""
        self.ask_to_stop()

    def ask_to_stop(self) -> None:
        """The notebook is done: the kernel may exit while the runner goes on."""
        if self.manager.has_kernel and not self._asked:
            self._asked = True
            self.manager.close_clients()
            run_sync(self.manager.request_shutdown)()

    def close(self, *, now: bool = False) -> None:
        """Wait for the kernel to exit (killed after jupyter_client's grace
        time, or at once when `now`), then remove its sockets and files."""
        manager = self.manager
        try:
            manager.close_clients()
            if manager.has_kernel:
                if now:
                    run_sync(manager.shutdown_kernel)(now=True)
                    return
                if not self._asked:
                    self.ask_to_stop()
                run_sync(manager.finish_shutdown)()
            run_sync(manager.cleanup_resources)()
        finally:
            manager.remove_socket_dir()


@contextlib.contextmanager
def started_kernel(cwd: str) -> Iterator[StartedKernel]:
    """A kernel started now, in `cwd`, and always stopped at the end: killed
    when the block fails, since its notebook will not be run or is broken."""
    kernel = StartedKernel(cwd)
    try:
        yield kernel
    except BaseException:
        kernel.close(now=True)
        raise
    kernel.close()


class KernelSetupFailed(PrivacyLibError):
    """A serving kernel could not be made ready for the next notebook."""

    exit_code = 1


class ServingKernel(StartedKernel):
    """A kernel that runs one notebook after another (see the module's text)."""

    def begin(self, env: dict[str, str | None]) -> None:
        """Before a notebook: a new session, and ENV set (None: unset) in the
        kernel's environment."""
        # Our own values (temporary paths, a hash), as a JSON text in a Python
        # literal: nothing of the data or the parameters becomes code.
        self._silently("get_ipython().reset(new_session=True)\n"
                       "import json as _j, os as _o\n"
                       f"for _k, _v in _j.loads({json.dumps(env)!r}).items():\n"
                       "    _o.environ.pop(_k, None) if _v is None else "
                       "_o.environ.__setitem__(_k, _v)\n"
                       "del _j, _o, _k, _v")

    def notebook_done(self) -> None:
        self.manager.close_clients()  # nbclient leaves its channels open; the kernel serves on

    def _silently(self, code: str) -> None:
        """Run CODE without output and without counting it as an execution.

        The reply is read from the shell channel, which keeps a request sent
        before it is connected: no wait for the kernel's output channel
        (wait_for_ready polled it for 0.3 s a run), which it does not need."""
        client = self.manager.client()
        client.start_channels()
        try:
            sent = client.execute(code, silent=True, store_history=False)
            while True:
                reply = run_sync(client.get_shell_msg)(timeout=300)
                if reply["parent_header"].get("msg_id") == sent:
                    break
        finally:
            self.manager.close_clients()
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise KernelSetupFailed(f"the notebook kernel refused a run's set-up: "
                                    f"{content.get('ename')}: {content.get('evalue')}",
                                    hint="the batch gives its next run a new kernel; run this "
                                         "one again")


class KernelSupply:
    """The kernel of one batch worker, served to its runs one after another."""

    def __init__(self, cwd: str) -> None:
        self._cwd = cwd
        self._kernel: ServingKernel | None = None

    def get(self) -> ServingKernel:
        """The serving kernel; a new one when there is none or it died."""
        kernel = self._kernel
        if kernel is None or not run_sync(kernel.manager.is_alive)():
            self.discard()
            kernel = self._kernel = ServingKernel(self._cwd)
        return kernel

    def discard(self) -> None:
        """After a failed run: the kernel's state is unknown, it is killed."""
        self._stop(now=True)

    def close(self) -> None:
        self._stop(now=False)

    def kill(self) -> None:
        """The process is about to exit (a signal's handler, another thread):
        the kernel killed at once, with no message (the main thread may be in
        the middle of one), and its sockets and connection file removed."""
        kernel = self._kernel
        if kernel is None:
            return
        manager = kernel.manager
        # The kernel leads its own process group (jupyter_client starts it in
        # a new session): the group holds what it started too.
        with contextlib.suppress(AttributeError, TypeError, OSError):
            os.killpg(manager.provisioner.pgid, signal.SIGKILL)
        with contextlib.suppress(AttributeError, OSError):
            manager.provisioner.process.kill()
        with contextlib.suppress(OSError):
            manager.cleanup_connection_file()
        manager.remove_socket_dir()

    def _stop(self, *, now: bool) -> None:
        if self._kernel is not None:
            kernel, self._kernel = self._kernel, None
            kernel.close(now=now)
