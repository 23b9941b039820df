"""One test per dated rule of the history (docs/institutions.md): a person or enterprise in the rule's
situation gets what the rule gives. Small worlds; the calendar is that of scenarios/history.toml."""

from __future__ import annotations

import numpy as np
import pytest

from simulation import LabourMarketModel, Scenario, run
from simulation.rules.scenario_files import overridden_by_branch
from simulation.rules.timeline import Timeline, explain
from simulation.submodels.finances import FULL_SCALE_WORKERS, close_insolvent, is_sitting, operating_subsidy, trajectory_payments
from simulation.world.people import LDE

from .conftest import SCENARIOS, invoke
from .test_timeline import SMALL


@pytest.fixture(scope="module")
def history() -> Scenario:
    return Scenario.load(SCENARIOS / "history.toml", SMALL)


@pytest.fixture(scope="module")
def history_run(history: Scenario):
    return run(history, seed=1)


def test_decree_2015_the_clock_of_sitting_workers_starts_on_1_april_2015(history: Scenario):
    """Sources 1.3, 1.17: the count of the workers sitting when the decree took effect starts then."""
    model = LabourMarketModel(history, seed=1)
    lde = model.people.in_status(LDE)
    assert (model.people.lde_months[lde] == 0).all() and model.people.months_in_status[lde].max() > 24
    later = LabourMarketModel(history.with_overrides({"start": "2018-01", "timeline": []}), seed=1)
    assert later.people.lde_months[later.people.in_status(LDE)].max() == 33  # 2015-04 to 2018-01


def test_decree_2015_no_time_limit_exit_before_april_2020_in_the_history(history_run):
    """Sources 1.17, 1.22: the first five-year terms ended in spring 2020, so nobody reached the limit before."""
    metrics = history_run.metrics.set_index("date")
    assert metrics.loc[:"2020-03", "exits_time_limit"].sum() == 0
    assert metrics.loc["2020-04":"2021-12", "exits_time_limit"].sum() > 0  # and the first cohort does leave then


def test_covid_2020_every_trajectory_ending_from_march_to_june_2020_is_extended(history_run):
    """Source 1.22: trajectories ending from 20 March 2020 were extended (the history: March to June)."""
    metrics = history_run.metrics.set_index("date")
    window = metrics.loc["2020-03":"2020-06"]
    assert window["extensions_granted"].sum() > 0 and window["exits_time_limit"].sum() == 0


def sitting_and_new(history: Scenario):
    """The history at its first month of individueel maatwerk (2023-07), with one sitting worker made a new hire."""
    model = LabourMarketModel(history, seed=2)
    while model.scenario.date(model.month) < "2023-07":
        model.step()  # the last step is July 2023's, under its rules
    lde = model.people.in_status(LDE)
    model.people.months_in_status[lde[0]] = 0  # hired this month: a new hire
    model.people.lde_months[lde[0]] = 1
    return model, lde


def test_transition_2023_a_worker_sitting_in_july_2023_keeps_the_trajectory_payment(history: Scenario):
    """Source 1.31: LDE workers employed on 30 June 2023 keep their trajectory payment (the LDE wage and
    guidance subsidy: 45% of the reference wage and EUR 400 a month) as a temporary allowance."""
    model, lde = sitting_and_new(history)
    assert model.scenario.date(model.month) == "2023-07"
    (new_wage, new_guidance), (kept_wage, kept_guidance) = trajectory_payments(model, lde)
    converted = model.enterprise_table.view("converted")[model.people.enterprise[lde]]
    sitting = is_sitting(model, lde) & ~converted
    assert sitting[1:].sum() > 100 and not sitting[0]
    assert (kept_wage[sitting] == 0.45).all() and (kept_guidance[sitting] == 400.0).all()
    assert (new_wage[sitting] == 0).all() and (new_guidance[sitting] == 0).all()  # nothing twice
    assert (kept_wage[~sitting] == 0).all()


def test_transition_2023_a_new_hire_gets_the_individueel_maatwerk_schedule(history: Scenario):
    """Sources 1.28-1.29: a worker hired from July 2023 gets the degressive premium (40% in his first quarters)."""
    model, lde = sitting_and_new(history)
    (new_wage, new_guidance), (kept_wage, _) = trajectory_payments(model, lde)
    assert new_wage[0] == 0.40 and new_guidance[0] == 643.0 and kept_wage[0] == 0


