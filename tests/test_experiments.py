"""Experiments: intervals, designs, the store, resuming after kill -9, and executors."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import Scenario, run
from simulation.cli import main
from simulation.experiments.design import DesignError, grid, latin_hypercube, parse_vary
from simulation.experiments.evaluation import PeopleError
from simulation.experiments.experiment import Experiment, compare, paired, run_experiment, sweep
from simulation.experiments.statistics import interval
from simulation.experiments.store import StoreError, read_experiment

from .conftest import ROOT, SCENARIOS


@pytest.fixture(scope="module")
def quick(tiny: Scenario) -> Scenario:
    return tiny.with_overrides({"months": 24})


def test_intervals_cover_the_true_mean_at_the_nominal_rate():
    """95% t-intervals from 5 normal draws contain the mean in 95% of 4,000 experiments."""
    rng = np.random.default_rng(1)
    trials = 4_000
    hits = 0
    for _ in range(trials):
        _, low, high = interval(rng.normal(3.0, 2.0, size=5))
        hits += low <= 3.0 <= high
    assert abs(hits / trials - 0.95) < 4 * np.sqrt(0.95 * 0.05 / trials)


def test_interval_edge_cases():
    assert np.isnan(interval(np.array([]))[0])
    mean, low, high = interval(np.array([2.0, np.nan]))
    assert mean == 2.0 and np.isnan(low) and np.isnan(high)


def test_compare_pairs_replications_and_a_scenario_with_itself_differs_by_nothing(quick: Scenario, tmp_path: Path):
    more = quick.with_overrides({"name": "more_aftercare", "policy.aftercare_months": 12})
    result = compare([quick, quick, more], replications=3, jobs=1, out=tmp_path / "c")
    table = result.table
    assert result.folder == tmp_path / "c"
    assert list(table.columns[:9]) == [
        "scenario",
        "indicator",
        "mean",
        "median",
        "ci_low",
        "ci_high",
        "diff",
        "diff_ci_low",
        "diff_ci_high",
    ]
    assert set(table["scenario"]) == {quick.name, f"{quick.name}-2", "more_aftercare"}
    twin = table[table["scenario"] == f"{quick.name}-2"]
    assert (twin["diff"].fillna(0) == 0).all() and not twin["significant"].any()
    stored = read_experiment(tmp_path / "c")["indicators"]
    a = stored[stored["label"] == quick.name].set_index("replication")["transition_rate_annual"]
    b = stored[stored["label"] == "more_aftercare"].set_index("replication")["transition_rate_annual"]
    row = table[(table["scenario"] == "more_aftercare") & (table["indicator"] == "transition_rate_annual")].iloc[0]
    assert row["diff"] == pytest.approx((b - a).mean())
    assert (tmp_path / "c" / "comparison.csv").exists()


@pytest.mark.parametrize(
    "key, value, named",
    [
        ("world.pool_size", 2500, "world.pool_size = 2500 instead of 2000"),
        ("context.inflow_rate", 0.02, "context.inflow_rate = 0.02 instead of"),
        ("start", "2016-01", "start = '2016-01' instead of '2015-04'"),
    ],
)
def test_compare_refuses_a_scenario_with_other_people_naming_the_difference(quick: Scenario, key, value, named):
    """Paired differences of other people would be read as the option's effect (a larger world has more of
    everything): refused before anything runs, as evaluate refuses such a twin."""
    other = quick.with_overrides({"name": "other", "policy.aftercare_months": 12, key: value})
    with pytest.raises(PeopleError, match="compare: 'other': its people differ from small's") as refused:
        compare([quick, other], replications=1, jobs=1, window="2016-01:2016-12")
    assert named in str(refused.value) and f"--set {key}=" in str(refused.value)


def test_compare_on_the_command_line_refuses_a_small_world_against_a_full_scale_one(tmp_path: Path, capsys):
    """The audit's case: small.toml against aftercare.toml (the full-scale world) with the pool alone set the
    same: the rest of the world still differs, so the 'effects' would be the world's size. Exit 2, one line."""
    out = tmp_path / "c"
    files = [str(SCENARIOS / "small.toml"), str(SCENARIOS / "aftercare.toml")]
    options = ["--set", "world.pool_size=5000", "--months", "6", "--replications", "1", "--jobs", "1", "--out", str(out)]
    assert main(["compare", *files, *options]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "compare: 'aftercare': its people differ from small's" in err[0], err
    assert "world.lde_workers = 2500 instead of 250" in err[0] and "--set world.enterprises=20" in err[0]
    assert not out.exists()


def test_a_run_is_the_same_whatever_its_horizon_so_a_comparison_may_pair_different_ones(tiny: Scenario):
    """Why a comparison refuses other people but not another horizon (measured over a common window): a run's
    months do not depend on how long it goes on after them."""
    short, longer = (run(tiny.with_overrides({"months": months}), seed=5, events=True) for months in (12, 18))
    first = longer.metrics["month"] <= 12
    pd.testing.assert_frame_equal(short.metrics, longer.metrics[first])
    pd.testing.assert_frame_equal(short.events, longer.events[longer.events["month"] <= 12])
    assert len(longer.metrics) > len(short.metrics)


def test_every_shipped_scenario_but_the_small_world_has_the_same_people():
    """Any two shipped scenarios of the full-scale world can be compared (over a common window); the small
    world is compared with options on its own world (README, notebook 2)."""
    files = sorted(SCENARIOS.rglob("*.toml"))
    full = [Scenario.load(f) for f in files if f.name != "small.toml"]
    assert len(full) == len(files) - 1 > 20
    assert len(paired(full, "2016-01:2016-12")) == len(full)
    with pytest.raises(PeopleError, match=f"'{full[0].name}': its people differ from small's"):
        paired([Scenario.load(SCENARIOS / "small.toml"), full[0]], "2016-01:2016-12")


def test_grid_and_latin_hypercube_designs(small: Scenario):
    varies = [parse_vary("policy.aftercare_months=0:24:6", small), parse_vary("policy.extension_rule=none,evaluation", small)]
    points = grid(small, varies)
    assert len(points) == 10
    assert {p.overrides["policy.aftercare_months"] for p in points} == {0, 6, 12, 18, 24}
    ranges = [parse_vary("policy.aftercare_months=0:24", small), parse_vary("policy.creaming=0:10", small)]
    sample = latin_hypercube(small, ranges, 20, seed=3)
    months = np.array([p.overrides["policy.aftercare_months"] for p in sample])
    creaming = np.array([p.overrides["policy.creaming"] for p in sample])
    assert months.dtype.kind == "i" and months.min() >= 0 and months.max() <= 24
    assert creaming.min() >= 0 and creaming.max() <= 10
    # a Latin hypercube puts exactly one point in each of the 20 equal slices of each range
    assert sorted(np.floor(creaming / 0.5).astype(int)) == list(range(20))
    assert [p.overrides for p in latin_hypercube(small, ranges, 20, seed=3)] == [p.overrides for p in sample]


@pytest.mark.parametrize(
    "spec, message",
    [
        ("policy.nothing=1:2", "unknown key 'nothing'"),
        ("policy.aftercare_months=6:2", "empty range"),
        ("policy.aftercare_months=0:6:0", "the step must be positive"),
        ("policy.aftercare_months=a:b", "range bounds must be numbers"),
        ("policy.extension_rule=1:2", "Input should be 'none' or 'evaluation'"),
        ("policy.aftercare_months", "expected key=low:high"),
    ],
)
def test_bad_vary_specifications_are_clear_errors(small: Scenario, spec: str, message: str):
    with pytest.raises(DesignError, match=message):
        parse_vary(spec, small)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--vary", "policy.nothing=0:2:1"], "unknown key 'nothing'"),
        (["--vary", "policy.aftercare_months=3:1:1"], "empty range"),
        (["--vary", "policy.aftercare_months=x,y"], "policy.aftercare_months = 'x'"),
        (["--sample", "lhs", "--vary", "policy.creaming=0:1"], "--sample lhs needs --samples N"),
        (
            ["--sample", "lhs", "--samples", "4", "--vary", "policy.aftercare_months=0:24:6"],
            "a Latin hypercube draws its values anywhere in low:high, so it cannot keep to a step: give "
            "policy.aftercare_months=0:24, or use --sample grid",
        ),
        (
            ["--samples", "4", "--vary", "policy.aftercare_months=0,6"],
            "--samples 4: a grid runs every combination of its --vary values",
        ),
    ],
)
def test_bad_sweeps_exit_2_from_the_command_line(tmp_path: Path, args: list[str], message: str):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "simulation",
            "sweep",
            str(ROOT / "scenarios" / "small.toml"),
            *args,
            "--out",
            str(tmp_path / "never"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "never").exists()


