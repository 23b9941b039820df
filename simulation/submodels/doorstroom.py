"""The doorstroom trajectory (source 1.21): preparation, job matching, a traineeship, then a hire or not.

Workers the evaluation finds ready for a regular job (:mod:`.end_of_trajectory`), and
collective maatwerk workers a review finds no longer in need of support (:mod:`.maatwerk`),
wait for a trajectory (source 1.21: for LDE and collective maatwerk workers): the mandated
providers start ``doorstroom_trajectories_month`` a month (their capacity), longest
waiting first (then at random), for those still in their job; a worker who leaves it
while waiting loses his turn. A maatwerk worker has no LDE enterprise: no tie helps him. A worker on the trajectory goes
through its phases while still employed by his LDE enterprise, which releases him from
work (no output: see the enterprise finances):

1. **preparation**: one month (CV, application training);
2. **job matching**: up to ``matching_months``; each month the provider finds a
   traineeship place with chance ``matching_success``, at an employer chosen in
   proportion to its free places x (1 + the tie of the worker's enterprise with it).
   Taking a place reserves one of the employer's vacancies and forms or strengthens
   the tie. Without a place by the end, the trajectory ends and he works again (and is
   judged for a collective maatwerk advice: :func:`.end_of_trajectory.seek_suitable_measure`);
3. **traineeship**: ``traineeship_months`` at the employer, who then decides whether to
   hire him (:func:`simulation.submodels.matching.hire_chance` with the bar lowered by
   ``traineeship_bar_reduction``): hired, he moves to ``nec`` with reason
   ``hired_after_traineeship`` on the reserved vacancy; not hired, the vacancy returns,
   the tie weakens and he is judged for a maatwerk advice as above;
4. **aftercare**: the aftercare of every move from LDE to a regular job.

The worker's time limit runs on: whoever reaches it still in a phase leaves LDE as
anyone else does (and a traineeship's vacancy returns).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..world.people import (
    HIRED_AFTER_TRAINEESHIP,
    LDE,
    MAATWERK,
    MATCHING,
    NO_ONE,
    NO_PHASE,
    PREPARATION,
    ROUTE_TRAJECTORY,
    ROUTE_TRAJECTORY_WAITING,
    TRAINEESHIP,
)
from .end_of_trajectory import seek_suitable_measure
from .matching import hire_chance, start_regular_job

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel

PREPARATION_MONTHS = 1


def doorstroom(model: LabourMarketModel) -> None:
    """Advance every doorstroom trajectory by a month: traineeships end, matches are made, preparation ends."""
    p, policy, month = model.people, model.scenario.policy, model.month
    workers = employed(model)
    on_trajectory = workers[p.phase[workers] != NO_PHASE]
    phase, elapsed = p.phase[on_trajectory], month - p.phase_since[on_trajectory]
    end_traineeships(model, on_trajectory[(phase == TRAINEESHIP) & (elapsed >= policy.traineeship_months)])
    matching = on_trajectory[(phase == MATCHING) & (elapsed >= 1)]
    find_traineeships(model, matching)
    still = p.status[matching]
    unmatched = matching[((still == LDE) | (still == MAATWERK)) & (p.phase[matching] == MATCHING)]
    given_up = unmatched[month - p.phase_since[unmatched] >= policy.matching_months]
    p.phase[given_up] = NO_PHASE
    seek_suitable_measure(model, given_up, "no_traineeship")
    model.recorder.add("trajectories_without_traineeship", given_up.size)
    prepared = on_trajectory[(phase == PREPARATION) & (elapsed >= PREPARATION_MONTHS)]
    p.phase[prepared] = MATCHING
    p.phase_since[prepared] = month
    start_trajectories(model)
    workers = employed(model)
    model.recorder.add("on_doorstroom_trajectory", np.count_nonzero(p.phase[workers] != NO_PHASE))


def employed(model: LabourMarketModel) -> np.ndarray:
    """Rows of the LDE and collective maatwerk workers: those a trajectory is for."""
    return np.concatenate([model.people.in_status(LDE), model.people.in_status(MAATWERK)])


def start_trajectories(model: LabourMarketModel) -> None:
    """The month's trajectory places go to the LDE and maatwerk workers waiting longest (ties at random)."""
    p, policy = model.people, model.scenario.policy
    workers = employed(model)
    waiting = workers[p.route[workers] == ROUTE_TRAJECTORY_WAITING]
    starting = longest_waiting(model, waiting) if waiting.size else waiting  # nobody waiting: no draw
    p.route[starting] = ROUTE_TRAJECTORY
    p.phase[starting] = PREPARATION
    p.phase_since[starting] = model.month
    model.recorder.add("trajectories_started", starting.size)
    model.recorder.add("trajectory_waiting", waiting.size - starting.size)
    model.recorder.add("spending_doorstroom", starting.size * policy.doorstroom_trajectory_cost)


