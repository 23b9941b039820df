"""The ``[context]`` section of a scenario: exogenous uncertainties (inflow, shortage growth,
business cycle, benefit amounts).
"""

from __future__ import annotations

from .fields import MAX_MONTHS, Float, Int, Section, param


class Context(Section):
    """Exogenous context: inflow, labour demand, shortage growth and the business cycle."""

    lde_activity: Float = param(
        1.0,
        "share of normal activity",
        "S 1.22: during the 2020 lockdown about 29% of the sector's workers were active (26% early April, "
        "32% late April, 67% late May)",
        "Share of their normal service LDE enterprises can sell (1 normally); wages and subsidies are paid as "
        "usual (E: temporary unemployment is not modelled).",
        ge=0,
        le=1,
    )

    inflow_rate: Float = param(
        0.010,
        "persons per month per initial pool person",
        "E: keeps the pool roughly stable (S 4.1)",
        "Newly structurally unemployed entering per month, relative to the initial pool.",
        ge=0,
        le=1,
    )
    vacancy_inflow_rate: Float = param(
        0.030,
        "vacancies per month per initial pool person",
        "E, S 4.3: 42% of vacancies for low-educated",
        "New vacancies open to the pool per month, relative to the initial pool.",
        ge=0,
        le=10,
    )
    vacancy_outside_fill_rate: Float = param(
        0.60,
        "share per month",
        "E: competition from other job seekers",
        "Share of open vacancies filled by others or withdrawn each month.",
        ge=0,
        le=1,
    )
    shortage_growth_per_year: Float = param(
        0.02,
        "relative growth per year",
        "S 4.3: bottleneck occupations 188 (2020) to 234 (2023); E",
        "Yearly growth of vacancy inflow driven by ageing.",
        ge=-0.5,
        le=0.5,
    )
    cycle_amplitude: Float = param(
        0.10, "relative", "E", "Amplitude of the business cycle on vacancies (and, reversed, on inflow).", ge=0, le=0.9
    )
    cycle_period_months: Int = param(96, "months", "E: an 8-year cycle", "Length of one business cycle.", ge=2, le=MAX_MONTHS)
    unemployment_benefit_month: Float = param(
        1_100.0,
        "EUR per person-month",
        "S 4.4: forfait ~EUR 1,031 single; E",
        "Unemployment benefit paid per person-month.",
        ge=0,
        le=1_000_000,
    )
    social_assistance_month: Float = param(
        1_288.0,
        "EUR per person-month",
        "S 4.4: leefloon single, May 2024",
        "Social assistance (leefloon) paid per person-month.",
        ge=0,
        le=1_000_000,
    )
    gross_wage_month: Float = param(
        1_994.0,
        "EUR per person-month",
        "S 7.5: the guaranteed minimum monthly wage, 1 November 2023",
        "Gross wage of a job held by someone of the pool (LDE, collective maatwerk or regular), for the ledger.",
        ge=0,
        le=1_000_000,
    )
    employer_contribution_rate: Float = param(
        0.25,
        "share of the gross wage",
        "E 7.5: employer labour cost about 1.25-1.30 times the gross wage",
        "Employer social contributions, a federal revenue (target-group reductions are not modelled).",
        ge=0,
        le=1,
    )
    employee_contribution_rate: Float = param(
        0.1307,
        "share of the gross wage",
        "E: the Belgian employee social contribution rate (13.07%), before the low-wage work bonus",
        "Employee social contributions, a federal revenue.",
        ge=0,
        le=1,
    )
    income_tax_rate: Float = param(
        0.10,
        "share of the gross wage",
        "E: an effective personal income tax at about the minimum wage",
        "Personal income tax on wages, a federal revenue.",
        ge=0,
        le=1,
    )
    leefloon_federal_share: Float = param(
        0.60,
        "share",
        "E: the federal refund of the leefloon to the municipality's OCMW (55-70% by the municipality's size)",
        "Share of social assistance the federal government pays; the municipality pays the rest.",
        ge=0,
        le=1,
    )
