"""Enterprise finances: the cloverleaf of income, the costs, reserves and closures.

Income of an open enterprise in a month (euro):
customer revenue (output x demand, see :func:`client_demand`: price, quality and clients;
output falls with training time and with workers released for a doorstroom trajectory), the wage subsidy
and guidance subsidy per worker (step schedules over the worker's months in LDE; after a change
of regime its sitting workers keep the old regime's payment as a temporary allowance, source
1.31: :func:`trajectory_payments`), the SINE leaf (phased out linearly from its start month; the
government may compensate a share of what is lost), the local governments' own leaf per worker
(an assumption, source 1.8), the Flemish operating subsidy they passed on in 2023-2025 (source
1.33: :func:`operating_subsidy`), and outcome bonuses.
Costs: wages of target-group workers, the coaches each enterprise has (its ``coaches``
column, the one source of truth that guidance also reads) and overhead.
An enterprise whose reserve stays negative for more than ``grace_months`` closes, and one
that stays below the minimum size of a recognition for a year stops (source 1.6: at least
5 FTE target-group workers on annual average); their workers are taken over where others
have room (a merger when all are) or fall back, keeping their LDE months.
Service quality follows occupancy and the productivity of the workforce.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..rules.scenario import NEVER, Policy, Schedule, schedule_values
from ..world.moves import fall_back
from ..world.people import ENTERPRISE_CLOSED, LDE, NO_PHASE
from ..world.service import productivity, quality_target

if TYPE_CHECKING:
    from ..world.agents import EnterpriseTable
    from ..world.model import LabourMarketModel


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
    sine_full = workers * ent.sine_share * ent.sine_allowance_month
    level = sine_level(policy, model.month)
    demand = client_demand(model)
    new_rules, sitting = trajectory_payments(model, lde)
    income = {
        # demand: price, quality and clients; activity: the share of its service it can sell
        "revenue": output * scenario.context.lde_activity * ent.revenue_per_output_month * demand,
        "wage_subsidy": np.bincount(where, weights=new_rules[0], minlength=n) * ent.reference_wage_month,
        "guidance_subsidy": np.bincount(where, weights=new_rules[1], minlength=n),
        "sine": sine_full * level,
        "sine_compensation": sine_full * (1 - level) * policy.sine_compensation_share,
        "local_government": workers * ent.local_contribution_month,
        "operating_subsidy": operating_subsidy(model),
        "sitting_allowance": np.bincount(where, weights=sitting[0] * ent.reference_wage_month + sitting[1], minlength=n),
        "outcome_bonus": table.view("bonus_due").copy(),
    }
    keep_references(model, workers, income["sine"])
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
    net = total_income - costs
    table.view("reserve")[:] += net
    expect_margin(table, net, first=model.month == 1)
    table.view("bonus_due")[:] = 0.0
    table.view("workers")[:] = workers
    table.view("productivity")[:] = np.divide(output, workers, out=np.zeros(n), where=workers > 0)
    update_quality(model, workers, output)
    record_income(model, income, is_open, output)
    close_insolvent(model)


def record_income(model: LabourMarketModel, income: dict[str, np.ndarray], is_open: np.ndarray, output: np.ndarray) -> None:
    """Record the open enterprises' income this month, leaf by leaf (EUR): the public leaves as
    ``spending_<leaf>``, then the service delivered (units) and the customer revenue.

    The leaves (about ten rows of a few hundred enterprises) are summed in one call. ``np.compress``
    keeps each leaf a contiguous row, so that each total is the sum of that leaf alone, to the bit
    (a boolean index would lay the rows out column by column and sum them in another order).
    """
    leaves = np.compress(is_open, np.array(list(income.values())), axis=1)
    totals = dict(zip(income, leaves.sum(axis=1).tolist()))
    revenue = totals.pop("revenue")
    for name, amount in totals.items():
        model.recorder.add(f"spending_{name}", amount)
    model.recorder.add("service_output", float(output.sum() * model.scenario.context.lde_activity))  # delivered
    model.recorder.add("customer_revenue", revenue)


#: Per worker: (wage share of the reference wage, guidance EUR a month).
Payments = tuple[np.ndarray, np.ndarray]


def trajectory_payments(model: LabourMarketModel, lde: np.ndarray) -> tuple[Payments, Payments]:
    """Each LDE worker's (wage share, guidance EUR) a month under the rules in force, and the same
    paid as the sitting workers' temporary allowance; each worker has one of the two, the other is 0.

    Source 1.31: the workers employed when a regime ended (spell begun by ``sitting_until_month``)
    keep the payment of their trajectory as a temporary allowance (not SINE) until it ends; new
    hires get the schedules in force (in the history, individueel maatwerk, source 1.28-1.29).
    Workers of an enterprise converted to collective maatwerk get its premiums (source 1.31).
    """
    p, policy = model.people, model.scenario.policy
    months_in = p.lde_months[lde] - 1
    wage = schedule_values(policy.wage_subsidy, months_in)
    guidance = schedule_values(policy.guidance_subsidy, months_in)
    converted = model.enterprise_table.view("converted")
    if converted.any():  # the premiums of collective maatwerk, once an enterprise has converted
        cmw = converted[p.enterprise[lde]]
        wage = np.where(cmw, policy.cmw_wage_subsidy, wage)
        guidance = np.where(cmw, policy.cmw_guidance_subsidy, guidance)
    keeps = is_sitting(model, lde)
    if not keeps.any():  # the usual month: no sitting worker, no allowance
        none = np.zeros(lde.size)
        return (wage, guidance), (none, none)
    keeps &= ~converted[p.enterprise[lde]]  # a converted enterprise's workers get its premiums instead
    old_wage, old_guidance = sitting_schedules(model)
    kept = (
        np.where(keeps, schedule_values(old_wage, months_in), 0.0),
        np.where(keeps, schedule_values(old_guidance, months_in), 0.0),
    )
    return (np.where(keeps, 0.0, wage), np.where(keeps, 0.0, guidance)), kept


def is_sitting(model: LabourMarketModel, rows: np.ndarray) -> np.ndarray:
    """Which of ``rows`` (LDE workers) are sitting workers of a regime that has ended (source 1.31)."""
    last = model.scenario.policy.sitting_until_month
    if last == NEVER or model.month <= last:
        return np.zeros(rows.size, dtype=bool)
    return model.month - model.people.months_in_status[rows] <= last


def sitting_schedules(model: LabourMarketModel) -> tuple[Schedule, Schedule]:
    """The trajectory payment the sitting workers keep: the policy's own schedules if it gives them,
    else those in force in the old regime's last month (the design's rules then, branch levers included)."""
    policy = model.scenario.policy
    if policy.sitting_until_month == NEVER:
        return policy.wage_subsidy, policy.guidance_subsidy
    before = model.timeline.rules_at(model.design, int(policy.sitting_until_month)).policy
    return (policy.sitting_wage_subsidy or before.wage_subsidy, policy.sitting_guidance_subsidy or before.guidance_subsidy)


#: The keys of the 2023 operating subsidy (source 1.33): SINE income in 2019, occupancy in Q4 2022.
SINE_REFERENCE = ("2019-01", "2019-12")
OCCUPANCY_REFERENCE = ("2022-10", "2022-12")
#: LDE workers of the baseline world, which stands for the Flemish sector (source 2.1: 2,559 in 2020).
FULL_SCALE_WORKERS = 2_500


def keep_references(model: LabourMarketModel, workers: np.ndarray, sine: np.ndarray) -> None:
    """Add this month's SINE income and occupied worker-months to each enterprise's keys, in their periods."""
    date, table = model.scenario.date(model.month), model.enterprise_table
    if SINE_REFERENCE[0] <= date <= SINE_REFERENCE[1]:
        table.view("sine_reference")[:] += sine * table.view("is_open")
    if OCCUPANCY_REFERENCE[0] <= date <= OCCUPANCY_REFERENCE[1]:
        table.view("occupancy_reference")[:] += workers * table.view("is_open")


def operating_subsidy(model: LabourMarketModel) -> np.ndarray:
    """Each enterprise's share of the Flemish operating subsidy this month (EUR; source 1.33).

    The year's budget (scaled to the world) is split once by fixed keys: ``werkingssubsidie_sine_part``
    by each enterprise's SINE income in 2019, the rest by its occupancy in Q4 2022; an enterprise that
    has closed gets nothing (its share is not redistributed). A run that does not cover a key's period
    uses the other key; one that covers neither shares by the workers of this month.
    """
    policy, table = model.scenario.policy, model.enterprise_table
    monthly = policy.werkingssubsidie_year / 12 * model.scenario.world.lde_workers / FULL_SCALE_WORKERS
    if monthly == 0:
        return np.zeros(table.n)
    keys = [table.view("sine_reference"), table.view("occupancy_reference")]
    if keys[0].sum() == 0 and keys[1].sum() == 0:
        keys = [np.bincount(model.people.enterprise[model.people.in_status(LDE)], minlength=table.n).astype(float)] * 2
    keys = [k / k.sum() if k.sum() > 0 else other / other.sum() for k, other in zip(keys, keys[::-1])]
    share = policy.werkingssubsidie_sine_part * keys[0] + (1 - policy.werkingssubsidie_sine_part) * keys[1]
    return monthly * share * table.view("is_open")


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


#: Months below the minimum size after which an enterprise loses its recognition (an annual average, source 1.6).
MIN_SIZE_MONTHS = 12


def close_insolvent(model: LabourMarketModel) -> None:
    """Close enterprises insolvent for longer than the grace period, and stop those below the
    minimum size for a year (:func:`below_minimum`).

    Adaptive enterprises first hand their workers to solvent enterprises with room (a
    takeover: the workers stay in LDE, with their months); the others fall back.
    """
    table = model.enterprise_table
    insolvent = table.view("reserve") < 0
    months = table.view("insolvent_months")
    months[:] = np.where(insolvent & table.view("is_open"), months + 1, 0)
    broke = months > model.scenario.enterprises.grace_months
    small = below_minimum(model) & ~broke
    closes = broke | small
    closing = np.flatnonzero(closes)
    model.recorder.add("workers_taken_over", 0)  # a column every month, takeovers or not
    model.recorder.add("enterprises_merged", 0)
    model.recorder.add("enterprises_stopped", np.count_nonzero(small))
    if closing.size == 0:
        return
    for row in closing.tolist():
        reason = "below the minimum size for a year" if small[row] else "insolvent beyond the grace period"
        model.recorder.decided(model.month, row, "close", float(table.reserve[row]), reason)
    table.is_open[closing] = False
    table.closed_month[closing] = model.month
    table.workers[closing] = 0
    lde = model.people.in_status(LDE)
    leaving = lde[closes[model.people.enterprise[lde]]]
    if model.scenario.enterprises.adaptive:
        before = np.bincount(model.people.enterprise[leaving], minlength=table.n)
        left = hand_over(model, leaving)
        log_mergers(model, closing, before, np.bincount(model.people.enterprise[left], minlength=table.n))
        leaving = left
    fall_back(model, leaving, ENTERPRISE_CLOSED)


def below_minimum(model: LabourMarketModel) -> np.ndarray:
    """Which open enterprises have had fewer workers than the minimum of a recognition (``world.min_slots``,
    source 1.6) for ``MIN_SIZE_MONTHS`` months in a row: they stop. Counts this month's workers."""
    table = model.enterprise_table
    small = table.view("is_open") & (table.view("workers") < model.scenario.world.min_slots)
    months = table.view("small_months")
    months[:] = np.where(small, months + 1, 0)
    return months >= MIN_SIZE_MONTHS


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
