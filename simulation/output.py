"""Run folders: where a run's tables and provenance are written, safely.

A run folder is created only after the scenario and options are valid, is never an
existing non-empty folder, and receives each replication's rows as soon as that
replication finishes: an interrupted or failed run keeps everything finished so far,
and ``run.json`` says how it ended.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import platform
import re
import signal
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import LDEError
from .runner import Replication
from .scenario import Scenario

DEPENDENCIES = ("mesa", "numpy", "scipy", "pandas", "pydantic", "matplotlib", "tomli-w")


class OutputError(LDEError):
    """An output folder that cannot be used."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def package_versions() -> dict[str, str]:
    """Versions of this package, Python and the dependencies that shape results."""
    versions = {"python": platform.python_version()}
    for name in ("lde-doorstroom", *DEPENDENCIES):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def safe_name(name: str) -> str:
    """``name`` as one folder name: letters, digits, ``_`` and ``-`` only (no dots, no slashes),
    at most 60 characters, so that a scenario's name cannot point outside ``runs/``."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:60]
    return cleaned or "scenario"


def make_folder(folder: Path) -> None:
    """``mkdir -p`` with a clear error for a path that cannot be a folder."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"--out {folder}: a file is in the way (the path or one of its parents is not a folder)") from None
    except NotADirectoryError:
        raise OutputError(f"--out {folder}: a parent of this path is a file, not a folder") from None
    except OSError as err:
        raise OutputError(f"--out {folder}: cannot create the folder: {err.strerror}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"--out {folder}: the folder is not writable")


LOCK = ".lock"


def lock_folder(folder: Path) -> io.TextIOWrapper:
    """Take the folder's lock for this process (kept until the process ends or the file is closed).

    Two commands writing to one folder would mix their files; the second is refused. The
    lock is an advisory ``flock`` on ``folder/.lock``: the system releases it when the
    process ends, even after ``kill -9``.
    """
    handle = (folder / LOCK).open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise OutputError(
            f"{folder}: another lde-sim command is writing to this folder; wait for it or use another --out"
        ) from None
    return handle


def refuse_if_used(folder: Path) -> None:
    """Refuse an existing path that is not an empty folder (earlier results are never overwritten)."""
    if folder.is_dir() and any(p.name != LOCK for p in folder.iterdir()):
        raise OutputError(
            f"--out {folder}: already exists and is not an empty folder; choose a new folder (earlier runs are never overwritten)"
        )


def new_run_folder(out: str | Path | None, name: str, seed: int, root: Path = Path("runs")) -> tuple[Path, io.TextIOWrapper]:
    """Create and lock the folder for a run: ``out`` if given (must not hold files), else a new one under ``root``.

    Returns the folder and its lock (keep it open while writing).
    """
    if out is not None:
        folder = Path(out)
        refuse_if_used(folder)  # before the lock, so that a refused folder is left exactly as it was
        make_folder(folder)
        lock = lock_folder(folder)
        try:
            refuse_if_used(folder)  # again: another command may have written here in between
        except OutputError:
            lock.close()
            raise
        return folder, lock
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    make_folder(root)
    base = root / f"{safe_name(name)}-{stamp}-seed{seed}"
    for attempt in range(1, 1000):
        folder = base if attempt == 1 else base.with_name(f"{base.name}-{attempt}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        except OSError as err:
            raise OutputError(f"{root}: cannot create a run folder: {err.strerror}") from None
        return folder, lock_folder(folder)
    raise OutputError(f"could not create a new run folder under {root}")


#: The signals that interrupt a command: Ctrl-C, and SIGTERM (which the command line treats alike).
INTERRUPTS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Hold back Ctrl-C and SIGTERM until the block is done, then raise KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, frame: received.append(signum)) for signum in INTERRUPTS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if received:
            raise KeyboardInterrupt


class RunWriter:
    """Writes a run's files into its folder as replications finish."""

    def __init__(self, folder: Path, scenario: Scenario, provenance: dict[str, Any]) -> None:
        self.folder = folder
        self.provenance = {
            **provenance,
            "scenario_sha256": scenario.digest(),
            "versions": package_versions(),
            "command": sys.argv,
            "started": now(),
            "status": "running",
            "replications_done": 0,
        }
        try:
            (folder / "scenario.toml").write_text(scenario.to_toml(), encoding="utf-8")
        except OSError as err:
            raise OutputError(f"cannot write {folder / 'scenario.toml'}: {err.strerror}") from None
        self._write_provenance()

    def add(self, rep: Replication) -> None:
        """Append one finished replication to metrics.csv, summary.csv, network.csv and the event logs.

        Ctrl-C and SIGTERM wait until all of a replication's rows and run.json are
        written, so the files never hold half a replication.
        """
        with deferred_interrupt():
            self._append("metrics.csv", rep.metrics)
            self._append("summary.csv", pd.DataFrame([rep.summary]))
            if rep.events is not None:
                self._append("events.csv", rep.events)
            if rep.enterprise_events is not None:
                self._append("enterprise_events.csv", rep.enterprise_events)
            if rep.network is not None:
                self._append("network.csv", rep.network)
            self.provenance["replications_done"] += 1
            self.provenance.setdefault("replication_seeds", []).append(rep.seed)
            self._write_provenance()

    def finish(self, status: str, error: str | None = None) -> None:
        """Record how the run ended: complete, interrupted or failed."""
        self.provenance.update(status=status, finished=now())
        if error:
            self.provenance["error"] = error
        self._write_provenance()

    def _append(self, name: str, frame: pd.DataFrame) -> None:
        """Append ``frame`` to ``name``, all or nothing: a failed write is cut back off."""
        path = self.folder / name
        text = io.StringIO()
        frame.to_csv(text, header=not path.exists(), index=False)
        size = path.stat().st_size if path.exists() else 0
        try:
            with path.open("a", encoding="utf-8", newline="") as file:
                file.write(text.getvalue())
                file.flush()
                os.fsync(file.fileno())
        except OSError as err:
            with contextlib.suppress(OSError):
                os.truncate(path, size)
            raise OutputError(f"cannot write {path}: {err.strerror}; it holds the finished replications only") from None

    def _write_provenance(self) -> None:
        """Replace run.json in one step (write a temporary file, then rename), or not at all."""
        tmp = self.folder / "run.json.tmp"
        try:
            tmp.write_text(json.dumps(self.provenance, indent=2), encoding="utf-8")
            tmp.replace(self.folder / "run.json")
        except OSError as err:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise OutputError(f"cannot write {self.folder / 'run.json'}: {err.strerror}") from None
