"""What a run needs from the machine, checked before anything starts.

A world too large for the memory, or more worker processes than the machine can
carry, is refused with a clear message instead of exhausting the machine. The
estimate is deliberately generous: about 140 bytes per person were measured at the
peak of a full run (``benchmarks/bench_model.py`` at one million job seekers); the
check allows 400, plus the imported libraries.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from ..errors import LDEError
from ..rules.scenario import Scenario

BYTES_PER_PERSON = 400
BASE_BYTES = 300 * 2**20  # Python, NumPy, pandas, Mesa and the rest, per process
#: Memory of one design point in the command's process (the point, its scenario, its task as data):
#: 100,000 Latin-hypercube points took about 2 GB before the first run.
DESIGN_BYTES_PER_POINT = 20_000
#: Store size: a design point (its scenario as TOML, its overrides) and a run's month (monthly
#: aggregates with their index; about 110 bytes measured) and the rest of a run (indicators, status).
STORE_BYTES_PER_POINT = 6_000
STORE_BYTES_PER_RUN_MONTH = 150
STORE_BYTES_PER_RUN = 1_000
#: Worker processes per available core, at most (more only wait, and each costs memory).
JOBS_PER_CORE = 4
#: Replications of one scenario, and runs of one experiment, at most.
MAX_REPLICATIONS = 10_000
MAX_RUNS = 1_000_000


class ResourceError(LDEError):
    """A run or experiment that would not fit on this machine."""


def cores() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def available_memory() -> int:
    """Bytes of memory available now (Linux: MemAvailable; elsewhere: free physical pages)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def people_capacity(scenario: Scenario) -> int:
    """Rows the model reserves for people: the initial world plus half the expected inflow."""
    world = scenario.world
    inflow = scenario.context.inflow_rate * world.pool_size * scenario.months
    return int(world.pool_size + world.lde_workers + 0.5 * inflow) + 16


def run_memory(scenario: Scenario) -> int:
    """Estimated peak bytes of one run of ``scenario``."""
    return BASE_BYTES + BYTES_PER_PERSON * people_capacity(scenario)


def check_jobs(jobs: int) -> None:
    """Refuse more worker processes than ``JOBS_PER_CORE`` per available core."""
    limit = JOBS_PER_CORE * cores()
    if jobs > limit:
        raise ResourceError(f"--jobs {jobs}: at most {limit} worker processes on this machine ({cores()} cores)")


def check_memory(scenarios: Iterable[Scenario], parallel: int = 1, points: int = 0) -> None:
    """Refuse when ``parallel`` runs of the largest of ``scenarios``, and a design of ``points``
    points held by the command, would not fit in memory."""
    largest = max(scenarios, key=run_memory)
    design = DESIGN_BYTES_PER_POINT * points
    needed, available = run_memory(largest) * parallel + design, available_memory()
    if needed > available:
        runs = f"{parallel} runs at once" if parallel > 1 else "one run"
        held = f" and {design / 2**30:.1f} GB for its {points:,} design points" if design >= 2**28 else ""
        raise ResourceError(
            f"scenario '{largest.name}' ({largest.world.pool_size:,} job seekers over {largest.months} months) needs "
            f"about {needed / 2**30:.1f} GB for {runs}{held}, and {available / 2**30:.1f} GB is available; "
            "use a smaller world or design, fewer months or fewer --jobs"
        )


def store_size(points: int, runs: int, months: int) -> int:
    """Estimated bytes of an experiment's store once every run is done."""
    return STORE_BYTES_PER_POINT * points + runs * (STORE_BYTES_PER_RUN + STORE_BYTES_PER_RUN_MONTH * (months + 1))


def check_disk(folder: Path, needed: int) -> None:
    """Refuse when the file system that will hold ``folder`` has less than ``needed`` bytes free."""
    existing = next((p for p in (folder, *folder.resolve().parents) if p.exists()), Path("."))
    free = shutil.disk_usage(existing).free
    if needed > free:
        raise ResourceError(
            f"{folder}: the experiment's store will need about {needed / 2**30:.2f} GB and {free / 2**30:.2f} GB is free "
            "there; free some space, choose another --out, or run fewer points, replications or months"
        )


def check_counts(replications: int, runs: int) -> None:
    """Refuse more than :data:`MAX_REPLICATIONS` replications or :data:`MAX_RUNS` runs."""
    if replications > MAX_REPLICATIONS:
        raise ResourceError(f"--replications {replications}: at most {MAX_REPLICATIONS:,}")
    if runs > MAX_RUNS:
        raise ResourceError(f"the design has {runs:,} runs (points x replications): at most {MAX_RUNS:,}")
