"""The end of an LDE trajectory: the employment service's evaluation and the routes it opens.

``policy.evaluation_lead_months`` before a worker's limit the employment service
evaluates him (source 1.20) on documented criteria, in this order:

1. **Work-care route** (source 1.16): employability below
   ``work_care_max_employability``, or a health proxy: the person is due to leave the
   labour force for sickness or invalidity within ``work_care_health_months`` (the
   model draws that month at entry; the service is assumed to see the health problems
   behind it). At the limit he leaves LDE with reason ``work_care``, keeps his benefit
   (unemployment benefit or leefloon) and no longer searches or is referred.
2. **Collective maatwerk advice**: he still needs support: employability below
   ``maatwerk_max_employability``, or aged ``maatwerk_older_age`` or more. He moves to
   collective maatwerk when a place is free (:mod:`.maatwerk`), waiting in LDE until the
   limit and on a benefit after it.
3. **Internal doorstroom**: his enterprise keeps him on a regular contract (``lde`` ->
   ``nec``, reason ``internal_doorstroom``) when it is not under financial pressure,
   with chance ``internal_doorstroom_share`` (the enterprise's decision, logged).
4. **Doorstroom trajectory** (source 1.21, :mod:`.doorstroom`): the others, as long as
   this month's ``doorstroom_trajectories_month`` places last; the rest get no route.

An extension (``extension_rule``) is still decided at the limit. Whoever reaches the
limit (plus any extension) without a job leaves LDE: on the work-care route with
reason ``work_care``, otherwise ``time_limit``; a maatwerk advice stays valid. With
``end_evaluation = false`` nobody is evaluated: everyone at the limit falls back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..agents import pressed
from ..moves import move
from ..people import (
    INTERNAL_DOORSTROOM,
    NEC,
    NO_ROUTE,
    PREPARATION,
    ROUTE_MAATWERK,
    ROUTE_NO_PLACE,
    ROUTE_TRAJECTORY,
    ROUTE_WORK_CARE,
)

if TYPE_CHECKING:
    from ..model import LabourMarketModel

#: The evaluation's outcomes, as metric names (``evaluated_<outcome>`` in metrics.csv).
OUTCOMES = ("work_care", "maatwerk", "internal_doorstroom", "trajectory", "no_place")


def evaluate(model: LabourMarketModel, lde: np.ndarray, allowed: np.ndarray) -> None:
    """Evaluate the LDE workers among ``lde`` whose limit (``allowed`` months) is ``evaluation_lead_months``
    away or nearer and who were not evaluated yet (those hired near their limit are evaluated at once)."""
    p, policy = model.people, model.scenario.policy
    due = lde[(p.lde_months[lde] >= allowed - policy.evaluation_lead_months) & (p.route[lde] == NO_ROUTE)]
    work_care = (p.inactivity_month[due] - model.month <= policy.work_care_health_months) | (
        p.employability[due] < policy.work_care_max_employability
    )
    needs_support = (p.employability[due] < policy.maatwerk_max_employability) | (p.age[due] >= policy.maatwerk_older_age)
    maatwerk = ~work_care & needs_support
    ready = due[~work_care & ~needs_support]
    kept = ready[kept_by_enterprise(model, ready)]
    offered = ready[~np.isin(ready, kept)]
    order = np.argsort(model.streams.uniform("end_of_trajectory.places", p.ids(offered)), kind="stable")
    starting = offered[order[: policy.doorstroom_trajectories_month]]
    no_place = offered[order[policy.doorstroom_trajectories_month :]]

    for rows, route in ((due[work_care], ROUTE_WORK_CARE), (due[maatwerk], ROUTE_MAATWERK), (starting, ROUTE_TRAJECTORY)):
        p.route[rows] = route
        p.phase_since[rows] = model.month
    p.route[no_place] = ROUTE_NO_PLACE
    p.phase[starting] = PREPARATION
    model.recorder.add("spending_doorstroom", starting.size * policy.doorstroom_trajectory_cost)
    log_internal_doorstroom(model, kept)
    move(model, kept, NEC, INTERNAL_DOORSTROOM)
    counts = (work_care.sum(), maatwerk.sum(), kept.size, starting.size, no_place.size)
    for outcome, count in zip(OUTCOMES, counts):
        model.recorder.add(f"evaluated_{outcome}", count)


def kept_by_enterprise(model: LabourMarketModel, rows: np.ndarray) -> np.ndarray:
    """Whether each worker's enterprise keeps him: not under financial pressure, and its draw says yes."""
    enterprise = model.people.enterprise[rows]
    calm = ~pressed(model.enterprise_table)[enterprise]
    draw = model.streams.uniform("end_of_trajectory.internal", model.people.ids(rows))
    return calm & (draw < model.scenario.policy.internal_doorstroom_share)


def log_internal_doorstroom(model: LabourMarketModel, kept: np.ndarray) -> None:
    """One enterprise decision per enterprise that keeps workers this month."""
    counts = np.bincount(model.people.enterprise[kept], minlength=model.enterprise_table.n)
    for row in np.flatnonzero(counts).tolist():
        model.recorder.decided(model.month, row, "internal_doorstroom", float(counts[row]), "keeps workers on a regular contract")
