"""Child processes that do not outlive the command that started them.

A ``kill -9`` of a command cannot be caught, so its children must notice by
themselves: on Linux the kernel sends them SIGKILL when their parent dies
(``prctl(PR_SET_PDEATHSIG)``). Elsewhere a child checks its parent once at start.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


def die_with_parent(parent: int) -> None:
    """Make this (child) process end when process ``parent`` ends."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def worker_init(parent: int) -> None:
    """Set up an experiment worker: it dies with its parent and leaves signals to the parent.

    Ctrl-C reaches the whole process group; the parent handles it and shuts the pool
    down, so workers ignore SIGINT, and take SIGTERM (which the command turns into an
    interrupt) in the default way: they end at once.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)
