"""Follow-up of former LDE workers, for the indicators, the outcome bonus and the ties.

- 12 months after a move from LDE to a regular job: is the person still in a regular
  job? (a sustainable transition: the sending enterprise earns the outcome bonus,
  paid by this month's enterprise finances, which run next, and its tie with the
  employer, if it has one, strengthens.)
- 12 months after an exit at the limit (``time_limit`` or ``work_care``): is the person on unemployment benefit or social
  assistance? (``dumping_risk``)
- 12 months after any exit from LDE other than retirement or leaving the labour force:
  on a benefit? (``dumping_share``, by size class of the enterprise left and by age
  band at the exit)
- 24 months after any LDE exit: is the person on social assistance? (``leefloon_share_24m``:
  those who left for retirement or inactivity are inactive then, so left out anyway)

People who left the labour force in the meantime are left out of every count. Someone
on the work-care route keeps a benefit and so counts as fallen back (docs/indicators.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..people import INACTIVE, LDE, LEFT_LABOUR_FORCE, NEC, RETIRED, SOCIAL_ASSISTANCE, TIME_LIMIT, WORK_CARE

if TYPE_CHECKING:
    from ..model import LabourMarketModel

#: Age bands at the exit for the dumping indicators: name -> (from, to) years.
AGE_BANDS = {"under_35": (0.0, 35.0), "35_49": (35.0, 50.0), "50_plus": (50.0, 200.0)}
SIZE_NAMES = {False: "small", True: "large"}
#: The groups of leavers counted apart (``followup12_leavers_<group>``), in words.
LEAVER_GROUPS = {
    "small": "a small neighbourhood service",
    "large": "a large proximity service",
    "under_35": "under 35",
    "35_49": "aged 35 to 49",
    "50_plus": "aged 50 or over",
}


def follow_up(model: LabourMarketModel) -> None:
    """Count the month's follow-ups and credit outcome bonuses to sending enterprises."""
    p, month, rec = model.people, model.month, model.recorder
    moved = made_in(p.view("nec_move_month"), month - 12)
    moved = moved[p.status[moved] != INACTIVE]
    sustained = moved[p.status[moved] == NEC]
    rec.add("followup12_moves", moved.size)
    rec.add("followup12_in_nec", sustained.size)
    pay_outcome_bonus(model, sustained)
    model.ties.reinforce(p.last_enterprise[sustained], p.employer[sustained], model.scenario.employers.tie_step)

    exit_month = p.view("lde_exit_month")
    left12 = made_in(exit_month, month - 12)
    left12 = left12[p.status[left12] != INACTIVE]
    at_limit = left12[np.isin(p.lde_exit_reason[left12], (TIME_LIMIT, WORK_CARE))]
    rec.add("followup12_limit_leavers", at_limit.size)
    rec.add("followup12_limit_on_benefits", np.count_nonzero(p.status[at_limit] < LDE))
    count_leavers(model, "followup12", left12[active_exit(model, left12)])

    left24 = made_in(exit_month, month - 24)
    left24 = left24[p.status[left24] != INACTIVE]
    rec.add("followup24_lde_leavers", left24.size)
    rec.add("followup24_social_assistance", np.count_nonzero(p.status[left24] == SOCIAL_ASSISTANCE))


def active_exit(model: LabourMarketModel, rows: np.ndarray) -> np.ndarray:
    """Whether each exit from LDE was for a reason other than retiring or leaving the labour force."""
    reason = model.people.lde_exit_reason[rows]
    return (reason != RETIRED) & (reason != LEFT_LABOUR_FORCE)


def count_leavers(model: LabourMarketModel, prefix: str, rows: np.ndarray) -> None:
    """Leavers and those of them on a benefit, in total, by size class of the enterprise left and by age band."""
    p, rec, table = model.people, model.recorder, model.enterprise_table
    jobless = p.status[rows] < LDE
    rec.add(f"{prefix}_leavers", rows.size)
    rec.add(f"{prefix}_leavers_on_benefits", np.count_nonzero(jobless))
    large = table.large[p.last_enterprise[rows]]
    for is_large, name in SIZE_NAMES.items():
        group = large == is_large
        rec.add(f"{prefix}_leavers_{name}", np.count_nonzero(group))
        rec.add(f"{prefix}_leavers_{name}_on_benefits", np.count_nonzero(group & jobless))
    age = p.age[rows] - 1  # at the exit, a year ago
    for name, (low, high) in AGE_BANDS.items():
        group = (age >= low) & (age < high)
        rec.add(f"{prefix}_leavers_{name}", np.count_nonzero(group))
        rec.add(f"{prefix}_leavers_{name}_on_benefits", np.count_nonzero(group & jobless))


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
