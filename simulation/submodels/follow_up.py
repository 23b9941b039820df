"""Follow-up of former LDE workers, for the indicators and the outcome bonus.

- 12 months after a move from LDE to a regular job: is the person still in a regular
  job? (a sustainable transition: the sending enterprise earns the outcome bonus,
  paid by this month's enterprise finances, which run next.)
- 12 months after a time-limit exit: is the person on unemployment benefit or social
  assistance? (social dumping)
- 24 months after any LDE exit: is the person on social assistance?

People who left the labour force in the meantime are left out of every count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..people import INACTIVE, LDE, NEC, SOCIAL_ASSISTANCE, TIME_LIMIT

if TYPE_CHECKING:
    from ..model import LabourMarketModel


def follow_up(model: LabourMarketModel) -> None:
    """Count the month's follow-ups and credit outcome bonuses to sending enterprises."""
    p, month, rec = model.people, model.month, model.recorder
    moved = made_in(p.view("nec_move_month"), month - 12)
    moved = moved[p.status[moved] != INACTIVE]
    sustained = moved[p.status[moved] == NEC]
    rec.add("followup12_moves", moved.size)
    rec.add("followup12_in_nec", sustained.size)
    pay_outcome_bonus(model, sustained)

    exit_month = p.view("lde_exit_month")
    left12 = made_in(exit_month, month - 12)
    left12 = left12[(p.lde_exit_reason[left12] == TIME_LIMIT) & (p.status[left12] != INACTIVE)]
    rec.add("followup12_limit_leavers", left12.size)
    rec.add("followup12_limit_on_benefits", np.count_nonzero(p.status[left12] < LDE))

    left24 = made_in(exit_month, month - 24)
    left24 = left24[p.status[left24] != INACTIVE]
    rec.add("followup24_lde_leavers", left24.size)
    rec.add("followup24_social_assistance", np.count_nonzero(p.status[left24] == SOCIAL_ASSISTANCE))


def made_in(months: np.ndarray, month: int) -> np.ndarray:
    """Rows whose recorded month equals ``month``; none before month 1 (-1 means "never")."""
    return np.flatnonzero(months == month) if month >= 1 else np.zeros(0, dtype=np.intp)


def pay_outcome_bonus(model: LabourMarketModel, sustained: np.ndarray) -> None:
    """Credit the bonus for each sustainable transition to the sending enterprise, if still open."""
    bonus = model.scenario.policy.outcome_bonus
    if bonus <= 0 or sustained.size == 0:
        return
    table = model.enterprise_table
    sender = model.people.last_enterprise[sustained]
    sender = sender[table.is_open[sender]]
    np.add.at(table.bonus_due, sender, bonus)
