"""Job search and matching with regular employers, vectorised.

Each month every job seeker applies for a regular job with a probability set by their
status (LDE workers search less: lock-in), raised by guidance and, for LDE workers,
rising over the last months before the time limit. The unemployed search more in the
last ``exhaustion_window_months`` before their benefit ends (``exhaustion_search_response``:
Card, Chetty & Weber 2007 find the re-employment hazard about 20% higher at exhaustion).
Nobody holding a work-care place searches. An application goes to one
employer, chosen in proportion to open vacancies. The employer accepts with a logistic
chance in (employability - hiring bar) (older applicants less often; covenant employers
set a lower bar for LDE workers). Where an employer accepts more applicants than it
has vacancies, a random subset is hired. No loop runs over seekers or vacancies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..rules.scenario import NO_LIMIT_MONTHS
from ..world.moves import move
from ..world.people import FOUND_JOB, LDE, MAATWERK, NEC, NO_ONE, ROUTE_WORK_CARE, SOCIAL_ASSISTANCE, UNEMPLOYED
from ..world.streams import DENSE_STEP, dense_threshold
from .development import guidance
from .labour_demand import adjust_hiring_bars

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel

OLDER_AGE = 50.0


def job_search_and_matching(model: LabourMarketModel) -> None:
    """Applications, acceptance, hiring within vacancies, then hiring-bar adjustment."""
    applicants, employer = choose_employers(model, search(model))
    accepted = accept(model, applicants, employer)
    model.recorder.add("applications", applicants.size)
    model.recorder.add("applications_accepted", np.count_nonzero(accepted))
    hire(model, applicants[accepted], employer[accepted])
    adjust_hiring_bars(model)


def lde_search_intensity(model: LabourMarketModel, lde: np.ndarray) -> np.ndarray:
    """Probability that each LDE worker in ``lde`` applies this month."""
    push = 1 + model.enterprise_table.push[model.people.enterprise[lde]]  # the enterprise's doorstroom effort
    rate = model.scenario.people.search_rate_lde * guidance(model, lde) * push
    return np.minimum(rate * limit_ramp(model, lde), 1.0)


def limit_ramp(model: LabourMarketModel, lde: np.ndarray) -> np.ndarray:
    """Search multiplier of LDE workers: 1, rising linearly to the maximum at the time limit."""
    policy, people = model.scenario.policy, model.scenario.people
    if policy.lde_limit >= NO_LIMIT_MONTHS:
        return np.ones(lde.size)
    allowed = policy.lde_limit + policy.extension_months * model.people.extended[lde]
    months_left = allowed - model.people.lde_months[lde]
    closeness = np.clip(1 - months_left / people.limit_search_ramp_months, 0, 1)
    return 1 + (people.limit_search_multiplier - 1) * closeness


def search(model: LabourMarketModel) -> np.ndarray:
    """Rows of this month's applicants: the jobless and maatwerk workers at their status's rate (the
    unemployed more near the end of their benefit), LDE workers at theirs; nobody holding a work-care
    place (not job-seeking)."""
    p, people = model.people, model.scenario.people
    steps = model.streams.uniform_steps("matching.apply", p.view("id"))
    status = p.view("status")
    ending = p.view("benefit_left") <= people.exhaustion_window_months
    usual, near_end = (
        dense_threshold(people.search_rate_unemployed * (1 + people.exhaustion_search_response * e)) for e in (0.0, 1.0)
    )
    unemployed_limit = usual + (near_end - usual) * ending  # uint32, exactly one of the two (near_end >= usual)
    # These two rates are compared as float32 numbers (NumPy's rule for a Python float against
    # float32 draws, as the draws once were): their thresholds keep that, so results stay the same.
    rates = (people.search_rate_social_assistance, people.search_rate_maatwerk)
    assistance, maatwerk = (dense_threshold(np.float32(r)) for r in rates)
    applying = (
        ((status == UNEMPLOYED) & (steps < unemployed_limit))
        | ((status == SOCIAL_ASSISTANCE) & (steps < assistance))
        | ((status == MAATWERK) & (steps < maatwerk))
    ) & (p.view("route") != ROUTE_WORK_CARE)
    lde = p.in_status(LDE)
    applying[lde] = steps[lde] < lde_search_intensity(model, lde) / DENSE_STEP  # exact: a power of two
    return np.flatnonzero(applying)


def choose_employers(model: LabourMarketModel, applicants: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The applicants who find a vacancy and the employer row of each, in proportion to open vacancies."""
    vacancies = model.employer_table.view("vacancies").astype(np.float64)
    total = vacancies.sum()
    if total <= 0:
        applicants = applicants[:0]
    cumulative = np.cumsum(vacancies) / max(total, 1.0)
    u = model.streams.uniform("matching.employer", model.people.ids(applicants))
    return applicants, np.minimum(inverse_cdf(cumulative, u), vacancies.size - 1)


#: Bins of the guide table of :func:`inverse_cdf` (a power of two, so that ``u x bins`` is exact),
#: and their edges.
GUIDE_BINS = 1024
GUIDE_EDGES = np.arange(GUIDE_BINS + 1) / GUIDE_BINS


