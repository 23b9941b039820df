"""The time limit on LDE: months used, the evaluation before the end, extensions, exits.

Each month worked in LDE counts against ``max_lde_months`` (across spells).
``evaluation_lead_months`` before the limit the employment service evaluates the worker
and opens a route (:mod:`.end_of_trajectory`). A worker who reaches the limit may get
an extension of ``extension_months`` under the ``extension_rule``: with "evaluation",
workers whose employability is at least ``extension_min_employability`` get it with
probability ``extension_probability``. Whoever reaches the limit (plus any extension)
without a job leaves LDE: to unemployment or social assistance, with a work-care
advice (reason ``work_care``; a place follows when one is free: :mod:`.work_care`) or
not (``time_limit``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..world.moves import fall_back
from ..world.people import (
    LDE,
    NO_PHASE,
    ROUTE_TRAJECTORY,
    ROUTE_TRAJECTORY_WAITING,
    ROUTE_WORK_CARE_WAITING,
    TIME_LIMIT,
    WORK_CARE,
)
from .end_of_trajectory import evaluate, seek_suitable_measure

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel


def time_limit(model: LabourMarketModel) -> None:
    """Count the month worked, evaluate before the limit, decide extensions at it, end trajectories past it."""
    p, policy = model.people, model.scenario.policy
    lde = model.people.in_status(LDE)
    p.lde_months[lde] += 1
    if policy.end_evaluation:
        evaluate(model, lde, policy.lde_limit + policy.extension_months * p.extended[lde])
    at_limit = lde[(p.lde_months[lde] == policy.lde_limit) & ~p.extended[lde]]
    if policy.extension_rule == "evaluation" and policy.extension_months > 0:
        eligible = at_limit[p.employability[at_limit] >= policy.extension_min_employability]
        granted = extensions(model, eligible) if eligible.size else eligible  # most months nobody: no draw
        p.extended[granted] = True
        model.recorder.add("extensions_granted", granted.size)
    lde = lde[p.status[lde] == LDE]  # without those the evaluation moved on (it moves nobody into LDE)
    allowed = policy.lde_limit + policy.extension_months * p.extended[lde]
    leaving = lde[p.lde_months[lde] >= allowed]
    route = p.route[leaving]
    work_care = route == ROUTE_WORK_CARE_WAITING  # advised work-care: a place comes after the exit
    unfinished = (route == ROUTE_TRAJECTORY_WAITING) | ((route == ROUTE_TRAJECTORY) & (p.phase[leaving] != NO_PHASE))
    seek_suitable_measure(model, leaving[unfinished], "at_limit")  # no trajectory (or no end of it) before the limit
    model.recorder.add("exits_time_limit", leaving.size)
    fall_back(model, leaving[work_care], WORK_CARE)
    fall_back(model, leaving[~work_care], TIME_LIMIT)


def extensions(model: LabourMarketModel, eligible: np.ndarray) -> np.ndarray:
    """Those of ``eligible`` who get an extension, each with probability ``extension_probability``."""
    draws = model.streams.uniform("time_limit.extension", model.people.ids(eligible))
    return eligible[draws < model.scenario.policy.extension_probability]
