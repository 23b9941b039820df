"""Routes at the end of a trajectory (issue 21): capacities never exceeded, a way back from work-care
and collective maatwerk, the states of leavers, and the job search around benefit exhaustion."""

from __future__ import annotations

import numpy as np

from simulation import LabourMarketModel, Scenario, run
from simulation.submodels.follow_up import STATES
from simulation.submodels.matching import search
from simulation.world.people import (
    LDE,
    MAATWERK,
    NO_PHASE,
    NO_ROUTE,
    PREPARATION,
    ROUTE_MAATWERK,
    ROUTE_TRAJECTORY,
    ROUTE_TRAJECTORY_WAITING,
    ROUTE_WORK_CARE,
    ROUTE_WORK_CARE_WAITING,
    UNEMPLOYED,
)


def test_no_route_holds_more_than_its_capacity_and_people_come_back(small: Scenario):
    # short reviews and a low support threshold, so that returns happen within ten years of a small world
    scenario = small.with_overrides(
        {"policy.work_care_review_months": 6, "policy.maatwerk_review_months": 12, "policy.maatwerk_max_employability": 0.3}
    )
    result = run(scenario, seed=3, events=True)
    m = result.metrics
    assert (m["route_work_care"] <= scenario.policy.work_care_places).all()
    assert (m["maatwerk"] <= scenario.policy.maatwerk_places).all()
    assert (m["trajectories_started"] <= scenario.policy.doorstroom_trajectories_month).all()
    assert m["route_work_care"].max() == scenario.policy.work_care_places  # the capacity binds: people wait
    assert m["work_care_returned"].sum() > 0 and m["maatwerk_returned"].sum() > 0


def test_a_maatwerk_worker_who_no_longer_needs_support_is_kept_or_starts_a_trajectory(small: Scenario):
    # source 1.20 b-c and 1.21: kept by the employer, else a doorstroom trajectory (for maatwerk workers too)
    scenario = small.with_overrides(
        {
            "policy.internal_doorstroom_share": 0.0,
            "policy.evaluation_judgement_spread": 0.0,
            "policy.maatwerk_review_months": 24,
            "people.search_rate_maatwerk": 0.0,  # nobody leaves maatwerk by himself this month
            "people.lde_dismissal_hazard": 0.0,
            "people.inactivity_hazard": 0.0,
            "policy.end_evaluation": False,  # no LDE worker competes for the places
            "policy.doorstroom_trajectories_month": 2,
        }
    )
    model = LabourMarketModel(scenario, seed=6)
    model.step()
    p = model.people
    rows = p.in_status(MAATWERK)[:3].copy()
    p.months_in_status[rows] = 23  # reviewed next month, after 24 months in maatwerk
    p.route[rows], p.phase[rows], p.age[rows] = ROUTE_MAATWERK, NO_PHASE, 40.0
    p.employability[rows] = [0.9, 0.9, scenario.policy.maatwerk_max_employability - 0.01]  # the last still needs support
    others = np.setdiff1d(np.concatenate([p.in_status(LDE), p.in_status(MAATWERK)]), rows)
    p.route[others[p.route[others] == ROUTE_TRAJECTORY_WAITING]] = NO_ROUTE  # no one else waits for a place
    model.step()
    assert (p.status[rows] == MAATWERK).all()  # still working in maatwerk during the trajectory
    assert p.route[rows[2]] == ROUTE_MAATWERK
    assert (p.route[rows[:2]] == ROUTE_TRAJECTORY_WAITING).all()  # the review runs after this month's starts
    model.step()
    assert (p.route[rows[:2]] == ROUTE_TRAJECTORY).all() and (p.phase[rows[:2]] == PREPARATION).all()


def test_a_person_back_from_work_care_searches_again_and_one_on_it_does_not(small: Scenario):
    model = LabourMarketModel(small.with_overrides({"people.search_rate_unemployed": 1.0}), seed=5)
    model.step()
    p = model.people
    rows = np.flatnonzero(p.view("status") == UNEMPLOYED)[:2]
    p.route[rows] = [ROUTE_WORK_CARE, ROUTE_WORK_CARE_WAITING]
    model.month += 1
    model.streams.start_month(model.month)
    applying = search(model)
    assert rows[0] not in applying and rows[1] in applying  # holding a place: no search; waiting: search
    p.route[rows[0]] = NO_ROUTE  # back after a review
    model.month += 1
    model.streams.start_month(model.month)
    assert rows[0] in search(model)


def test_leavers_states_add_up_to_their_exit_cohort(small: Scenario):
    m = run(small, seed=1).metrics
    for h in (6, 12, 24):
        states = sum(m[f"followup{h}_state_{s}"] for s in STATES)
        assert (states == m[f"followup{h}_cohort"]).all(), h
        assert m[f"followup{h}_cohort"].sum() > 0
    parts = sum(m[f"followup12_leavers_on_{s}"] for s in ("unemployed", "social_assistance", "work_care"))
    assert (parts == m["followup12_leavers_on_benefits"]).all()


def test_a_move_from_lde_to_a_regular_job_is_an_exit_from_lde_as_well(tiny: Scenario):
    # the follow-up looks for the moves of 12 months ago among the recent LDE leavers only
    model = LabourMarketModel(tiny, seed=2)
    for _ in range(36):
        model.step()
    p = model.people
    moved = p.view("nec_move_month") >= 0
    assert np.count_nonzero(moved) > 0
    assert (p.view("lde_exit_month")[moved] >= p.view("nec_move_month")[moved]).all()


def test_job_search_rises_as_the_benefit_nears_its_end(tiny: Scenario):
    # Card, Chetty & Weber (2007): the re-employment hazard rises about 20% at exhaustion
    scenario = tiny.with_overrides({"people.exhaustion_search_response": 1.0, "people.exhaustion_window_months": 3})
    model = LabourMarketModel(scenario, seed=7)
    model.step()
    p = model.people
    unemployed = np.flatnonzero(p.view("status") == UNEMPLOYED)
    half = unemployed.size // 2
    p.benefit_left[unemployed[:half]], p.benefit_left[unemployed[half:]] = 2, 1_000_000
    model.month += 1
    model.streams.start_month(model.month)
    applying = np.isin(unemployed, search(model))
    rate = scenario.people.search_rate_unemployed
    for group, expected in ((applying[:half], 2 * rate), (applying[half:], rate)):
        tolerance = 4 * np.sqrt(expected * (1 - expected) / group.size)
        assert abs(group.mean() - expected) < tolerance, (group.mean(), expected)


def test_the_benefit_limit_is_announced_and_moves_people_to_work_as_well_as_to_leefloon(small: Scenario):
    scenario = small.with_overrides({"policy.benefit_reform_month": 24, "months": 36})
    with_response = run(scenario, seed=4).metrics
    without = run(scenario.with_overrides({"people.exhaustion_search_response": 0.0}), seed=4).metrics
    window = slice(24 - scenario.policy.benefit_notice_months, 27)
    assert with_response["benefit_lost"].iloc[24:28].sum() > 0
    found = [m.loc[window, "flow_unemployed_to_nec"].sum() for m in (with_response, without)]
    assert found[0] > found[1]  # the notice raises job finding before the benefit ends
    assert (with_response.loc[: 24 - scenario.policy.benefit_notice_months - 1, "benefit_lost"] == 0).all()
