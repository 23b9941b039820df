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

Beside these, the **states of leavers** (every exit other than retirement or leaving the
labour force) 6, 12 and 24 months after the exit (:func:`count_states`):
``followup<h>_state_<state>`` for a regular job, unemployment benefit, leefloon, a work-care
place, collective maatwerk, LDE again and inactive; the on-a-benefit counts of
``dumping_share`` split by state (``_on_<state>``) and by the reason of the exit
(``followup12_exit_<reason>`` and ``..._on_benefits``). Inactive people may have been
archived, so they are counted as the month's leavers (``lde_leavers``, counted when they
leave) minus those still seen; someone who left LDE again since counts in his later exit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..world.people import (
    DISMISSED,
    ENTERPRISE_CLOSED,
    FOUND_JOB,
    HIRED_AFTER_TRAINEESHIP,
    INACTIVE,
    INTERNAL_DOORSTROOM,
    LDE,
    LEFT_LABOUR_FORCE,
    MAATWERK_ADVICE,
    NEC,
    RETIRED,
    ROUTE_WORK_CARE,
    SOCIAL_ASSISTANCE,
    TIME_LIMIT,
    WORK_CARE,
    Reason,
    Status,
)

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel

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


#: Months after the exit at which leavers' states are counted.
STATE_HORIZONS = (6, 12, 24)
#: Leavers' states: the three fallen-back states (the parts of ``dumping_share``) and the others.
FALLBACK_STATES = ("unemployed", "social_assistance", "work_care")
STATES = ("nec", *FALLBACK_STATES, "maatwerk", "lde", "inactive")
#: Exit reasons grouped as the routes out of LDE (``followup12_exit_<group>``).
EXIT_GROUPS = {
    "time_limit": (TIME_LIMIT,),
    "work_care": (WORK_CARE,),
    "to_job": (FOUND_JOB, INTERNAL_DOORSTROOM, HIRED_AFTER_TRAINEESHIP),
    "maatwerk": (MAATWERK_ADVICE,),
    "dismissed": (DISMISSED,),
    "enterprise_closed": (ENTERPRISE_CLOSED,),
}
#: Lookups for counting with one ``np.bincount``: each status's state (a jobless person's route
#: may make it work-care, see :func:`states`), which states are fallen back, and each exit
#: reason's position in :data:`EXIT_GROUPS` (-1: in none).
STATE_OF_STATUS = np.array([STATES.index(status.name) for status in Status])
FALLEN = np.array([state in FALLBACK_STATES for state in STATES])
EXIT_GROUP_OF = np.array([next((i for i, g in enumerate(EXIT_GROUPS.values()) if reason in g), -1) for reason in Reason])


def follow_up(model: LabourMarketModel) -> None:
    """Count the month's follow-ups and credit outcome bonuses to sending enterprises."""
    p, month, rec = model.people, model.month, model.recorder
    exit_month = p.view("lde_exit_month")
    recent = np.flatnonzero(exit_month >= max(month - max(STATE_HORIZONS), 1))  # one scan of everyone for every cohort
    # A move from LDE to a regular job is an exit from LDE in the same month (a later exit only moves
    # lde_exit_month on): those who moved 12 months ago are among the recent leavers.
    moved = made_in(p.view("nec_move_month"), month - 12, recent)
    moved = moved[p.status[moved] != INACTIVE]
    sustained = moved[p.status[moved] == NEC]
    rec.add("followup12_moves", moved.size)
    rec.add("followup12_in_nec", sustained.size)
    pay_outcome_bonus(model, sustained)
    model.ties.reinforce(p.last_enterprise[sustained], p.employer[sustained], model.scenario.employers.tie_step)

    left12 = made_in(exit_month, month - 12, recent)
    left12 = left12[p.status[left12] != INACTIVE]
    at_limit = left12[limit_exit(p.lde_exit_reason[left12])]
    rec.add("followup12_limit_leavers", at_limit.size)
    rec.add("followup12_limit_on_benefits", np.count_nonzero(p.status[at_limit] < LDE))
    count_leavers(model, "followup12", left12[active_exit(model, left12)])

    left24 = made_in(exit_month, month - 24, recent)
    left24 = left24[p.status[left24] != INACTIVE]
    rec.add("followup24_lde_leavers", left24.size)
    rec.add("followup24_social_assistance", np.count_nonzero(p.status[left24] == SOCIAL_ASSISTANCE))
    count_states(model, recent)


def states(model: LabourMarketModel, rows: np.ndarray) -> np.ndarray:
    """Each of ``rows``' state, as its position in :data:`STATES` (work-care is a jobless person holding a place)."""
    p = model.people
    status = p.status[rows]
    state = STATE_OF_STATUS[status]
    state[(status < LDE) & (p.route[rows] == ROUTE_WORK_CARE)] = STATES.index("work_care")
    return state


