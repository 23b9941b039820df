"""Referral ("indicering") and LDE hiring.

1. Eligible job seekers (long enough without work, far enough from the labour market,
   LDE months left, no other route) ask for a referral at a monthly rate. A request that
   waits ``queue_validity_months`` lapses: the person is taken up by other routes
   (``referral_requests_lapsed``). The intake rule (``referral_intake``, a named
   assumption: no source says what the service does when places are short) decides who
   joins the queue: with "within_validity" the service registers a request only while
   the queue holds fewer requests than it decides in ``queue_validity_months`` at its
   mean rate of the last 12 months (a request beyond that would lapse undecided); the
   others are refused and counted (``referral_requests_refused``: demand the queue does
   not show). With "open" every request joins and the queue is bounded only by lapsing.
2. The employment service decides requests, oldest first: as many as the LDE places
   that are free (plus ``ticket_reserve`` of them, so that enterprises can choose) minus
   the valid tickets, at most ``referral_capacity``; each decision is a ticket valid for
   ``ticket_validity_months``. With ``referral_rule = "fixed"`` it decides
   ``referral_capacity`` a month whatever the places, and requests never lapse.
3. Enterprises fill their open slots from the ticket holders. Selection is weighted by
   ``exp(strength x employability)`` (0 = random), drawn without replacement with the
   Gumbel-top-k method, so the most employable are preferred as strongly as set. Each
   enterprise selects with its own strength (when enterprises adapt; else one pooled
   ranking fills every enterprise's slots).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..world.agents import pressed
from ..world.moves import move
from ..world.people import HIRED_LDE, LDE, NO_ONE, NO_ROUTE, Population
from ..world.streams import dense_threshold

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel


@dataclass
class Referrals:
    """The employment service's books, kept as lists of rows so no month scans everyone.

    ``queue`` holds those waiting for a decision, oldest request first; ``tickets`` those
    with a valid referral. A person's ``queued_since`` and ``ticket_since`` are the
    truth: whoever leaves the jobless statuses has them cleared (see
    :func:`simulation.world.moves.move`) and is dropped from the lists when they are next read.
    """

    queue: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    tickets: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    #: Decisions of the latest months (at most 12), for the intake rule.
    decided: list[int] = field(default_factory=list)

    def recent_decisions(self, capacity: int) -> float:
        """Mean decisions a month over the latest 12 months (the capacity before any decision)."""
        recent = self.decided[-12:]
        return sum(recent) / len(recent) if recent else float(capacity)

    def remap(self, rows: np.ndarray) -> None:
        """Follow the people to their new rows after the population was compacted."""
        self.queue = rows[self.queue]
        self.tickets = rows[self.tickets]

    def current(self, people: Population) -> tuple[np.ndarray, np.ndarray]:
        """Queue and ticket holders, without those who have left them."""
        self.queue = self.queue[people.queued_since[self.queue] != NO_ONE]
        self.tickets = self.tickets[people.ticket_since[self.tickets] != NO_ONE]
        return self.queue, self.tickets


def referral(model: LabourMarketModel) -> None:
    """Requests join the queue, the employment service decides, enterprises hire."""
    request_referrals(model)
    decide_referrals(model)
    fill_lde_slots(model)


def request_referrals(model: LabourMarketModel) -> None:
    """Requests lapse, new requests are made, and the intake rule registers or refuses them."""
    p, policy, books = model.people, model.scenario.policy, model.referrals
    queue, _ = books.current(p)
    if policy.referral_rule == "managed":
        waited = model.month - p.queued_since[queue] >= policy.queue_validity_months
        p.queued_since[queue[waited]] = NO_ONE
        model.recorder.add("referral_requests_lapsed", np.count_nonzero(waited))
        queue = queue[~waited]
    asking = requests(model)
    room = intake_room(model, queue.size, asking.size)
    registered = asking
    if room < asking.size:  # the intake rule refuses some: which ones is a lottery
        lottery = np.argsort(model.streams.uniform("referral.intake", p.ids(asking)), kind="stable")
        registered = asking[np.sort(lottery[:room])]
    model.recorder.add("referral_requests", asking.size)
    model.recorder.add("referral_requests_refused", asking.size - registered.size)
    p.queued_since[registered] = model.month
    books.queue = np.concatenate([queue, registered])


def intake_room(model: LabourMarketModel, queued: int, asking: int) -> int:
    """How many of ``asking`` new requests the intake rule registers, with ``queued`` already waiting."""
    policy = model.scenario.policy
    if policy.referral_rule != "managed" or policy.referral_intake == "open":
        return asking
    decidable = policy.queue_validity_months * model.referrals.recent_decisions(policy.referral_capacity)
    return int(min(asking, max(np.floor(decidable) - queued, 0)))


def requests(model: LabourMarketModel) -> np.ndarray:
    """Rows of the eligible job seekers who ask for a referral this month.

    Everyone draws (the stream is one draw a person), but few draw below the rate (0.3% a
    month by default): eligibility is checked on those few rows, not over every column.
    """
    p, policy = model.people, model.scenario.policy
    limit = dense_threshold(np.float32(policy.referral_request_rate))  # compared as float32, as the draws once were
    drawn = np.flatnonzero(model.streams.uniform_steps("referral.request", p.view("id")) < limit)
    eligible = (
        (p.status[drawn] < LDE)  # jobless
        & (p.queued_since[drawn] == NO_ONE)
        & (p.ticket_since[drawn] == NO_ONE)
        & (p.jobless_months[drawn] >= policy.referral_min_jobless_months)
        & (p.employability[drawn] <= policy.referral_max_employability)
        & (p.lde_months[drawn] < min(policy.lde_limit, np.iinfo(np.int16).max))
        & (p.route[drawn] == NO_ROUTE)  # not on the work-care route or waiting for collective maatwerk
    )
    return drawn[eligible]


def decide_referrals(model: LabourMarketModel) -> None:
    p, policy, books = model.people, model.scenario.policy, model.referrals
    queue, tickets = books.current(p)
    expired = model.month - p.ticket_since[tickets] >= policy.ticket_validity_months
    p.ticket_since[tickets[expired]] = NO_ONE
    count = decisions_wanted(model, int((~expired).sum()))
    decided, books.queue = queue[:count], queue[count:]
    books.decided.append(decided.size)
    p.queued_since[decided] = NO_ONE
    p.ticket_since[decided] = model.month
    books.tickets = np.concatenate([tickets[~expired], decided])
    model.recorder.add("referrals_decided", decided.size)


def decisions_wanted(model: LabourMarketModel, tickets: int) -> int:
    """How many requests the employment service decides this month (see the module's step 2)."""
    policy, table = model.scenario.policy, model.enterprise_table
    if policy.referral_rule == "fixed":
        return policy.referral_capacity
    wanted = np.minimum(table.view("slots"), table.view("fill_target"))
    free = int(np.where(table.view("is_open"), wanted - table.view("workers"), 0).clip(min=0).sum())
    return int(min(policy.referral_capacity, max(np.ceil((1 + policy.ticket_reserve) * free) - tickets, 0)))


def fill_lde_slots(model: LabourMarketModel) -> None:
    """Enterprises fill the slots they want filled from the ticket holders (see :func:`select`);
    nobody is placed in the counterfactual twin (``policy.lde_placements = false``)."""
    p, table = model.people, model.enterprise_table
    lde = model.people.in_status(LDE)
    table.view("workers")[:] = np.bincount(p.enterprise[lde], minlength=table.n)
    if not model.scenario.policy.lde_placements:
        return
    wanted = np.minimum(table.view("slots"), table.view("fill_target"))  # an enterprise may leave slots empty
    free = np.where(table.view("is_open"), wanted - table.view("workers"), 0).clip(min=0)
    holders = model.referrals.tickets
    count = min(int(free.sum()), holders.size)
    if count == 0:
        return
    gumbel = -np.log(-np.log(model.streams.uniform("referral.selection", p.ids(holders)) + 1e-300))
    rng = model.streams.generator("referral.seats")
    if model.scenario.enterprises.adaptive:
        chosen, seats = select(model, holders, gumbel, free, rng)
    else:  # one pooled ranking, seats at random: the model before enterprises chose
        key = model.scenario.policy.creaming * p.employability[holders] + gumbel
        chosen = holders[np.argsort(-key, kind="stable")[:count]]
        seats = rng.permutation(np.repeat(np.arange(table.n), free))[:count]
    move(model, chosen, LDE, HIRED_LDE)
    p.entry_employability[chosen] = p.employability[chosen]  # the POP's starting point
    model.recorder.placed(model.month, p, chosen, table.large[seats])
    p.enterprise[chosen] = seats
    p.last_enterprise[chosen] = seats
    table.view("workers")[:] += np.bincount(seats, minlength=table.n)


def select(
    model: LabourMarketModel, holders: np.ndarray, gumbel: np.ndarray, free: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each enterprise with free slots, in a random order, picks its own: the top of
    ``selection x employability + Gumbel noise`` among the holders still free (Gumbel-top-k:
    drawn in proportion to exp(selection x employability)).

    Its selection strength is its own (:func:`selection_strength`): a pressed enterprise
    creams more, a mission-driven one less.
    """
    p, table = model.people, model.enterprise_table
    strength = selection_strength(model)
    employability = p.employability[holders]
    rankings: dict[float, Ranking] = {}  # few distinct strengths: each ranking is sorted once a month
    taken = [False] * holders.size
    picks: list[int] = []
    rows, counts = [], []
    for row in rng.permutation(np.flatnonzero(free)).tolist():
        ranking = rankings.get(strength[row])
        if ranking is None:
            ranking = rankings[strength[row]] = Ranking(np.argsort(-(strength[row] * employability + gumbel), kind="stable"))
        rows.append(row)
        counts.append(ranking.pick(taken, int(free[row]), picks))
        if len(picks) == holders.size:  # every holder is taken
            break
    table.view("selection")[:] = strength
    return holders[np.array(picks, dtype=np.intp)], np.repeat(rows, counts)


class Ranking:
    """The ticket holders (positions in ``holders``) in one selection strength's order of preference.

    A month's enterprises walk it once: everyone before ``cursor`` is taken, so each pick
    looks only at the holders not yet passed. Python lists, as the holders are few (about a
    hundred a month at full scale) and a NumPy call per enterprise would cost more.
    """

    def __init__(self, order: np.ndarray) -> None:
        self.order: list[int] = order.tolist()
        self.cursor = 0

    def pick(self, taken: list[bool], count: int, picks: list[int]) -> int:
        """Take the first ``count`` holders not yet ``taken`` (fewer if none are left), append them to
        ``picks``; return how many."""
        start = len(picks)
        while len(picks) - start < count and self.cursor < len(self.order):
            holder = self.order[self.cursor]
            self.cursor += 1
            if not taken[holder]:
                taken[holder] = True
                picks.append(holder)
        return len(picks) - start


def selection_strength(model: LabourMarketModel) -> np.ndarray:
    """How strongly each enterprise prefers employable candidates: the policy's ``creaming``,
    times 1 - spread for mission-driven enterprises and 1 + spread for the others (the mean
    stays the policy's when half are mission-driven), times 1 + ``creaming_pressure`` when
    the enterprise is under financial pressure (it needs productive workers)."""
    ent, table = model.scenario.enterprises, model.enterprise_table
    mission = np.where(table.view("mission_driven"), 1 - ent.creaming_spread, 1 + ent.creaming_spread)
    return model.scenario.policy.creaming * mission * (1 + ent.creaming_pressure * pressed(table))
