"""Comparisons over an ensemble of plausible parameter sets: the arithmetic, the file, the command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import Scenario
from simulation.experiments.ensemble import EnsembleError, combine, ensemble_effects, ensemble_table, load_ensemble
from simulation.experiments.store import read_experiment
from simulation.world.indicators import INDICATORS

from .conftest import SCENARIOS, invoke


def test_combine_weights_members_and_keeps_the_two_kinds_of_uncertainty_apart():
    values = np.array([[1.0, 3.0], [5.0, 7.0]])  # two members, two replications each
    weights = np.array([0.25, 0.75])
    mean, low, high, param_sd, stoch_sd = combine(values, weights, (-np.inf, np.inf))
    assert mean == pytest.approx(0.25 * 2 + 0.75 * 6)
    assert param_sd == pytest.approx(np.sqrt(0.25 * (2 - 5) ** 2 + 0.75 * (6 - 5) ** 2))
    # both members 1 below their mean in the first replication and 1 above in the second: the weighted
    # means of the replications (4 and 6) vary by sd sqrt(2), over sqrt(2) replications
    assert stoch_sd == pytest.approx(1.0)
    assert high - mean == pytest.approx(1.959963984540054 * np.hypot(param_sd, stoch_sd))
    assert combine(values, weights, (0.0, 5.5))[2] == 5.5  # kept in the indicator's range


def test_the_noise_of_an_ensemble_mean_counts_the_seeds_its_members_share():
    """Members run with the same seeds share each replication's luck: 20 members that differ only by a
    shock common to a replication are as noisy together as one. Their standard error is the spread of
    the replications' weighted means over the square root of their number (exactly), not the members'
    errors taken as independent, which would be about sqrt(20) times smaller; with independent shocks it is."""
    rng = np.random.default_rng(5)
    members, replications = 20, 400
    levels = rng.uniform(0, 1, size=(members, 1))
    weights = rng.dirichlet(np.ones(members))
    shared = levels + rng.normal(0, 1.0, size=(1, replications))
    stoch_sd = combine(shared, weights, (-np.inf, np.inf))[4]
    assert stoch_sd == pytest.approx(np.std(weights @ shared, ddof=1) / np.sqrt(replications), rel=1e-12)
    # the sd of the mean is 1/sqrt(400) = 0.05; its estimate from 400 replications is within 4 standard errors
    assert stoch_sd == pytest.approx(0.05, rel=4 / np.sqrt(2 * (replications - 1)))
    own = levels + rng.normal(0, 1.0, size=(members, replications))  # the knock-out: independent shocks
    independent = np.sqrt(np.sum(weights**2)) / np.sqrt(replications)
    assert combine(own, weights, (-np.inf, np.inf))[4] == pytest.approx(independent, rel=0.15)


def test_an_unknown_replication_weighs_a_members_noise_by_its_own_count():
    """A member with an undefined indicator in some replications: alone, its standard error is its own
    (sd over the square root of its known replications); a member with one known replication has none."""
    values = np.array([[1.0, np.nan, 3.0, 5.0]])
    assert combine(values, np.array([1.0]), (-np.inf, np.inf))[4] == pytest.approx(2.0 / np.sqrt(3))
    assert np.isnan(combine(np.array([[1.0, np.nan], [2.0, 4.0]]), np.array([0.5, 0.5]), (-np.inf, np.inf))[4])


def test_an_ensembles_headline_intervals_stay_inside_what_each_indicator_can_take():
    """Two members' deadweight shares near 1 (0.9 and 1.0; 0.6 and 1.0): the combined interval (0.875 +- 0.29:
    param_sd 0.075, stoch_sd 0.125, both members lower in the first replication) ends at 1, a share's largest
    value, as every indicator's interval ends at its range."""
    values = {"deadweight_share": [[0.9, 1.0], [0.6, 1.0]], "displacement_share": [[0.0, 0.1], [0.0, 0.4]]}
    effects = pd.DataFrame(
        [
            {"indicator": name, "point": point, "replication": r, "value": v}
            for name, members in values.items()
            for point, replications in enumerate(members)
            for r, v in enumerate(replications)
        ]
    )
    table = ensemble_effects(effects, np.array([0.5, 0.5])).set_index("indicator")
    dead, displaced = table.loc["deadweight_share"], table.loc["displacement_share"]
    assert dead["mean"] == pytest.approx(0.875) and dead["ci_high"] == 1.0
    assert dead["ci_low"] == pytest.approx(0.875 - 1.959963984540054 * np.hypot(0.075, 0.125))
    assert displaced["ci_low"] == 0.0 and displaced["ci_high"] > displaced["mean"] > 0


def frame(values: dict[int, list[float]]) -> pd.DataFrame:
    """Indicators of points (scenario s x 2 members + m) over two replications, every indicator the same."""
    rows = [
        {"point": point, "replication": r, **dict.fromkeys(INDICATORS, v)}
        for point, vs in values.items()
        for r, v in enumerate(vs)
    ]
    return pd.DataFrame(rows)


def test_a_difference_is_robust_only_when_every_member_agrees_on_its_sign(small: Scenario):
    base, other = small, small.with_overrides({"name": "other"})
    weights = np.array([0.5, 0.5])
    agree = ensemble_table(frame({0: [1, 1], 1: [2, 2], 2: [1.5, 1.7], 3: [2.1, 2.3]}), ["base", "other"], [base, other], weights)
    row = agree.set_index(["scenario", "indicator"]).loc[("other", "lde_workforce_mean")]
    assert row["robust"] and row["diff"] == pytest.approx(0.5 * 0.6 + 0.5 * 0.2) and row["members"] == 2
    disagree = ensemble_table(
        frame({0: [1, 1], 1: [2, 2], 2: [1.5, 1.7], 3: [1.8, 1.9]}), ["base", "other"], [base, other], weights
    )
    assert not disagree.set_index(["scenario", "indicator"]).loc[("other", "lde_workforce_mean"), "robust"]


