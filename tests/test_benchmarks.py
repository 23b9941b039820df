"""Every benchmark in benchmarks/ still runs and prints the figures it exists for.

Nothing else runs them (``make bench`` runs four, by hand, at full scale), and two once broke unseen:
one stopped before its first figure, one printed a false "identical indicators: False". Here each
runs as a user runs it (a fresh process from the repository root) at tiny sizes, a few seconds
each: it must exit 0, print each of its figures as a positive number and say that the ways it
compares agree. Speed itself is measured by the benchmarks, never here.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import pytest

from .conftest import ROOT, load_benchmark

#: A figure that must be positive (captured); a figure printed but not checked (it may round to 0).
POSITIVE = r"([\d,]*\.?\d+)"
ANY = r"[-+]?[\d,]*\.?\d+"
#: Structurally unemployed in every tiny world: at 300 no run of the search's 2026 branch gives a
#: sustainable transition rate, and the search stops with an error saying so.
SEEKERS = "500"
#: A local Dask cluster of one worker where the cluster extra is installed (make test installs it).
DASK_WORKERS = "1" if importlib.util.find_spec("distributed") else "0"
#: Per benchmark: its tiny options, and each line it must print (a regular expression) with how often.
CASES: dict[str, tuple[list[str], list[tuple[str, int]]]] = {
    "bench_compare.py": (
        ["HEAD", "HEAD", "--seekers", SEEKERS, "--months", "3", "--rounds", "2", "--require-identical"],
        [
            (rf"^(?:base|new) \w+: {SEEKERS} seekers, 3 months$", 2),
            (rf"^ +[12] +{POSITIVE} +{POSITIVE} +{POSITIVE}$", 2),
            (rf"^new/base: {POSITIVE} \(median of 2 rounds; {POSITIVE}-{POSITIVE}\)$", 1),
            (rf"^fastest: base \w+ {POSITIVE} ms a month, new \w+ {POSITIVE} ms a month$", 1),
            (r"^results: identical \(every metric of every month, bit for bit\)$", 1),
        ],
    ),
    "bench_model.py": (
        ["--seekers", SEEKERS, "--months", "3", "--repeat", "1", "--small-seekers", "100"],
        [
            (rf"^full model +{ANY} +{POSITIVE} +{POSITIVE} +{POSITIVE} +{POSITIVE}$", 1),
            (rf"^plain Mesa loop +{ANY} +{POSITIVE} +{POSITIVE} +{POSITIVE} +{POSITIVE}$", 1),
            (rf"^full model is {POSITIVE} times faster per agent-month than the plain Mesa loop$", 1),
            # three months of tiny worlds rarely split a month into its two costs: either answer will do
            (rf"^fixed cost: (?:{ANY} ms a month; a person-month beyond it: {ANY} ns|the two sizes do not split a month .+)$", 1),
        ],
    ),
    "bench_memory.py": (
        ["--runs", "12", "--months", "2"],
        [
            (rf"^after +(?:1|10|12) runs: +{POSITIVE} MB resident \( *{ANY} s\)$", 3),
            (rf"^growth from run 10 to run 12: {ANY} MB \((?:within|MORE than) 50 MB\)$", 1),
        ],
    ),
    "bench_experiments.py": (
        ["--runs", "2", "--full-runs", "2", "--seekers", SEEKERS],
        [
            (
                rf"^(?:small|baseline) +2 runs: 1 process +{POSITIVE} runs/min, 2 processes +{POSITIVE} runs/min, "
                rf"speed-up {POSITIVE}$",
                2,
            ),
            (rf"^ +overhead with [12] process\(es\): {ANY} s per run, {ANY}% of a run$", 4),
        ],
    ),
    "bench_branches.py": (
        ["--replications", "1", "--seekers", SEEKERS],
        [
            (rf"^4 scenarios branching at 20(?:18|26)-01, 1 replications, {int(SEEKERS):,} seekers:$", 2),
            (rf"^  branched +{POSITIVE} s \({POSITIVE} model months a replication\)$", 2),
            (rf"^  separate +{POSITIVE} s \({POSITIVE} model months a replication\)$", 2),
            (rf"^  speed-up {POSITIVE}x; identical indicators: True$", 2),
        ],
    ),
    "bench_search.py": (
        ["--seekers", SEEKERS, "--generations", "1", "--population", "4"],
        [
            (rf"^search on a branch at 2026-01 \({POSITIVE} shared months of {POSITIVE}\), 4 candidates$", 1),
            (rf"^  history shared +{POSITIVE} s$", 1),
            (rf"^  every run whole +{POSITIVE} s$", 1),
            (rf"^  speed-up {POSITIVE}x \({ANY} s saved\); identical front.csv: True$", 1),
        ],
    ),
    "bench_throughput.py": (
        ["--jobs", "1", "--startups", "1", "--samples", "2", "--members", "1", "--seekers", SEEKERS, "--screen", "100"]
        + ["--dask-workers", DASK_WORKERS],
        [
            (rf"^start-up of lde-sim run scenarios/small.toml --months 1: {POSITIVE} s \(median\)$", 1),
            (rf"^calibration: {POSITIVE} runs, {POSITIVE} runs/min on 1 processes$", 1),
            (rf"^robust search: {POSITIVE} candidates, {POSITIVE} candidates/min on 1 processes$", 1),
            (rf"^ensemble comparison: 2 runs, {POSITIVE} runs/min on 1 processes$", 1),
            (
                rf"^  on a local Dask cluster of 1 workers: {POSITIVE} runs/min; identical indicators: True$",
                int(DASK_WORKERS),
            ),
        ],
    ),
}


def test_every_benchmark_has_a_tiny_run_here():
    """A new benchmark gets a case in :data:`CASES`, or it can break unseen like the two before."""
    scripts = {path.name for path in (ROOT / "benchmarks").glob("*.py")}
    assert scripts == set(CASES), (
        f"benchmarks without a case: {sorted(scripts - set(CASES))}; cases without a script: {sorted(set(CASES) - scripts)}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(CASES))
def test_a_benchmark_runs_at_tiny_sizes_and_prints_its_figures(script: str):
    options, lines = CASES[script]
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *options], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{script} {' '.join(options)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    for pattern, times in lines:
        found = [match.groups() for match in re.finditer(pattern, done.stdout, re.M)]
        assert len(found) == times, f"{script}: {times} line(s) matching {pattern!r} expected, {len(found)} in:\n{done.stdout}"
        figures = [figure for groups in found for figure in groups]
        assert all(float(figure.replace(",", "")) > 0 for figure in figures), (
            f"{script}: a figure is not positive in:\n{done.stdout}"
        )


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["no-such-revision"], "'no-such-revision' is not a commit of this repository"),
        (["HEAD", "--scenario", "no_such_scenario"], "base {head} has no scenarios/no_such_scenario.toml"),
    ],
)
def test_the_comparison_says_which_revision_or_scenario_it_cannot_use(arguments: list[str], said: str):
    """Before any run: exit status 2 and one line naming what it cannot use, no traceback."""
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout[:9]
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_compare.py"), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert said.format(head=head) in done.stderr
    assert "Traceback" not in done.stderr


def test_the_comparison_refuses_a_scenario_outside_the_repository():
    compare = load_benchmark("bench_compare.py")
    assert compare.scenario_path("from_2026/outcome_bonus") == "scenarios/from_2026/outcome_bonus.toml"
    with pytest.raises(compare.CompareError, match="a path inside the repository"):
        compare.scenario_path("../elsewhere.toml")


def test_the_comparisons_fingerprint_sees_one_bit():
    """Two metrics tables differing in the last bit of one value have different fingerprints."""
    import numpy as np
    import pandas as pd

    fingerprint = load_benchmark("bench_compare.py").fingerprint
    table = pd.DataFrame({"month": np.arange(4), "dumping": np.linspace(0.1, 0.4, 4)})
    nudged = table.copy()
    nudged.loc[2, "dumping"] = np.nextafter(nudged.loc[2, "dumping"], 1.0)
    assert fingerprint(table) == fingerprint(table.copy())
    assert fingerprint(nudged) != fingerprint(table)
    assert fingerprint(table.rename(columns={"dumping": "other"})) != fingerprint(table)


@pytest.mark.parametrize(("fixed_ms", "per_person_ns"), [(4.0, 64.0), (6.0, 20.0)])
def test_the_budget_splits_a_month_into_a_fixed_cost_and_a_cost_per_person_month(fixed_ms: float, per_person_ns: float):
    """Runs built from a known fixed cost a month and cost per person-month give them back; the ceiling and
    the allowance follow from their definitions (plain loop: 1,000 ns an agent-month, so 25 times is 40 ns),
    and an allowance below zero is said to be out of reach (a fixed cost of 6 ms a month here)."""
    budget = load_benchmark("bench_model.py").budget
    months, firms = 10, 2_860.0  # firm-months count as agent-months, not as person-months
    fixed = fixed_ms * 1e-3 * months  # seconds over the run
    runs = [
        {"seconds": fixed + per_person_ns * 1e-9 * people, "people_months": people, "agent_months": people + firms}
        for people in (1.3e6, 1e4)
    ]
    lines = budget(*runs, 1_000.0, months, 25.0)
    assert lines[0] == f"fixed cost: {fixed_ms:.2f} ms a month; a person-month beyond it: {per_person_ns:.1f} ns"
    ceiling = 1_000.0 * runs[0]["agent_months"] / (fixed * 1e9)  # were the person-months free
    assert (
        lines[1] == f"were every person-month free, the full model would be {ceiling:.1f} times faster than the plain Mesa loop"
    )
    allowed = (40.0 * runs[0]["agent_months"] - fixed * 1e9) / runs[0]["people_months"]
    said = f"for 25 times, a person-month may cost at most {allowed:.1f} ns beyond the fixed cost"
    assert lines[2] == said + ("" if allowed > 0 else ": out of reach with this fixed cost")
    assert (allowed > 0) == (fixed_ms < 5.0)  # 40 ns x 1.3 million agent-months: 52 ms over 10 months, 5.2 a month


def test_the_budget_says_when_two_runs_do_not_split_a_month():
    """A small run slower than the large one (noise, too few months) gives no fixed cost, not a negative one."""
    budget = load_benchmark("bench_model.py").budget
    large, small = ({"seconds": s, "people_months": p, "agent_months": p + 100.0} for s, p in ((1.0, 1e6), (1.2, 1e4)))
    assert budget(large, small, 1_000.0, 10, 25.0) == [
        "fixed cost: the two sizes do not split a month (runs too short or too noisy): run more months or seekers"
    ]
