"""The cores this process may run on: what sizes the project's process pools (loading, validation, the
server's HTTP processes)."""
from __future__ import annotations

import os


def usable_cores() -> int:
    """The CPUs this process may run on (its affinity on Linux, else the machine's count), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


__all__ = ["usable_cores"]
