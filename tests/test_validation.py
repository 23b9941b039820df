"""Validation that a test can hold: analytic limits and stylised facts (docs/validation.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation import LabourMarketModel, Status
from simulation.calibration.validation import (
    BUNCHING_KNOCK_OUTS,
    at_work_after,
    bunching,
    facts,
    jobless_exit_hazard,
    transition_by_lde_month,
    validation_world,
)

from .test_model import homogeneous


@pytest.fixture(scope="module")
def world() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    _, model, start = validation_world(10_000, seed=5, overrides={"months": 144})
    return model.recorder.metrics(), model.recorder.events(), start


def test_job_finding_falls_with_the_length_of_joblessness(world):
    hazard = jobless_exit_hazard(world[1])["hazard"].to_numpy()
    assert hazard[0] > 1.5 * hazard[-1]
    assert (np.diff(hazard) < 0).sum() >= len(hazard) - 2  # nearly monotone


def test_transitions_bunch_before_the_time_limit(world):
    table = transition_by_lde_month(world[1], limit=60)
    last_year = table[table["from_month"] >= 48]["hazard"].mean()
    middle = table[(table["from_month"] >= 24) & (table["from_month"] < 48)]["hazard"].mean()
    assert last_year > 1.2 * middle


def knocked_out(overrides: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The validation world with a mechanism switched off: its metrics and events."""
    _, model, _ = validation_world(10_000, seed=5, overrides={"months": 144, **overrides})
    return model.recorder.metrics(), model.recorder.events()


@pytest.mark.slow
def test_knock_out_job_finding_no_longer_falls_without_sorting_and_erosion():
    """The fall of job finding with duration comes from sorting (the more employable leave first)
    and the erosion of employability: with everyone alike and nothing learned or lost, it is flat."""
    alike = {
        "world.employability_beta": [200.0, 200.0],
        "world.education_employability_bonus": 0.0,
        "people.employability_decay": 0.0,
        "people.learning_rate_nec": 0.0,
        "people.learning_rate_lde": 0.0,
        "people.older_worker_acceptance": 1.0,
    }
    hazard = jobless_exit_hazard(knocked_out(alike)[1])["hazard"].to_numpy()
    assert hazard[0] < 1.2 * hazard[-1] and hazard[-1] < 1.2 * hazard[0]


@pytest.mark.slow
def test_knock_out_no_bunching_without_the_search_ramp_and_the_routes_at_the_end():
    """Bunching is built in, by two mechanisms: the assumed search ramp before the limit and the routes
    of the evaluation 10 months before it (doorstroom trajectories whose traineeships end in a hire).
    The hazard of the last year against years 3-4, with its Poisson standard error from the moves
    counted: clearly above 1 with either, not clearly above 1 without both."""

    def ratio(overrides: dict) -> tuple[float, float]:
        return bunching(transition_by_lde_month(knocked_out({"world.pool_size": 20_000, **overrides})[1], limit=60))

    without_both, se = ratio(BUNCHING_KNOCK_OUTS["without both"])
    assert without_both < 1 + 3 * se
    for kept in (
        {},
        BUNCHING_KNOCK_OUTS["without the routes (the ramp alone)"],
        BUNCHING_KNOCK_OUTS["without the ramp (the routes alone)"],
    ):
        with_kept, se = ratio(kept)
        assert with_kept > 1 + 3 * se, kept


def test_the_input_older_worker_penalty_makes_older_job_seekers_find_work_less_often(world):
    """Verification, not validation: the age gradient of source 3.5 is an input
    (``older_worker_acceptance`` was set from it), so this checks that the input acts."""
    table = at_work_after(world[1], world[2]).set_index("group")
    assert table.loc["50+", "share_at_work"] < table.loc["under 50", "share_at_work"]
    assert table.loc["all", "people"] == len(world[2])


def test_homogeneous_limit_gives_the_expected_months_in_lde():
    """Months until leaving LDE under a time limit L, for a worker with tau months used:
    E[M] = (1 - r^(L - tau)) / (1 - r), r the monthly probability of staying."""
    limit = 24
    scenario = homogeneous(limit, lde_workers=10_000)
    model = LabourMarketModel(scenario, seed=31)
    workers = model.people.in_status(Status.lde)
    ids, used = model.people.view("id")[workers], model.people.lde_months[workers].astype(int)
    for _ in range(limit):
        model.step()
    people = scenario.people
    r = (1 - people.inactivity_hazard) * (1 - people.search_rate_lde * 2.0 * 0.5) * (1 - people.lde_dismissal_hazard)
    left = limit - used
    expected = (1 - r**left) / (1 - r)
    # variance of M: P(M = k) = r^(k-1)(1 - r) for k < left, P(M = left) = r^(left-1)
    variance = []
    for n in np.unique(left):
        k = np.arange(1, n + 1)
        pk = np.where(k < n, r ** (k - 1) * (1 - r), r ** (n - 1))
        variance.append((n, (pk * k**2).sum() - (pk * k).sum() ** 2))
    var = dict(variance)
    events = model.recorder.events()
    exits = events[events["from"] == "lde"].drop_duplicates("person").set_index("person")["month"]
    observed = exits.reindex(ids).to_numpy()
    sd = np.sqrt(sum(var[n] for n in left))
    assert abs(observed.sum() - expected.sum()) < 4 * sd, (observed.sum(), expected.sum(), sd)


def test_the_facts_of_the_figures_run_read_the_bands_they_name():
    """docs/validation.md reads section 5 from ``facts.csv``: each figure is the band it names (the first and
    last band of job finding, years 3-4 and the last year in LDE pooled by their moves and months at risk),
    and each knock-out's bunching ratio is its own table's."""
    bands = pd.DataFrame({"from_month": range(0, 60, 6)})
    bands["jobs"] = [10, 10, 10, 10, 20, 20, 20, 20, 90, 30]
    bands["exposure"] = [1_000] * 8 + [2_000, 1_000]
    bands["hazard"] = bands["jobs"] / bands["exposure"]
    flat = bands.assign(jobs=[10] * 10)
    tables = {
        "duration": pd.DataFrame({"hazard": [0.03, 0.02, 0.01]}),
        "bunching": bands,
        "beveridge_correlation": pd.DataFrame({"correlation": [-0.25]}),
        "at_work_after_9_months": pd.DataFrame({"group": ["all", "50+"], "share_at_work": [0.06, 0.03]}),
    }
    table = facts(tables, {"without both": flat}).set_index("fact")["value"]
    assert table["job finding of the jobless a month, months 1-6 of joblessness"] == 0.03
    assert table["job finding of the jobless a month, months 43-48 of joblessness"] == 0.01
    assert table["LDE to a regular job a month, years 3-4 in LDE"] == 80 / 4_000
    assert table["LDE to a regular job a month, the last year before the limit"] == 120 / 3_000
    assert table["LDE to a regular job a month, months 49-54"] == 90 / 2_000
    assert table["bunching: the last year against years 3-4"] == pytest.approx((120 / 3_000) / (80 / 4_000))
    assert table["bunching without both"] == pytest.approx((20 / 3_000) / (40 / 4_000))
    assert table["at work 9 months later, the jobless at the start: 50+"] == 0.03
