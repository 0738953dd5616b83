"""How much memory a local Spark driver gets when the user says nothing.

A local master's driver is the whole cluster: Spark's default heap (1 GB,
sized for a cluster's driver) ran out at 10M events (docs/benchmarks.md).
Unless the user set it in one of Spark's places, a local driver gets half
the memory the process may use (the machine's, or its container's limit),
at most LOCAL_DRIVER_MAX (measured: a 10M-event audit reading its log ran in 8 GB).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

LOCAL_DRIVER_MAX = 8 << 30
# A container's memory limit: cgroup v2, then v1 (a huge number: none).
CGROUP_LIMITS = (Path("/sys/fs/cgroup/memory.max"),
                 Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"))
# spark-defaults.conf is a Java properties file: key, then whitespace, = or :.
_DRIVER_MEMORY_LINE = re.compile(r"\s*spark\.driver\.memory\s*[\s=:]")


def local_driver_memory(master: str) -> str | None:
    """The driver memory to give a local master ("8g"), or None: not local,
    set by the user (which it would override), or the memory is not known."""
    if not master.startswith("local") or driver_memory_set():
        return None
    memory = usable_memory()
    if memory is None:
        return None
    return f"{max(1, min(LOCAL_DRIVER_MAX, memory // 2) >> 30)}g"


def usable_memory() -> int | None:
    """Bytes this process may use: the machine's, within a container's limit."""
    try:
        found = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    for path in CGROUP_LIMITS:
        try:
            text = path.read_text(encoding="ascii").strip()
        except OSError:
            continue
        if text.isdigit():
            found = min(found, int(text))
    return found


def driver_memory_set() -> bool:
    """Whether the driver's memory is set where Spark reads it."""
    submit = os.environ.get("PYSPARK_SUBMIT_ARGS", "")
    if "--driver-memory" in submit or "spark.driver.memory" in submit:
        return True
    if os.environ.get("SPARK_DRIVER_MEMORY"):
        return True
    home = os.environ.get("SPARK_HOME")
    for folder in filter(None, (os.environ.get("SPARK_CONF_DIR"), home and f"{home}/conf")):
        try:
            with open(os.path.join(folder, "spark-defaults.conf"), encoding="utf-8") as fh:
                if any(_DRIVER_MEMORY_LINE.match(line) for line in fh):
                    return True
        except OSError:
            continue
    return False
