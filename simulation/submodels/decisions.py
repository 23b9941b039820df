"""Enterprise decisions: each open LDE enterprise decides after it has seen its books.

Runs after the month's finances, so that an enterprise reacts to the margin it has
just made; what it decides (push, hiring, slots, coaches, training, prices, a request for
local support) takes effect from the next month. First each enterprise updates what it
expects a hire and a unit of push to be worth (:func:`expect_values`: from its own output,
clients and transitions, and the rules in force); the rules are
:meth:`simulation.world.agents.LDEEnterprise.step`. With ``enterprises.adaptive = false`` nobody
decides and enterprises only close.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from ..rules.scenario import schedule_values
from ..world.agents import PUSH_TOLERANCE, at_ease, pressed, push_target
from ..world.people import NEC
from .finances import client_demand, sine_level

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel


def enterprise_decisions(model: LabourMarketModel) -> None:
    """The step of every enterprise that has something to decide, in row order (deterministic);
    their lottery draws come from one stream (:meth:`LDEEnterprise.lottery_draw`)."""
    if not model.scenario.enterprises.adaptive:
        return
    table = model.enterprise_table
    model.recorder.add("spending_local_support", 0.0)  # a column every month, granted or not
    pressure = pressed(table)  # the books are closed for the month: one judgement serves both
    expect_values(model, pressure)
    model.enterprise_draws = None  # drawn when an enterprise first asks for local support this month
    for row in np.flatnonzero(may_decide(model, pressure)).tolist():
        table.agents[row].step()


def may_decide(model: LabourMarketModel, pressure: np.ndarray) -> np.ndarray:
    """Which enterprises could change something this month (speed only: the others' step does nothing).

    Open ones that are under ``pressure`` (:func:`pressed`), comfortable with a cut to undo, frozen,
    or whose push is off its target; the same tests as :meth:`LDEEnterprise.step`, on whole columns.
    """
    t, scenario = model.enterprise_table, model.scenario
    comfortable = at_ease(t)
    frozen = t.view("fill_target") < t.view("slots")
    cut = (
        (t.view("coaches") < t.view("slots") / scenario.policy.coaching_ratio - 1e-9)
        | frozen
        | (t.view("price") > 1.0 + 1e-9)
        | (t.view("training") < scenario.policy.training_effort - 1e-9)
    )
    push_off = np.abs(push_target(scenario, t.view("push_value")) - t.view("push")) >= PUSH_TOLERANCE
    keep = np.minimum(t.view("slots"), np.maximum(t.view("workers"), scenario.world.min_slots))
    hiring_off = ((t.view("hire_value") < 0) & (t.view("fill_target") > keep)) | ((t.view("hire_value") >= 0) & frozen)
    return t.view("is_open") & (pressure | (comfortable & cut) | push_off | hiring_off)


#: Weight of the latest month in an enterprise's expected transition rate (a memory of about a year).
TRANSITION_SMOOTHING = 1 / 12
#: Longest trajectory over which a new hire's subsidies are averaged (the limit when it is shorter), months.
TRAJECTORY_MONTHS = 60


def expect_values(model: LabourMarketModel, pressure: np.ndarray | None = None) -> None:
    """Each enterprise's expectations this month (adaptive: from its own experience and the rules in force);
    ``pressure``: which are :func:`pressed` now, if already known.

    - ``transition_rate``: its workers' moves to regular jobs per worker-month, smoothed;
    - ``hire_value``: what one more worker brings in a month (his output at its clients' prices, the
      subsidies a new hire brings over a trajectory under the rules in force, SINE (or its compensation) as
      likely as in its workforce, the local leaf) less his wage cost; coaching follows the slots, so a vacancy saves none;
    - ``push_value``: per unit of push, the transitions it adds (its rate x its workers) times what a
      transition is worth to it (the outcome bonus x the chance it is paid, discounted under pressure, plus
      its mission value if mission-driven), less the output its workers give up (``push_output_cost``).
    """
    t, scenario = model.enterprise_table, model.scenario
    ent = scenario.enterprises
    workers = np.maximum(t.view("workers"), 0)
    staffed = workers > 0
    moved = moves_to_regular_jobs(model)
    observed = np.divide(moved, workers, out=np.zeros(t.n), where=staffed)
    rate = t.view("transition_rate")
    rate[:] = np.where(staffed, (1 - TRANSITION_SMOOTHING) * rate + TRANSITION_SMOOTHING * observed, rate)
    output_each = expected_output(model)
    unit_revenue = ent.revenue_per_output_month * client_demand(model)
    t.view("hire_value")[:] = output_each * unit_revenue + new_hire_subsidies(model) - ent.wage_cost_month
    pressure = pressed(t) if pressure is None else pressure
    bonus = scenario.policy.outcome_bonus * ent.bonus_paid_expected  # EUR a transition, discounted under pressure
    bonus = np.where(pressure, bonus * ent.pressure_discount, bonus)
    worth = bonus + ent.mission_value * t.view("mission_driven")
    lost = ent.push_output_cost * output_each * unit_revenue
    t.view("push_value")[:] = workers * (rate * worth - lost)


def moves_to_regular_jobs(model: LabourMarketModel) -> np.ndarray:
    """This month's moves from LDE to a regular job, by the enterprise they left."""
    p = model.people
    moved = np.flatnonzero(p.view("nec_move_month") == model.month)  # few: the rest is tested on them only
    moved = moved[(p.status[moved] == NEC) & (p.last_enterprise[moved] >= 0)]
    return np.bincount(p.last_enterprise[moved], minlength=model.enterprise_table.n).astype(float)


def expected_output(model: LabourMarketModel) -> np.ndarray:
    """What a worker makes a month at each enterprise (units): its own workers' last month, else the sector's."""
    t = model.enterprise_table
    own = t.view("productivity")
    staffed = (t.view("workers") > 0) & t.view("is_open")
    count = np.count_nonzero(staffed)
    sector = float(own[staffed].sum()) / count if count else model.scenario.enterprises.productivity_base
    return np.where(staffed, own, sector)


def new_hire_subsidies(model: LabourMarketModel) -> np.ndarray:
    """The subsidies one more worker brings each enterprise a month (EUR), averaged over his trajectory."""
    scenario, t = model.scenario, model.enterprise_table
    ent, policy = scenario.enterprises, scenario.policy
    months = min(policy.lde_limit, TRAJECTORY_MONTHS)
    lde = trajectory_mean(tuple(policy.wage_subsidy), months) * ent.reference_wage_month
    lde += trajectory_mean(tuple(policy.guidance_subsidy), months)
    cmw = policy.cmw_wage_subsidy * ent.reference_wage_month + policy.cmw_guidance_subsidy
    level = sine_level(policy, model.month)
    sine = ent.sine_share * (level + (1 - level) * policy.sine_compensation_share) * ent.sine_allowance_month
    local = ent.local_contribution_month
    return np.where(t.view("converted"), cmw + sine + local, lde + sine + local)  # the sums on scalars, in the same order


@functools.lru_cache(maxsize=64)
def trajectory_mean(schedule: tuple[tuple[int, float], ...], months: int) -> float:
    """The mean of a step ``schedule`` over the first ``months`` months of a trajectory (cached: it
    changes only with the rules, and enterprises weigh it every month)."""
    return float(schedule_values(list(schedule), np.arange(months)).mean())
