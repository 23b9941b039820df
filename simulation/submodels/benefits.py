"""Benefits: unemployment benefit runs out after its duration, then social assistance.

The duration of a new claim follows the rules in force (:func:`simulation.world.moves.entitlement`).
When the federal limit comes in (``policy.benefit_reform_month``, source 4.6), existing
claimants lose their benefit in phases by how long they have been unemployed: more
than 20 years at once, 8 to 20 years two months later, 2 to 8 years three months
later, and the others by the new rule counted from the start of their claim, not
before six months after the reform. Claimants learn their end month
``benefit_notice_months`` before the reform (the letters of the autumn of 2025), so their
job search responds from then (:mod:`.matching`: ``exhaustion_search_response`` in the
last ``exhaustion_window_months``); the rules are applied again when the reform comes in,
for claims made in between. Whoever loses the benefit may claim social assistance
(leefloon), the floor: the model does not separate those who claim nothing.
``benefit_lost`` counts, each month, those whose benefit ran out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..rules.scenario import NEVER, NO_LIMIT_MONTHS
from ..world.moves import entitlement, move
from ..world.people import BENEFIT_EXHAUSTED, SOCIAL_ASSISTANCE, UNEMPLOYED

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel

#: Phases of the reform for existing claimants (source 4.6.2): months unemployed at
#: least -> months after the reform at which the benefit ends.
REFORM_PHASES = ((240, 0), (96, 2), (24, 3))
#: Claimants unemployed less than two years keep their benefit at least this long.
REFORM_LAST_WAVE = 6


def benefits(model: LabourMarketModel) -> None:
    """Pay this month's benefits; move those whose entitlement is used up to social assistance."""
    p, context = model.people, model.scenario.context
    status = p.view("status")
    unemployed = status == UNEMPLOYED
    model.recorder.add("benefits_unemployment", np.count_nonzero(unemployed) * context.unemployment_benefit_month)
    model.recorder.add(
        "benefits_social_assistance", np.count_nonzero(status == SOCIAL_ASSISTANCE) * context.social_assistance_month
    )
    policy = model.scenario.policy
    reform = policy.benefit_reform_month
    if reform != NEVER and model.month in (max(reform - policy.benefit_notice_months, 1), reform):
        limit_existing_claims(model, ahead=max(reform - model.month, 0))
    if policy.benefit_limit >= NO_LIMIT_MONTHS and reform == NEVER:
        return
    benefit_left = p.view("benefit_left")
    benefit_left -= unemployed  # a month of benefit used: whole columns, cheaper than gathering 60,000 claimants
    ending = np.flatnonzero(unemployed & (benefit_left <= 0))
    model.recorder.add("benefit_lost", ending.size)
    move(model, ending, SOCIAL_ASSISTANCE, BENEFIT_EXHAUSTED)


def limit_existing_claims(model: LabourMarketModel, ahead: int = 0) -> None:
    """The reform's phases for those on unemployment benefit, applied ``ahead`` months before it comes in
    (months left from now; as if they stay unemployed until then)."""
    p = model.people
    unemployed = p.in_status(UNEMPLOYED)
    months = p.jobless_months[unemployed].astype(np.int64) + ahead
    rule = entitlement(model, unemployed, reform=True)
    left = np.maximum(rule - months, REFORM_LAST_WAVE) + ahead
    for at_least, ends in reversed(REFORM_PHASES):
        left = np.where(months >= at_least, ends + ahead + 1, left)  # +1: this month's payment counts
    left = np.where(rule >= NO_LIMIT_MONTHS, rule, left)  # the exempt keep theirs
    p.benefit_left[unemployed] = np.minimum(p.benefit_left[unemployed], left)