def test_transition_2023_sitting_workers_lose_only_sine_which_ends_by_july_2025(history_run):
    """Sources 1.31, 1.37-1.38: no SINE from July 2025; the sitting workers' allowance goes on."""
    metrics = history_run.metrics.set_index("date")
    assert metrics.loc["2025-07":, "spending_sine"].sum() == 0 and metrics.loc["2023-06", "spending_sine"] > 0
    assert metrics.loc["2025-07", "spending_sitting_allowance"] > 0
    assert metrics.loc[:"2023-06", "spending_sitting_allowance"].sum() == 0


def test_werkingssubsidie_2023_2025_is_the_sourced_yearly_budget_split_by_its_two_keys(history_run, history: Scenario):
    """Source 1.33: EUR 10,396,129 a year for local governments with complementary local services, to the end
    of 2025, split by 2019 SINE budgets and Q4 2022 occupancy; nothing before July 2023 or from 2026."""
    metrics = history_run.metrics.set_index("date")
    budget = 10_396_129 * history.world.lde_workers / FULL_SCALE_WORKERS
    paid_2024 = metrics.loc["2024-01":"2024-12", "spending_operating_subsidy"].sum()
    assert 0.9 * budget <= paid_2024 <= budget + 1e-6  # a closed enterprise's share is not paid out
    assert metrics.loc[:"2023-06", "spending_operating_subsidy"].sum() == 0
    assert metrics.loc["2026-01":, "spending_operating_subsidy"].sum() == 0


def test_werkingssubsidie_keys_follow_2019_sine_and_q4_2022_occupancy(history: Scenario):
    model = LabourMarketModel(history, seed=3)
    table, q4 = model.enterprise_table, 0
    while model.scenario.date(model.month) < "2023-07":
        model.step()
        q4 += (
            table.view("workers")[table.view("is_open")].sum()
            if "2022-10" <= model.scenario.date(model.month) <= "2022-12"
            else 0
        )
    policy = model.scenario.policy
    paid = operating_subsidy(model)
    sine, occupancy = table.view("sine_reference"), table.view("occupancy_reference")
    share = (
        policy.werkingssubsidie_sine_part * sine / sine.sum()
        + (1 - policy.werkingssubsidie_sine_part) * occupancy / occupancy.sum()
    )
    monthly = policy.werkingssubsidie_year / 12 * history.world.lde_workers / FULL_SCALE_WORKERS
    assert np.allclose(paid, monthly * share * table.view("is_open"))
    assert occupancy.sum() == q4 and paid.sum() > 0  # the worker-months of October to December 2022


def test_new_recognitions_end_on_1_july_2023(history_run):
    """Source 1.5: no new LDE recognitions from July 2023 (entry before is an assumption, enterprises.entry_rate)."""
    metrics = history_run.metrics.set_index("date")
    assert metrics.loc["2023-07":, "enterprises_entered"].sum() == 0


def test_a_branch_keeps_its_own_levers_through_later_history():
    """The composition rule: guidance_training's 2018 guidance subsidy is not replaced by the history's 2023 one."""
    branch = Scenario.load(SCENARIOS / "from_2018" / "guidance_training.toml")
    history = Scenario.load(SCENARIOS / "history.toml")
    month = branch.month_of("2024-01")
    assert Timeline(branch).in_force(branch, month).policy.guidance_subsidy == [(0, 600.0)]
    assert Timeline(history).in_force(history, month).policy.guidance_subsidy == [(0, 643.0), (15, 443.0)]
    # the rest of the 2023 rules still apply to the branch
    assert Timeline(branch).in_force(branch, month).policy.wage_subsidy == [(0, 0.40), (15, 0.30), (27, 0.20)]
    overridden = overridden_by_branch(SCENARIOS / "from_2018" / "guidance_training.toml")
    assert [(c["date"], c["key"]) for c in overridden] == [("2023-07", "policy.guidance_subsidy")]
    assert "not applied: 2023-07 policy.guidance_subsidy" in explain(branch, overridden)