def count_states(model: LabourMarketModel, recent: np.ndarray) -> None:
    """Leavers' states 6, 12 and 24 months after the exit; dumping by state and by the exit's reason.

    ``recent`` are the rows of everyone who left LDE in the last 24 months. Those who left for a reason
    other than retiring or leaving the labour force are counted in one table, by months since the exit
    and state: each cohort is a line of it.
    """
    p, month, rec = model.people, model.month, model.recorder
    leavers = recent[active_exit(model, recent)]
    since, state = month - p.lde_exit_month[leavers], states(model, leavers)  # months since the exit: 0 .. 24
    table = np.bincount(since * len(STATES) + state, minlength=(max(STATE_HORIZONS) + 1) * len(STATES))
    table = table.reshape(-1, len(STATES)).tolist()  # table[months since the exit][state]: leavers
    rec.add("lde_leavers", sum(table[0]))
    for h in STATE_HORIZONS:
        counts = dict(zip(STATES, table[h]))
        cohort = rec.rows[month - h].get("lde_leavers", 0.0) if month - h >= 1 else 0.0
        seen = sum(table[h]) - counts["inactive"]
        rec.add(f"followup{h}_cohort", cohort)
        for name, count in counts.items():
            rec.add(f"followup{h}_state_{name}", max(cohort - seen, 0) if name == "inactive" else count)
    seen12 = (since == 12) & (state != STATES.index("inactive"))
    state12, reason = state[seen12], p.lde_exit_reason[leavers[seen12]]
    at_limit = np.bincount(state12[limit_exit(reason)], minlength=len(STATES)).tolist()
    for prefix, counts in (("leavers", table[12]), ("limit", at_limit)):  # table[12]'s inactive: in no fallen-back state
        for name in FALLBACK_STATES:
            rec.add(f"followup12_{prefix}_on_{name}", counts[STATES.index(name)])
    group = EXIT_GROUP_OF[reason]
    grouped = group >= 0
    in_group = np.bincount(group[grouped], minlength=len(EXIT_GROUPS)).tolist()
    on_benefits = np.bincount(group[grouped & FALLEN[state12]], minlength=len(EXIT_GROUPS)).tolist()
    for name, count, count_on_benefits in zip(EXIT_GROUPS, in_group, on_benefits):
        rec.add(f"followup12_exit_{name}", count)
        rec.add(f"followup12_exit_{name}_on_benefits", count_on_benefits)


def limit_exit(reason: np.ndarray) -> np.ndarray:
    """Whether each exit from LDE (its ``reason``) was at the limit: with or without a work-care advice."""
    return (reason == TIME_LIMIT) | (reason == WORK_CARE)


def active_exit(model: LabourMarketModel, rows: np.ndarray) -> np.ndarray:
    """Whether each exit from LDE was for a reason other than retiring or leaving the labour force."""
    reason = model.people.lde_exit_reason[rows]
    return (reason != RETIRED) & (reason != LEFT_LABOUR_FORCE)


def count_leavers(model: LabourMarketModel, prefix: str, rows: np.ndarray) -> None:
    """Leavers and those of them on a benefit, in total, by size class of the enterprise left and by age band."""
    p, rec = model.people, model.recorder
    jobless = p.status[rows] < LDE
    rec.add(f"{prefix}_leavers", rows.size)
    rec.add(f"{prefix}_leavers_on_benefits", np.count_nonzero(jobless))
    large = model.enterprise_table.large[p.last_enterprise[rows]]
    age = p.age[rows] - 1  # at the exit, a year ago
    groups = {name: large == is_large for is_large, name in SIZE_NAMES.items()}
    groups.update({name: (age >= low) & (age < high) for name, (low, high) in AGE_BANDS.items()})
    for name, group in groups.items():
        rec.add(f"{prefix}_leavers_{name}", np.count_nonzero(group))
        rec.add(f"{prefix}_leavers_{name}_on_benefits", np.count_nonzero(group & jobless))


def made_in(months: np.ndarray, month: int, among: np.ndarray | None = None) -> np.ndarray:
    """Rows (of ``among``, ascending rows, when given) whose recorded month equals ``month``;
    none before month 1 (-1 means "never")."""
    if month < 1:
        return np.zeros(0, dtype=np.intp)
    return np.flatnonzero(months == month) if among is None else among[months[among] == month]


def pay_outcome_bonus(model: LabourMarketModel, sustained: np.ndarray) -> None:
    """Credit the bonus for each sustainable transition to the sending enterprise, if still open."""
    bonus = model.scenario.policy.outcome_bonus
    if bonus <= 0 or sustained.size == 0:
        return
    table = model.enterprise_table
    sender = model.people.last_enterprise[sustained]
    sender = sender[table.is_open[sender]]
    np.add.at(table.bonus_due, sender, bonus)
