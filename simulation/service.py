"""The service an LDE enterprise delivers: its workers' output and its quality index.

Output and quality feed the enterprise's revenue (:mod:`simulation.submodels.finances`)
and are set at month 0 by :mod:`simulation.initialisation`, so both use these functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import LabourMarketModel


def productivity(model: LabourMarketModel, rows: np.ndarray) -> np.ndarray:
    """Output per month of each worker (units; 1 = a fully productive worker)."""
    ent = model.scenario.enterprises
    return ent.productivity_base + ent.productivity_slope * model.people.employability[rows]


def quality_target(model: LabourMarketModel, work_output: np.ndarray) -> np.ndarray:
    """Occupancy x productivity: ``work_output`` (units a month, before training time) per slot,
    over the output of a worker at the employability ceiling (0..1).

    Also the starting quality, so that month 0 is in its steady state rather than at a
    perfect 1.0 that the first year would wear down.
    """
    table, scenario = model.enterprise_table, model.scenario
    ent = scenario.enterprises
    best = ent.productivity_base + ent.productivity_slope * scenario.people.employability_ceiling
    return np.clip(work_output / np.maximum(table.view("slots"), 1) / best, 0, 1)
