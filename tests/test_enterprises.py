"""Enterprises that decide: each rule in isolation, the switch, common random numbers, and what
the decisions do to the shipped scenarios."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import LabourMarketModel, Scenario, run
from simulation.cli import main
from simulation.submodels.decisions import expect_values
from simulation.submodels.development import development
from simulation.submodels.finances import client_demand, close_insolvent
from simulation.world.agents import pressed as pressed_now
from simulation.world.people import LDE

from .conftest import DISSOLVES, SCENARIOS, TODAYS_RULES, shipped


@pytest.fixture
def model(tiny: Scenario) -> LabourMarketModel:
    model = LabourMarketModel(tiny, seed=3)
    model.step()
    return model


def pressed(model: LabourMarketModel, row: int, mission: bool):
    """Enterprise ``row`` set up to be under pressure: a reserve below its aspiration and losing money."""
    agent = next(a for a in model.enterprises if a.row == row)
    agent.mission_driven = mission
    agent.reserve, agent.margin, agent.aspiration = 1_000.0, -2_000.0, 2.0
    agent.costs = max(agent.costs, 10_000.0)
    agent.workers, agent.fill_target = max(agent.slots - 2, 1), agent.slots  # vacant slots to leave empty
    agent.hire_value = -500.0  # one more worker would bring in less than he costs
    return agent


def decisions_of(model: LabourMarketModel, agent, months: int) -> list[str]:
    for _ in range(months):
        model.month += 1
        model.enterprise_draws = np.full(model.enterprise_table.n, 0.99)  # local support refused
        agent.step()
    return model.recorder.enterprise_events(agent.row)["decision"].tolist()


def test_under_pressure_an_enterprise_tries_one_remedy_a_month_in_its_own_order(model: LabourMarketModel):
    agent = pressed(model, 0, mission=False)
    agent.slots, agent.fill_target, agent.workers, agent.coaches = 12, 12, 10, 1.0  # above the minimum size: slots to give back
    seen = decisions_of(model, agent, 40)
    order = list(dict.fromkeys(seen))
    # the hire it is not worth first (every month, pressed or not), then the remedies in order
    assert order[:8] == [
        "fill_target",
        "overhead_share",
        "training",
        "coaches",
        "price",
        "market_share",
        "slots",
        "local_support",
    ]
    assert agent.market_share == pytest.approx(model.scenario.enterprises.market_share_max)
    assert agent.overhead_share == pytest.approx(model.scenario.enterprises.overhead_floor)
    assert agent.training == 0.0  # training time cut step by step to none
    assert agent.coaches == pytest.approx(agent.slots / model.scenario.enterprises.max_coaching_ratio)
    assert agent.price == pytest.approx(model.scenario.enterprises.price_cap)
    assert agent.fill_target == agent.workers and "converted" not in seen  # conversion is not offered here
    assert agent.slots == 10 and agent.coaches <= 10 / model.scenario.policy.coaching_ratio  # gave back its empty slots


def test_a_mission_driven_enterprise_cuts_coaching_last(model: LabourMarketModel):
    agent = pressed(model, 1, mission=True)
    order = list(dict.fromkeys(decisions_of(model, agent, 40)))
    assert order.index("coaches") > order.index("price") and order.index("coaches") > order.index("local_support")
    assert order.index("training") > order.index("local_support")  # training is coaching's sibling: kept as long
    assert order.index("market_share") > order.index("coaches")  # its social clients it gives up last


def test_conversion_is_the_last_remedy_where_the_rules_offer_it(tiny: Scenario):
    model = LabourMarketModel(tiny.with_overrides({"policy.cmw_conversion": True}), seed=3)
    model.step()
    agent = pressed(model, 0, mission=False)
    seen = decisions_of(model, agent, 40)
    assert "converted" in seen and seen.index("converted") > seen.index("local_support") and agent.converted


@pytest.mark.parametrize(("probability", "granted"), [(1.0, True), (0.0, False)])
def test_local_support_is_a_lottery_once_a_year(model: LabourMarketModel, probability: float, granted: bool):
    model.scenario = model.scenario.with_overrides({"enterprises.local_support_probability": probability})
    agent = pressed(model, 2, mission=False)
    agent.overhead_share, agent.coaches, agent.price = 0.7, 0.0, 10.0  # nothing cheaper left to try
    agent.fill_target = agent.workers
    before = agent.reserve
    model.month += 1
    model.enterprise_draws = np.full(model.enterprise_table.n, 0.5)
    assert agent.ask_local_support()
    assert (agent.reserve - before) == pytest.approx(2_000.0 * 6 if granted else 0.0)
    model.month += 1
    assert not agent.ask_local_support()  # again only after local_support_interval months


def test_a_comfortable_enterprise_undoes_its_cuts_one_step_a_month(model: LabourMarketModel):
    agent = pressed(model, 0, mission=False)
    decisions_of(model, agent, 12)
    agent.reserve, agent.margin = 1e9, 1_000.0
    agent.income = agent.costs + 1_000.0
    before = len(model.recorder.enterprise_events(0))
    decisions_of(model, agent, 1)
    events = model.recorder.enterprise_events(0).iloc[before:]
    assert len(events) == 1 and events["reason"].iloc[0] in ("recovered", "a worker brings in more than he costs")


def test_push_weighs_the_expected_bonus_against_the_output_it_costs(tiny: Scenario):
    """push_value = workers x (own transition rate x bonus x chance paid (discounted under pressure) - output
    lost per unit push at its clients' prices); the enterprise pushes fully when it is positive, not at all
    when it is not."""
    model = LabourMarketModel(tiny.with_overrides({"policy.outcome_bonus": 20_000.0}), seed=3)
    model.step()
    ent, table = model.scenario.enterprises, model.enterprise_table
    expect_values(model)
    unit = ent.revenue_per_output_month * client_demand(model)
    lost = ent.push_output_cost * table.view("productivity") * unit
    paid = 20_000.0 * ent.bonus_paid_expected * np.where(pressed_now(table), ent.pressure_discount, 1.0)
    expected = table.view("workers") * (table.view("transition_rate") * paid - lost)
    staffed = table.view("workers") > 0
    assert np.allclose(table.view("push_value")[staffed], expected[staffed])
    agent = next(iter(model.enterprises))
    for value, push in ((1.0, ent.push_max), (-1.0, 0.0)):
        agent.push_value = value
        agent.set_push()
        assert agent.push == push


def test_a_vacancy_is_filled_only_when_a_hire_is_worth_it(model: LabourMarketModel):
    """hire_value = a new worker's output at its clients' prices + the subsidies a new hire brings over a
    trajectory + SINE and local leaf - his wage cost; frozen below 0, filled again from 0."""
    ent, policy, table = model.scenario.enterprises, model.scenario.policy, model.enterprise_table
    expect_values(model)
    subsidies = policy.wage_subsidy[0][1] * ent.reference_wage_month + policy.guidance_subsidy[0][1]
    subsidies += ent.sine_share * ent.sine_allowance_month + ent.local_contribution_month
    unit = ent.revenue_per_output_month * client_demand(model)
    staffed = table.view("workers") > 0
    expected = table.view("productivity") * unit + subsidies - ent.wage_cost_month
    assert len(policy.wage_subsidy) == 1 and np.allclose(table.view("hire_value")[staffed], expected[staffed])
    agent = next(iter(model.enterprises))
    agent.slots, agent.workers, agent.fill_target = 12, 10, 12
    agent.hire_value = -1.0
    assert agent.set_hiring() and agent.fill_target == 10
    agent.hire_value = 1.0
    assert agent.set_hiring() and agent.fill_target == 12
    agent.workers, agent.hire_value = 3, -1.0  # below the minimum of a recognition (source 1.6) it still hires
    assert agent.set_hiring() and agent.fill_target == model.scenario.world.min_slots


def test_workers_of_a_closing_enterprise_are_taken_over_where_there_is_room(tiny: Scenario):
    model = LabourMarketModel(tiny.with_overrides({"world.initial_occupancy": 0.5}), seed=3)
    model.step()
    table = model.enterprise_table
    table.view("reserve")[0] = -1e6
    table.view("insolvent_months")[0] = model.scenario.enterprises.grace_months
    workers_before = int(table.workers[0])
    lde_before = model.people.counts()[2]
    close_insolvent(model)
    events = model.recorder.enterprise_events()
    assert not table.is_open[0] and workers_before > 0
    assert events[events["decision"] == "takeover"]["value"].sum() == workers_before
    assert model.people.counts()[2] == lde_before  # nobody fell back: all found room
    merged = events[events["decision"] == "merge"]  # every worker taken over: a merger in effect
    assert merged["enterprise"].tolist() == [0] and merged["value"].iloc[0] == workers_before


def test_the_decisions_streams_reshuffle_nobodys_draws(tiny: Scenario):
    """Leaving the labour force depends on nothing an enterprise decides: with common random
    numbers the same people leave in the same month whether enterprises decide or not."""
    pressed_world = tiny.with_overrides({"policy.sine_phaseout_start_month": 6, "months": 60})
    a = run(pressed_world, seed=5, events=True)
    b = run(pressed_world.with_overrides({"enterprises.adaptive": False}), seed=5, events=True)
    assert len(a.enterprise_events) > len(b.enterprise_events)  # they did decide
    leaving = ["left_labour_force", "retired"]
    left_a = a.events[a.events["reason"].isin(leaving)][["month", "person", "reason"]].reset_index(drop=True)
    left_b = b.events[b.events["reason"].isin(leaving)][["month", "person", "reason"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(left_a, left_b)


def test_a_sine_cut_shows_at_least_four_kinds_of_response_in_enterprise_events(tmp_path: Path):
    out = tmp_path / "run"
    args = ["run", str(SCENARIOS / "small.toml"), "--set", "policy.sine_phaseout_start_month=12", "--events"]
    assert main([*args, "--out", str(out)]) == 0
    events = pd.read_csv(out / "enterprise_events.csv")
    assert list(events.columns) == ["month", "replication", "enterprise", "decision", "value", "reason"]
    assert events["decision"].nunique() >= 4, events["decision"].value_counts()


def test_the_outcome_bonus_works_through_behaviour_and_has_a_price(tiny: Scenario):
    """Paired replications: a bonus worth more than the output a push costs raises transitions (t > 3.5)
    and costs service output. (EUR 5,000 is worth less than that output to these enterprises: they do
    not push for it, test_a_bonus_not_worth_a_push_changes_no_push.)"""
    world = tiny.with_overrides({"months": 60})
    bonus = world.with_overrides({"policy.outcome_bonus": 20_000.0})
    a, b = run(world, seed=11, replications=8), run(bonus, seed=11, replications=8)
    diff = (b.summary["transition_rate_annual"] - a.summary["transition_rate_annual"]).to_numpy()
    assert diff.mean() / (diff.std(ddof=1) / np.sqrt(diff.size)) > 3.5
    output = [m.groupby("replication")["service_output"].sum().to_numpy() for m in (a.metrics, b.metrics)]
    assert (output[1] < output[0]).mean() >= 0.75  # most paired replications produce less


def test_a_bonus_not_worth_a_push_changes_no_push_and_closes_no_enterprise(tiny: Scenario):
    """At EUR 5,000 a transition's expected bonus is worth less than the output a push costs to almost every
    enterprise: few push (only one whose own transition rate happens to be high), the bonus mostly adds
    income, and no paired replication has more closures with it."""
    world = tiny.with_overrides({"months": 60})
    a, b = (
        run(world, seed=11, replications=4),
        run(world.with_overrides({"policy.outcome_bonus": 5_000.0}), seed=11, replications=4),
    )
    assert b.metrics["push_mean"].mean() < 0.05
    assert (b.summary["enterprise_closures"] <= a.summary["enterprise_closures"]).all()


@pytest.mark.slow
#: Under today's rules the sector dissolves from 2026; with the routes of issue 21 two of the four 2026
#: branches stay just under 30% a year (seed 1: today, maatwerk_places) and two pass it (the
#: trajectories' released workers produce nothing; the bonus branch 32%): known, kept visible.
@pytest.mark.parametrize("name", shipped(TODAYS_RULES - {"from_2026/today.toml", "from_2026/maatwerk_places.toml"}, DISSOLVES))
def test_no_shipped_scenario_loses_more_than_30_percent_of_its_enterprises_in_a_year(name: str):
    open_ = run(Scenario.load(SCENARIOS / name), seed=1).metrics["enterprises_open"].to_numpy()
    losses = [(open_[t] - open_[t + 12]) / open_[t] for t in range(len(open_) - 12) if open_[t] > 0]
    assert max(losses) <= 0.30


def test_model_enterprise_gives_state_and_decision_history(model: LabourMarketModel):
    agent = pressed(model, 0, mission=False)
    decisions_of(model, agent, 3)
    record = model.enterprise(0)
    assert record["size_class"] in ("small_neighbourhood_service", "large_proximity_service")
    assert record["overhead_share"] == agent.overhead_share and len(record["decisions"]) == 3


def test_each_enterprise_selects_with_its_own_strength(model: LabourMarketModel):
    from simulation.submodels.referral import select, selection_strength

    table, p = model.enterprise_table, model.people
    table.view("mission_driven")[:] = [row % 2 == 0 for row in range(table.n)]
    strength = selection_strength(model)
    creaming, spread = model.scenario.policy.creaming, model.scenario.enterprises.creaming_spread
    pressure = 1 + model.scenario.enterprises.creaming_pressure * np.array(
        [next(a for a in model.enterprises if a.row == r).under_pressure() for r in range(table.n)]
    )
    assert np.allclose(strength, creaming * np.where(table.view("mission_driven"), 1 - spread, 1 + spread) * pressure)

    holders = np.flatnonzero(p.view("status") < 2)[:50]
    free = np.zeros(table.n, dtype=int)
    free[1] = 3  # only a non-mission enterprise has room: it takes the three most employable
    chosen, seats = select(model, holders, np.zeros(holders.size), free, np.random.default_rng(0))
    best = holders[np.argsort(-p.employability[holders], kind="stable")[:3]]
    assert sorted(chosen.tolist()) == sorted(best.tolist()) and (seats == 1).all()


def test_enterprises_pick_in_turn_the_best_of_the_holders_left(model: LabourMarketModel):
    """Enterprises in a random order, each with its own strength, take the top of their own ranking among
    the holders the earlier ones left; nobody is taken twice, and the picking stops when nobody is left."""
    from simulation.submodels.referral import select, selection_strength

    table, p = model.enterprise_table, model.people
    table.view("mission_driven")[:] = [row % 2 == 0 for row in range(table.n)]  # two strengths
    holders = np.flatnonzero(p.view("status") < 2)[:40]
    gumbel = np.random.default_rng(1).gumbel(size=holders.size)
    free = np.zeros(table.n, dtype=int)
    free[:10] = np.arange(10) % 4  # 13 slots for 40 holders, some enterprises without room
    free[10:12] = 15  # and more slots than holders
    chosen, seats = select(model, holders, gumbel, free, np.random.default_rng(0))

    strength, employability = selection_strength(model), p.employability[holders]
    left, expected = list(range(holders.size)), []
    for row in np.random.default_rng(0).permutation(np.flatnonzero(free)).tolist():
        key = strength[row] * employability + gumbel
        best = sorted(left, key=lambda h: (-key[h], h))[: free[row]]
        left = [h for h in left if h not in best]
        expected += [(holders[h], row) for h in best]
    assert list(zip(chosen.tolist(), seats.tolist())) == [(int(h), r) for h, r in expected]
    assert len(set(chosen.tolist())) == chosen.size == holders.size  # everyone placed, once


def test_clients_pay_for_price_quality_and_size_class(model: LabourMarketModel):
    ent, table = model.scenario.enterprises, model.enterprise_table
    table.view("price")[:] = 1.0
    table.view("quality")[:] = table.view("quality_start")
    base = client_demand(model)
    large = table.view("large")
    assert base[~large] == pytest.approx(1 + ent.market_price_premium * ent.market_share_small)
    assert base[large] == pytest.approx(1 + ent.market_price_premium * ent.market_share_large)
    table.view("quality")[:] = table.view("quality_start") / 2  # clients leave when quality halves
    assert client_demand(model) == pytest.approx(base * 0.5**ent.quality_demand_effect)
    table.view("price")[:] = 1.2  # dearer sells less per unit of price
    assert client_demand(model) == pytest.approx(base * 0.5**ent.quality_demand_effect * 1.2 ** (1 - ent.demand_elasticity))


def test_an_enterprise_s_training_time_is_what_its_workers_learn_from(tiny: Scenario):
    """Training comes from each enterprise's own column (its decision), not from the policy constant."""
    scenario = tiny.with_overrides({"people.training_effect": 5.0})
    gains = []
    for training in (0.0, 0.3):
        model = LabourMarketModel(scenario, seed=8)
        model.enterprise_table.view("training")[:] = training
        lde = model.people.in_status(LDE)
        before = model.people.employability[lde].copy()
        model.month = 1
        development(model)
        gains.append(float((model.people.employability[lde] - before).mean()))
    assert gains[1] > gains[0] > 0
