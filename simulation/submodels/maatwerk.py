"""Collective maatwerk: limited places, filled from a waiting list of people with an advice.

People get a collective maatwerk advice at the evaluation before the end of their LDE
trajectory (:mod:`.end_of_trajectory`). Each month the free places
(``policy.maatwerk_places`` minus the people in maatwerk) go to those waiting, longest
advice first, whether they still work in LDE or are already on a benefit. A maatwerk
worker applies for regular jobs at ``people.search_rate_maatwerk`` (source 3.1: about
3% a year move on), may be dismissed as LDE workers are, and leaves the labour force as
anyone does. The Flemish government pays the collective maatwerk premiums for each
worker (``policy.cmw_wage_subsidy`` of the reference wage and ``cmw_guidance_subsidy``).

A support package is valid at most five years and adjustable after an evaluation by the
employment service (sources 1.25, 1.30). Every ``maatwerk_review_months`` in maatwerk a
worker is re-evaluated with the evaluation's judgement (:func:`.end_of_trajectory.judged`):
one judged no longer to need support (employability at least ``maatwerk_max_employability``,
under ``maatwerk_older_age``) leaves the maatwerk route as an LDE worker does at his
evaluation (source 1.20 b-c): his employer keeps him on a regular contract with chance
``internal_doorstroom_share`` (``internal_doorstroom``); otherwise he joins the doorstroom
trajectory's waiting list (source 1.21: trajectories are for collective maatwerk and LDE
workers), still working in maatwerk (:mod:`.doorstroom`). The place he frees when he moves
on goes to those waiting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..world.moves import move
from ..world.people import INTERNAL_DOORSTROOM, MAATWERK, MAATWERK_ADVICE, NEC, NO_PHASE, ROUTE_MAATWERK, ROUTE_TRAJECTORY_WAITING
from .end_of_trajectory import judged

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel


def maatwerk(model: LabourMarketModel) -> None:
    """Review the packages that are due, fill free places from the waiting list; book the month's premiums."""
    p, scenario = model.people, model.scenario
    policy = scenario.policy
    review_maatwerk(model)
    advised = np.flatnonzero(p.view("route") == ROUTE_MAATWERK)  # few: the status is read for them only
    waiting = advised[p.status[advised] != MAATWERK]
    free = max(policy.maatwerk_places - p.in_status(MAATWERK).size, 0)
    order = np.lexsort((p.id[waiting], p.phase_since[waiting]))  # longest waiting first, then by id
    move(model, waiting[order[:free]], MAATWERK, MAATWERK_ADVICE)
    model.recorder.add("maatwerk_waiting", max(waiting.size - free, 0))
    premium = policy.cmw_wage_subsidy * scenario.enterprises.reference_wage_month + policy.cmw_guidance_subsidy
    model.recorder.add("spending_maatwerk", p.in_status(MAATWERK).size * premium)


def review_maatwerk(model: LabourMarketModel) -> None:
    """Maatwerk workers whose package is due for review and who no longer need support are kept on a
    regular contract or join the doorstroom trajectory's waiting list."""
    p, policy = model.people, model.scenario.policy
    rows = p.in_status(MAATWERK)
    tenure = p.months_in_status[rows]
    between = (p.route[rows] != ROUTE_TRAJECTORY_WAITING) & (p.phase[rows] == NO_PHASE)  # not waiting, not on a trajectory
    due = rows[(tenure > 0) & (tenure % policy.maatwerk_review_months == 0) & between]
    judgement = judged(model, due, "maatwerk.review")
    done = due[(judgement >= policy.maatwerk_max_employability) & (p.age[due] < policy.maatwerk_older_age)]
    if done.size:  # most months nobody is found ready: no draw
        leave_maatwerk(model, done)
    model.recorder.add("maatwerk_reviewed", due.size)
    model.recorder.add("maatwerk_returned", done.size)


def leave_maatwerk(model: LabourMarketModel, done: np.ndarray) -> None:
    """Maatwerk workers who no longer need support: kept on a regular contract with chance
    ``internal_doorstroom_share``, else on the doorstroom trajectory's waiting list."""
    p = model.people
    kept = model.streams.uniform("maatwerk.kept", p.ids(done)) < model.scenario.policy.internal_doorstroom_share
    move(model, done[kept], NEC, INTERNAL_DOORSTROOM)
    p.route[done[~kept]] = ROUTE_TRAJECTORY_WAITING
    p.phase_since[done[~kept]] = model.month
