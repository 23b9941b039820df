"""The service an LDE enterprise delivers: its workers' output and its quality index.

Output and quality feed the enterprise's revenue (:mod:`simulation.submodels.finances`)
and are set at month 0 by :mod:`simulation.world.initialisation`, so both use these functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import LabourMarketModel


def productivity(model: LabourMarketModel, rows: np.ndarray) -> np.ndarray:
    """Output per month of each worker in ``rows`` (units): what his employability gives, plus the
    enterprise's own tasks learned with tenure (job-specific skill, which does not make him more
    employable elsewhere)."""
    ent, people = model.scenario.enterprises, model.people
    tenure = people.view("months_in_status")[rows]
    tasks = ent.task_learning_gain * (1 - np.exp(-tenure / ent.task_learning_months))
    return ent.productivity_base + ent.productivity_slope * people.employability[rows] + tasks


def quality_target(model: LabourMarketModel, work_output: np.ndarray) -> np.ndarray:
    """Occupancy x productivity: ``work_output`` (units a month, before training time) per slot,
    over the output of a worker at the employability ceiling who knows the tasks (0..1).

    Also the starting quality, so that month 0 is in its steady state rather than at a
    perfect 1.0 that the first year would wear down.
    """
    table, scenario = model.enterprise_table, model.scenario
    ent = scenario.enterprises
    best = ent.productivity_base + ent.productivity_slope * scenario.people.employability_ceiling + ent.task_learning_gain
    return np.clip(work_output / np.maximum(table.view("slots"), 1) / best, 0, 1)
