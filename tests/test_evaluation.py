"""lde-sim evaluate: the twin, a placebo world, the ledger, and the command as a user runs it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import Scenario, evaluate, run
from simulation.cli import main
from simulation.experiments.evaluation import EFFECTS, HORIZONS, twin_of
from simulation.outputs.report import write_report
from simulation.submodels.follow_up import STATES
from simulation.submodels.public_finances import LEDGER
from simulation.world.indicators import LDE_SPENDING

from .conftest import SCENARIOS, invoke

#: A world in which LDE changes nothing about regular work: everyone applies every month
#: wherever he is (so guidance, push and the limit's ramp cannot matter), nobody learns in
#: LDE or loses employability out of work, no aftercare, no routes at the end, no
#: extension, enterprises that do not decide, and an LDE spell never earns benefit rights.
PLACEBO = {
    "months": 72,
    "people.search_rate_unemployed": 1.0,
    "people.search_rate_social_assistance": 1.0,
    "people.search_rate_lde": 1.0,
    "people.learning_rate_lde": 0.0,
    "people.employability_decay": 0.0,
    "people.benefit_qualifying_months": 60,
    "policy.aftercare_months": 0,
    "policy.end_evaluation": False,
    "policy.extension_rule": "none",
    "enterprises.adaptive": False,
}


def test_in_a_placebo_world_the_effect_on_regular_work_is_zero_at_every_horizon(tiny: Scenario, tmp_path: Path):
    result = evaluate(tiny.with_overrides(PLACEBO), replications=3, jobs=1, out=tmp_path / "placebo")
    work = result.table[result.table["outcome"] == "in_regular_job"]
    assert {h for h in HORIZONS if h <= 60} <= set(work["horizon_months"]) <= set(HORIZONS) and work["n"].sum() > 1000
    assert (work["ci_low"].fillna(0) <= 0).all() and (work["ci_high"].fillna(0) >= 0).all()
    assert (work["effect"].abs() < 1e-12).all()  # with common random numbers it is exactly zero
    effects = result.extra["effects"].set_index("indicator")["mean"]
    assert effects["net_effect_regular_job_24m"] == 0 and effects["net_employment_effect"] == 0
    # ... while the same people are not on a benefit when they hold an LDE job: that is no placebo
    benefit = result.table.query("outcome == 'on_unemployment_benefit' and since == 'entry' and horizon_months == 12")
    assert (benefit["effect"] < 0).all()


def test_the_twin_places_nobody_and_is_the_same_world_until_the_first_placement(tiny: Scenario):
    scenario = tiny.with_overrides({"months": 24})
    treated, twin = run(scenario, seed=2, events=True), run(twin_of(scenario), seed=2, events=True)
    assert (twin.events["reason"] == "hired_lde").sum() == 0 and (treated.events["reason"] == "hired_lde").sum() > 0
    first = int(treated.events.loc[treated.events["reason"] == "hired_lde", "month"].min())
    shared = [c for c in treated.metrics.columns if c in twin.metrics.columns]
    before = treated.metrics["month"] < first
    assert first >= 1 and treated.metrics.loc[before, shared].equals(twin.metrics.loc[before, shared])
    # without placements in either world, the twin's switch changes nothing else, in any month
    closed = scenario.with_overrides({"policy.referral_capacity": 0})
    same, same_twin = run(closed, seed=2).metrics, run(twin_of(closed), seed=2).metrics
    assert same.equals(same_twin)


def test_the_ledger_adds_up_and_its_spending_lines_are_the_spending_columns(small: Scenario):
    metrics = run(small.with_overrides({"months": 36, "policy.outcome_bonus": 5000.0}), seed=3).metrics
    metrics = metrics[metrics["month"] > 0]  # month 0 is the state at the start: no money moved yet
    lines = [line for level in LEDGER.values() for line in level]
    spending = [c for c in metrics.columns if c.startswith("spending_")]
    assert sorted(lines) == sorted([*spending, "benefits_unemployment"])  # each spending line in exactly one level
    assert set(LDE_SPENDING) <= set(lines)
    levels = metrics[[f"ledger_{level}" for level in LEDGER]].sum(axis=1)
    assert np.allclose(levels, metrics["ledger_total"])
    everything = metrics[[*spending, "benefits_unemployment", "benefits_social_assistance"]].sum(axis=1)
    assert np.allclose(metrics["ledger_total"], everything - metrics["taxes_and_contributions"])
    jobs = metrics[["lde", "maatwerk", "nec"]].sum(axis=1)
    context = small.context
    rates = context.employer_contribution_rate + context.employee_contribution_rate + context.income_tax_rate
    assert np.allclose(metrics["taxes_and_contributions"], jobs * context.gross_wage_month * rates)


def test_evaluate_from_the_command_line_writes_its_tables_and_the_report_shows_the_effect(tmp_path: Path, capsys):
    out = tmp_path / "ev"
    assert invoke(["evaluate", str(SCENARIOS / "small.toml"), "--replications", "4", "--jobs", "2", "--out", str(out)]) == 0
    table = pd.read_csv(out / "evaluation.csv")
    assert list(table.columns) == [
        "outcome",
        "since",
        "horizon_months",
        "subgroup",
        "treated",
        "counterfactual",
        "effect",
        "ci_low",
        "ci_high",
        "n",
    ]
    states = {f"leaver_state_{state}" for state in STATES}
    outcomes = {"in_regular_job", "on_unemployment_benefit", "on_social_assistance", "in_maatwerk", "in_lde", "income"}
    assert outcomes | states == set(table["outcome"])
    leavers = table[table["outcome"].isin(states)]  # every leaver's state after exit, inactive and work-care too
    assert set(leavers["horizon_months"]) == {6, 12, 24} and set(leavers["subgroup"]) == {"lde_leavers"}
    assert np.allclose(leavers.groupby("horizon_months")["treated"].sum(), 1.0)
    assert {6, 12, 24, 36, 60} <= set(table["horizon_months"]) and set(table["since"]) == {"entry", "exit"}
    assert {"all", "age_50_plus", "education_low", "employability_below_0.3", "enterprise_large"} <= set(table["subgroup"])
    assert np.allclose(table["effect"], table["treated"] - table["counterfactual"])
    assert list(pd.read_csv(out / "effects.csv")["indicator"]) == list(EFFECTS)
    assert "net_effect_regular_job_24m" in capsys.readouterr().out
    text = write_report(out).read_text()
    assert "For the people placed in LDE, the share in a regular job 24 months after entry is" in text
    assert "The effect over time" in text and "public-finance ledger" in text
    largest = re.search(r"The largest effects on the participants, outcome by outcome[^<]*", text)
    assert largest is not None  # benefits, social assistance and income, not only regular jobs
    for words in ("in a regular job:", "on unemployment benefit:", "on social assistance (leefloon):", "net income a month:"):
        assert words in largest.group(0)
    headline = text[text.index("Headline effects") : text.index("public-finance ledger")]
    assert not re.search(r"\de[+-]\d", headline)  # numbers for reading, no scientific notation
    # the same command on the same folder resumes: nothing to run, the same tables
    assert invoke(["evaluate", str(SCENARIOS / "small.toml"), "--replications", "4", "--jobs", "1", "--out", str(out)]) == 0
    assert pd.read_csv(out / "evaluation.csv").equals(table)


def test_every_headline_interval_stays_inside_what_its_indicator_can_take(tmp_path: Path):
    """The audit's command: two replications over 36 months gave a deadweight share of -1.28 to 2.95. A share
    lies in 0-1, an effect in percentage points in -100..100, displacement (hires lost per hire gained) is
    never negative; keeping an interval inside that range cannot lower its coverage, as for every indicator."""
    out = tmp_path / "ev"
    args = ["evaluate", str(SCENARIOS / "small.toml"), "--replications", "2", "--months", "36", "--jobs", "1"]
    assert invoke([*args, "--out", str(out)]) == 0
    effects = pd.read_csv(out / "effects.csv").set_index("indicator")
    ranges = {
        "deadweight_share": (0.0, 1.0),
        "net_effect_regular_job_24m": (-100.0, 100.0),
        "lock_in_12m": (-100.0, 100.0),
        "displacement_share": (0.0, np.inf),
    }
    for name, (low, high) in ranges.items():
        row = effects.loc[name]
        assert row[["mean", "ci_low", "ci_high"]].isna().all() or low <= row["ci_low"] <= row["mean"] <= row["ci_high"] <= high
    assert effects.loc["deadweight_share", "replications"] == 2 and effects.loc["deadweight_share", "ci_low"] < 0.5


def test_a_paired_run_gives_the_same_results_serially_and_in_processes(tiny: Scenario, tmp_path: Path):
    scenario = tiny.with_overrides({"months": 36})
    one = evaluate(scenario, replications=2, jobs=1, out=tmp_path / "one").table
    two = evaluate(scenario, replications=2, jobs=2, out=tmp_path / "two").table
    pd.testing.assert_frame_equal(one, two)


def test_against_another_scenario_file(tiny: Scenario, tmp_path: Path):
    scenario = tiny.with_overrides({"months": 36})
    other = scenario.with_overrides({"name": "longer_aftercare", "policy.aftercare_months": 12})
    result = evaluate(other, against=scenario, replications=2, jobs=1, out=tmp_path / "a")
    details = json.loads(result.tables(("meta",))["meta"].set_index("key").loc["details", "value"])
    assert details["against"] == scenario.name and details["call"].startswith("simulation.evaluate('longer_aftercare'")
    entry = result.table.query("outcome == 'in_regular_job' and subgroup == 'all' and since == 'entry'")
    assert entry["effect"].abs().max() < 0.2  # the same people placed in both worlds: a small difference
    with pytest.raises(Exception, match="different experiment"):
        evaluate(other, replications=2, jobs=1, out=tmp_path / "a")  # another twin: another design


@pytest.mark.parametrize(
    "change, named",
    [
        ("world.pool_size=2500", "world.pool_size = 2500 instead of 2000"),
        ("world.lde_workers=100", "world.lde_workers = 100 instead of 150"),
        ("context.inflow_rate=0.02", "context.inflow_rate = 0.02"),
    ],
)
def test_a_twin_with_other_people_is_refused_naming_the_difference(tiny: Scenario, tmp_path: Path, capsys, change, named):
    """Against a twin with another pool (or other entrants) 'effects' would compare different people: exit 2, nothing run."""
    scenario, twin = tmp_path / "s.toml", tmp_path / "twin.toml"
    scenario.write_text(tiny.to_toml())
    key, value = change.split("=")
    twin.write_text(tiny.with_overrides({key: float(value) if "." in value else int(value), "name": "twin"}).to_toml())
    out = tmp_path / "e"
    assert main(["evaluate", str(scenario), "--against", str(twin), "--months", "6", "--jobs", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--against twin: its people differ" in err[0] and named in err[0], err
    assert not out.exists()
