"""A robust search on a 2026 branch: the shared history run once per generation, future and seed,
against every candidate run from the start.

    python benchmarks/bench_search.py [--seekers 5000] [--generations 2] [--population 6]

The search is searches/small.toml's levers and objectives (without its budget, set for a 36-month
run, and its stress test), on the small world branching from today's rules in January 2026
(scenarios/from_2026/today.toml at the scale of scenarios/small.toml, to two years after the
branch): 2 generations of 6 candidates, 2 futures x 1 replication, one worker. Prints the seconds
each way and whether both give the same front.csv byte for byte. ``--seekers``, ``--generations``
and ``--population`` make it smaller, for a quick check that it still works.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import tempfile
import time
import tomllib
from pathlib import Path
from unittest import mock

import tomli_w

ROOT = Path(__file__).resolve().parent.parent


def search_file(folder: Path, generations: int = 2, population: int = 6) -> Path:
    """searches/small.toml without its budget and stress test, ``generations`` of ``population``
    candidates on 2 futures x 1 replication, written to ``folder``."""
    spec = tomllib.loads((ROOT / "searches" / "small.toml").read_text())
    spec.pop("constraints")
    spec.pop("stress")
    spec.update(generations=generations, population=population)
    for section in ("futures", "fresh"):
        spec[section].update(ensemble=str(ROOT / "calibration" / "plausible.csv"), members=2, replications=1)
    path = folder / "branch_search.toml"
    path.write_text(tomli_w.dumps(spec))
    return path


def small_base(seekers: int | None = None):
    """Today's rules from January 2026 at the scale of small.toml (with ``seekers`` structurally
    unemployed, if given), to two years after the branch."""
    from simulation import Scenario
    from simulation.rules.scenario_files import changed_fields

    small = changed_fields(Scenario.load(ROOT / "scenarios" / "small.toml"), Scenario.load(ROOT / "scenarios" / "baseline.toml"))
    scale = {key: value for key, value in small.items() if key.startswith(("world.", "employers.", "policy."))}
    if seekers:
        scale["world.pool_size"] = seekers
    return Scenario.load(ROOT / "scenarios" / "from_2026" / "today.toml", {**scale, "months": 153})


def main() -> None:
    from simulation import search

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seekers", type=int, help="structurally unemployed at month 0 (default: small.toml's)")
    parser.add_argument("--generations", type=int, default=2, help="generations of the search (default 2)")
    parser.add_argument("--population", type=int, default=6, help="candidates a generation (default 6, at least 4)")
    args = parser.parse_args()
    experiment = importlib.import_module("simulation.experiments.experiment")
    base = small_base(args.seekers)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = search_file(folder, args.generations, args.population)
        start = time.perf_counter()
        branched = search(base, spec, folder / "branched", jobs=1)
        shared = time.perf_counter() - start
        with mock.patch.object(experiment, "branch_groups", lambda scenarios: []):  # every run from the start
            start = time.perf_counter()
            whole = search(base, spec, folder / "whole", jobs=1)
            separate = time.perf_counter() - start
        same = (branched.folder / "front.csv").read_bytes() == (whole.folder / "front.csv").read_bytes()
    history = base.month_of(base.branch) - 1
    print(
        f"search on a branch at {base.branch} ({history} shared months of {base.months}), {len(branched.candidates)} candidates"
    )
    print(f"  history shared {shared:6.1f} s")
    print(f"  every run whole {separate:6.1f} s")
    print(f"  speed-up {separate / shared:.2f}x ({separate - shared:.1f} s saved); identical front.csv: {same}")


if __name__ == "__main__":
    main()
