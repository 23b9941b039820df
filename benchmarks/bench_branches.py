"""Snapshot and branch: comparisons of branches of the history, with the shared history run
once per seed, against running every scenario from the start.

    python benchmarks/bench_branches.py --replications 2 [--seekers 100000]

For the branches from 2018 (with the history itself) and those from 2026, prints the
seconds each way (one process each, the same seeds), the model months simulated per
replication, and whether both ways give the same indicators. At full scale unless
``--seekers`` sets the structurally unemployed (for a quick check).
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
GROUPS = {
    "2018-01": ["history.toml", *(f"from_2018/{n}.toml" for n in ("aftercare", "guidance_training", "outcome_bonus"))],
    "2026-01": [f"from_2026/{n}.toml" for n in ("today", "maatwerk_places", "doorstroom_trajectories", "outcome_bonus")],
}


def measure(names: list[str], branch: str, replications: int, seekers: int | None) -> None:
    from simulation import Scenario, compare, run
    from simulation.experiments.experiment import common_window

    scenarios = [Scenario.load(ROOT / "scenarios" / name, {"world.pool_size": seekers} if seekers else {}) for name in names]
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        result = compare(scenarios, replications=replications, jobs=1, out=Path(folder) / "c")
        branched = time.perf_counter() - start
        stored = result.tables(("indicators",))["indicators"]
    start = time.perf_counter()
    # measured over the comparison's common window (a branch's own years, the history's too)
    whole = [run(s, seed=1, replications=replications).summary for s in common_window(scenarios)]
    separate = time.perf_counter() - start
    same = all(identical(stored[stored["label"] == s.name].sort_values("replication"), w) for s, w in zip(scenarios, whole))
    shared = scenarios[-1].month_of(branch) - 1
    months = sum(s.months - shared for s in scenarios) + shared
    scale = f"{seekers:,} seekers" if seekers else "full scale"
    print(f"{len(scenarios)} scenarios branching at {branch}, {replications} replications, {scale}:")
    print(f"  branched {branched:6.1f} s ({months} model months a replication)")
    print(f"  separate {separate:6.1f} s ({sum(s.months for s in scenarios)} model months a replication)")
    print(f"  speed-up {separate / branched:.2f}x; identical indicators: {same}")


def identical(stored: pd.DataFrame, summary: pd.DataFrame) -> bool:
    """Whether a comparison's stored indicators and whole runs' summary agree in every indicator."""
    columns = [c for c in summary.columns if c not in ("replication", "seed")]
    return all(np.array_equal(stored[c].to_numpy(float), summary[c].to_numpy(float), equal_nan=True) for c in columns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--seekers", type=int, help="structurally unemployed at month 0 (default: the scenarios' full scale)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    for branch, names in GROUPS.items():
        measure(names, branch, args.replications, args.seekers)


if __name__ == "__main__":
    main()
