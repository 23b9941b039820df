"""Referral ("indicering") and LDE hiring.

1. Eligible job seekers (long enough without work, far enough from the labour market,
   LDE months left) ask for a referral at a monthly rate and join a queue.
2. The employment service decides up to ``referral_capacity`` requests a month, oldest
   first; each decision is a ticket valid for ``ticket_validity_months``.
3. Enterprises fill their open slots from the ticket holders. Selection is weighted by
   ``exp(creaming x employability)`` (0 = random), drawn without replacement with the
   Gumbel-top-k method, so the most employable are preferred as strongly as set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..moves import move
from ..people import NO_ONE, Reason, Status

if TYPE_CHECKING:
    from ..model import LabourMarketModel


def referral(model: LabourMarketModel) -> None:
    """Requests join the queue, the employment service decides, enterprises hire."""
    request_referrals(model)
    decide_referrals(model)
    fill_lde_slots(model)


def request_referrals(model: LabourMarketModel) -> None:
    p, policy = model.people, model.scenario.policy
    asking = (p.jobless_mask() & (p.view("queued_since") == NO_ONE) & (p.view("ticket_since") == NO_ONE)
              & (p.view("jobless_months") >= policy.referral_min_jobless_months)
              & (p.view("employability") <= policy.referral_max_employability)
              & (p.view("lde_months") < min(policy.lde_limit, np.iinfo(np.int16).max))
              & (model.streams.uniform_all("referral.request", p.n) < policy.referral_request_rate))
    p.queued_since[: p.n][asking] = model.month


def decide_referrals(model: LabourMarketModel) -> None:
    p, policy = model.people, model.scenario.policy
    holders = np.flatnonzero(p.view("ticket_since") != NO_ONE)
    expired = holders[model.month - p.ticket_since[holders] >= policy.ticket_validity_months]
    p.ticket_since[expired] = NO_ONE
    queued = np.flatnonzero(p.view("queued_since") != NO_ONE)
    decided = queued[np.argsort(p.queued_since[queued], kind="stable")[: policy.referral_capacity]]
    p.queued_since[decided] = NO_ONE
    p.ticket_since[decided] = model.month
    model.recorder.add("referrals_decided", decided.size)


def fill_lde_slots(model: LabourMarketModel) -> None:
    p, table = model.people, model.enterprise_table
    lde = model.people.in_status(Status.lde)
    table.view("workers")[:] = np.bincount(p.enterprise[lde], minlength=table.n)
    free = np.where(table.view("is_open"), table.view("slots") - table.view("workers"), 0).clip(min=0)
    holders = np.flatnonzero(p.view("ticket_since") != NO_ONE)
    count = min(int(free.sum()), holders.size)
    if count == 0:
        return
    gumbel = -np.log(-np.log(model.streams.uniform("referral.selection", holders) + 1e-300))
    key = model.scenario.policy.creaming * p.employability[holders] + gumbel
    chosen = holders[np.argsort(-key, kind="stable")[:count]]
    seats = model.streams.generator("referral.seats").permutation(np.repeat(np.arange(table.n), free))[:count]
    move(model, chosen, Status.lde, Reason.hired_lde)
    p.enterprise[chosen] = seats
    p.last_enterprise[chosen] = seats
    table.view("workers")[:] += np.bincount(seats, minlength=table.n)