def stored_results(folder: Path) -> pd.DataFrame:
    tables = read_experiment(folder)
    return (
        tables["indicators"]
        .drop(columns=["seed"])
        .merge(tables["monthly"].groupby("run").sum(numeric_only=True).reset_index()[["run", "nec", "lde"]], on="run")
    )


@pytest.mark.slow
def test_a_sweep_killed_with_sigkill_resumes_without_loss_or_repetition(quick: Scenario, tmp_path: Path):
    scenario_file = tmp_path / "quick.toml"
    scenario_file.write_text(quick.to_toml())
    out = tmp_path / "sweep"
    command = [
        sys.executable,
        "-m",
        "simulation",
        "sweep",
        str(scenario_file),
        "--vary",
        "policy.aftercare_months=0:15:1",
        "--replications",
        "2",
        "--jobs",
        "1",
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = out / "experiment.sqlite"

    def done_runs() -> dict[int, str]:
        if not store.exists():
            return {}
        with sqlite3.connect(store) as con:
            try:
                return dict(con.execute("SELECT run, finished FROM runs WHERE status = 'done'").fetchall())
            except sqlite3.OperationalError:
                return {}

    deadline = time.monotonic() + 240
    while len(done_runs()) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = done_runs()
    assert 5 <= len(before) < 32, len(before)

    resumed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    after = done_runs()
    assert len(after) == 32
    assert {run: after[run] for run in before} == before  # finished runs were not run again
    with sqlite3.connect(store) as con:
        assert con.execute("SELECT COUNT(*), COUNT(DISTINCT run) FROM indicators").fetchone() == (32, 32)

    fresh = tmp_path / "fresh"
    assert subprocess.run([*command[:-1], str(fresh)], cwd=ROOT, capture_output=True, timeout=600).returncode == 0
    pd.testing.assert_frame_equal(stored_results(out), stored_results(fresh))


def test_resuming_with_another_design_is_refused(quick: Scenario, tmp_path: Path):
    sweep(quick, ["policy.aftercare_months=0:3:3"], replications=1, jobs=1, out=tmp_path / "s")
    with pytest.raises(Exception, match="holds a different experiment"):
        sweep(quick, ["policy.aftercare_months=0:6:3"], replications=1, jobs=1, out=tmp_path / "s")


@pytest.mark.slow
def test_serial_process_and_dask_executors_give_identical_stores(quick: Scenario, tmp_path: Path):
    pytest.importorskip("distributed")
    vary = ["policy.aftercare_months=0:12:6"]
    serial = sweep(quick, vary, replications=2, jobs=1, out=tmp_path / "serial").table
    processes = sweep(quick, vary, replications=2, jobs=2, out=tmp_path / "processes").table
    dask = sweep(quick, vary, replications=2, jobs=2, scheduler="local", out=tmp_path / "dask").table
    pd.testing.assert_frame_equal(serial, processes)
    pd.testing.assert_frame_equal(serial, dask)
    for other in ("processes", "dask"):
        pd.testing.assert_frame_equal(stored_results(tmp_path / "serial"), stored_results(tmp_path / other))


@pytest.mark.slow
def test_a_dask_worker_that_dies_costs_only_its_run(quick: Scenario, tmp_path: Path):
    distributed = pytest.importorskip("distributed")
    points = grid(quick, [parse_vary("policy.aftercare_months=0:9:1", quick)])
    experiment = Experiment("sweep", points, replications=1, seed=5)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        killed = []

        def kill_a_worker(outcome) -> None:
            if not killed:
                nanny = next(iter(cluster.workers.values()))
                os.kill(nanny.process.process.pid, signal.SIGKILL)
                killed.append(outcome.run)

        folder = run_experiment(
            experiment, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False, on_outcome=kill_a_worker
        )
    runs = read_experiment(folder)["runs"]
    assert killed and (runs["status"] == "done").all() and len(runs) == 10


def test_the_store_is_plain_sql_with_provenance(quick: Scenario, tmp_path: Path):
    compare([quick], replications=2, jobs=1, out=tmp_path / "c")
    tables = read_experiment(tmp_path / "c")
    meta = dict(zip(tables["meta"]["key"], tables["meta"]["value"]))
    assert {"kind", "seed", "replications", "design_sha256", "versions", "command", "created"} <= set(meta)
    assert "SALib" not in json.loads(meta["versions"])  # a comparison uses no library beyond the core
    assert set(tables["runs"]["status"]) == {"done"}
    assert len(tables["monthly"]) == 2 * 25
    assert Scenario.from_dict(__import__("tomllib").loads(tables["points"]["scenario"][0])) == quick


def test_sensitivity_ranks_a_parameter_that_matters_above_one_that_does_not(quick: Scenario, tmp_path: Path):
    pytest.importorskip("SALib")
    from simulation.experiments.sensitivity import sensitivity

    result = sensitivity(
        quick,
        ["policy.aftercare_months=0:12", "context.unemployment_benefit_month=900:1300"],
        method="morris",
        samples=4,
        replications=1,
        jobs=1,
        out=tmp_path / "m",
    )
    table = result.table
    meta = result.tables()["meta"].set_index("key")["value"]
    assert json.loads(meta["versions"])["SALib"] == version("SALib")  # the sampler and analysis that shaped it
    sustained = table[table["indicator"] == "sustainable_transition_rate"].set_index("parameter")["mu_star"]
    assert sustained["policy.aftercare_months"] > 0
    assert sustained["context.unemployment_benefit_month"] == 0  # benefit amounts change no one's path
    with pytest.raises(DesignError, match="power of two"):
        sensitivity(quick, ["policy.creaming=0:1"], method="sobol", samples=6, out=tmp_path / "never")


@pytest.mark.parametrize(
    "method, how",
    [
        ("morris", r"Morris moves each parameter over 4 evenly spaced levels of its range \(here 0, 8, 16, 24\)"),
        ("sobol", "Sobol's design draws its values anywhere in low:high"),
    ],
)
def test_sensitivity_refuses_a_step_it_cannot_keep_to(quick: Scenario, tmp_path: Path, method: str, how: str):
    """A step is not silently dropped (Morris used to run levels 0, 8, 16, 24 for 0:24:6), and nothing runs."""
    pytest.importorskip("SALib")
    from simulation.experiments.sensitivity import sensitivity

    message = f"--vary 'policy.aftercare_months=0:24:6': {how}, so it cannot keep to a step: give policy.aftercare_months=0:24"
    with pytest.raises(DesignError, match=message):
        sensitivity(
            quick, ["policy.creaming=0:1", "policy.aftercare_months=0:24:6"], method=method, samples=4, out=tmp_path / "x"
        )
    assert not (tmp_path / "x").exists()


def test_intervals_stay_inside_the_range_of_each_indicator():
    from simulation.experiments.statistics import difference_bounds

    near_one = np.array([1.0, 1.0, 0.9])  # a t-interval would pass 1
    mean, low, high = interval(near_one, bounds=(0.0, 1.0))
    assert high == 1.0 and 0 < low < mean
    closures = np.array([0.0, 0.0, 90.0])
    _, low, high = interval(closures, bounds=(0.0, 200.0))
    assert low == 0.0 and high < 200
    assert difference_bounds((0.0, 200.0), (0.0, 150.0)) == (-150.0, 200.0)
    _, low, high = interval(np.array([200.0, 0.0, 200.0]), bounds=(-150.0, 200.0))
    assert -150 <= low and high <= 200


def test_comparison_intervals_respect_each_scenarios_range(quick: Scenario):
    from simulation.experiments.design import Point
    from simulation.experiments.experiment import comparison_table
    from simulation.world.indicators import INDICATORS

    rows = [{"label": label, "replication": r, **dict.fromkeys(INDICATORS, 0.0)} for label in ("a", "b") for r in range(3)]
    frame = pd.DataFrame(rows)
    frame.loc[frame["label"] == "b", "enterprise_closures"] = [0.0, 0.0, float(quick.world.enterprises)]
    frame.loc[frame["label"] == "b", "enterprise_solvent_share"] = [1.0, 1.0, 0.0]
    table = comparison_table(frame, [Point("a", {}, quick), Point("b", {}, quick)]).set_index(["scenario", "indicator"])
    closures, solvent = table.loc[("b", "enterprise_closures")], table.loc[("b", "enterprise_solvent_share")]
    assert closures["ci_low"] == 0 and closures["ci_high"] <= quick.world.enterprises
    assert solvent["ci_high"] == 1 and solvent["ci_low"] >= 0
    assert closures["diff_ci_high"] <= quick.world.enterprises and closures["diff_ci_low"] >= -quick.world.enterprises


def test_a_store_from_a_version_with_other_indicators_is_refused_clearly(quick: Scenario, tmp_path: Path):
    compare([quick], replications=1, jobs=1, out=tmp_path / "c")
    with sqlite3.connect(tmp_path / "c" / "experiment.sqlite") as connection:
        connection.execute("DROP VIEW point_means")  # as a store from before the views ...
        connection.execute("DROP VIEW indicator_means")
        connection.execute("ALTER TABLE indicators DROP COLUMN service_quality")  # ... and before that indicator
        connection.execute("UPDATE runs SET status = 'pending'")
    from simulation.cli import main

    args = ["compare", str(SCENARIOS / "small.toml"), "--replications", "1", "--jobs", "1", "--out", str(tmp_path / "c")]
    assert main(args) == 2
    with pytest.raises(StoreError, match="another version of lde-doorstroom .* lacks service_quality"):
        compare([quick], replications=1, jobs=1, out=tmp_path / "c")


def test_a_damaged_store_is_refused_clearly(quick: Scenario, tmp_path: Path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "experiment.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a usable experiment store"):
        compare([quick], replications=1, jobs=1, out=folder)
