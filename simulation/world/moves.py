"""Status changes: the one place where a person's status is changed and recorded.

Every submodel moves people through :func:`move` (or :func:`fall_back` for people who
lose a job), so flows are always recorded, stocks always balance, and the bookkeeping
that goes with a change (leaving an enterprise, earning benefit rights, starting
aftercare) happens the same way whatever caused it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..rules.scenario import NEVER, NO_LIMIT_MONTHS
from .people import (
    INACTIVE,
    LDE,
    MAATWERK,
    NEC,
    NO_ONE,
    NO_PHASE,
    NO_ROUTE,
    ROUTE_MAATWERK,
    ROUTE_NAMES,
    ROUTE_WORK_CARE,
    ROUTE_WORK_CARE_WAITING,
    SOCIAL_ASSISTANCE,
    STATUSES,
    TRAINEESHIP,
    UNEMPLOYED,
    read_only,
    rows_from,
)

if TYPE_CHECKING:
    from .model import LabourMarketModel

JOBS = (LDE, MAATWERK, NEC)
#: Whether a move to a jobless status or LDE keeps each route (by route number): the work-care
#: route, held or awaited, and a maatwerk advice, unless it came from a maatwerk place (see :func:`end_routes`).
KEPT_ROUTES = read_only(np.isin(np.arange(len(ROUTE_NAMES)), (ROUTE_MAATWERK, ROUTE_WORK_CARE, ROUTE_WORK_CARE_WAITING)))
#: The federal limit on unemployment benefits (source 4.6.1): months of a new claim.
REFORM_BASE_MONTHS, REFORM_MONTHS_WORKED_PER_EXTRA, REFORM_MAX_MONTHS = 12, 4, 24
#: ... and who keeps unlimited benefits: 55 and older with a long career (about 30 years).
REFORM_EXEMPT_AGE, REFORM_EXEMPT_MONTHS_WORKED = 55.0, 360


def in_job(status: np.ndarray) -> np.ndarray:
    """Whether each status is a job (LDE, collective maatwerk or regular): the statuses numbered
    ``LDE`` to ``NEC`` (see :class:`~simulation.world.people.Status`)."""
    return (status >= LDE) & (status <= NEC)


def reform_in_force(model: LabourMarketModel) -> bool:
    """Whether the federal benefit limit applies this month (``policy.benefit_reform_month``)."""
    start = model.scenario.policy.benefit_reform_month
    return start != NEVER and model.month >= start


def entitlement(model: LabourMarketModel, rows: np.ndarray, reform: bool | None = None) -> np.ndarray:
    """Months of unemployment benefit a new claim gives each of ``rows``, by the rules in force now
    (or, with ``reform`` given, by the federal limit's rules or the old ones).

    Before the federal reform: ``policy.benefit_duration_months``. Under it (source 4.6.1):
    12 months plus one per 4 months worked, at most 24; unlimited at 55 or older with
    30 years of work. Months worked are the person's ``experience`` (a proxy: the model
    knows only the months worked since it first saw them).
    """
    limit = model.scenario.policy.benefit_limit
    if not (reform_in_force(model) if reform is None else reform):
        return np.full(rows.size, limit)
    p = model.people
    worked = p.experience[rows].astype(np.int64)
    months = np.minimum(REFORM_BASE_MONTHS + worked // REFORM_MONTHS_WORKED_PER_EXTRA, REFORM_MAX_MONTHS)
    exempt = (p.age[rows] >= REFORM_EXEMPT_AGE) & (p.experience[rows] >= REFORM_EXEMPT_MONTHS_WORKED)
    return np.minimum(np.where(exempt, NO_LIMIT_MONTHS, months), limit)


def move(model: LabourMarketModel, rows: np.ndarray, to: int, reason: int) -> None:
    """Move the people in ``rows`` to status ``to`` for ``reason`` (plain ints: see :mod:`simulation.world.people`).

    The bookkeeping of leaving a job is done only for the statuses someone leaves: a month
    has a dozen moves, most from one or two statuses, and each skipped step is a few NumPy
    calls saved (the same result: the step would have written to no row).
    """
    if rows.size == 0:
        return
    p, month = model.people, model.month
    origin = p.status[rows]
    leaving = np.bincount(origin, minlength=len(STATUSES))  # how many leave each status
    model.recorder.moved(month, p.ids(rows), origin, to, reason, leaving)
    left = leaving.tolist()  # the same counts as plain ints, for the tests below
    if left[LDE] or left[MAATWERK] or left[NEC]:
        earned = rows[earns_benefit_rights(model, rows, origin)]
        p.benefit_left[earned] = entitlement(model, earned)
    if left[LDE] or left[MAATWERK]:
        leave_lde_or_maatwerk(model, rows, origin, left, reason)
    if left[NEC]:
        leave_regular_job(model, rows_from(rows, origin, NEC, left))
    if to in (LDE, MAATWERK, NEC, INACTIVE):
        p.queued_since[rows] = NO_ONE
        p.ticket_since[rows] = NO_ONE
    end_routes(model, rows, origin, to, left)
    if to in JOBS:
        p.jobless_months[rows] = 0
    if to == NEC and left[LDE]:
        came_from_lde = rows_from(rows, origin, LDE, left)
        p.from_lde[came_from_lde] = True
        p.nec_move_month[came_from_lde] = month
        p.aftercare_left[came_from_lde] = model.scenario.policy.aftercare_months
    p.set_status(rows, origin, to, leaving)
    p.months_in_status[rows] = 0


def leave_lde_or_maatwerk(model: LabourMarketModel, rows: np.ndarray, origin: np.ndarray, left: list[int], reason: int) -> None:
    """The bookkeeping of ``rows`` (from statuses ``origin``, ``left[s]`` of them from ``s``) that leave
    LDE or maatwerk for ``reason``."""
    p = model.people
    all_employed = left[LDE] + left[MAATWERK] == rows.size  # no mask to build (most moves)
    end_traineeship(model, rows if all_employed else rows[(origin == LDE) | (origin == MAATWERK)])
    left_lde = rows_from(rows, origin, LDE, left)
    p.enterprise[left_lde] = NO_ONE
    p.extended[left_lde] = False
    p.lde_exit_month[left_lde] = model.month
    p.lde_exit_reason[left_lde] = reason


def leave_regular_job(model: LabourMarketModel, rows: np.ndarray) -> None:
    """The bookkeeping of ``rows`` that leave a regular job: no employer, no aftercare."""
    p = model.people
    p.employer[rows] = NO_ONE
    p.from_lde[rows] = False
    p.covenant_hire[rows] = False
    p.aftercare_left[rows] = 0


def end_routes(model: LabourMarketModel, rows: np.ndarray, origin: np.ndarray, to: int, left: list[int]) -> None:
    """An end-of-trajectory route ends with the move, except a work-care route (held or awaited)
    or a maatwerk advice still waiting for its place (see :mod:`simulation.submodels.end_of_trajectory`).
    ``left[s]`` of ``rows`` come from status ``s``."""
    p = model.people
    if to in (MAATWERK, NEC, INACTIVE):
        ended = rows
    else:
        route = p.route[rows]
        kept = KEPT_ROUTES[route]
        if left[MAATWERK]:  # a maatwerk worker's advice led to his place: it is not waiting any more
            kept &= (route != ROUTE_MAATWERK) | (origin != MAATWERK)
        ended = rows[~kept]
    p.route[ended] = ROUTE_MAATWERK if to == MAATWERK else NO_ROUTE
    p.phase_since[ended] = NO_ONE


def end_traineeship(model: LabourMarketModel, rows: np.ndarray) -> None:
    """End the doorstroom trajectory of ``rows`` (leaving LDE or maatwerk): a traineeship's reserved vacancy returns."""
    p = model.people
    training = rows[p.phase[rows] == TRAINEESHIP]
    if training.size:  # most leavers are on no traineeship
        np.add.at(model.employer_table.vacancies, p.trainee_employer[training], 1)
    p.phase[rows] = NO_PHASE
    p.trainee_employer[rows] = NO_ONE


def earns_benefit_rights(model: LabourMarketModel, rows: np.ndarray, status: np.ndarray | None = None) -> np.ndarray:
    """Whether each person's job spell, if it ended now, would give a fresh benefit entitlement
    (``status``: their statuses, when the caller has them already)."""
    p = model.people
    status = p.status[rows] if status is None else status
    return in_job(status) & (p.months_in_status[rows] >= model.scenario.people.benefit_qualifying_months)


def fall_back(model: LabourMarketModel, rows: np.ndarray, reason: int) -> None:
    """People without a job (any more) go to unemployment benefit if entitled, else social assistance."""
    if rows.size == 0:
        return
    entitled = earns_benefit_rights(model, rows) | (model.people.benefit_left[rows] > 0)
    move(model, rows[entitled], UNEMPLOYED, reason)
    move(model, rows[~entitled], SOCIAL_ASSISTANCE, reason)
