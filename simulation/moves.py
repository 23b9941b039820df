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


def move(model: LabourMarketModel, rows: np.ndarray, to: int, reason: int) -> None:
    """Move the people in ``rows`` to status ``to`` for ``reason`` (plain ints: see :mod:`simulation.people`)."""
    if rows.size == 0:
        return
    p, month = model.people, model.month
    origin = p.status[rows]
    model.recorder.moved(month, p.ids(rows), origin, to, reason)

    p.benefit_left[rows[earns_benefit_rights(model, rows)]] = model.scenario.policy.benefit_limit
    left_lde = rows[origin == LDE]
    p.enterprise[left_lde] = NO_ONE
    p.extended[left_lde] = False
    p.lde_exit_month[left_lde] = month
    p.lde_exit_reason[left_lde] = reason

    left_nec = rows[origin == NEC]
    p.employer[left_nec] = NO_ONE
    p.from_lde[left_nec] = False
    p.covenant_hire[left_nec] = False
    p.aftercare_left[left_nec] = 0

    if to in (LDE, NEC, INACTIVE):
        p.queued_since[rows] = NO_ONE
        p.ticket_since[rows] = NO_ONE
    if to in JOBS:
        p.jobless_months[rows] = 0
    if to == NEC:
        came_from_lde = rows[origin == LDE]
        p.from_lde[came_from_lde] = True
        p.nec_move_month[came_from_lde] = month
        p.aftercare_left[came_from_lde] = model.scenario.policy.aftercare_months
    p.set_status(rows, origin, to)
    p.months_in_status[rows] = 0


def earns_benefit_rights(model: LabourMarketModel, rows: np.ndarray) -> np.ndarray:
    """Whether each person's job spell, if it ended now, would give a fresh benefit entitlement."""
    p = model.people
    return in_job(p.status[rows]) & (p.months_in_status[rows] >= model.scenario.people.benefit_qualifying_months)


def fall_back(model: LabourMarketModel, rows: np.ndarray, reason: int) -> None:
    """People without a job (any more) go to unemployment benefit if entitled, else social assistance."""
    if rows.size == 0:
        return
    entitled = earns_benefit_rights(model, rows) | (model.people.benefit_left[rows] > 0)
    move(model, rows[entitled], UNEMPLOYED, reason)
    move(model, rows[~entitled], SOCIAL_ASSISTANCE, reason)
