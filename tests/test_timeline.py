"""Calendar time, dated changes, the history and its branches, and the managed referral queue."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulation import LabourMarketModel, Scenario, ScenarioError, compare, run
from simulation.experiments.branching import branch_groups, trunk_key

from .conftest import SCENARIOS, shipped

#: The history at the size of small.toml, for tests.
SMALL = {
    "world.pool_size": 5000,
    "world.lde_workers": 250,
    "world.enterprises": 20,
    "world.maatwerk_workers": 15,
    "employers.employers_per_sector": 3,
    "policy.referral_capacity": 10,
    "policy.maatwerk_places": 15,
}


def change(date: str, key: str, value: object) -> dict[str, object]:
    return {"timeline": [{"date": date, "key": key, "value": value}]}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (("2014-01", "policy.aftercare_months", 6), "must fall after the start 2015-04"),
        (("2030-01", "policy.aftercare_months", 6), "by the end 2025-04"),
        (("2016-01", "world.pool_size", 10), "set at month 0"),
        (("2016-01", "policy.aftercare_months", -1), "value -1: Input should be greater than or equal to 0"),
        (("2016-01", "policy.no_such_lever", 1), "no_such_lever"),
        (("2016-13", "policy.aftercare_months", 1), "timeline.0.date"),
    ],
)
def test_a_dated_change_is_checked_like_every_other_field(small: Scenario, entry: tuple, message: str):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(")):
        small.with_overrides(change(*entry))


def test_a_dated_change_acts_from_its_month_and_outputs_carry_the_date(small: Scenario):
    scenario = small.with_overrides({**change("2016-01", "policy.aftercare_months", 12), "months": 24})
    model = LabourMarketModel(scenario, seed=1)
    seen = []
    for _ in range(scenario.months):
        model.step()
        seen.append(model.scenario.policy.aftercare_months)
    assert scenario.month_of("2016-01") == 9 and seen[:8] == [3] * 8 and seen[8:] == [12] * 16
    metrics = model.recorder.metrics()
    assert list(metrics["date"][:3]) == ["2015-04", "2015-05", "2015-06"] and metrics["date"].iloc[-1] == "2017-04"


def test_the_rules_in_force_are_those_of_a_full_validation_with_the_timeline_not_checked_twice(small: Scenario):
    """A run puts each month's changes in force without validating every dated value again on its
    own (they were when the scenario was loaded): the rules must be exactly those a full validation
    gives, and a combination of values that is invalid as a whole is still refused."""
    from simulation.rules.timeline import Timeline

    history = Scenario.load(SCENARIOS / "history.toml")
    timeline = Timeline(history)
    for month in sorted({lever.start for lever in timeline.levers}):
        values = {lever.key: lever.value for lever in timeline.levers if lever.active(month)}
        assert timeline.in_force(history, month) == history.with_overrides(values), history.date(month)
    with pytest.raises(ScenarioError, match="unknown sectors"):
        small.with_overrides({"policy.covenant_sectors": ["no_such_sector"]}, timeline_checked=True)
    with pytest.raises(ScenarioError, match="must fall after the start"):  # dates are still checked
        small.with_overrides(change("2014-01", "policy.aftercare_months", 6), timeline_checked=True)


def test_covenants_signed_at_a_date_tie_their_employers_from_then_on(small: Scenario):
    scenario = small.with_overrides({**change("2016-01", "policy.covenant_coverage", 1.0), "months": 12})
    model = LabourMarketModel(scenario, seed=1)
    for _ in range(8):
        model.step()
    assert not model.employer_table.view("covenant").any()
    model.month = 9  # 2016-01: the month's dated changes come first in its step
    model.follow_timeline()
    covenant = model.employer_table.view("covenant")
    assert covenant.any() and (model.ties.strength[:, covenant] == 1).all()


def test_the_history_runs_on_the_calendar_from_april_2015_to_december_2026():
    history = Scenario.load(SCENARIOS / "history.toml", SMALL)
    metrics = run(history, seed=1).metrics
    assert metrics["date"].iloc[0] == "2015-04" and metrics["date"].iloc[-1] == "2026-12"
    assert "2025-12" in set(metrics["date"])
    # its dated changes act: the SINE leaf shrinks to nothing, the 2023 rules let enterprises convert
    sine = metrics.set_index("date")["spending_sine"]
    assert sine["2016-01"] > sine["2024-01"] > sine["2026-01"] == 0


def test_a_branch_file_applies_its_parameters_from_its_date():
    branch = Scenario.load(SCENARIOS / "from_2018" / "aftercare.toml")
    history = Scenario.load(SCENARIOS / "history.toml")
    assert branch.branch == "2018-01" and branch.policy.aftercare_months == history.policy.aftercare_months
    own = [c for c in branch.timeline if c.date == "2018-01"]
    assert [(c.key, c.value) for c in own] == [("policy.aftercare_months", 12)]
    assert trunk_key(branch, branch.month_of("2018-01")) == trunk_key(history, branch.month_of("2018-01"))
    assert trunk_key(branch, branch.month_of("2018-02")) != trunk_key(history, branch.month_of("2018-02"))


def test_branches_share_the_history_once_per_seed_and_give_the_same_results_as_whole_runs(tmp_path: Path, monkeypatch):
    scenarios = [
        Scenario.load(SCENARIOS / f, SMALL)
        for f in ("history.toml", "from_2018/aftercare.toml", "from_2018/sector_covenants.toml")
    ]
    assert branch_groups(scenarios) == [(scenarios[1].month_of("2018-01"), [0, 1, 2])]
    steps = []
    original = LabourMarketModel.step
    monkeypatch.setattr(LabourMarketModel, "step", lambda self: (steps.append(1), original(self)))
    result = compare(scenarios, replications=2, jobs=1, out=tmp_path / "branches")
    shared, months = scenarios[1].month_of("2018-01") - 1, scenarios[0].months
    assert len(steps) == 2 * (shared + 3 * (months - shared))  # the history up to 2017 once per seed
    steps.clear()
    stored = result.tables(("indicators",))["indicators"]
    for scenario in scenarios:  # the history is measured over its branches' own years in the comparison
        whole = run(scenario.with_overrides({"window": "2018-01:2026-12"}), seed=1, replications=2).summary
        mine = stored[stored["label"] == scenario.name].sort_values("replication")
        for name in ("transition_rate_annual", "dumping_share", "fiscal_cost_net", "service_quality"):
            assert np.array_equal(mine[name].to_numpy(), whole[name].to_numpy()), (scenario.name, name)


def test_without_an_intake_stop_the_queue_stays_bounded_and_its_demand_shows(small: Scenario):
    # "open" intake: every request joins the queue; only lapsing (queue_validity_months) can bound it
    validity = small.policy.queue_validity_months
    metrics = run(small.with_overrides({"policy.referral_intake": "open"}), seed=2).metrics
    assert metrics["referral_requests_refused"].sum() == 0
    recent_requests = metrics["referral_requests"].rolling(validity, min_periods=1).sum()
    assert (metrics["waiting_list"] <= recent_requests).all()  # nobody waits longer than the requests lapse
    late = metrics[metrics["month"] > metrics["month"].max() - 36]["waiting_list"]
    early = metrics[(metrics["month"] > validity) & (metrics["month"] <= validity + 36)]["waiting_list"]
    assert late.mean() < 1.5 * early.mean() + 5, (early.mean(), late.mean())  # bounded: no steady growth
    assert metrics["referral_requests_lapsed"].sum() > 0  # demand beyond the places lapses, and is counted
    # the default intake refuses what it could not decide within the validity: refused and counted
    managed = run(small, seed=2).metrics
    assert managed["referral_requests_refused"].sum() > 0
    bound = validity * managed["referrals_decided"].iloc[1:].max() + managed["referral_requests"].max()
    assert managed["waiting_list"].max() <= bound  # never more than the service decides within the validity
    fixed = run(small.with_overrides({"policy.referral_rule": "fixed"}), seed=2).metrics
    assert fixed["waiting_list"].iloc[-1] > 12 * fixed["referrals_decided"].iloc[-12:].mean()  # the old queue only grew


@pytest.mark.slow
@pytest.mark.parametrize("path", shipped(set(), ""))
def test_no_shipped_scenario_has_a_growing_queue(path: str):
    # bounded, not pinned: over the last two years the queue is no longer than over the two before
    # (with a margin of half, and of the mean requests of a month), and nobody waits past the validity
    scenario = Scenario.load(SCENARIOS / path)
    metrics = run(scenario, seed=1).metrics
    queue = metrics["waiting_list"]
    margin = metrics["referral_requests"].iloc[-48:].mean()
    assert queue.iloc[-24:].mean() <= 1.5 * queue.iloc[-48:-24].mean() + margin, (
        queue.iloc[-48:-24].mean(),
        queue.iloc[-24:].mean(),
    )
    recent = metrics["referral_requests"].rolling(scenario.policy.queue_validity_months, min_periods=1).sum()
    assert (queue <= recent).all()
