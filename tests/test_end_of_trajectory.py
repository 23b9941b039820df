"""The end of a trajectory: the evaluation's rules in isolation, collective maatwerk places, the
doorstroom trajectory and its traineeships, ties, the federal benefit limit, and the switch back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation import LabourMarketModel, Scenario, run
from simulation.submodels.benefits import limit_existing_claims
from simulation.submodels.doorstroom import end_traineeships, start_trajectories
from simulation.submodels.end_of_trajectory import evaluate
from simulation.submodels.maatwerk import maatwerk
from simulation.submodels.matching import hire_chance
from simulation.world.agents import pressed
from simulation.world.moves import entitlement
from simulation.world.people import (
    LDE,
    MAATWERK,
    NEC,
    NO_PHASE,
    NO_ROUTE,
    PREPARATION,
    ROUTE_MAATWERK,
    ROUTE_TRAJECTORY,
    ROUTE_TRAJECTORY_WAITING,
    ROUTE_WORK_CARE_WAITING,
    SOCIAL_ASSISTANCE,
    TRAINEESHIP,
    UNEMPLOYED,
)

from .conftest import SCENARIOS


def stepped(scenario: Scenario, seed: int = 3) -> LabourMarketModel:
    """A model after its first month, at the start of the next (fresh random streams, no metrics yet)."""
    model = LabourMarketModel(scenario, seed=seed)
    model.step()
    next_month(model)
    return model


def next_month(model: LabourMarketModel) -> None:
    """Start the next month by hand, so that a test can call one submodel at a time."""
    model.month += 1
    model.streams.start_month(model.month)
    model.recorder.start_month()


def due_workers(model: LabourMarketModel, count: int) -> np.ndarray:
    """``count`` LDE workers set 10 months before their limit, not yet evaluated, healthy, aged 40."""
    p = model.people
    rows = p.in_status(LDE)[:count].copy()
    limit = model.scenario.policy.lde_limit
    p.lde_months[rows] = limit - model.scenario.policy.evaluation_lead_months
    p.route[rows], p.extended[rows] = NO_ROUTE, False
    p.inactivity_month[rows] = model.month + 1000
    p.age[rows], p.employability[rows] = 40.0, 0.8
    return rows


def evaluate_now(model: LabourMarketModel, rows: np.ndarray) -> None:
    p, policy = model.people, model.scenario.policy
    evaluate(model, rows, policy.lde_limit + policy.extension_months * p.extended[rows])


def test_the_evaluation_follows_its_documented_criteria_in_order(tiny: Scenario):
    # a judgement without error (spread 0) makes the criteria exact
    rules = {"policy.internal_doorstroom_share": 0.0, "policy.doorstroom_trajectories_month": 2}
    model = stepped(tiny.with_overrides({**rules, "policy.evaluation_judgement_spread": 0.0}))
    p, policy = model.people, model.scenario.policy
    rows = due_workers(model, 7)
    p.employability[rows[0]] = policy.work_care_max_employability - 0.01  # too far from work, no POP progress
    p.entry_employability[rows[0]] = p.employability[rows[0]]
    p.inactivity_month[rows[1]] = model.month + policy.work_care_health_months  # the health proxy
    p.employability[rows[2]] = policy.work_care_max_employability - 0.01  # as far, but his POP shows progress
    p.entry_employability[rows[2]] = p.employability[rows[2]] - policy.pop_min_progress
    p.age[rows[3]] = policy.maatwerk_older_age  # close to pension
    # rows[2] and rows[4:] are ready for the trajectory: they wait for one of its places
    evaluate_now(model, rows)
    assert p.route[rows[:4]].tolist() == [
        ROUTE_WORK_CARE_WAITING,
        ROUTE_WORK_CARE_WAITING,
        ROUTE_TRAJECTORY_WAITING,
        ROUTE_MAATWERK,
    ]
    assert (p.route[rows[4:]] == ROUTE_TRAJECTORY_WAITING).all()
    assert (p.status[rows] == LDE).all()  # nobody leaves at the evaluation but the internal doorstroom
    next_month(model)
    evaluate_now(model, rows)  # a second evaluation changes nothing: each worker is evaluated once
    assert p.route[rows[:4]].tolist() == [
        ROUTE_WORK_CARE_WAITING,
        ROUTE_WORK_CARE_WAITING,
        ROUTE_TRAJECTORY_WAITING,
        ROUTE_MAATWERK,
    ]
    others = np.setdiff1d(p.in_status(LDE), rows)
    p.route[others[p.route[others] == ROUTE_TRAJECTORY_WAITING]] = NO_ROUTE  # only these seven wait
    p.phase_since[rows[4:]] = [3, 1, 2]  # months of the advice: rows[5] and rows[6] waited longest
    start_trajectories(model)  # two places this month, longest waiting first
    assert p.route[rows[5:]].tolist() == [ROUTE_TRAJECTORY, ROUTE_TRAJECTORY] and (p.phase[rows[5:]] == PREPARATION).all()
    assert p.route[rows[2]] == p.route[rows[4]] == ROUTE_TRAJECTORY_WAITING


def test_the_judgement_makes_each_advice_a_chance_that_falls_with_employability(tiny: Scenario):
    # the documented probability model: P(work-care advice) = 1 / (1 + exp(-(threshold - e) / spread))
    model = stepped(tiny.with_overrides({"policy.internal_doorstroom_share": 0.0}))
    p, policy = model.people, model.scenario.policy
    rows = due_workers(model, 200)
    threshold, spread = policy.work_care_max_employability, policy.evaluation_judgement_spread
    p.employability[rows[:100]], p.employability[rows[100:]] = threshold - spread, threshold + spread
    evaluate_now(model, rows)
    advised = p.route[rows] == ROUTE_WORK_CARE_WAITING
    expected = 1 / (1 + np.exp(-1.0))  # one spread below the threshold: 73%; one above: 27%
    for group, chance in ((advised[:100], expected), (advised[100:], 1 - expected)):
        tolerance = 4 * np.sqrt(chance * (1 - chance) / group.size)  # four standard errors
        assert abs(group.mean() - chance) < tolerance, (group.mean(), chance)


def test_internal_doorstroom_is_the_enterprise_s_choice_and_only_when_it_is_not_under_pressure(tiny: Scenario):
    model = stepped(tiny.with_overrides({"policy.internal_doorstroom_share": 1.0}))
    p, table = model.people, model.enterprise_table
    rows = due_workers(model, 40)
    table.reserve[p.enterprise[rows[::2]]] = -1e9  # these enterprises are under pressure
    table.margin[p.enterprise[rows[::2]]] = -1e6
    under_pressure = pressed(table)[p.enterprise[rows]]
    assert under_pressure.any() and not under_pressure.all()
    ids = p.ids(rows)
    evaluate_now(model, rows)
    events = model.recorder.events().query(f"reason == 'internal_doorstroom' and month == {model.month}")
    assert set(events["person"]) == set(ids[~under_pressure])  # with a share of 1 every calm enterprise keeps its worker
    assert set(events["to"]) == {"nec"}
    logged = model.recorder.enterprise_events().query(f"decision == 'internal_doorstroom' and month == {model.month}")
    assert logged["value"].sum() == len(events)


def test_maatwerk_places_are_never_exceeded_and_go_to_the_longest_waiting(tiny: Scenario):
    model = stepped(
        tiny.with_overrides({"world.maatwerk_workers": 0, "policy.maatwerk_places": 3, "policy.end_evaluation": False})
    )
    p = model.people
    waiting = np.flatnonzero(p.view("status") == UNEMPLOYED)[:5]
    p.route[waiting] = ROUTE_MAATWERK
    p.phase_since[waiting] = [5, 1, 4, 2, 3]  # months of the advice
    maatwerk(model)
    assert sorted(p.ids(waiting[p.status[waiting] == MAATWERK])) == sorted(p.ids(waiting[[1, 3, 4]]))
    assert model.recorder.values["maatwerk_waiting"] == 2
    next_month(model)
    maatwerk(model)  # full: nobody else enters
    assert (p.view("status") == MAATWERK).sum() == 3


def test_in_a_run_maatwerk_stays_within_its_places_and_its_workers_leave_only_through_their_exits(tiny: Scenario):
    scenario = tiny.with_overrides({"world.maatwerk_workers": 10, "policy.maatwerk_places": 12, "months": 72})
    result = run(scenario, seed=4, events=True)
    assert result.metrics["maatwerk"].max() <= 12
    assert result.metrics["maatwerk"].iloc[-1] >= 10  # advised people fill the places that free up
    exits = result.events.query("`from` == 'maatwerk'")
    assert set(exits["reason"]) <= {
        "found_job",
        "dismissed",
        "retired",
        "left_labour_force",
        "internal_doorstroom",
        "hired_after_traineeship",
    }
    entries = result.events.query("to == 'maatwerk'")
    assert set(entries["reason"]) == {"maatwerk_advice"} and set(entries["from"]) <= {"lde", "unemployed", "social_assistance"}


def trainee(model: LabourMarketModel, employability: float, age: float) -> tuple[int, int]:
    """An LDE worker on a traineeship that ends now, at employer 0 (its vacancy reserved)."""
    p = model.people
    row = int(p.in_status(LDE)[0])
    p.employability[row], p.age[row] = employability, age
    p.route[row], p.phase[row], p.phase_since[row], p.trainee_employer[row] = ROUTE_TRAJECTORY, TRAINEESHIP, 0, 0
    model.employer_table.vacancies[0] -= 1
    return row, int(p.ids(np.array([row]))[0])


def test_an_employer_hires_a_trainee_it_wants_on_the_reserved_vacancy(tiny: Scenario):
    model = stepped(tiny)
    row, person = trainee(model, employability=1.0, age=30.0)
    vacancies = int(model.employer_table.vacancies[0])
    end_traineeships(model, np.array([row]))
    assert model.people.status[row] == NEC and model.people.employer[row] == 0
    assert model.employer_table.vacancies[0] == vacancies  # the reserved vacancy was the one filled
    assert model.recorder.path(person)["reason"].iloc[-1] == "hired_after_traineeship"


def test_a_trainee_not_hired_goes_back_to_work_the_vacancy_returns_and_the_tie_weakens(tiny: Scenario):
    model = stepped(tiny.with_overrides({"people.older_worker_acceptance": 0.0}))
    row, _ = trainee(model, employability=0.0, age=60.0)
    enterprise = model.people.enterprise[row]
    model.ties.strength[enterprise, 0] = 0.8
    vacancies = int(model.employer_table.vacancies[0])
    end_traineeships(model, np.array([row]))
    assert model.people.status[row] == LDE and model.people.phase[row] == NO_PHASE
    assert model.employer_table.vacancies[0] == vacancies + 1
    step = model.scenario.employers.tie_step
    assert model.ties.strength[enterprise, 0] == pytest.approx(0.8 * (1 - step))


def test_trajectories_run_their_phases_and_some_end_in_a_hire(tiny: Scenario):
    # the path of a trajectory, checked where workers gain enough employability to be hired after it
    # (the hand-set learning of before the calibration: with the calibrated one, hires are rare)
    scenario = tiny.with_overrides(
        {"policy.doorstroom_trajectories_month": 20, "employers.traineeship_share": 0.5, "people.learning_rate_lde": 0.02}
    )
    result = run(scenario, seed=2, events=True)
    m = result.metrics
    assert m["traineeships_started"].sum() >= m["traineeships_ended"].sum() >= m["traineeships_hired"].sum() > 0
    hires = result.events.query("reason == 'hired_after_traineeship'")
    assert len(hires) == m["traineeships_hired"].sum() and set(hires["from"]) == {"lde"}
    # a traineeship takes its months: no hire before preparation + one month of matching + the traineeship
    first_start = m.loc[m["traineeships_started"] > 0, "month"].min()
    assert hires["month"].min() >= first_start + scenario.policy.traineeship_months
    assert (result.network["events"] > 0).any()  # traineeships formed ties


def test_ties_lower_the_hiring_bar_and_covenants_start_them(tiny: Scenario):
    model = stepped(tiny.with_overrides({"policy.covenant_coverage": 1.0}))
    covenant = model.employer_table.view("covenant")
    assert covenant.any() and (model.ties.strength[:, covenant] == 1).all() and (model.ties.strength[:, ~covenant] == 0).all()
    p = model.people
    rows = p.in_status(LDE)[:50]
    tied = np.flatnonzero(covenant)[0]
    untied = np.flatnonzero(~covenant & (model.employer_table.view("hiring_bar") == model.employer_table.hiring_bar[tied]))
    if untied.size == 0:
        untied = np.flatnonzero(~covenant)
        model.employer_table.hiring_bar[untied[0]] = model.employer_table.hiring_bar[tied]
    with_tie = hire_chance(model, rows, np.full(rows.size, tied))
    without = hire_chance(model, rows, np.full(rows.size, untied[0]))
    assert (with_tie > without).all()
    model.ties.reinforce(np.array([0]), np.array([untied[0]]), 0.5)  # a lasting hire alone forms no tie
    assert model.ties.strength[0, untied[0]] == 0


def test_the_federal_benefit_limit_follows_the_rules_of_source_4_6(tiny: Scenario):
    model = stepped(tiny.with_overrides({"policy.benefit_reform_month": 1}))
    p = model.people
    rows = np.flatnonzero(p.view("status") == UNEMPLOYED)[:5]
    p.experience[rows] = [0, 20, 100, 400, 400]
    p.age[rows] = [30, 30, 30, 50, 56]
    assert entitlement(model, rows).tolist()[:4] == [12, 17, 24, 24]  # 12 + 1 per 4 months worked, at most 24
    assert entitlement(model, rows)[4] > 10_000  # 55+ with a long career: unlimited
    p.benefit_left[rows] = 1_000_000
    p.jobless_months[rows] = [300, 100, 30, 10, 10]
    limit_existing_claims(model)
    assert p.benefit_left[rows].tolist()[:4] == [1, 3, 4, 14]  # phases: now, +2, +3 months; the rest by the new rule
    assert p.benefit_left[rows[4]] == 1_000_000


def test_without_the_evaluation_everyone_at_the_limit_falls_back_as_before(small: Scenario):
    shipped = Scenario.load(SCENARIOS / "no_evaluation.toml")
    baseline = Scenario.load(SCENARIOS / "baseline.toml")
    same = {"name": shipped.name, "description": shipped.description, "policy.end_evaluation": False}
    assert shipped == baseline.with_overrides(same)  # the shipped scenario is the baseline with the switch off
    result = run(small.with_overrides({"policy.end_evaluation": False}), seed=1, events=True)
    events = result.events
    at_limit = events[events["reason"] == "time_limit"]
    assert len(at_limit) > 0 and set(at_limit["to"]) <= {"unemployed", "social_assistance"}
    routes = {"maatwerk_advice", "internal_doorstroom", "hired_after_traineeship", "work_care"}
    assert not routes & set(events["reason"])
    assert (result.metrics.filter(like="evaluated_").sum() == 0).all()


def test_the_statuses_in_every_output_are_the_six_named_ones(small: Scenario):
    result = run(small.with_overrides({"months": 24}), seed=1, events=True)
    statuses = ["unemployed", "social_assistance", "lde", "maatwerk", "nec", "inactive"]
    assert [c for c in result.metrics.columns if c in statuses] == statuses
    assert set(result.events["to"]) <= set(statuses) and isinstance(result.network, pd.DataFrame)
    assert SOCIAL_ASSISTANCE == 1 and MAATWERK == 3
