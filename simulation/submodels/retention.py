"""Retention: separations from regular jobs and from LDE jobs.

A regular job's monthly separation risk is high in the first six months and falls with
tenure (source 3.3: 72% still at work after 6 months, 48% after 2 years). It is higher
for less employable workers, scaled by the sector's job quality, and lowered during
aftercare for people who came from LDE. LDE and collective maatwerk workers can be
dismissed or quit. Everyone who separates falls back to unemployment or social
assistance; a hire from LDE that ends within 12 months weakens the tie between the
enterprise and the employer (:mod:`simulation.world.ties`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..world.moves import fall_back
from ..world.people import DISMISSED, JOB_LOST, LDE, MAATWERK, NEC

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel

EARLY_MONTHS, MID_MONTHS = 6, 24
#: A hire from LDE that ends within this many months weakens the tie it came through.
FOLLOW_UP_MONTHS = 12


def retention(model: LabourMarketModel) -> None:
    """Separations from regular jobs (with aftercare) and from LDE jobs."""
    separate_regular_jobs(model)
    separate_lde_jobs(model)


def separation_risk(model: LabourMarketModel, rows: np.ndarray) -> np.ndarray:
    """Monthly separation probability of each regular worker in ``rows`` (float32).

    Arithmetic on masks (no ``np.where``), over the regular workers' rows only.
    """
    p, scenario = model.people, model.scenario
    people, policy = scenario.people, scenario.policy
    tenure = p.months_in_status[rows]
    early, mid, late = (
        np.float32(h) for h in (people.separation_hazard_early, people.separation_hazard_mid, people.separation_hazard_late)
    )
    base = late + (mid - late) * (tenure <= MID_MONTHS) + (early - mid) * (tenure <= EARLY_MONTHS)
    profile = np.maximum(
        np.float32(0.2), 1 + np.float32(people.separation_employability_effect) * (np.float32(0.5) - p.employability[rows])
    )
    aftercare = 1 - np.float32(policy.aftercare_effect) * (p.aftercare_left[rows] > 0)
    return np.minimum(base * profile * p.job_quality[rows] * aftercare, np.float32(1))


def separate_regular_jobs(model: LabourMarketModel) -> None:
    p, policy = model.people, model.scenario.policy
    nec = np.flatnonzero((p.view("status") == NEC) & (p.view("months_in_status") > 0))  # hired this month: no separation yet
    leaving = model.streams.uniform("retention.regular", p.ids(nec)) < separation_risk(model, nec)
    in_aftercare = np.flatnonzero(p.view("aftercare_left") > 0)  # few: looked up by row
    in_aftercare = in_aftercare[p.months_in_status[in_aftercare] > 0]
    p.aftercare_left[in_aftercare] -= 1
    model.recorder.add("spending_aftercare", in_aftercare.size * policy.aftercare_cost_month)
    separated = nec[leaving]
    early = separated[p.from_lde[separated] & (p.months_in_status[separated] < FOLLOW_UP_MONTHS)]
    model.ties.weaken(p.last_enterprise[early], p.employer[early], model.scenario.employers.tie_step)
    fall_back(model, separated, JOB_LOST)


def separate_lde_jobs(model: LabourMarketModel) -> None:
    """LDE and collective maatwerk workers are dismissed or quit at ``lde_dismissal_hazard`` (each their stream)."""
    for status, stream in ((LDE, "retention.lde"), (MAATWERK, "retention.maatwerk")):
        rows = model.people.in_status(status)
        leaving = model.streams.uniform(stream, model.people.ids(rows)) < model.scenario.people.lde_dismissal_hazard
        fall_back(model, rows[leaving], DISMISSED)
