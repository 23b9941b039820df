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
    status, employability = p.view("status"), p.view("employability")
    in_lde, in_nec = status == LDE, status == NEC
    lde_rate = people.learning_rate_lde * coaching_factor(scenario) * (1 + people.training_effect * policy.training_effort)
    trained = p.view("covenant_hire") & (p.view("months_in_status") < COVENANT_TRAINING_MONTHS)
    nec_rate = np.float32(people.learning_rate_nec) + np.float32(policy.covenant_training_rate) * trained
    rate = np.float32(lde_rate) * in_lde + nec_rate * in_nec
    employability += rate * (np.float32(people.employability_ceiling) - employability)
    employability *= 1 - np.float32(people.employability_decay) * (status < LDE)
    p.view("experience")[:] += in_lde | in_nec
