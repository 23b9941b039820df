"""Benefits: unemployment benefit runs out after its duration, then social assistance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..moves import move
from ..people import Reason, Status
from ..scenario import NO_LIMIT_MONTHS

if TYPE_CHECKING:
    from ..model import LabourMarketModel


def benefits(model: LabourMarketModel) -> None:
    """Pay this month's benefits; move those whose entitlement is used up to social assistance."""
    p, context = model.people, model.scenario.context
    unemployed = model.people.in_status(Status.unemployed)
    assisted = model.people.in_status(Status.social_assistance)
    model.recorder.add("benefits_unemployment", unemployed.size * context.unemployment_benefit_month)
    model.recorder.add("benefits_social_assistance", assisted.size * context.social_assistance_month)
    if model.scenario.policy.benefit_limit >= NO_LIMIT_MONTHS:
        return
    p.benefit_left[unemployed] -= 1
    move(model, unemployed[p.benefit_left[unemployed] <= 0], Status.social_assistance, Reason.benefit_exhausted)
