"""The kernel an audit runs in talks to papermill over Unix sockets.

Jupyter's default transport is TCP on localhost, and ipykernel warns on every
run that such traffic "is susceptible to eavesdropping": a warning a privacy
team should not have to learn to ignore, about traffic that carries the
audit's personal data. IPC sockets sit beside the connection file in the
user's Jupyter runtime folder (mode 0700), so only the user can reach them,
and the warning is gone because its cause is.
"""

from __future__ import annotations

import os

from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum


class IPCKernelManager(AsyncKernelManager):
    """papermill's kernel manager, on Unix sockets where the system has them."""

    # The default of the trait (not a later assignment): the socket addresses
    # derive from it when the connection file is written.
    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc" if os.name == "posix"
                                else "tcp", config=True)
