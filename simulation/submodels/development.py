"""Work, guidance and training: employability grows with diminishing returns, or erodes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..world.people import LDE, NEC

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel

COVENANT_TRAINING_MONTHS = 12
#: Coaching per worker beyond four times the reference adds nothing more.
MAX_GUIDANCE = 2.0


def guidance(model: LabourMarketModel, lde: np.ndarray) -> np.ndarray:
    """Guidance intensity of each LDE worker in ``lde``: 1 at the reference coaching ratio.

    It is the square root (diminishing returns) of the coaching capacity per worker in the
    worker's enterprise (coaches / workers) relative to one coach per
    ``reference_coaching_ratio`` workers: an enterprise with vacant slots coaches its
    workers more, a stricter ``policy.coaching_ratio`` gives every worker more.
    """
    table = model.enterprise_table
    per_worker = table.view("coaches") / np.maximum(table.view("workers"), 1)
    factor = np.sqrt(per_worker * model.scenario.enterprises.reference_coaching_ratio)
    return np.minimum(factor, MAX_GUIDANCE)[model.people.enterprise[lde]]


def nec_learning_rate(model: LabourMarketModel) -> np.floating | np.ndarray:
    """Each person's learning rate if in a regular job: higher for covenant hires in their first
    ``COVENANT_TRAINING_MONTHS`` (the covenant's training). One number when nobody is in that
    training (every scenario without covenants): the same rate as the sum with zero, one pass less."""
    p, people = model.people, model.scenario.people
    rate = np.float32(people.learning_rate_nec)
    trained = p.view("covenant_hire") & (p.view("months_in_status") < COVENANT_TRAINING_MONTHS)
    if not trained.any():
        return rate
    return rate + np.float32(model.scenario.policy.covenant_training_rate) * trained


def development(model: LabourMarketModel) -> None:
    """Employability moves a share of the gap to the ceiling in work; decays out of work."""
    p, people = model.people, model.scenario.people
    ceiling = np.float32(people.employability_ceiling)
    status, employability = p.view("status"), p.view("employability")
    in_nec = status == NEC
    employability += nec_learning_rate(model) * in_nec * (ceiling - employability)
    employability *= 1 - np.float32(people.employability_decay) * (status < LDE)

    lde = p.in_status(LDE)
    training = 1 + people.training_effect * model.enterprise_table.training[p.enterprise[lde]]
    lde_rate = (people.learning_rate_lde * training * guidance(model, lde)).astype(np.float32)
    p.employability[lde] += lde_rate * (ceiling - p.employability[lde])
    p.view("experience")[:] += (status == LDE) | in_nec
