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
under ``maatwerk_older_age``) leaves the route. His employer keeps him on a regular
contract with chance ``internal_doorstroom_share`` (``internal_doorstroom``); otherwise his
package ends and he falls back (reason ``maatwerk_review``), to search and, with LDE
months left, referral again. The places he frees go to those waiting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..moves import fall_back, move
from ..people import INTERNAL_DOORSTROOM, MAATWERK, MAATWERK_ADVICE, MAATWERK_REVIEW, NEC, ROUTE_MAATWERK
from .end_of_trajectory import judged

if TYPE_CHECKING:
    from ..model import LabourMarketModel


def maatwerk(model: LabourMarketModel) -> None:
    """Review the packages that are due, fill free places from the waiting list; book the month's premiums."""
    p, scenario = model.people, model.scenario
    policy = scenario.policy
    review_maatwerk(model)
    waiting = np.flatnonzero((p.view("route") == ROUTE_MAATWERK) & (p.view("status") != MAATWERK))
    free = max(policy.maatwerk_places - p.in_status(MAATWERK).size, 0)
    order = np.lexsort((p.id[waiting], p.phase_since[waiting]))  # longest waiting first, then by id
    move(model, waiting[order[:free]], MAATWERK, MAATWERK_ADVICE)
    model.recorder.add("maatwerk_waiting", max(waiting.size - free, 0))
    premium = policy.cmw_wage_subsidy * scenario.enterprises.reference_wage_month + policy.cmw_guidance_subsidy
    model.recorder.add("spending_maatwerk", p.in_status(MAATWERK).size * premium)


def review_maatwerk(model: LabourMarketModel) -> None:
    """Maatwerk workers whose package is due for review and who no longer need support leave the route."""
    p, policy = model.people, model.scenario.policy
    rows = p.in_status(MAATWERK)
    tenure = p.months_in_status[rows]
    due = rows[(tenure > 0) & (tenure % policy.maatwerk_review_months == 0)]
    judgement = judged(model, due, "maatwerk.review")
    done = due[(judgement >= policy.maatwerk_max_employability) & (p.age[due] < policy.maatwerk_older_age)]
    kept = model.streams.uniform("maatwerk.kept", p.ids(done)) < policy.internal_doorstroom_share
    move(model, done[kept], NEC, INTERNAL_DOORSTROOM)
    fall_back(model, done[~kept], MAATWERK_REVIEW)
    model.recorder.add("maatwerk_reviewed", due.size)
    model.recorder.add("maatwerk_returned", done.size)
