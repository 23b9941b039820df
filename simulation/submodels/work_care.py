"""The work-care route: limited places, a waiting list, and reviews that let people come back.

The evaluation before the end of an LDE trajectory advises the work-care route
(arbeidszorg, since 2021 "arbeidsmatige activiteiten": sources 1.14, 1.16) to people for
whom paid work is unclear (:mod:`.end_of_trajectory`). There are ``work_care_places``
places for the model's pool (source 2.1: about 2,200 in all of Flemish social economy
in 2020). Each month:

1. **Review**: everyone holding or awaiting a place, out of LDE, is reviewed every
   ``work_care_review_months`` after the advice or the placement, on the evaluation's
   criterion (health, judged employability and POP progress:
   :func:`.end_of_trajectory.too_far_from_work`). Whoever no longer meets it leaves the
   route: he searches again and may be referred again (``work_care_returned``).
2. **Placement**: free places go to those waiting who are out of LDE, longest advice
   first. A person holding a place keeps his benefit and does not search
   (:mod:`.matching`); a person waiting searches as any job seeker does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..world.people import LDE, NO_ONE, NO_ROUTE, ROUTE_WORK_CARE, ROUTE_WORK_CARE_WAITING
from .end_of_trajectory import judged, too_far_from_work

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel


def work_care(model: LabourMarketModel) -> None:
    """Review the work-care routes that are due, then fill the free places from the waiting list."""
    route = model.people.view("route")
    on_route = np.flatnonzero((route == ROUTE_WORK_CARE) | (route == ROUTE_WORK_CARE_WAITING))  # one scan for both steps
    review_work_care(model, on_route)
    place_work_care(model, on_route)


def review_work_care(model: LabourMarketModel, on_route: np.ndarray) -> None:
    """Those of ``on_route`` (holding or awaiting a place) whose review is due, out of LDE, and who no
    longer meet the work-care criterion leave the route."""
    p, month = model.people, model.month
    jobless = on_route[p.status[on_route] < LDE]
    since = month - p.phase_since[jobless]
    due = jobless[(since > 0) & (since % model.scenario.policy.work_care_review_months == 0)]
    back = due[~too_far_from_work(model, due, judged(model, due, "work_care.review"))] if due.size else due
    p.route[back] = NO_ROUTE
    p.phase_since[back] = NO_ONE
    model.recorder.add("work_care_reviewed", due.size)
    model.recorder.add("work_care_returned", back.size)


def place_work_care(model: LabourMarketModel, on_route: np.ndarray) -> None:
    """Free places go to the jobless of ``on_route`` who still wait, longest advice first (then by id)."""
    p = model.people
    route = p.route[on_route]
    held = np.count_nonzero(route == ROUTE_WORK_CARE)
    waiting = on_route[(route == ROUTE_WORK_CARE_WAITING) & (p.status[on_route] < LDE)]
    free = max(model.scenario.policy.work_care_places - held, 0)
    placed = waiting[np.lexsort((p.id[waiting], p.phase_since[waiting]))[:free]]
    p.route[placed] = ROUTE_WORK_CARE
    p.phase_since[placed] = model.month
    model.recorder.add("work_care_placed", placed.size)
    model.recorder.add("work_care_waiting", waiting.size - placed.size)