def test_an_ensemble_file_holds_uncertainties_with_sensible_weights(tmp_path: Path):
    good = tmp_path / "good.csv"
    good.write_text("people.search_rate_lde,loss,weight\n0.01,1.0,1\n0.02,2.0,3\n")
    members, weights = load_ensemble(good)
    assert members == [{"people.search_rate_lde": 0.01}, {"people.search_rate_lde": 0.02}] and list(weights) == [0.25, 0.75]
    for text, message in (
        ("policy.aftercare_months\n3\n", "role lever"),
        ("people.search_rate_lde,weight\n0.01,-1\n", "weights must be finite"),
        ("weight\n1\n", "at least one row and one parameter"),
    ):
        bad = tmp_path / "bad.csv"
        bad.write_text(text)
        with pytest.raises(EnsembleError, match=message):
            load_ensemble(bad)
    with pytest.raises(EnsembleError, match="ensemble file not found"):
        load_ensemble(tmp_path / "missing.csv")


def test_compare_with_an_ensemble_runs_every_member_marks_robust_differences_and_rewrites_old_tables(tmp_path: Path):
    ensemble = tmp_path / "plausible.csv"
    ensemble.write_text("people.search_rate_lde,weight\n0.01,0.5\n0.03,0.5\n")
    out = tmp_path / "c"
    aftercare = tmp_path / "aftercare.toml"  # on the small world: a comparison pairs the same people
    aftercare.write_text(f'extends = "{SCENARIOS / "small.toml"}"\nname = "aftercare"\n[policy]\naftercare_months = 12\n')
    args = ["compare", str(SCENARIOS / "small.toml"), str(aftercare), "--months", "36"]
    assert invoke([*args, "--replications", "2", "--jobs", "2", "--ensemble", str(ensemble), "--out", str(out)]) == 0
    table = pd.read_csv(out / "comparison.csv")
    assert {"param_sd", "stoch_sd", "robust", "members"} <= set(table.columns)
    # nobody reaches the limit in 36 months (the clock starts in 2015-04): only what needs it may be unmeasured
    may_be_unmeasured = table["indicator"].str.match(r"dumping_risk|dumping_share_exit_|route_share_")
    assert set(table["members"]) <= {0, 2} and (table.loc[~may_be_unmeasured, "members"] == 2).all()
    transitions = table.set_index(["scenario", "indicator"]).loc[("small", "transition_rate_annual")]
    assert transitions["param_sd"] > transitions["stoch_sd"]  # a threefold search rate matters more than noise
    assert not table.loc[table["scenario"] == "small", "robust"].any()  # no difference from itself
    # a folder written before 6 December 2026 holds a stoch_sd too small; the same command with --out mends it
    table.assign(stoch_sd=table["stoch_sd"] / 2).to_csv(out / "comparison.csv", index=False)
    finished = read_experiment(out, ("runs",))["runs"]["finished"].tolist()
    assert invoke([*args, "--replications", "2", "--jobs", "2", "--ensemble", str(ensemble), "--out", str(out)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "comparison.csv"), table)
    assert read_experiment(out, ("runs",))["runs"]["finished"].tolist() == finished  # from the stored runs: none again


def test_evaluate_over_an_ensemble_pairs_each_member_with_its_own_twin(tmp_path: Path, small: Scenario):
    from simulation import evaluate

    world = small.with_overrides({"months": 36})
    one = tmp_path / "one.csv"
    one.write_text("people.learning_rate_lde\n0.0\n")
    member = evaluate(world, replications=2, jobs=1, out=tmp_path / "e1", ensemble=one)
    alone = evaluate(world.with_overrides({"people.learning_rate_lde": 0.0}), replications=2, jobs=1, out=tmp_path / "e0")
    keys = ["outcome", "since", "horizon_months", "subgroup"]
    joined = member.table.merge(alone.table, on=keys, suffixes=("", "_alone"))
    assert len(joined) == len(alone.table)
    np.testing.assert_allclose(joined["effect"], joined["effect_alone"], equal_nan=True)  # the twin has the member's learning too
    assert (member.table["param_sd"].fillna(0) == 0).all() and member.table["members"].max() == 1

    two = tmp_path / "two.csv"
    two.write_text("people.learning_rate_lde,weight\n0.0,1\n0.03,1\n")
    both = evaluate(world, replications=2, jobs=1, out=tmp_path / "e2", ensemble=two).table.set_index(keys)
    income = both.loc[("income", "entry", 12, "all")]
    assert income["robust"] and income["effect"] > 0  # an LDE wage beats a benefit whatever the learning
    assert {"param_sd", "stoch_sd", "ci_low", "ci_high"} <= set(both.columns)


def test_sweep_over_an_ensemble_reports_each_point_as_compare_does(tmp_path: Path):
    ensemble = tmp_path / "plausible.csv"
    ensemble.write_text("people.search_rate_lde,weight\n0.01,0.5\n0.03,0.5\n")
    out = tmp_path / "s"
    args = ["sweep", str(SCENARIOS / "small.toml"), "--months", "24", "--vary", "policy.aftercare_months=0,12"]
    assert invoke([*args, "--replications", "2", "--jobs", "1", "--ensemble", str(ensemble), "--out", str(out)]) == 0
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 2 * len(INDICATORS) and {"policy.aftercare_months", "robust", "param_sd"} <= set(table.columns)
    first = table[table["policy.aftercare_months"] == 0]
    assert (first["diff"].fillna(0) == 0).all() and not first["robust"].any() and (table["members"] <= 2).all()
