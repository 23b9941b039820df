"""Initialisation (ODD "Details: initialisation"): the world at month 0.

- The structurally unemployed pool: ages, education and employability drawn from the
  scenario's distributions; unemployed (with some benefit months left) or on social
  assistance; without work for ``world.initial_jobless_months``, with the erosion of
  employability those months gave them.
- LDE enterprises: small neighbourhood services and large proximity services with
  lognormal numbers of slots; a cash reserve of a few months of costs.
- LDE workers: drawn like the pool (eroded by the joblessness they came from), placed in
  slots, with their tenure spread evenly over the first five years and the employability
  that learning gave them; the months that count against the limit start on 1 April 2015,
  when the decree took effect (sources 1.3, 1.17): a worker sitting then had used none.
- NEC employers: ``employers_per_sector`` per sector, each with its share of the
  vacancy inflow, the sector's hiring bar, and open vacancies at their steady level.
- Collective maatwerk workers: ``world.maatwerk_workers`` people drawn like the pool,
  in maatwerk for up to five years already (the places are full at the start).

All draws come from the run's seed through named streams of month 0.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from ..rules.scenario import NO_LIMIT_MONTHS, Scenario, months_between
from .agents import ACTIVITIES, LDEEnterprise, NECEmployer
from .people import LDE, MAATWERK, ROUTE_MAATWERK, SOCIAL_ASSISTANCE, UNEMPLOYED, read_only
from .service import productivity, quality_target

if TYPE_CHECKING:
    from .model import LabourMarketModel

AGE_BANDS = ((18.0, 35.0), (35.0, 50.0), (50.0, 65.0))
_BAND_LOW, _BAND_HIGH = np.array(AGE_BANDS).T
#: The decree of 22 November 2013 took effect on 1 April 2015 (source 1.3): the five-year
#: clock of the workers sitting then starts on that date (source 1.17).
DECREE_START = "2015-04"


def draw_profiles(scenario: Scenario, rng: np.random.Generator, count: int) -> dict[str, np.ndarray]:
    """Age (years), education (0-2) and employability (0-1) of ``count`` new people."""
    world = scenario.world
    band = categories(rng, world.age_band_shares, count)
    low = _BAND_LOW[band]
    high = np.minimum(_BAND_HIGH[band], scenario.people.retirement_age)
    age = low + rng.random(count) * np.maximum(high - low, 0)
    education = categories(rng, world.education_shares, count)
    a, b = world.employability_beta
    employability = rng.beta(a, b, size=count) + world.education_employability_bonus * education
    return {"age": age, "education": education, "employability": np.clip(employability, 0.0, 1.0)}


def categories(rng: np.random.Generator, shares: list[float], count: int) -> np.ndarray:
    """``count`` categories (0, 1, ...) drawn with probabilities ``shares``: the inverse of their
    cumulative distribution at uniform draws, which is how ``rng.choice(len(shares), count, p=shares)``
    draws them (the same numbers from the same stream, tested), without its checks of ``shares``
    on every call: the scenario has checked them once."""
    return cumulative_shares(tuple(shares)).searchsorted(rng.random(count), side="right")


@functools.lru_cache(maxsize=64)
def cumulative_shares(shares: tuple[float, ...]) -> np.ndarray:
    """The cumulative distribution of ``shares``, scaled to end at 1 (read-only); kept, since the
    same few lists of shares are drawn from every month."""
    cdf = np.cumsum(shares)
    cdf /= cdf[-1]
    return read_only(cdf)


def schedule_inactivity(model: LabourMarketModel, rows: np.ndarray) -> None:
    """Draw when each new person will leave the labour force (besides retirement).

    A constant monthly hazard h gives a geometric waiting time: month of entry + k with
    P(k) = (1 - h)^(k - 1) h. Drawing it once at entry is the same in distribution as a
    monthly coin flip, and costs nothing in later months.
    """
    hazard = model.scenario.people.inactivity_hazard
    u = model.streams.lifetime("demography.inactivity", model.people.ids(rows))
    if hazard <= 0:
        wait = np.full(rows.size, NO_LIMIT_MONTHS)
    elif hazard >= 1:
        wait = np.ones(rows.size)
    else:
        wait = np.maximum(1, np.ceil(np.log1p(-u) / np.log1p(-hazard)))
    model.people.inactivity_month[rows] = np.minimum(model.month + wait, NO_LIMIT_MONTHS)


def add_jobless(model: LabourMarketModel, rng: np.random.Generator, count: int, jobless_months: np.ndarray | int) -> np.ndarray:
    """Add ``count`` structurally unemployed people; return their rows."""
    scenario = model.scenario
    on_assistance = rng.random(count) < scenario.world.initial_social_assistance_share
    limit = scenario.policy.benefit_limit
    drawn = rng.integers(1, limit + 1, size=count)  # drawn either way, so the stream stays the same
    benefit_left = np.where(on_assistance, 0, drawn if limit < NO_LIMIT_MONTHS else limit)
    status = np.where(on_assistance, SOCIAL_ASSISTANCE, UNEMPLOYED).astype(np.int8)
    profiles = draw_profiles(scenario, rng, count)
    profiles["employability"] = eroded(scenario, profiles["employability"], jobless_months)
    rows = model.people.add(
        count,
        status=status,
        benefit_left=benefit_left,
        jobless_months=jobless_months,
        months_in_status=jobless_months,
        **profiles,
    )
    schedule_inactivity(model, rows)
    return rows


def eroded(scenario: Scenario, employability: np.ndarray, jobless_months: np.ndarray | int) -> np.ndarray:
    """Employability after ``jobless_months`` of the erosion the model applies every jobless
    month (ODD 7.3), so that the people of month 0 are as the model's own dynamics would have
    left them, not fresher than those who will join them."""
    if not scenario.world.initial_erosion:
        return employability
    return employability * (1 - scenario.people.employability_decay) ** np.asarray(jobless_months)


def add_enterprises(model: LabourMarketModel, rng: np.random.Generator) -> None:
    """LDE enterprises with slots, coaches, reserves; one :class:`LDEEnterprise` agent each.

    Their sizes are scaled so that the slots hold ``world.lde_workers`` at ``initial_occupancy``."""
    world = model.scenario.world
    count = world.enterprises
    large = rng.random(count) < world.large_enterprise_share
    size = slot_draws(model, rng, large)
    size *= world.lde_workers / world.initial_occupancy / size.sum()
    create_enterprises(model, rng, large, size, model.streams.generator("enterprises.traits"))


def slot_draws(model: LabourMarketModel, rng: np.random.Generator, large: np.ndarray) -> np.ndarray:
    """Lognormal sizes (slots, not yet rounded) of new enterprises of each size class."""
    world = model.scenario.world
    mean = np.where(large, world.large_slots_mean, world.small_slots_mean)
    return rng.lognormal(np.log(mean) - world.slots_sigma**2 / 2, world.slots_sigma)


def create_enterprises(
    model: LabourMarketModel, rng: np.random.Generator, large: np.ndarray, size: np.ndarray, traits: np.random.Generator
) -> np.ndarray:
    """Add enterprises of the given size class and size (slots) to the table, with agents; return their rows."""
    world, ent, policy = model.scenario.world, model.scenario.enterprises, model.scenario.policy
    count = large.size
    slots = np.maximum(world.min_slots, np.round(size)).astype(np.int32)
    coaches = slots / policy.coaching_ratio
    monthly_costs = (
        slots * ent.wage_cost_month
        + coaches * ent.coach_cost_month
        + np.where(large, ent.overhead_large_month, ent.overhead_small_month)
    )
    table = model.enterprise_table
    rows = table.add(
        count,
        large=large,
        slots=slots,
        fill_target=slots,
        coaches=coaches,
        training=policy.training_effort,
        market_share=np.where(large, ent.market_share_large, ent.market_share_small),
        activity=rng.integers(len(ACTIVITIES), size=count),
        reserve=ent.initial_reserve_months * monthly_costs,
        transition_rate=ent.expected_transition_rate,
        entered_month=model.month,
        **enterprise_traits(model, count, traits),
    )
    for row in rows.tolist():
        LDEEnterprise(model, table, row)
    return rows


def enterprise_traits(model: LabourMarketModel, count: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """How each enterprise decides: its aspiration (months of costs) and whether it is mission-driven.

    Drawn from their own stream (``rng``), so that adding them changed no other draw.
    """
    ent = model.scenario.enterprises
    low, high = ent.aspiration_months
    return {
        "aspiration": low + (high - low) * rng.random(count),
        "mission_driven": rng.random(count) < ent.mission_driven_share,
    }


def add_lde_workers(model: LabourMarketModel, rng: np.random.Generator) -> None:
    """Fill slots with the initial LDE workers, part-way through their trajectories."""
    scenario = model.scenario
    table = model.enterprise_table
    seats = np.repeat(np.arange(table.n), table.view("slots"))
    count = min(scenario.world.lde_workers, seats.size)
    enterprise = rng.permutation(seats)[:count]
    tenure = rng.integers(0, min(scenario.policy.lde_limit, 60), size=count)
    profiles = draw_profiles(scenario, rng, count)
    low, high = scenario.world.initial_jobless_months  # the joblessness they came from, as the pool's
    came_from = model.streams.generator("initial_joblessness").integers(low, high + 1, size=count)
    profiles["employability"] = eroded(scenario, profiles["employability"], came_from)
    ceiling = scenario.people.employability_ceiling
    learned = 1 - (1 - scenario.people.learning_rate_lde) ** tenure
    profiles["employability"] = profiles["employability"] + (ceiling - profiles["employability"]) * learned
    rows = model.people.add(
        count,
        status=np.full(count, LDE, dtype=np.int8),
        enterprise=enterprise,
        last_enterprise=enterprise,
        lde_months=counted_months(scenario, tenure),
        months_in_status=tenure,
        experience=tenure,
        **profiles,
    )
    schedule_inactivity(model, rows)
    table.workers[: table.n] = np.bincount(enterprise, minlength=table.n)
    output = np.bincount(enterprise, weights=productivity(model, rows), minlength=table.n)
    table.quality[: table.n] = quality_target(model, output)
    table.quality_start[: table.n] = table.quality[: table.n]


def counted_months(scenario: Scenario, tenure: np.ndarray) -> np.ndarray:
    """The months of ``tenure`` that count against the time limit at month 0: only those since the
    decree took effect (``DECREE_START``, sources 1.3 and 1.17), so that nobody sitting in April 2015
    reaches five years before April 2020 (the first terms ended then: source 1.22)."""
    since_decree = max(0, months_between(DECREE_START, scenario.start))
    return np.minimum(tenure, since_decree)


def add_maatwerk_workers(model: LabourMarketModel, rng: np.random.Generator) -> None:
    """The people of the pool in collective maatwerk at month 0: drawn like the pool, on a maatwerk advice."""
    count = model.scenario.world.maatwerk_workers
    if count == 0:
        return
    tenure = rng.integers(0, 60, size=count)
    rows = model.people.add(
        count,
        status=np.full(count, MAATWERK, dtype=np.int8),
        route=np.full(count, ROUTE_MAATWERK, dtype=np.int8),
        months_in_status=tenure,
        experience=tenure,
        **draw_profiles(model.scenario, rng, count),
    )
    schedule_inactivity(model, rows)


def add_employers(model: LabourMarketModel) -> None:
    """NEC employers per sector, with covenants and vacancies at their steady level."""
    scenario = model.scenario
    emp, ctx = scenario.employers, scenario.context
    table = model.employer_table
    for code, (name, sector) in enumerate(emp.sectors.items()):
        n = emp.employers_per_sector
        inflow = ctx.vacancy_inflow_rate * scenario.world.pool_size * sector.vacancy_share / n
        steady = np.round(inflow / max(ctx.vacancy_outside_fill_rate, 0.05))
        table.add(
            n,
            sector=code,
            covenant=covenants(scenario, name, n),
            vacancy_inflow=inflow,
            vacancies=steady,
            hiring_bar=sector.hiring_bar,
            base_bar=sector.hiring_bar,
            job_quality=sector.job_quality,
        )
    for row in range(table.n):
        NECEmployer(model, table, row)


def covenants(scenario: Scenario, sector: str, employers: int) -> np.ndarray:
    """Which of a sector's employers have signed a covenant: the first ``covenant_coverage`` share
    of them in a covenant sector."""
    policy = scenario.policy
    if sector not in policy.covenant_sectors or policy.covenant_coverage <= 0:
        return np.zeros(employers, dtype=bool)
    return np.arange(employers) < round(policy.covenant_coverage * employers)


def sign_covenants(model: LabourMarketModel) -> None:
    """Covenants by the rules in force (after a dated change): new signatories are tied to every
    enterprise from now on; an employer that leaves keeps the ties it has."""
    table, names = model.employer_table, model.sector_names
    per_sector = model.scenario.employers.employers_per_sector
    signed = np.concatenate([covenants(model.scenario, name, per_sector) for name in names])
    new = signed & ~table.view("covenant")
    table.view("covenant")[:] = signed
    model.ties.sign_covenants(new)


def build_world(model: LabourMarketModel) -> None:
    """Fill the model's (empty) tables of people, enterprises and employers for month 0."""
    scenario = model.scenario
    rng = model.streams.generator("initialisation")
    low, high = scenario.world.initial_jobless_months
    add_jobless(model, rng, scenario.world.pool_size, rng.integers(low, high + 1, size=scenario.world.pool_size))
    add_enterprises(model, rng)
    add_lde_workers(model, rng)
    add_employers(model)
    add_maatwerk_workers(model, rng)  # last: the people drawn before do not depend on it
