"""Enterprise finances: the cloverleaf of income, the costs, reserves and closures.

Income of an open enterprise in a month (euro):
customer revenue (output x demand, see :func:`client_demand`: price, quality and clients;
output falls with training time and with workers released for a doorstroom trajectory), the wage subsidy
and guidance subsidy per worker (step schedules over the worker's months in LDE), the
SINE leaf (phased out linearly from its start month; the government may compensate a
share of what is lost), the local-government leaf per worker, and outcome bonuses.
Costs: wages of target-group workers, the coaches each enterprise has (its ``coaches``
column, the one source of truth that guidance also reads) and overhead.
An enterprise whose reserve stays negative for more than ``grace_months`` closes; its
workers fall back to unemployment or social assistance and keep their LDE months.
Service quality follows occupancy and the productivity of the workforce.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..moves import fall_back
from ..people import ENTERPRISE_CLOSED, LDE, NO_PHASE
from ..scenario import NEVER, Policy, schedule_values
from ..service import productivity, quality_target

if TYPE_CHECKING:
    from ..agents import EnterpriseTable
    from ..model import LabourMarketModel


def sine_level(policy: Policy, month: int) -> float:
    """Share of the full SINE leaf still paid in ``month`` (1 before the phase-out, then down to 0)."""
    if policy.sine_phaseout_start_month == NEVER or month < policy.sine_phaseout_start_month:
        return 1.0
    return max(0.0, 1 - (month - policy.sine_phaseout_start_month) / policy.sine_phaseout_months)


def enterprise_finances(model: LabourMarketModel) -> None:
    """Book the month's income and costs, update reserves and quality, close insolvent enterprises."""
    p, table, scenario = model.people, model.enterprise_table, model.scenario
    ent, policy = scenario.enterprises, scenario.policy
    lde = model.people.in_status(LDE)
    where = p.enterprise[lde]
    n = table.n
    workers = np.bincount(where, minlength=n)
    released = ent.push_output_cost * table.view("push")  # time given to job search and traineeships
    working = productivity(model, lde) * (p.phase[lde] == NO_PHASE)  # released for a doorstroom trajectory: no output
    output = np.bincount(where, weights=working, minlength=n) * (1 - table.view("training")) * (1 - released)
    months_in = p.lde_months[lde] - 1
    sine_full = workers * ent.sine_share * ent.sine_allowance_month
    level = sine_level(policy, model.month)
    demand = client_demand(model)
    cmw = table.view("converted")[where]  # workers of enterprises converted to collective maatwerk
    wage_share = np.where(cmw, policy.cmw_wage_subsidy, schedule_values(policy.wage_subsidy, months_in))
    guidance_each = np.where(cmw, policy.cmw_guidance_subsidy, schedule_values(policy.guidance_subsidy, months_in))
    income = {
        "revenue": output * ent.revenue_per_output_month * demand,  # demand: price, quality and clients
        "wage_subsidy": np.bincount(where, weights=wage_share, minlength=n) * ent.reference_wage_month,
        "guidance_subsidy": np.bincount(where, weights=guidance_each, minlength=n),
        "sine": sine_full * level,
        "sine_compensation": sine_full * (1 - level) * policy.sine_compensation_share,
        "local_government": workers * ent.local_contribution_month,
        "sitting_allowance": np.bincount(where[p.months_in_status[lde] >= model.month - policy.sitting_until_month], minlength=n)
        * policy.sitting_allowance_month,
        "outcome_bonus": table.view("bonus_due").copy(),
    }
    large = table.view("large")
    costs = (
        workers * ent.wage_cost_month
        + table.view("coaches") * ent.coach_cost_month
        + np.where(large, ent.overhead_large_month, ent.overhead_small_month) * table.view("overhead_share")
    )
    is_open = table.view("is_open")
    total_income = sum(income.values()) * is_open
    costs = costs * is_open
    table.view("income")[:] = total_income
    table.view("costs")[:] = costs
    table.view("reserve")[:] += total_income - costs
    expect_margin(table, total_income - costs, first=model.month == 1)
    table.view("bonus_due")[:] = 0.0
    table.view("workers")[:] = workers
    table.view("productivity")[:] = np.divide(output, workers, out=np.zeros(n), where=workers > 0)
    update_quality(model, workers, output)
    for name, amount in income.items():
        if name != "revenue":
            model.recorder.add(f"spending_{name}", float(amount[is_open].sum()))
    model.recorder.add("service_output", float(output.sum()))
    model.recorder.add("customer_revenue", float(income["revenue"][is_open].sum()))
    close_insolvent(model)


