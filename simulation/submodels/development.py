"""Work, guidance and training: employability grows with diminishing returns, or erodes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..people import LDE, NEC
from ..scenario import Scenario

if TYPE_CHECKING:
    from ..model import LabourMarketModel

COVENANT_TRAINING_MONTHS = 12


def coaching_factor(scenario: Scenario) -> float:
    """Guidance intensity relative to the reference coaching ratio (square root: diminishing returns)."""
    return float(np.sqrt(scenario.enterprises.reference_coaching_ratio / scenario.policy.coaching_ratio))


def development(model: LabourMarketModel) -> None:
    """Employability moves a share of the gap to the ceiling in work; decays out of work."""
    p, scenario = model.people, model.scenario
    people, policy = scenario.people, scenario.policy
    ceiling = people.employability_ceiling

    lde = model.people.in_status(LDE)
    lde_rate = people.learning_rate_lde * coaching_factor(scenario) * (1 + people.training_effect * policy.training_effort)
    p.employability[lde] += np.float32(lde_rate) * (ceiling - p.employability[lde])

    nec = model.people.in_status(NEC)
    trained = p.covenant_hire[nec] & (p.months_in_status[nec] < COVENANT_TRAINING_MONTHS)
    nec_rate = np.float32(people.learning_rate_nec) + np.float32(policy.covenant_training_rate) * trained
    p.employability[nec] += nec_rate * (np.float32(ceiling) - p.employability[nec])
    p.experience[lde] += 1
    p.experience[nec] += 1

    p.view("employability")[:] *= np.where(p.jobless_mask(), np.float32(1 - people.employability_decay), np.float32(1))
