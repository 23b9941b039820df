"""Playing well with the ecosystem: one seed, Mesa's batch_run, the EMA workbench, scenario
discovery, and a store that SQL, pandas and Parquet readers can query."""

from __future__ import annotations

import json
import sqlite3
from importlib.metadata import version
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

from simulation import LabourMarketModel, Scenario, compare, parameters, run, run_one, sweep
from simulation.experiments.discovery import DiscoveryError, discover, failing
from simulation.experiments.store import export, read_experiment

from .conftest import SCENARIOS, TINY, invoke


def test_batch_run_gives_two_different_runs_per_point_with_the_collected_data():
    results = pd.DataFrame(
        mesa.batch_run(
            LabourMarketModel,
            parameters={"scenario": str(SCENARIOS / "small.toml"), "aftercare_months": [0, 12], "months": 24},
            iterations=2,
            max_steps=24,
            display_progress=False,
        )
    )
    assert len(results) == 4 and set(results["aftercare_months"]) == {0, 12}
    assert {"unemployed", "lde", "maatwerk", "nec", "flow_lde_to_nec", "ledger_total"} <= set(results.columns)
    collected = ["unemployed", "social_assistance", "lde", "nec", "inactive", "waiting_list", "ledger_total"]
    for _, point in results.groupby("aftercare_months"):
        # no fixed default seed: the iterations differ (in some of these seven figures at least)
        assert len({tuple(row) for row in point[collected].itertuples(index=False)}) == 2
    model = LabourMarketModel(SCENARIOS / "small.toml", seed=1, months=6)
    while model.running:
        model.step()
    assert model.steps == 6 and len(model.datacollector.get_model_vars_dataframe()) == 7  # month 0 and each month


def test_seed_means_one_thing_in_the_class_run_run_one_and_the_command_line(small: Scenario, tmp_path: Path):
    quick = small.with_overrides({"months": 18})
    by_run = run(quick, seed=5, replications=3).summary
    model = LabourMarketModel(quick, seed=5, replication=2)
    while model.running:
        model.step()
    assert (
        model.recorder.metrics()["nec"].iloc[-1]
        == run(quick, seed=5, replications=3).metrics.query("replication == 2")["nec"].iloc[-1]
    )
    one = run_one(quick, seed=5, replication=2)
    assert one["transition_rate_annual"] == by_run.loc[2, "transition_rate_annual"]
    assert (
        invoke(
            [
                "run",
                str(SCENARIOS / "small.toml"),
                "--months",
                "18",
                "--seed",
                "5",
                "--replications",
                "3",
                "--out",
                str(tmp_path / "r"),
            ]
        )
        == 0
    )
    cli = pd.read_csv(tmp_path / "r" / "summary.csv")
    assert cli.loc[2, "dumping_share"] == pytest.approx(one["dumping_share"], rel=1e-12)
    # samplers' fractional values for whole-number fields are rounded on request
    assert run_one(quick, {"policy.aftercare_months": 5.6}, seed=5) == run_one(quick, {"policy.aftercare_months": 6}, seed=5)


def test_parameters_lists_every_key_with_type_bounds_unit_and_role():
    table = parameters()
    row = table.set_index("key").loc["policy.aftercare_months"]
    assert (row["type"], row["low"], row["high"], row["unit"], row["role"]) == ("int", 0, 60, "months", "lever")
    assert set(table["role"]) == {"lever", "context", "behaviour", "fixed"} and table["key"].is_unique


def test_compare_from_python_records_real_differences_and_labels(small: Scenario, tmp_path: Path):
    quick = small.with_overrides({"months": 12})
    more = quick.with_overrides({"policy.aftercare_months": 12})
    result = compare([quick, more], replications=1, jobs=1, out=tmp_path / "c")
    points = result.tables(("points",))["points"]
    assert list(points["label"]) == ["small", "small (policy.aftercare_months=12)"]
    assert list(points["overrides"]) == ["{}", '{"policy.aftercare_months": 12}']
    meta = read_experiment(result.folder, ("meta",))["meta"].set_index("key")["value"]
    assert "simulation.compare(['small', 'small']" in meta["details"]


@pytest.fixture(scope="module")
def lhs(small: Scenario, tmp_path_factory) -> Path:
    base = small.with_overrides({**TINY, "months": 48})
    vary = ["people.search_rate_lde=0.005:0.04", "people.learning_rate_lde=0.005:0.04", "context.inflow_rate=0.005:0.015"]
    return sweep(base, vary, sample="lhs", samples=30, replications=1, jobs=2, out=tmp_path_factory.mktemp("lhs") / "s").folder