def client_demand(model: LabourMarketModel) -> np.ndarray:
    """Revenue per unit of output relative to serving only social clients at the starting price and quality.

    Dearer sells less (``demand_elasticity``); clients come back for quality and leave
    when it falls, relative to what they knew at the start (``quality_demand_effect``);
    the share of output sold to paying clients (the enterprise's client mix,
    ``market_share``) earns ``market_price_premium`` more per unit.
    """
    table, ent = model.enterprise_table, model.scenario.enterprises
    price = table.view("price") ** (1 - ent.demand_elasticity)
    quality = (table.view("quality") / np.maximum(table.view("quality_start"), 1e-9)) ** ent.quality_demand_effect
    return price * quality * (1 + ent.market_price_premium * table.view("market_share"))


#: Weight of the latest month in an enterprise's expected margin (exponential smoothing).
MARGIN_SMOOTHING = 0.2


def expect_margin(table: EnterpriseTable, net: np.ndarray, first: bool) -> None:
    """An enterprise's expectation of its monthly margin: smoothed past margins (adaptive expectations)."""
    margin = table.view("margin")
    margin[:] = net if first else (1 - MARGIN_SMOOTHING) * margin + MARGIN_SMOOTHING * net


def update_quality(model: LabourMarketModel, workers: np.ndarray, output: np.ndarray) -> None:
    """Quality index moves towards its target (see :func:`quality_target`) by ``quality_smoothing`` a month."""
    table = model.enterprise_table
    target = quality_target(model, output / (1 - table.view("training")))
    quality = table.view("quality")
    quality += model.scenario.enterprises.quality_smoothing * (target - quality) * table.view("is_open")


def close_insolvent(model: LabourMarketModel) -> None:
    """Close enterprises insolvent for longer than the grace period.

    Adaptive enterprises first hand their workers to solvent enterprises with room (a
    takeover: the workers stay in LDE, with their months); the others fall back.
    """
    table = model.enterprise_table
    insolvent = table.view("reserve") < 0
    months = table.view("insolvent_months")
    months[:] = np.where(insolvent & table.view("is_open"), months + 1, 0)
    closing = np.flatnonzero(months > model.scenario.enterprises.grace_months)
    model.recorder.add("workers_taken_over", 0)  # a column every month, takeovers or not
    model.recorder.add("enterprises_merged", 0)
    if closing.size == 0:
        return
    for row in closing.tolist():
        model.recorder.decided(model.month, row, "close", float(table.reserve[row]), "insolvent beyond the grace period")
    table.is_open[closing] = False
    table.closed_month[closing] = model.month
    table.workers[closing] = 0
    lde = model.people.in_status(LDE)
    leaving = lde[np.isin(model.people.enterprise[lde], closing)]
    if model.scenario.enterprises.adaptive:
        before = np.bincount(model.people.enterprise[leaving], minlength=table.n)
        left = hand_over(model, leaving)
        log_mergers(model, closing, before, np.bincount(model.people.enterprise[left], minlength=table.n))
        leaving = left
    fall_back(model, leaving, ENTERPRISE_CLOSED)


def log_mergers(model: LabourMarketModel, closing: np.ndarray, before: np.ndarray, left: np.ndarray) -> None:
    """A closing enterprise whose every worker was taken over is, in effect, merged into others."""
    merged = closing[(before[closing] > 0) & (left[closing] == 0)]
    for row in merged.tolist():
        model.recorder.decided(model.month, row, "merge", float(before[row]), "every worker taken over by other enterprises")
    model.recorder.add("enterprises_merged", merged.size)


def hand_over(model: LabourMarketModel, leaving: np.ndarray) -> np.ndarray:
    """Place the workers of closing enterprises in solvent open enterprises with room; return those left over.

    Room is an enterprise's wanted slots (``fill_target``) not yet filled; the seats are
    shuffled from their own random stream. Each receiving enterprise logs a takeover.
    """
    table, p = model.enterprise_table, model.people
    solvent = table.view("is_open") & (table.view("reserve") >= 0)
    room = np.where(solvent, np.minimum(table.view("slots"), table.view("fill_target")) - table.view("workers"), 0)
    seats = np.repeat(np.arange(table.n), room.clip(min=0))
    count = min(seats.size, leaving.size)
    if count == 0:
        return leaving
    seats = model.streams.generator("enterprise.takeover").permutation(seats)[:count]
    taken, left = leaving[:count], leaving[count:]
    p.enterprise[taken] = seats
    p.last_enterprise[taken] = seats
    received = np.bincount(seats, minlength=table.n)
    table.view("workers")[:] += received
    for row in np.flatnonzero(received).tolist():
        model.recorder.decided(model.month, row, "takeover", float(received[row]), "workers of a closing enterprise")
    model.recorder.add("workers_taken_over", count)
    return left
