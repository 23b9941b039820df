"""The time limit on LDE: months used, the extension decision, and exits at the limit.

Each month worked in LDE counts against ``max_lde_months`` (across spells). A worker who
reaches the limit may get an extension of ``extension_months`` under the
``extension_rule``: with "evaluation", workers whose employability is at least
``extension_min_employability`` (the employment service judges a transition within
reach) get it with probability ``extension_probability``. Whoever reaches the limit
(plus any extension) without a job leaves LDE and falls back to unemployment or
social assistance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..moves import fall_back
from ..people import LDE, TIME_LIMIT

if TYPE_CHECKING:
    from ..model import LabourMarketModel


def time_limit(model: LabourMarketModel) -> None:
    """Count the month worked, decide extensions at the limit, and end trajectories past it."""
    p, policy = model.people, model.scenario.policy
    lde = model.people.in_status(LDE)
    p.lde_months[lde] += 1
    at_limit = lde[(p.lde_months[lde] == policy.lde_limit) & ~p.extended[lde]]
    if policy.extension_rule == "evaluation" and policy.extension_months > 0:
        eligible = at_limit[p.employability[at_limit] >= policy.extension_min_employability]
        granted = eligible[model.streams.uniform("time_limit.extension", p.ids(eligible)) < policy.extension_probability]
        p.extended[granted] = True
        model.recorder.add("extensions_granted", granted.size)
    allowed = policy.lde_limit + policy.extension_months * p.extended[lde]
    leaving = lde[p.lde_months[lde] >= allowed]
    model.recorder.add("exits_time_limit", leaving.size)
    fall_back(model, leaving, TIME_LIMIT)
