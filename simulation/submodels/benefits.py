"""Benefits: unemployment benefit runs out after its duration, then social assistance."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..moves import move
from ..people import BENEFIT_EXHAUSTED, SOCIAL_ASSISTANCE, UNEMPLOYED
from ..scenario import NO_LIMIT_MONTHS

if TYPE_CHECKING:
    from ..model import LabourMarketModel


def benefits(model: LabourMarketModel) -> None:
    """Pay this month's benefits; move those whose entitlement is used up to social assistance."""
    p, context = model.people, model.scenario.context
    status = p.view("status")
    model.recorder.add("benefits_unemployment", np.count_nonzero(status == UNEMPLOYED) * context.unemployment_benefit_month)
    model.recorder.add(
        "benefits_social_assistance", np.count_nonzero(status == SOCIAL_ASSISTANCE) * context.social_assistance_month
    )
    if model.scenario.policy.benefit_limit >= NO_LIMIT_MONTHS:
        return
    unemployed = p.in_status(UNEMPLOYED)
    p.benefit_left[unemployed] -= 1
    move(model, unemployed[p.benefit_left[unemployed] <= 0], SOCIAL_ASSISTANCE, BENEFIT_EXHAUSTED)
