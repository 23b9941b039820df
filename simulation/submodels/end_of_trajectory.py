"""The end of an LDE trajectory: the employment service's evaluation and the routes it opens.

``policy.evaluation_lead_months`` before a worker's limit the employment service
evaluates him (source 1.20) on the criteria the rules name: his health, his personal
development plan (POP, source 1.18) and the judgement of his mentor and the service.
The sources give the criteria, not how they are weighed, so the model states a
probability model (docs/ODD.md, "Evaluation"):

- **Judgement**: the service judges the worker's employability with an error, logistic
  with scale ``evaluation_judgement_spread``. Each advice below compares the *judged*
  employability with a threshold, so its chance is logistic in employability,
  ``1 / (1 + exp(-(threshold - employability) / spread))``, not a cut.
- **POP progress**: the rise in employability since the LDE placement.

The advice, in this order:

1. **Work-care route** (sources 1.14, 1.16: for people for whom paid work is unclear):
   a health problem (the person is due to leave the labour force for sickness or
   invalidity within ``work_care_health_months``: a proxy the service is assumed to
   see), or judged employability below ``work_care_max_employability`` *and* a POP
   without progress (less than ``pop_min_progress``; a worker whose POP shows progress
   has shown that work is within reach). Work-care has ``work_care_places``
   (:mod:`.work_care`): the advised wait for one, searching meanwhile.
2. **Collective maatwerk advice** at once for those aged ``maatwerk_older_age`` or more
   (close to pension a move to a regular job is rarely asked).
3. **Internal doorstroom**: his enterprise keeps him on a regular contract (``lde`` ->
   ``nec``, reason ``internal_doorstroom``) when it is not under financial pressure,
   with chance ``internal_doorstroom_share`` (the enterprise's decision, logged).
4. **Doorstroom trajectory** (sources 1.17, 1.20-1.21: the traineeship at a potential
   employer is the final piece of the trajectory): the others join the trajectory's
   waiting list; ``doorstroom_trajectories_month`` start each month, longest waiting
   first (:func:`simulation.submodels.doorstroom.start_trajectories`).

**A more suitable measure when the transition fails** (source 1.17): when a trajectory
ends without a hire, or the limit comes before a trajectory did, the service judges again
whether he still needs support (source 1.20 a): judged employability below
``maatwerk_max_employability`` gives a collective maatwerk advice
(:func:`seek_suitable_measure`); he moves to collective maatwerk when a place is free
(:mod:`.maatwerk`).

An extension (``extension_rule``) is still decided at the limit. Whoever reaches the
limit (plus any extension) without a job leaves LDE: with a work-care advice with reason
``work_care``, otherwise ``time_limit``; a maatwerk or work-care advice stays valid after
the exit. With ``end_evaluation = false`` nobody is evaluated: everyone at the limit falls back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..world.agents import pressed
from ..world.moves import move
from ..world.people import (
    INTERNAL_DOORSTROOM,
    MAATWERK,
    NEC,
    NO_ROUTE,
    ROUTE_MAATWERK,
    ROUTE_NAMES,
    ROUTE_TRAJECTORY_WAITING,
    ROUTE_WORK_CARE_WAITING,
)

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel

#: The evaluation's outcomes, as metric names (``evaluated_<outcome>`` in metrics.csv).
OUTCOMES = ("work_care", "maatwerk", "internal_doorstroom", "trajectory")


def evaluate(model: LabourMarketModel, lde: np.ndarray, allowed: np.ndarray) -> None:
    """Evaluate the LDE workers among ``lde`` whose limit (``allowed`` months) is ``evaluation_lead_months``
    away or nearer and who were not evaluated yet (those hired near their limit are evaluated at once)."""
    p, policy = model.people, model.scenario.policy
    due = lde[(p.lde_months[lde] >= allowed - policy.evaluation_lead_months) & (p.route[lde] == NO_ROUTE)]
    counts = advise(model, due) if due.size else (0,) * len(OUTCOMES)  # many months nobody is due
    for outcome, count in zip(OUTCOMES, counts):
        model.recorder.add(f"evaluated_{outcome}", count)


def advise(model: LabourMarketModel, due: np.ndarray) -> tuple[int, ...]:
    """Give each of ``due`` the evaluation's advice (its route, or internal doorstroom); the number of
    each outcome, in the order of :data:`OUTCOMES`."""
    p = model.people
    work_care, needs_support = advice(model, due)
    maatwerk = ~work_care & needs_support
    ready = due[~work_care & ~needs_support]
    keeps = kept_by_enterprise(model, ready)
    kept, offered = ready[keeps], ready[~keeps]
    for rows, route in (
        (due[work_care], ROUTE_WORK_CARE_WAITING),
        (due[maatwerk], ROUTE_MAATWERK),
        (offered, ROUTE_TRAJECTORY_WAITING),
    ):
        p.route[rows] = route
        p.phase_since[rows] = model.month
    log_internal_doorstroom(model, kept)
    move(model, kept, NEC, INTERNAL_DOORSTROOM)
    return np.count_nonzero(work_care), np.count_nonzero(maatwerk), kept.size, offered.size


def judged(model: LabourMarketModel, rows: np.ndarray, stream: str) -> np.ndarray:
    """The employability of ``rows`` as the service judges it: the true one plus a logistic error
    of scale ``evaluation_judgement_spread``, drawn per person from ``stream``."""
    p = model.people
    if rows.size == 0:  # often nobody is judged at a given moment: no draw to make
        return np.zeros(0)
    u = np.clip(model.streams.uniform(stream, p.ids(rows)), 1e-12, 1 - 1e-12)
    return p.employability[rows] + model.scenario.policy.evaluation_judgement_spread * np.log(u / (1 - u))


def too_far_from_work(model: LabourMarketModel, rows: np.ndarray, judgement: np.ndarray) -> np.ndarray:
    """The work-care criterion: a health problem, or judged too far from work with a POP that shows no progress."""
    p, policy = model.people, model.scenario.policy
    health = p.inactivity_month[rows] - model.month <= policy.work_care_health_months
    entry = p.entry_employability[rows]
    progress = np.where(entry >= 0, p.employability[rows] - entry, 0.0)
    return health | ((judgement < policy.work_care_max_employability) & (progress < policy.pop_min_progress))


def advice(model: LabourMarketModel, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``rows``: the work-care advice, and the collective maatwerk advice at once (see the module)."""
    p, policy = model.people, model.scenario.policy
    work_care = too_far_from_work(model, rows, judged(model, rows, "end_of_trajectory.judgement"))
    return work_care, p.age[rows] >= policy.maatwerk_older_age