def test_a_branch_that_says_otherwise_follows_its_own_later_change(tmp_path):
    (tmp_path / "history.toml").write_text(
        (SCENARIOS / "history.toml")
        .read_text()
        .replace('extends = "baseline.toml"', f'extends = "{SCENARIOS / "baseline.toml"}"')
    )
    (tmp_path / "branch.toml").write_text(
        'extends = "history.toml"\nbranch = "2018-01"\nname = "b"\n[policy]\nguidance_subsidy = [[0, 600.0]]\n'
        '[[timeline]]\ndate = "2024-01"\nkey = "policy.guidance_subsidy"\nvalue = [[0, 500.0]]\n'
    )
    branch = Scenario.load(tmp_path / "branch.toml")
    timeline = Timeline(branch)
    assert timeline.in_force(branch, branch.month_of("2023-08")).policy.guidance_subsidy == [(0, 600.0)]
    assert timeline.in_force(branch, branch.month_of("2024-02")).policy.guidance_subsidy == [(0, 500.0)]


def test_run_explain_lists_the_rules_in_force_at_each_dated_change(capsys):
    assert invoke(["run", str(SCENARIOS / "from_2018" / "flanking_package.toml"), "--explain"]) == 0
    out = capsys.readouterr().out
    assert "2023-07 (month 99):" in out and "policy.werkingssubsidie_year = 10396129.0" in out
    assert "2015-04 (month 0), the parameters that change later:" in out and "policy.outcome_bonus = 0.0" in out
    assert "not applied: 2023-07 policy.guidance_subsidy" in out


def test_a_recognition_needs_five_workers_on_average_over_a_year(tiny: Scenario):
    """Source 1.6: an enterprise below the minimum size for twelve months stops; its workers are taken over."""
    model = LabourMarketModel(tiny, seed=4)
    model.step()
    table = model.enterprise_table
    row = int(np.argmin(table.view("workers")))
    table.view("small_months")[row] = 11
    table.view("workers")[row] = tiny.world.min_slots - 1
    close_insolvent(model)
    assert not table.is_open[row]
    events = model.recorder.enterprise_events(row)
    assert "below the minimum size for a year" in events["reason"].tolist()


def test_the_local_leaf_is_paid_per_worker_every_month(history_run, history: Scenario):
    """Source 1.8 (amount an assumption): the local governments pay local_contribution_month per occupied slot,
    before 2023 and after; in a month without a closure that is the month's LDE workers x the amount."""
    metrics = history_run.metrics
    calm = metrics["enterprises_closed"].diff().eq(0)  # month 0 books nothing
    paid = metrics.loc[calm, "spending_local_government"].to_numpy()
    assert np.allclose(paid, metrics.loc[calm, "lde"].to_numpy() * history.enterprises.local_contribution_month)
    assert metrics.set_index("date").loc["2026-06", "spending_local_government"] > 0


def test_covid_2020_enterprises_sell_only_what_the_lockdown_allows(history: Scenario):
    """Source 1.22: about 29% of the sector active in April 2020; revenue follows, costs do not."""
    model = LabourMarketModel(history, seed=1)
    while model.scenario.date(model.month) < "2020-04":
        model.step()
    revenue = model.latest("customer_revenue")
    output = model.latest("service_output")
    assert model.scenario.context.lde_activity == 0.29
    normal = LabourMarketModel(
        history.with_overrides({"timeline": [c for c in history.timeline if c.key != "context.lde_activity"]}), seed=1
    )
    while normal.scenario.date(normal.month) < "2020-04":
        normal.step()
    assert revenue == pytest.approx(0.29 * normal.latest("customer_revenue"), rel=1e-9)
    assert output == pytest.approx(0.29 * normal.latest("service_output"), rel=1e-9)


@pytest.mark.slow
def test_the_sector_size_moves_year_by_year_in_2018_2021_and_entry_is_what_moves_the_initiatives():
    """Full-scale history: workers and initiatives change every year 2018-2021 (yearly means of the monthly
    metrics). Knock-out: without new recognitions the number of initiatives does not move before 2022 (no
    enterprise closes then), so their movement is the entry assumption's, while workers still move."""
    history = Scenario.load(SCENARIOS / "history.toml")
    for entry, initiatives_move in ((history.enterprises.entry_rate, True), (0.0, False)):
        metrics = run(history.with_overrides({"enterprises.entry_rate": entry}), seed=1).metrics
        yearly = metrics.assign(year=metrics["date"].str[:4]).groupby("year")[["enterprises_open", "lde"]].mean()
        change = yearly.loc["2018":"2021"].diff().iloc[1:]
        assert (change["lde"] != 0).all()
        assert (change["enterprises_open"] != 0).all() == initiatives_move
