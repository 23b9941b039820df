"""Memory over many runs in one process: resident memory after 1, 10, 100 and 1,000 runs.

    python benchmarks/bench_memory.py [--runs 1000] [--months 12]

Runs replications of ``scenarios/small.toml`` one after another in this process, the way
an experiment worker does (:func:`simulation.experiments.executors.run_tasks` with one job), drops
each outcome, and prints the resident memory (Linux: from /proc; elsewhere the peak) after
run 1, 10, 100, ... and the last. Memory after the last run should stay within 50 MB of
memory after the tenth (issue 27): before the workaround in :mod:`simulation.mesa_release`
every run of ``small.toml`` kept its model, about 4.4 MB for 120 months.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from simulation import Scenario
from simulation.experiments.executors import Task, run_tasks

ROOT = Path(__file__).resolve().parent.parent


def resident_mb() -> float:
    """This process's resident memory now, in MB (the peak where /proc is missing)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs in this process (default 1000)")
    parser.add_argument("--months", type=int, default=12, help="months a run (default 12)")
    args = parser.parse_args()
    scenario = Scenario.load(ROOT / "scenarios" / "small.toml").with_overrides({"months": args.months})
    data = scenario.model_dump(mode="json")
    marks = {1, 10, args.runs} | {10**k for k in range(2, 7) if 10**k < args.runs}
    memory: dict[int, float] = {}
    start = time.perf_counter()
    tasks = (Task(run, data, 1, run) for run in range(args.runs))
    for done, outcome in enumerate(run_tasks(tasks, jobs=1), start=1):
        assert outcome.error is None, outcome.error
        if done in marks:
            memory[done] = resident_mb()
            print(f"after {done:>7,} runs: {memory[done]:8.1f} MB resident ({time.perf_counter() - start:6.1f} s)", flush=True)
    if 10 in memory:
        growth = memory[args.runs] - memory[10]
        print(f"growth from run 10 to run {args.runs:,}: {growth:+.1f} MB ({'within' if growth <= 50 else 'MORE than'} 50 MB)")


if __name__ == "__main__":
    main()
