"""Run folders: where a run's tables and provenance are written, safely.

A run folder is created only after the scenario and options are valid, is never an
existing non-empty folder, and receives each replication's rows as soon as that
replication finishes: an interrupted or failed run keeps everything finished so far,
and ``run.json`` says how it ended.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
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

from ..errors import LDEError
from ..rules.scenario import Scenario
from ..world.indicators import yearly
from .runner import Replication

DEPENDENCIES = ("mesa", "numpy", "scipy", "pandas", "pydantic", "matplotlib", "tomli-w")


class OutputError(LDEError):
    """An output folder that cannot be used."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def package_versions(*used: str) -> dict[str, str]:
    """Versions of this package, Python and the dependencies that shape results, with the libraries
    ``used`` by the command (distribution names: SALib for a sensitivity analysis, scikit-learn for a
    calibration's emulators, ema-workbench for scenario discovery, pymoo for a search)."""
    versions = {"python": platform.python_version()}
    for name in ("lde-doorstroom", *DEPENDENCIES, *used):
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
    """Writes a run's files into its folder as replications finish, all or nothing per replication.

    ``run.json`` is the journal: for each table it records the bytes that hold whole
    replications and their SHA-256 (``files``). A replication's rows are appended to
    every table, then ``run.json`` is replaced in one step; a failed write cuts every
    table back to the bytes ``run.json`` records. After a ``kill -9`` between the two, a
    table may end with rows beyond those bytes: readers (:func:`read_table`) take only
    the recorded bytes, and a changed byte within them is detected by its checksum.
    """

    def __init__(self, folder: Path, scenario: Scenario, provenance: dict[str, Any]) -> None:
        self.folder, self.scenario = folder, scenario
        self.provenance = {
            **provenance,
            "scenario_sha256": scenario.digest(),
            "versions": package_versions(),
            "command": sys.argv,
            "started": now(),
            "status": "running",
            "replications_done": 0,
            "files": {},
        }
        self.hashes: dict[str, Any] = {}
        try:
            write_file(folder / "scenario.toml", scenario.to_toml().encode())
            self._write_provenance(self.provenance)
        except OSError as err:
            raise OutputError(f"cannot write in {folder}: {err.strerror}; {FREE_SPACE}") from None

    def add(self, rep: Replication) -> None:
        """Append one finished replication to every table (:data:`RUN_TABLES`): metrics.csv,
        summary.csv, the event logs, network.csv and yearly.csv (its indicators per calendar year).

        Ctrl-C and SIGTERM wait until all of a replication's rows and run.json are
        written, so the files never hold half a replication.
        """
        frames = {"metrics.csv": rep.metrics, "summary.csv": pd.DataFrame([rep.summary])}
        frames.update({"events.csv": rep.events, "enterprise_events.csv": rep.enterprise_events, "network.csv": rep.network})
        frames["yearly.csv"] = yearly(rep.metrics, self.scenario)
        files, hashes = dict(self.provenance["files"]), {}
        with deferred_interrupt():
            try:
                for name, frame in frames.items():
                    if frame is None:
                        continue
                    data = frame.to_csv(header=name not in files, index=False).encode()
                    self._append(name, data)
                    hashes[name] = self.hashes[name].copy() if name in self.hashes else hashlib.sha256()
                    hashes[name].update(data)
                    files[name] = {"bytes": files.get(name, {}).get("bytes", 0) + len(data), "sha256": hashes[name].hexdigest()}
                seeds = [*self.provenance.get("replication_seeds", []), rep.seed]
                done = self.provenance["replications_done"] + 1
                self._write_provenance({**self.provenance, "replications_done": done, "replication_seeds": seeds, "files": files})
            except OSError as err:
                self._cut_back()
                raise OutputError(
                    f"cannot write {self.folder}: {err.strerror}; the tables hold the {self.provenance['replications_done']} "
                    f"finished replication(s) run.json counts. {FREE_SPACE}"
                ) from None
            self.provenance.update(replications_done=done, replication_seeds=seeds, files=files)
            self.hashes.update(hashes)

    def finish(self, status: str, error: str | None = None) -> None:
        """Record how the run ended: complete, interrupted or failed."""
        ended = {**self.provenance, "status": status, "finished": now(), **({"error": error} if error else {})}
        try:
            self._write_provenance(ended)
        except OSError as err:
            raise OutputError(f"cannot write {self.folder / 'run.json'}: {err.strerror}; {FREE_SPACE}") from None
        self.provenance = ended

    def _append(self, name: str, data: bytes) -> None:
        with (self.folder / name).open("ab") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())

    def _cut_back(self) -> None:
        """Every table back to the bytes run.json records (a table it does not record yet: removed)."""
        for name in RUN_TABLES:
            path, recorded = self.folder / name, self.provenance["files"].get(name)
            with contextlib.suppress(OSError):
                if recorded is not None:
                    os.truncate(path, recorded["bytes"])
                elif path.exists():
                    path.unlink()

    def _write_provenance(self, provenance: dict[str, Any]) -> None:
        """Replace run.json in one step (write a temporary file, then rename), or not at all."""
        write_file(self.folder / "run.json", json.dumps(provenance, indent=2).encode())


@contextlib.contextmanager
def journal(path: Path, provenance: dict[str, Any]) -> Iterator[None]:
    """Keep ``path`` (JSON) saying what the command writing its folder is and how it ended, as
    ``run.json`` does for a run: ``provenance`` with the command line and the start time, status
    ``running`` while the block runs, then ``complete``, ``interrupted`` (Ctrl-C, SIGTERM) or
    ``failed`` (with the error) and the end time; each time written whole (:func:`write_file`)."""
    record = {**provenance, "command": sys.argv, "started": now(), "status": "running"}

    def write(ending: dict[str, Any]) -> None:
        try:
            write_file(path, json.dumps({**record, **ending}, indent=2).encode())
        except OSError as err:
            raise OutputError(f"cannot write {path}: {err.strerror}; {FREE_SPACE}") from None

    write({})
    try:
        yield
    except BaseException as err:
        ending = {"status": "interrupted"} if isinstance(err, KeyboardInterrupt) else {"status": "failed", "error": str(err)}
        with contextlib.suppress(OutputError):  # the error that stopped the command is the one to tell
            write({**ending, "finished": now()})
        raise
    write({"status": "complete", "finished": now()})


#: The tables of a run folder, in the order a replication is appended.
RUN_TABLES = ("metrics.csv", "summary.csv", "events.csv", "enterprise_events.csv", "network.csv", "yearly.csv")
FREE_SPACE = "free some space (or choose another --out) and run it again"


def write_file(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: into a temporary file beside it, then renamed over it."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def read_table(folder: Path, name: str, provenance: dict[str, Any]) -> bytes:
    """The whole replications of a run folder's table ``name``: the bytes run.json records, checked
    against their SHA-256 (:class:`RunWriter`); an :class:`OutputError` naming a changed or short file."""
    recorded = provenance.get("files", {}).get(name)
    if recorded is None:
        raise OutputError(f"{folder}: run.json records no {name} (a run written before checksums, or not by lde-sim run)")
    data = (folder / name).read_bytes()
    whole = data[: recorded["bytes"]]
    if len(whole) < recorded["bytes"] or hashlib.sha256(whole).hexdigest() != recorded["sha256"]:
        raise OutputError(
            f"{folder / name} was changed or cut short after the run wrote it (its checksum differs from run.json's); "
            "run the scenario again"
        )
    if len(data) > len(whole) and provenance.get("status") == "complete":
        raise OutputError(f"{folder / name} has rows the run did not write (added after it); run the scenario again")
    return whole
