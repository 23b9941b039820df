"""What a run needs from the machine, checked before anything starts.

A world too large for the memory, or more worker processes than the machine can
carry, is refused with a clear message instead of exhausting the machine. The
estimate is deliberately generous: about 140 bytes per person were measured at the
peak of a full run (``benchmarks/bench_model.py`` at one million job seekers); the
check allows 400, plus the imported libraries.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from .errors import LDEError
from .scenario import Scenario

BYTES_PER_PERSON = 400
BASE_BYTES = 300 * 2**20  # Python, NumPy, pandas, Mesa and the rest, per process
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


def check_memory(scenarios: Iterable[Scenario], parallel: int = 1) -> None:
    """Refuse when ``parallel`` runs of the largest of ``scenarios`` would not fit in memory."""
    largest = max(scenarios, key=run_memory)
    needed, available = run_memory(largest) * parallel, available_memory()
    if needed > available:
        runs = f"{parallel} runs at once" if parallel > 1 else "one run"
        raise ResourceError(
            f"scenario '{largest.name}' ({largest.world.pool_size:,} job seekers over {largest.months} months) needs "
            f"about {needed / 2**30:.1f} GB for {runs}, and {available / 2**30:.1f} GB is available; "
            "use a smaller world, fewer months or fewer --jobs"
        )


def check_counts(replications: int, runs: int) -> None:
    """Refuse more than :data:`MAX_REPLICATIONS` replications or :data:`MAX_RUNS` runs."""
    if replications > MAX_REPLICATIONS:
        raise ResourceError(f"--replications {replications}: at most {MAX_REPLICATIONS:,}")
    if runs > MAX_RUNS:
        raise ResourceError(f"the design has {runs:,} runs (points x replications): at most {MAX_RUNS:,}")
