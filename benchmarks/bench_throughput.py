"""Where users spend runs: start-up of a small run, and the calibration's, a robust search's and an
ensemble comparison's throughput on two worker processes.

    python benchmarks/bench_throughput.py [--jobs 2] [--samples 4] [--members 3]

Prints, each measured once in this invocation (all on the same machine, one after the other):

- the start-up of ``lde-sim run scenarios/small.toml --months 1``: the median wall time of
  ``--startups`` fresh commands (imports, scenario loading, one month, writing the run folder);
- calibration runs per minute: one wave of ``--samples`` parameter sets of the shipped
  calibration (calibration/targets.toml: full-scale history runs, every population and
  replication it asks for; not its policy options, whose thousands of runs follow the waves)
  on ``--jobs`` processes;
- robust search candidates per minute: the search of benchmarks/bench_search.py (searches/small.toml
  on the small world branching in January 2026) on ``--jobs`` processes;
- ensemble comparison runs per minute: today's rules and the outcome bonus from January 2026
  (scenarios/from_2026) at full scale, over the first ``--members`` parameter sets of the
  shipped ensemble (calibration/plausible.csv), one replication each, on ``--jobs`` processes;
  then the same on a local Dask cluster of ``--dask-workers`` workers (``--scheduler local``),
  with whether both give identical indicators.

Throughputs are whole commands' wall time (design, workers, store and report included), so
they are what a user waits for. Run it on a quiet machine and quote the load average with it.
For a quick check that the benchmark still works, ``--seekers`` sets the structurally unemployed
of every run but the start-up's (default: each scenario's own, full scale or small.toml's) and
``--screen`` the parameter sets the calibration's emulators judge (default: the shipped file's).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def startup_seconds(repeats: int, folder: Path) -> float:
    """Median wall seconds of ``lde-sim run scenarios/small.toml --months 1`` in a fresh process."""
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            [BIN / "lde-sim", "run", ROOT / "scenarios" / "small.toml", "--months", "1", "--out", folder / f"start{i}"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def calibration_rate(
    samples: int, jobs: int, folder: Path, seekers: int | None = None, screen: int | None = None
) -> tuple[int, float]:
    """(runs, runs per minute) of one wave of ``samples`` parameter sets of the shipped calibration."""
    from simulation.calibration.history_matching import CalibrationError, calibrate

    targets = wave_targets(samples, folder, seekers, screen)
    start = time.perf_counter()
    try:
        calibrate(targets, jobs=jobs, out=folder / "calibration")
    except CalibrationError:  # a wave of a few sets may hold no plausible one: its runs still count
        pass
    seconds = time.perf_counter() - start
    runs = runs_in(folder / "calibration")
    return runs, 60 * runs / seconds


def wave_targets(samples: int, folder: Path, seekers: int | None = None, screen: int | None = None) -> Path:
    """The shipped targets file as one wave of ``samples`` sets (with ``seekers`` structurally
    unemployed and ``screen`` sets judged by the emulators, if given), written to ``folder`` with
    its scenarios' paths made absolute; without its policy options, whose thousands of runs follow
    the waves and are not a wave's (tests/test_calibration.py loads it, so a change of the shipped
    file that breaks this benchmark fails a test)."""
    spec = tomllib.loads((ROOT / "calibration" / "targets.toml").read_text())
    for after_the_waves in ("option", "option_measure"):
        spec.pop(after_the_waves, None)
    spec.update(samples=samples, waves=1, scenario=str(ROOT / "scenarios" / "history.toml"))
    spec["calibrated_extends"] = str(ROOT / "scenarios" / "baseline.toml")
    if seekers:
        spec["overrides"] = {**spec.get("overrides", {}), "world.pool_size": seekers}
    if screen:
        spec["screen"] = screen
    targets = folder / "targets.toml"
    targets.write_text(tomli_w.dumps(spec))
    return targets


def runs_in(folder: Path) -> int:
    """Model runs the experiment stores under ``folder`` hold (their runs tables)."""
    from simulation import read_experiment
    from simulation.experiments.store import FILE

    return sum(len(read_experiment(store.parent, ("runs",))["runs"]) for store in folder.rglob(FILE))


def search_rate(jobs: int, folder: Path, seekers: int | None = None) -> tuple[int, float]:
    """(candidates, candidates per minute) of the search of bench_search.py on ``jobs`` processes."""
    from bench_search import search_file, small_base

    from simulation import search

    start = time.perf_counter()
    result = search(small_base(seekers), search_file(folder), folder / "search", jobs=jobs)
    seconds = time.perf_counter() - start
    return len(result.candidates), 60 * len(result.candidates) / seconds


def ensemble_rate(
    members: int, jobs: int, folder: Path, scheduler: str | None = None, seekers: int | None = None
) -> tuple[int, float, object]:
    """(runs, runs per minute, indicators) of an ensemble comparison of two 2026 scenarios over
    ``members`` sets, on ``jobs`` processes or (``scheduler="local"``) a local Dask cluster of ``jobs`` workers."""
    from simulation import Scenario, compare

    rows = (ROOT / "calibration" / "plausible.csv").read_text().splitlines()
    ensemble = folder / "ensemble.csv"
    ensemble.write_text("\n".join(rows[: members + 1]) + "\n")
    size = {"world.pool_size": seekers} if seekers else {}
    scenarios = [Scenario.load(ROOT / "scenarios" / "from_2026" / f"{name}.toml", size) for name in ("today", "outcome_bonus")]
    out = folder / f"ensemble-{scheduler or 'processes'}"
    start = time.perf_counter()
    result = compare(scenarios, replications=1, jobs=jobs, scheduler=scheduler, out=out, ensemble=ensemble)
    seconds = time.perf_counter() - start
    runs = len(scenarios) * members
    indicators = result.tables(("indicators",))["indicators"]
    return runs, 60 * runs / seconds, indicators.sort_values(list(indicators.columns[:3])).reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--startups", type=int, default=5, help="fresh small runs for the start-up median (default 5)")
    parser.add_argument("--samples", type=int, default=4, help="parameter sets in the calibration wave (default 4)")
    parser.add_argument("--members", type=int, default=3, help="ensemble members compared (default 3)")
    parser.add_argument("--dask-workers", type=int, default=3, help="workers of the local Dask cluster (default 3; 0: skip)")
    parser.add_argument("--seekers", type=int, help="structurally unemployed at month 0 (default: each scenario's own)")
    parser.add_argument("--screen", type=int, help="sets the calibration's emulators judge (default: the shipped file's)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load {load:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"start-up of lde-sim run scenarios/small.toml --months 1: {startup_seconds(args.startups, folder):.2f} s (median)")
        runs, rate = calibration_rate(args.samples, args.jobs, folder, args.seekers, args.screen)
        print(f"calibration: {runs} runs, {rate:.1f} runs/min on {args.jobs} processes")
        candidates, rate = search_rate(args.jobs, folder, args.seekers)
        print(f"robust search: {candidates} candidates, {rate:.1f} candidates/min on {args.jobs} processes")
        runs, rate, by_processes = ensemble_rate(args.members, args.jobs, folder, seekers=args.seekers)
        print(f"ensemble comparison: {runs} runs, {rate:.1f} runs/min on {args.jobs} processes")
        if args.dask_workers:
            runs, rate, by_dask = ensemble_rate(args.members, args.dask_workers, folder, "local", args.seekers)
            same = by_dask.equals(by_processes)
            print(f"  on a local Dask cluster of {args.dask_workers} workers: {rate:.1f} runs/min; identical indicators: {same}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
