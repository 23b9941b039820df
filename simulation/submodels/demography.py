"""Demography: time passes, people retire or leave the labour force, new people enter.

Leaving the labour force (sickness, invalidity, other) happens at a constant monthly
hazard; its month is drawn when a person enters (see
:func:`simulation.world.initialisation.schedule_inactivity`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..world.initialisation import add_jobless
from ..world.moves import move
from ..world.people import INACTIVE, LEFT_LABOUR_FORCE, RETIRED
from .labour_demand import business_cycle

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel


def demography(model: LabourMarketModel) -> None:
    """Age everyone a month, retire or deactivate some, and add the month's inflow."""
    p, people = model.people, model.scenario.people
    age = p.view("age")
    age += np.float32(1 / 12)
    p.view("months_in_status")[:] += 1
    p.view("jobless_months")[:] += p.jobless_mask()

    old = np.flatnonzero(age >= people.retirement_age)  # few: their status is looked up by row
    move(model, old[p.status[old] != INACTIVE], INACTIVE, RETIRED)
    scheduled = np.flatnonzero(p.view("inactivity_month") == model.month)  # few: looked up by row
    move(model, scheduled[p.status[scheduled] != INACTIVE], INACTIVE, LEFT_LABOUR_FORCE)  # not who just retired
    add_inflow(model)


def add_inflow(model: LabourMarketModel) -> None:
    """Newly structurally unemployed people: more in a downturn, fewer in a boom."""
    scenario = model.scenario
    rng = model.streams.generator("demography.inflow")
    mean = scenario.context.inflow_rate * scenario.world.pool_size * (1 - business_cycle(scenario.context, model.month))
    count = int(rng.poisson(max(mean, 0.0)))
    if count:
        rows = add_jobless(model, rng, count, scenario.world.initial_jobless_months[0])
        model.recorder.entered(model.month, model.people.ids(rows), model.people.status[rows])