def test_the_documented_sql_query_gives_the_means_of_sweep_csv(lhs: Path):
    query = """
        SELECT m.point, d.value AS search_rate_lde, m.transition_rate_annual
        FROM point_means AS m JOIN design AS d USING (point)
        WHERE d.key = 'people.search_rate_lde' ORDER BY m.point"""
    with sqlite3.connect(lhs / "experiment.sqlite") as connection:
        got = pd.read_sql_query(query, connection)
        info = pd.read_sql_query("SELECT * FROM indicators_info", connection).set_index("indicator")
    expected = pd.read_csv(lhs / "sweep.csv")
    assert np.allclose(got["search_rate_lde"], expected["people.search_rate_lde"])
    assert np.allclose(got["transition_rate_annual"], expected["transition_rate_annual"])
    assert info.loc["dumping_share", "better"] == "lower"


def test_export_to_parquet_round_trips(lhs: Path, tmp_path: Path):
    written = export(lhs, tmp_path / "p")
    assert {p.stem for p in written} >= {"meta", "points", "runs", "indicators", "monthly", "design", "point_means"}
    with sqlite3.connect(lhs / "experiment.sqlite") as connection:
        for name in ("indicators", "design", "point_means"):
            stored = pd.read_sql_query(f"SELECT * FROM {name}", connection)
            exported = pd.read_parquet(tmp_path / "p" / f"{name}.parquet")
            if name == "indicators":  # each run's point and replication in front
                runs = pd.read_sql_query("SELECT run, point, replication FROM runs", connection)
                pd.testing.assert_frame_equal(
                    exported[["point", "replication", "run"]], stored[["run"]].merge(runs)[["point", "replication", "run"]]
                )
                exported = exported.drop(columns=["point", "replication"])
            pd.testing.assert_frame_equal(exported, stored, check_dtype=False)


def test_discover_finds_where_the_transition_rate_fails_and_writes_its_outputs(lhs: Path, tmp_path: Path):
    out = tmp_path / "d"
    assert invoke(["discover", str(lhs), "--fails", "transition_rate_annual < 0.08", "--out", str(out)]) == 0
    box = pd.read_csv(out / "discovery.csv")
    assert set(box["parameter"]) == {"people.search_rate_lde", "people.learning_rate_lde", "context.inflow_rate"}
    search = box.set_index("parameter").loc["people.search_rate_lde"]
    assert search["restricted"] and search["box_high"] < search["full_high"]  # low search: low transitions
    assert 0 < search["coverage"] <= 1 and search["density"] >= 0.5
    assert all((out / f).is_file() for f in ("feature_scores.csv", "discovery_tradeoff.png", "discovery_box.png", "discovery.md"))
    provenance = json.loads((out / "discovery.json").read_text())
    assert provenance["experiment"] == str(lhs) and provenance["fails"] == "transition_rate_annual < 0.08"
    assert provenance["versions"]["ema-workbench"] == version("ema-workbench")  # PRIM's implementation shaped the box
    import shutil

    from simulation.outputs.report import write_report

    shutil.copytree(lhs, tmp_path / "lhs")  # discovery into the experiment's folder: its report shows both
    discover(tmp_path / "lhs", "transition_rate_annual < 0.08")
    report = write_report(tmp_path / "lhs", "md").read_text(encoding="utf-8")
    assert "Scenario discovery: the PRIM box" in report
    assert f"ema-workbench {version('ema-workbench')}" in report.split("## Provenance")[1]  # read as text, not JSON
    with pytest.raises(DiscoveryError, match="is not 'indicator < level'"):
        discover(lhs, "open('x') > 1", out=tmp_path / "bad")


def test_discover_takes_levels_from_the_runs(lhs: Path, tmp_path: Path):
    rates = read_experiment(lhs, ("indicators",))["indicators"]["transition_rate_annual"]
    got = failing(pd.DataFrame({"transition_rate_annual": rates}), "transition_rate_annual < median")
    assert got.sum() == (rates < rates.median()).sum() and 0 < got.sum() < len(rates)
    assert failing(pd.DataFrame({"transition_rate_annual": rates}), "transition_rate_annual <= p100").all()
    above_all = f"transition_rate_annual > {rates.max() + 1}"
    with pytest.raises(DiscoveryError, match="no run fails.*such as median"):
        discover(lhs, above_all, out=tmp_path / "none")


