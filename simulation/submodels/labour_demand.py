"""Labour demand: the business cycle, ageing-driven shortage, vacancies and hiring bars."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..rules.scenario import Context
from ..world.agents import traineeship_offers

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel


def business_cycle(context: Context, month: int) -> float:
    """Relative deviation of labour demand from trend in ``month`` (0 on average)."""
    return context.cycle_amplitude * float(np.sin(2 * np.pi * month / context.cycle_period_months))


def demand_level(context: Context, month: int) -> float:
    """Vacancy inflow relative to month 0: shortage growth times the business cycle."""
    return (1 + context.shortage_growth_per_year) ** (month / 12) * (1 + business_cycle(context, month))


def labour_demand(model: LabourMarketModel) -> None:
    """New vacancies arrive (Poisson), others are filled from outside the pool or withdrawn."""
    table, context = model.employer_table, model.scenario.context
    rng = model.streams.generator("labour_demand.vacancies")
    vacancies = table.view("vacancies")
    vacancies += rng.poisson(table.view("vacancy_inflow") * demand_level(context, model.month))
    vacancies -= rng.binomial(vacancies, context.vacancy_outside_fill_rate)


def adjust_hiring_bars(model: LabourMarketModel) -> None:
    """Employers with vacancies left unfilled lower their bar step by step; others restore it."""
    table, employers = model.employer_table, model.scenario.employers
    bar, base = table.view("hiring_bar"), table.view("base_bar")
    pressure = table.view("vacancies") > employers.bar_pressure * table.view("vacancy_inflow")
    bar[:] = np.where(
        pressure, np.maximum(base - employers.bar_max_drop, bar - employers.bar_step), np.minimum(base, bar + employers.bar_step)
    )


def employer_decisions(model: LabourMarketModel) -> None:
    """Every regular employer decides its traineeship places: the rule of :meth:`NECEmployer.step`,
    on the whole table at once (the decisions are independent, so the order does not matter)."""
    table = model.employer_table
    table.view("traineeship_places")[:] = traineeship_offers(model.scenario, table.view("covenant"), table.view("vacancies"))
