"""Old code against new: the same run of each, in turn on one machine, and whether they agree.

    python benchmarks/bench_compare.py BASE [NEW] [--scenario baseline] [--rounds 6]

BASE and NEW are git revisions of this repository (a commit, tag or branch); NEW is by default
the work tree as it is, uncommitted changes included. Each side's package and shipped folders
(``simulation/``, ``scenarios/``, ``calibration/``) are taken from its revision. A round runs
``--scenario`` (default the baseline, full scale; each side reads its own file, as it says, or
with ``--seekers`` structurally unemployed people and ``--months`` months) once on each side,
each in a fresh process that imports its own package, both on one processor, taking turns of
``--block`` months (default 12; who goes first flips every turn): only one runs at a time, and
both meet the same load from minute to minute. ``--rounds`` rounds (default 6).

Why: the host moves ``bench_model.py``'s ratio to the plain Mesa loop by a quarter from one hour
to the next (docs/performance.md), and the same run by a third from one minute to the next,
far more than most changes of the code. Prints each round's milliseconds a month of both sides
and their ratio, the median ratio (the measure of the change: one process can run the same code
a few percent faster or slower for its whole life, so each round has fresh ones), the fastest
run of each side, and whether the two gave identical results: every metric of every month, bit
for bit (a change meant to keep the draws must; one that changes them must say so, and pass
``tests/test_distribution.py``). ``--require-identical`` makes results that differ an error
(exit status 1).
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What a side needs of its revision: the package and the shipped folders it reads.
TREES = ("simulation", "scenarios", "calibration")


class CompareError(Exception):
    """A revision or option this benchmark cannot use; the message says which and why."""


def revision(name: str) -> str:
    """The full commit id of revision ``name`` of the repository at ROOT."""
    try:
        return git("rev-parse", "--verify", f"{name}^{{commit}}").decode().strip()
    except CompareError as error:
        raise CompareError(f"{name!r} is not a commit of this repository: {error}") from None


def git(*arguments: str) -> bytes:
    """The output of a git command in the repository at ROOT; its own words when it fails."""
    try:
        done = subprocess.run(["git", "-C", str(ROOT), *arguments], capture_output=True, check=False)
    except FileNotFoundError as missing:
        raise CompareError("git is not installed: this benchmark takes its revisions from git") from missing
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip()
        raise CompareError(f"git {' '.join(arguments)} failed in {ROOT}: {said}")
    return done.stdout


def check_out(commit: str, into: Path) -> Path:
    """Unpack those of ``TREES`` that ``commit`` has into the folder ``into``; return it."""
    present = set(git("ls-tree", "--name-only", commit).decode().split())
    archive = git("archive", "--format=tar", commit, "--", *(tree for tree in TREES if tree in present))
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def look_first_in(root: str, cpu: int | None) -> None:
    """Worker start: the package ``simulation`` is imported from ``root`` (:func:`start_run` checks
    it: a pool's initializer that fails restarts its worker without end); the worker runs on
    processor ``cpu``, the same for both sides, where the system lets a process choose."""
    sys.path.insert(0, root)
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


#: The model a side's worker is running (one at a time), between :func:`start_run` and :func:`finish`.
RUNNING: dict[str, object] = {}


def start_run(root: str, scenario: str, overrides: dict[str, int], seed: int) -> dict[str, float]:
    """Build the model of ``scenario`` (a path under ``root``, with ``overrides``) with the package
    imported from ``root``; return the seconds that took, its months and its structurally
    unemployed at month 0."""
    import simulation
    from simulation import LabourMarketModel, Scenario

    where = Path(simulation.__file__).resolve()
    if not where.is_relative_to(Path(root).resolve()):
        raise ImportError(f"simulation was imported from {where}, not from {root}")
    loaded = Scenario.load(Path(root) / scenario, overrides)
    start = time.perf_counter()
    RUNNING["model"] = LabourMarketModel(loaded, seed=seed)
    return {"seconds": time.perf_counter() - start, "months": loaded.months, "seekers": loaded.world.pool_size}


def advance(months: int) -> float:
    """Step the running model ``months`` months; return the seconds that took."""
    model = RUNNING["model"]
    start = time.perf_counter()
    for _ in range(months):
        model.step()
    return time.perf_counter() - start


def finish() -> str:
    """The running model's fingerprint (see :func:`fingerprint`); the worker lets the model go."""
    return fingerprint(RUNNING.pop("model").recorder.metrics())


def fingerprint(metrics) -> str:
    """A digest of a metrics table's column names, dtypes and every value's bytes: equal only
    when the two tables are identical bit for bit."""
    digest = hashlib.sha256()
    for column in metrics.columns:
        values = metrics[column].to_numpy()
        digest.update(f"{column}:{values.dtype.str}:{values.size};".encode())
        digest.update(values.tobytes() if values.dtype.kind != "O" else repr(values.tolist()).encode())
    return digest.hexdigest()


def compare(sides: dict[str, str], options: argparse.Namespace) -> dict[str, list[dict]]:
    """Run every side ``options.rounds`` times (see :func:`side_by_side`); each run's seconds
    (building the model and stepping it), months, seekers and fingerprint."""
    runs: dict[str, list[dict]] = {name: [] for name in sides}
    for round_ in range(options.rounds):
        for name, run in side_by_side(sides, options, round_).items():
            runs[name].append(run)
    return runs


def side_by_side(sides: dict[str, str], options: argparse.Namespace, round_: int) -> dict[str, dict]:
    """One run of each side, in turns of ``options.block`` months (who goes first flips every turn
    and every round), each in a fresh process on the same processor.

    Fresh processes each round: a process's own layout in memory (and its hash seed) can make
    the same code a few percent faster or slower for its whole life; measured here, the same
    code in two long-lived processes ran 3-7% apart in every one of five rounds."""
    order = list(sides)[:: 1 if round_ % 2 == 0 else -1]
    context = mp.get_context("spawn")
    cpu = min(os.sched_getaffinity(0)) if hasattr(os, "sched_setaffinity") else None
    pools = {name: context.Pool(1, initializer=look_first_in, initargs=(sides[name], cpu)) for name in order}

    def on(name: str, function, *arguments):
        try:
            return pools[name].apply(function, arguments)
        except Exception as error:  # the side's own code failed: say which side, and how
            raise CompareError(f"the {name} side could not run: {type(error).__name__}: {error}") from error

    try:
        run = {name: on(name, start_run, sides[name], options.scenario, overrides(options), options.seed) for name in order}
        done = dict.fromkeys(sides, 0)
        while any(done[name] < run[name]["months"] for name in sides):
            for name in order:
                months = min(options.block, run[name]["months"] - done[name])
                if months > 0:
                    run[name]["seconds"] += on(name, advance, months)
                    done[name] += months
            order.reverse()
        return {name: run[name] | {"fingerprint": on(name, finish)} for name in sides}
    finally:
        for pool in pools.values():
            pool.terminate()


def overrides(options: argparse.Namespace) -> dict[str, int]:
    """The scenario's settings the options change: its seekers and months, where given."""
    given = {"world.pool_size": options.seekers, "months": options.months}
    return {key: value for key, value in given.items() if value is not None}


def scenario_path(name: str) -> str:
    """``name`` as a path under a side's root: a shipped scenario's name (``baseline``,
    ``from_2026/outcome_bonus``) or a ``.toml`` path inside the repository."""
    path = Path(name if name.endswith(".toml") else f"scenarios/{name}.toml")
    if path.is_absolute() or ".." in path.parts:
        raise CompareError(f"--scenario {name}: give a shipped scenario's name or a path inside the repository, not {path}")
    return path.as_posix()


def report(names: list[str], runs: dict[str, list[dict]]) -> bool:
    """Print the runs, each round's ratio new/base (the two runs side by side) and their median,
    and the fastest of each side; return whether results agree."""
    base, new = names
    for name in names:
        print(f"{name}: {runs[name][0]['seekers']:,} seekers, {runs[name][0]['months']} months")
    print(f"{'round':>5}{base:>22}{new:>22}{'new/base':>10}   (ms a month)")
    paired = [ms_a_month(b) / ms_a_month(a) for a, b in zip(runs[base], runs[new])]
    for round_, (a, b) in enumerate(zip(runs[base], runs[new])):
        print(f"{round_ + 1:>5}{ms_a_month(a):22.2f}{ms_a_month(b):22.2f}{paired[round_]:10.3f}")
    print(f"new/base: {statistics.median(paired):.3f} (median of {len(paired)} rounds; {min(paired):.3f}-{max(paired):.3f})")
    fastest = {name: min(ms_a_month(run) for run in runs[name]) for name in names}
    print(f"fastest: {base} {fastest[base]:.2f} ms a month, {new} {fastest[new]:.2f} ms a month")
    prints = {run["fingerprint"] for side in runs.values() for run in side}
    print(f"results: {'identical' if len(prints) == 1 else 'DIFFERENT'} (every metric of every month, bit for bit)")
    return len(prints) == 1


def ms_a_month(run: dict) -> float:
    return run["seconds"] / run["months"] * 1e3


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the old code: a git revision (commit, tag, branch)")
    parser.add_argument("new", nargs="?", help="the new code: a git revision (default: the work tree as it is)")
    parser.add_argument("--scenario", default="baseline", help="a shipped scenario's name or a .toml path in the repository")
    parser.add_argument("--seekers", type=int, help="structurally unemployed at month 0 (default: the scenario's)")
    parser.add_argument("--months", type=int, help="months to run (default: the scenario's)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=6, help="runs of each side, side by side (default 6)")
    parser.add_argument("--block", type=int, default=12, help="months a side runs before the other's turn (default 12)")
    parser.add_argument("--require-identical", action="store_true", help="exit 1 when the two results differ")
    given = parser.parse_args()
    for name in ("seekers", "months", "rounds", "block"):
        if getattr(given, name) is not None and getattr(given, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(given, name)}")
    return given


def main() -> int:
    given = options()
    try:
        given.scenario = scenario_path(given.scenario)
        commits = {"base": revision(given.base), "new": revision(given.new) if given.new else None}
        with tempfile.TemporaryDirectory(prefix="bench-compare-") as folder:
            sides = {}
            for side, commit in commits.items():
                label = f"{side} {commit[:9]}" if commit else f"{side} (work tree)"
                sides[label] = str(check_out(commit, Path(folder) / side)) if commit else str(ROOT)
                if not (Path(sides[label]) / given.scenario).is_file():
                    raise CompareError(f"{label} has no {given.scenario}")
            machine = platform.processor() or platform.machine()
            print(f"machine: {machine}, {mp.cpu_count()} cores, Python {platform.python_version()}")
            print(f"{given.scenario}, seed {given.seed}, {given.rounds} rounds")
            agree = report(list(sides), compare(sides, given))
    except CompareError as error:
        print(f"bench_compare: {error}", file=sys.stderr)
        return 2
    return 1 if given.require_identical and not agree else 0


if __name__ == "__main__":
    sys.exit(main())
