"""Run folders: where a run's tables and provenance are written, safely.

A run folder is created only after the scenario and options are valid, is never an
existing non-empty folder, and receives each replication's rows as soon as that
replication finishes: an interrupted or failed run keeps everything finished so far,
and ``run.json`` says how it ended.
"""

from __future__ import annotations

import contextlib
import io
import json
import platform
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


def new_run_folder(out: str | Path | None, name: str, seed: int, root: Path = Path("runs")) -> Path:
    """Create the folder for a run: ``out`` if given (must not hold files), else a new one under ``root``."""
    if out is not None:
        folder = Path(out)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise OutputError(
                f"--out {folder}: already exists and is not an empty folder; "
                "choose a new folder (earlier runs are never overwritten)"
            )
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = root / f"{name}-{stamp}-seed{seed}"
    for attempt in range(1, 1000):
        folder = base if attempt == 1 else base.with_name(f"{base.name}-{attempt}")
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            continue
    raise OutputError(f"could not create a new run folder under {root}")


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) until the block is done, then raise it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
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
        (folder / "scenario.toml").write_text(scenario.to_toml(), encoding="utf-8")
        self._write_provenance()

    def add(self, rep: Replication) -> None:
        """Append one finished replication to metrics.csv, summary.csv and events.csv.

        Ctrl-C waits until all of a replication's rows and run.json are written, so the
        files never hold half a replication.
        """
        with deferred_interrupt():
            self._append("metrics.csv", rep.metrics)
            self._append("summary.csv", pd.DataFrame([rep.summary]))
            if rep.events is not None:
                self._append("events.csv", rep.events)
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
        path = self.folder / name
        text = io.StringIO()
        frame.to_csv(text, header=not path.exists(), index=False)
        with path.open("a", encoding="utf-8", newline="") as file:
            file.write(text.getvalue())

    def _write_provenance(self) -> None:
        tmp = self.folder / "run.json.tmp"
        tmp.write_text(json.dumps(self.provenance, indent=2), encoding="utf-8")
        tmp.replace(self.folder / "run.json")