def inverse_cdf(cumulative: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The category of each uniform draw in ``u`` (in [0, 1)): ``np.searchsorted(cumulative, u, side="right")``,
    exactly, but with a guide table (Chen & Asau 1974).

    ``u`` is cut into ``GUIDE_BINS`` equal bins; a bin that holds no boundary of ``cumulative``
    gives its draws' category directly; only the draws in the few bins that hold one are
    searched. A binary search for every one of some 15,000 applications a month took about
    0.4 ms (27 ns a draw); the table takes a sixth of that.
    """
    low = np.searchsorted(cumulative, GUIDE_EDGES[:-1], side="right")  # boundaries at or below the bin's start
    high = np.searchsorted(cumulative, GUIDE_EDGES[1:], side="left")  # boundaries below the bin's end
    bins = (u * GUIDE_BINS).astype(np.intp)
    category = low[bins]
    unsure = np.flatnonzero(high[bins] != category)
    category[unsure] = np.searchsorted(cumulative, u[unsure], side="right")
    return category


def accept(model: LabourMarketModel, applicants: np.ndarray, employer: np.ndarray) -> np.ndarray:
    """Whether each application is accepted (before vacancies run out)."""
    chance = hire_chance(model, applicants, employer)
    return model.streams.uniform("matching.accept", model.people.ids(applicants)) < chance


def hire_chance(model: LabourMarketModel, rows: np.ndarray, employer: np.ndarray, bar_reduction: float = 0.0) -> np.ndarray:
    """Chance that ``employer`` (a row each) takes on each of ``rows``: logistic in (employability - bar).

    The bar is lowered by ``covenant_bar_reduction`` x the strength of the employer's tie
    with the candidate's enterprise (see :mod:`simulation.world.ties`), and by ``bar_reduction``
    (a trainee the employer has seen at work); older candidates are accepted less often.
    """
    p, table, scenario = model.people, model.employer_table, model.scenario
    tie = model.ties.of(referring_enterprise(model, rows), employer)
    bar = table.hiring_bar[employer] - scenario.policy.covenant_bar_reduction * tie - bar_reduction
    gap = (p.employability[rows] - bar) / scenario.people.hiring_softness
    chance = 1 / (1 + np.exp(-gap))
    chance *= np.where(p.age[rows] >= OLDER_AGE, scenario.people.older_worker_acceptance, 1.0)  # x 1 is exact
    return chance


#: Months after leaving LDE during which a tie of the former enterprise still helps.
RECENT_LEAVER_MONTHS = 12


def referring_enterprise(model: LabourMarketModel, rows: np.ndarray) -> np.ndarray:
    """The LDE enterprise that stands behind each candidate: his own while in LDE, the last one for a
    jobless recent leaver (left within 12 months), else none (-1).

    Few candidates have one, so only their rows are looked up."""
    p = model.people
    status = p.status[rows]
    lde = np.flatnonzero(status == LDE)
    recent = np.flatnonzero((status < LDE) & (p.lde_exit_month[rows] >= max(model.month - RECENT_LEAVER_MONTHS, 1)))
    enterprise = np.full(rows.size, NO_ONE, dtype=p.enterprise.dtype)
    enterprise[lde] = p.enterprise[rows[lde]]
    enterprise[recent] = p.last_enterprise[rows[recent]]
    return enterprise


def start_regular_job(model: LabourMarketModel, rows: np.ndarray, employer: np.ndarray, reason: int) -> None:
    """Move ``rows`` into a regular job at ``employer`` (a row each) for ``reason``.

    The job's separation risk is the employer's job quality, lowered for a hire through a
    tie (``tie_retention_effect`` x strength); a covenant employer trains hires from LDE.
    """
    p, table = model.people, model.employer_table
    from_lde = p.status[rows] == LDE
    tie = model.ties.of(referring_enterprise(model, rows), employer)
    move(model, rows, NEC, reason)
    p.employer[rows] = employer
    p.job_quality[rows] = table.job_quality[employer] * (1 - model.scenario.employers.tie_retention_effect * tie)
    p.covenant_hire[rows] = table.covenant[employer] & from_lde


def hire(model: LabourMarketModel, hired: np.ndarray, employer: np.ndarray) -> None:
    """Hire accepted applicants up to each employer's open vacancies; random order decides."""
    table, p = model.employer_table, model.people
    order = np.lexsort((model.streams.uniform("matching.rank", p.ids(hired)), employer))
    hired, employer = hired[order], employer[order]
    rank = np.arange(employer.size) - np.searchsorted(employer, employer, side="left")
    within = rank < table.vacancies[employer]
    hired, employer = hired[within], employer[within]
    start_regular_job(model, hired, employer, FOUND_JOB)
    filled = np.bincount(employer, minlength=table.n)
    table.view("vacancies")[:] -= filled
    table.view("hires")[:] = filled
    by_sector = np.bincount(table.view("sector"), weights=filled, minlength=len(model.sector_names))
    for name, count in zip(model.sector_names, by_sector):
        model.recorder.add(f"vacancies_filled_{name}", count)