def seek_suitable_measure(model: LabourMarketModel, rows: np.ndarray, when: str) -> None:
    """After a failed transition (source 1.17): those of ``rows`` judged still to need support get a
    collective maatwerk advice; the others keep no route. ``when`` names the moment (its random stream)."""
    p, policy = model.people, model.scenario.policy
    support = rows[judged(model, rows, f"end_of_trajectory.measure_{when}") < policy.maatwerk_max_employability]
    p.route[support] = ROUTE_MAATWERK
    p.phase_since[support] = model.month
    model.recorder.add("maatwerk_advice_after_trajectory", support.size)


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


def route_counts(model: LabourMarketModel) -> dict[str, float]:
    """People on each end-of-trajectory route at the end of the month (``route_<name>``; a maatwerk
    advice split into those in maatwerk and those waiting) and each route's capacity (``capacity_<name>``)."""
    p, policy = model.people, model.scenario.policy
    route = p.view("route")
    # the few on a route, counted at once: quicker than a comparison a route, or a bincount of everyone's
    # int8 column (cast to intp)
    counts = np.bincount(route[route != NO_ROUTE], minlength=len(ROUTE_NAMES)).tolist()
    metrics = {f"route_{name}": float(counts[i]) for i, name in enumerate(ROUTE_NAMES) if i != NO_ROUTE}
    placed = np.count_nonzero(route[p.in_status(MAATWERK)] == ROUTE_MAATWERK)
    metrics.update({"route_maatwerk": float(placed), "route_maatwerk_waiting": metrics["route_maatwerk"] - placed})
    metrics.update(
        {
            "capacity_work_care": float(policy.work_care_places),
            "capacity_maatwerk": float(policy.maatwerk_places),
            "capacity_trajectory_starts": float(policy.doorstroom_trajectories_month),
        }
    )
    return metrics
