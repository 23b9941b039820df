"""Status changes: the one place where a person's status is changed and recorded.

Every submodel moves people through :func:`move` (or :func:`fall_back` for people who
lose a job), so flows are always recorded, stocks always balance, and the bookkeeping
that goes with a change (leaving an enterprise, earning benefit rights, starting
aftercare) happens the same way whatever caused it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .people import INACTIVE, LDE, NEC, NO_ONE, SOCIAL_ASSISTANCE, UNEMPLOYED

if TYPE_CHECKING:
    from .model import LabourMarketModel

JOBS = (LDE, NEC)


def in_job(status: np.ndarray) -> np.ndarray:
    """Whether each status is a job (LDE or regular)."""
    return (status == LDE) | (status == NEC)


def move(model: LabourMarketModel, slots: np.ndarray, to: int, reason: int) -> None:
    """Move the people in ``slots`` to status ``to`` for ``reason`` (plain ints: see :mod:`simulation.people`)."""
    if slots.size == 0:
        return
    p, month = model.people, model.month
    origin = p.status[slots]
    model.recorder.moved(month, p.ids(slots), origin, to, reason)

    p.benefit_left[slots[earns_benefit_rights(model, slots)]] = model.scenario.policy.benefit_limit
    left_lde = slots[origin == LDE]
    p.enterprise[left_lde] = NO_ONE
    p.extended[left_lde] = False
    p.lde_exit_month[left_lde] = month
    p.lde_exit_reason[left_lde] = reason

    left_nec = slots[origin == NEC]
    p.employer[left_nec] = NO_ONE
    p.from_lde[left_nec] = False
    p.covenant_hire[left_nec] = False
    p.aftercare_left[left_nec] = 0

    if to in (LDE, NEC, INACTIVE):
        p.queued_since[slots] = NO_ONE
        p.ticket_since[slots] = NO_ONE
    if to in JOBS:
        p.jobless_months[slots] = 0
    if to == NEC:
        came_from_lde = slots[origin == LDE]
        p.from_lde[came_from_lde] = True
        p.nec_move_month[came_from_lde] = month
        p.aftercare_left[came_from_lde] = model.scenario.policy.aftercare_months
    p.set_status(slots, origin, to)
    p.months_in_status[slots] = 0


def earns_benefit_rights(model: LabourMarketModel, slots: np.ndarray) -> np.ndarray:
    """Whether each person's job spell, if it ended now, would give a fresh benefit entitlement."""
    p = model.people
    return in_job(p.status[slots]) & (p.months_in_status[slots] >= model.scenario.people.benefit_qualifying_months)


def fall_back(model: LabourMarketModel, slots: np.ndarray, reason: int) -> None:
    """People without a job (any more) go to unemployment benefit if entitled, else social assistance."""
    if slots.size == 0:
        return
    entitled = earns_benefit_rights(model, slots) | (model.people.benefit_left[slots] > 0)
    move(model, slots[entitled], UNEMPLOYED, reason)
    move(model, slots[~entitled], SOCIAL_ASSISTANCE, reason)
