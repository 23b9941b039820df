"""Collective maatwerk: limited places, filled from a waiting list of people with an advice.

People get a collective maatwerk advice at the evaluation before the end of their LDE
trajectory (:mod:`.end_of_trajectory`). Each month the free places
(``policy.maatwerk_places`` minus the people in maatwerk) go to those waiting, longest
advice first, whether they still work in LDE or are already on a benefit. A maatwerk
worker applies for regular jobs at ``people.search_rate_maatwerk`` (source 3.1: about
3% a year move on), may be dismissed as LDE workers are, and leaves the labour force as
anyone does. The Flemish government pays the collective maatwerk premiums for each
worker (``policy.cmw_wage_subsidy`` of the reference wage and ``cmw_guidance_subsidy``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..moves import move
from ..people import MAATWERK, MAATWERK_ADVICE, ROUTE_MAATWERK

if TYPE_CHECKING:
    from ..model import LabourMarketModel


def maatwerk(model: LabourMarketModel) -> None:
    """Fill free places from the waiting list; book the month's premiums."""
    p, scenario = model.people, model.scenario
    policy = scenario.policy
    waiting = np.flatnonzero((p.view("route") == ROUTE_MAATWERK) & (p.view("status") != MAATWERK))
    free = max(policy.maatwerk_places - p.in_status(MAATWERK).size, 0)
    order = np.lexsort((p.id[waiting], p.phase_since[waiting]))  # longest waiting first, then by id
    move(model, waiting[order[:free]], MAATWERK, MAATWERK_ADVICE)
    model.recorder.add("maatwerk_waiting", max(waiting.size - free, 0))
    premium = policy.cmw_wage_subsidy * scenario.enterprises.reference_wage_month + policy.cmw_guidance_subsidy
    model.recorder.add("spending_maatwerk", p.in_status(MAATWERK).size * premium)