def longest_waiting(model: LabourMarketModel, waiting: np.ndarray) -> np.ndarray:
    """The ``doorstroom_trajectories_month`` of ``waiting`` who wait longest (ties in a random order)."""
    draw = model.streams.uniform("doorstroom.places", model.people.ids(waiting))
    order = np.lexsort((draw, model.people.phase_since[waiting]))
    return waiting[order[: model.scenario.policy.doorstroom_trajectories_month]]


def find_traineeships(model: LabourMarketModel, rows: np.ndarray) -> None:
    """The provider looks for a traineeship place for each worker in ``rows``; in most months nobody
    looks or no employer offers a free place, and nothing is drawn."""
    looking = rows.size > 0 and free_places(model).any()
    started = place_trainees(model, rows) if looking else rows[:0]
    model.recorder.add("traineeships_started", started.size)


def place_trainees(model: LabourMarketModel, rows: np.ndarray) -> np.ndarray:
    """Each worker in ``rows`` finds a place with chance ``matching_success`` while places are free, at an
    employer chosen by free places and ties (a few a month: one by one); the rows that start a traineeship."""
    p, table, policy = model.people, model.employer_table, model.scenario.policy
    draws = model.streams.uniform("doorstroom.matching", p.ids(rows))
    picks = model.streams.uniform("doorstroom.employer", p.ids(rows))
    found = []
    places = table.view("traineeship_places")
    free = free_places(model)
    for row, draw, pick in zip(rows.tolist(), draws.tolist(), picks.tolist()):
        if draw >= policy.matching_success or free.sum() == 0:
            continue
        enterprise = p.enterprise[row]
        weight = free * (1 + model.ties.strength[enterprise]) if enterprise >= 0 else free
        employer = min(int(np.searchsorted(np.cumsum(weight) / weight.sum(), pick, side="right")), places.size - 1)
        places[employer] -= 1
        table.vacancies[employer] -= 1
        free = free_places(model)
        p.trainee_employer[row] = employer
        found.append(row)
    started = np.array(found, dtype=np.intp)
    p.phase[started] = TRAINEESHIP
    p.phase_since[started] = model.month
    model.ties.strengthen(p.enterprise[started], p.trainee_employer[started], model.scenario.employers.tie_step)
    return started


def free_places(model: LabourMarketModel) -> np.ndarray:
    """Each employer's traineeship places that can be taken now: a place needs an open vacancy to reserve."""
    table = model.employer_table
    return np.maximum(np.minimum(table.view("traineeship_places"), table.view("vacancies")), 0)


def end_traineeships(model: LabourMarketModel, rows: np.ndarray) -> None:
    """The traineeships of ``rows`` end: each employer decides on its trainee (most months nobody ends one)."""
    hired = decide_on_trainees(model, rows) if rows.size else 0
    model.recorder.add("traineeships_ended", rows.size)
    model.recorder.add("traineeships_hired", hired)


def decide_on_trainees(model: LabourMarketModel, rows: np.ndarray) -> int:
    """Each employer hires its trainee on the reserved vacancy, or lets the traineeship end; the number hired."""
    p, policy = model.people, model.scenario.policy
    employer = p.trainee_employer[rows]
    chance = hire_chance(model, rows, employer, policy.traineeship_bar_reduction)
    hired = model.streams.uniform("doorstroom.hire", p.ids(rows)) < chance
    failed = rows[~hired]
    model.ties.weaken(p.enterprise[failed], employer[~hired], model.scenario.employers.tie_step)
    p.phase[rows[hired]] = NO_PHASE  # the reserved vacancy is filled, not returned
    p.trainee_employer[rows[hired]] = NO_ONE
    start_regular_job(model, rows[hired], employer[hired], HIRED_AFTER_TRAINEESHIP)
    np.add.at(model.employer_table.vacancies, employer[~hired], 1)
    p.phase[failed] = NO_PHASE
    p.trainee_employer[failed] = NO_ONE
    seek_suitable_measure(model, failed, "not_hired")
    return int(np.count_nonzero(hired))
