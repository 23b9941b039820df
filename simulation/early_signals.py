"""Ctrl-C and SIGTERM handled from the first instruction of the ``lde-sim`` command.

Importing the model (NumPy, pandas, SciPy, Mesa) takes a second or more; a signal then
would end the command with a ``KeyboardInterrupt`` traceback (Ctrl-C) or silently
(SIGTERM). The package imports this module first: when the process is the command
(``lde-sim`` or ``python -m simulation``), a signal until the command's own handlers take
over (:func:`simulation.cli.main`) ends it at once with one line and exit code 130;
nothing has been written yet. Imported as a library, it changes nothing.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

EXIT_INTERRUPTED = 130


def is_the_command() -> bool:
    """Whether this process runs ``lde-sim`` (the console script) or ``python -m simulation``."""
    argv = getattr(sys, "orig_argv", [])
    module = argv[argv.index("-m") + 1 : argv.index("-m") + 2] if "-m" in argv else []
    return Path(sys.argv[0]).name == "lde-sim" or module == ["simulation"]


def end_while_starting(signum: int, frame: object) -> None:
    os.write(2, b"lde-sim: interrupted while starting; nothing was written\n")
    os._exit(EXIT_INTERRUPTED)


def guard_start() -> None:
    """Until the command installs its own handlers, a Ctrl-C or SIGTERM ends the starting command cleanly."""
    if is_the_command() and threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, end_while_starting)


guard_start()
