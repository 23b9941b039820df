"""Throughput of experiments: runs per minute with 1 and 2 local processes, and overhead.

    python benchmarks/bench_experiments.py [--runs 32] [--full-runs 8] [--seekers 100000]

For small.toml and the full-scale baseline (``--seekers`` sets its structurally unemployed,
for a quick check), runs the same experiment (one scenario, ``--runs`` replications) in this
process (``--jobs 1``) and with two worker processes (``--jobs 2``) and prints runs per minute
and their ratio. The overhead is everything
an experiment adds around the model's own months (design, process start, pickling, the
store): wall time x processes minus the time the runs themselves took, per run, as a
share of a run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from simulation import Scenario
from simulation.experiments.design import Point
from simulation.experiments.experiment import Experiment, run_experiment

ROOT = Path(__file__).resolve().parent.parent


def measure(scenario: Scenario, runs: int, jobs: int) -> tuple[float, float]:
    """(wall seconds, seconds spent inside the runs) for ``runs`` replications on ``jobs`` processes."""
    inside: list[float] = []
    experiment = Experiment("bench", [Point(scenario.name, {}, scenario)], replications=runs)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        run_experiment(experiment, Path(folder) / "x", jobs=jobs, progress=False, on_outcome=lambda o: inside.append(o.seconds))
        return time.perf_counter() - start, sum(inside)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=32, help="runs of small.toml")
    parser.add_argument("--full-runs", type=int, default=8, help="runs of the full-scale baseline")
    parser.add_argument("--seekers", type=int, help="structurally unemployed in the baseline's runs (default: its full scale)")
    args = parser.parse_args()
    sizes = {"small": {}, "baseline": {"world.pool_size": args.seekers} if args.seekers else {}}
    for name, runs in (("small", args.runs), ("baseline", args.full_runs)):
        scenario = Scenario.load(ROOT / "scenarios" / f"{name}.toml", sizes[name])
        results = {jobs: measure(scenario, runs, jobs) for jobs in (1, 2)}
        rates = {jobs: 60 * runs / wall for jobs, (wall, _) in results.items()}
        print(
            f"{name:9} {runs:3} runs: 1 process {rates[1]:6.1f} runs/min, 2 processes {rates[2]:6.1f} runs/min, "
            f"speed-up {rates[2] / rates[1]:.2f}"
        )
        for jobs, (wall, inside) in results.items():
            overhead = (wall * jobs - inside) / runs
            print(
                f"{'':9} overhead with {jobs} process(es): {overhead:.3f} s per run, "
                f"{100 * overhead / (inside / runs):.1f}% of a run"
            )


if __name__ == "__main__":
    main()