def test_discover_looks_at_uncertainties_not_at_levers(small: Scenario, tmp_path: Path):
    quick = small.with_overrides({**TINY, "months": 12})
    levers_only = sweep(quick, ["policy.aftercare_months=0:12:6"], replications=1, jobs=1, out=tmp_path / "s").folder
    with pytest.raises(DiscoveryError, match="varies no uncertainty"):
        discover(levers_only, "transition_rate_annual < 0.1", out=tmp_path / "d")


def test_the_ema_adapter_runs_a_small_lhs_and_prim_returns_a_box(small: Scenario):
    from ema_workbench import perform_experiments
    from ema_workbench.analysis import prim

    from simulation.experiments.ema import ema_model

    base = small.with_overrides({**TINY, "months": 36})
    model = ema_model(base, levers={"policy.aftercare_months": (0, 12)}, replications=2)
    experiments, outcomes = perform_experiments(model, scenarios=16, policies=2)
    assert len(experiments) == 32 and outcomes["transition_rate_annual"].shape == (32,)
    x = experiments[[u.name for u in model.uncertainties]]
    y = outcomes["transition_rate_annual"] < np.percentile(outcomes["transition_rate_annual"], 30)
    box = prim.Prim(x, y, threshold=0.6).find_box()
    assert len(box.peeling_trajectory) > 1 and box.peeling_trajectory["density"].max() >= 0.6
    from simulation.rules.scenario import ScenarioError

    with pytest.raises(ScenarioError, match="not an uncertainty"):
        ema_model(base, uncertainties={"policy.aftercare_months": (0, 12)})


def test_export_types_a_design_mixing_text_and_numbers_with_point_and_replication(small: Scenario, tmp_path: Path):
    quick = small.with_overrides({**TINY, "months": 12})
    vary = ["policy.max_lde_months=60,unlimited", "policy.extension_rule=none,evaluation", "policy.aftercare_months=0,6"]
    folder = sweep(quick, vary, replications=2, jobs=1, out=tmp_path / "s").folder
    assert invoke(["export", str(folder), "--format", "parquet", "--out", str(tmp_path / "p")]) == 0
    indicators = pd.read_parquet(tmp_path / "p" / "indicators.parquet")
    stored = read_experiment(folder, ("indicators",))["indicators"]
    assert list(indicators[["point", "replication"]].itertuples(index=False)) == list(
        stored[["point", "replication"]].itertuples(index=False)
    )
    assert np.allclose(indicators["transition_rate_annual"], stored["transition_rate_annual"], equal_nan=True)
    assert {"point", "replication"} <= set(pd.read_parquet(tmp_path / "p" / "monthly.parquet").columns)
    design = pd.read_parquet(tmp_path / "p" / "design.parquet")
    limits = design.query("key == 'policy.max_lde_months'")
    assert sorted(set(limits["value"])) == ["60", "unlimited"]
    assert set(limits["value_number"].dropna()) == {60.0} and limits["value_number"].isna().sum() == 4
    assert len(design) == 8 * 3  # every point, every varied key


def test_every_design_point_records_its_full_values_whatever_made_the_design(small: Scenario, tmp_path: Path):
    quick = small.with_overrides({**TINY, "months": 12})
    more = quick.with_overrides({"policy.aftercare_months": 12, "policy.outcome_bonus": 1000})
    result = compare([quick, more], replications=1, jobs=1, out=tmp_path / "c")
    design = read_experiment(result.folder, ("design",))["design"].pivot(index="point", columns="key", values="value")
    assert design.loc[0, "policy.aftercare_months"] == quick.policy.aftercare_months  # the first point's own value
    assert list(design["policy.aftercare_months"]) == [quick.policy.aftercare_months, 12]
    assert list(design["policy.outcome_bonus"]) == [quick.policy.outcome_bonus, 1000]
    ensemble = tmp_path / "plausible.csv"
    ensemble.write_text("people.search_rate_lde,weight\n0.01,0.5\n0.03,0.5\n")
    swept = sweep(quick, ["policy.aftercare_months=0,6"], replications=1, jobs=1, out=tmp_path / "e", ensemble=ensemble)
    design = read_experiment(swept.folder, ("design",))["design"].pivot(index="point", columns="key", values="value")
    assert list(design["policy.aftercare_months"]) == [0, 0, 6, 6]  # the candidates' levers
    assert list(design["people.search_rate_lde"]) == [0.01, 0.03, 0.01, 0.03]  # the members' parameters
