"""Scenario files: every parameter of the model, its unit, default and source.

A scenario is a TOML file validated with pydantic. Its sections follow the XLRM framing
of exploratory modelling:

- ``[world]``: the initial state and structure (how many people, enterprises, employers);
- ``[people]``: behaviour of job seekers and workers (the model's relations, calibrated);
- ``[enterprises]``: the economics of LDE enterprises;
- ``[employers]``: the regular (NEC) labour market's employers by sector;
- ``[context]``: exogenous uncertainties (inflow, shortage growth, business cycle);
- ``[policy]``: the levers a government or sector can pull.

This module is the schema: every section and field, the dated changes of the timeline,
and each parameter's role. Reading files (``extends``, branches, ``--set`` overrides)
and the error messages are in :mod:`simulation.scenario_files`; the generated
``docs/parameters.md`` in :mod:`simulation.parameter_docs`. Errors name the file, the
field, the value and what is allowed (:class:`ScenarioError`); the command line turns
them into exit code 2. Sources refer to items of ``docs/sources.md`` (``S`` sourced,
``E`` estimate, ``U`` sector note).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import tomli_w
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import LDEError

UNLIMITED = "unlimited"
NEVER = "never"
#: Internal stand-in for "no limit" in month arithmetic (far beyond any horizon).
NO_LIMIT_MONTHS = 1_000_000


def refuse_non_numbers(value: Any) -> Any:
    """``true``/``false`` and text are not numbers (pydantic would read ``true`` as 1 and ``"5000"`` as 5000)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    if isinstance(value, str):
        hint = " (write the number without quotes)" if _looks_numeric(value) else ""
        raise ValueError(f"expected a number, got the text {value!r}{hint}")
    return value


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


#: Numbers in scenario files: never a boolean or text, and a float is never infinite or NaN
#: (``allow_inf_nan=False`` on every section).
Int = Annotated[int, BeforeValidator(refuse_non_numbers)]
Float = Annotated[float, BeforeValidator(refuse_non_numbers)]
#: Longest horizon, limit or duration in months: 100 years. Keeps every month count
#: far inside the int16 arrays that hold months (at most 32,767).
MAX_MONTHS = 1200
Months = Annotated[Int, Field(ge=1, le=MAX_MONTHS)] | Literal["unlimited"]
StartMonth = Annotated[Int, Field(ge=0, le=MAX_MONTHS)] | Literal["never"]


#: A calendar month, ``YYYY-MM`` (years 1990 to 2100).
YearMonth = Annotated[str, Field(pattern=r"^(199\d|20\d\d|2100)-(0[1-9]|1[0-2])$")]
_MONTH = r"(199\d|20\d\d|2100)-(0[1-9]|1[0-2])"
#: A calendar window ``YYYY-MM:YYYY-MM`` (both months included), or ``all``: the whole run.
Window = Annotated[str, Field(pattern=rf"^(all|{_MONTH}:{_MONTH})$")]


def months_between(start: str, date: str) -> int:
    """Months from calendar month ``start`` to ``date`` (both ``YYYY-MM``): 0 for the same month."""
    (y0, m0), (y1, m1) = (map(int, d.split("-")) for d in (start, date))
    return (y1 - y0) * 12 + (m1 - m0)


def date_of(start: str, month: int) -> str:
    """The calendar month ``month`` months after ``start`` (``YYYY-MM``)."""
    y0, m0 = map(int, start.split("-"))
    total = y0 * 12 + (m0 - 1) + month
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


class ScenarioError(LDEError):
    """A scenario file or override that cannot be used; the message says where and why."""


def param(default: Any, unit: str, source: str, description: str, **bounds: Any) -> Any:
    """A documented parameter: pydantic field with unit and source kept for the docs."""
    return Field(default, description=description, json_schema_extra={"unit": unit, "source": source}, **bounds)


class Section(BaseModel):
    """Base of every scenario section: unknown keys are errors, values are immutable, numbers finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)


Schedule = list[tuple[Int, Float]]
#: Largest value of a step schedule (a share of the wage or euros a month).
MAX_SCHEDULE_VALUE = 1_000_000


def check_schedule(steps: Schedule) -> Schedule:
    """A step schedule: ``[[from_month, value], ...]`` starting at month 0, increasing."""
    if not steps:
        raise ValueError("needs at least one step [0, value]")
    months = [m for m, _ in steps]
    if months[0] != 0:
        raise ValueError(f"the first step must start at month 0, not {months[0]}")
    if any(b <= a for a, b in zip(months, months[1:])):
        raise ValueError(f"step months must increase strictly, got {months}")
    if months[-1] > MAX_MONTHS or len(steps) > MAX_MONTHS:
        raise ValueError(f"step months must be at most {MAX_MONTHS}, with at most {MAX_MONTHS} steps")
    if any(not 0 <= v <= MAX_SCHEDULE_VALUE for _, v in steps):
        raise ValueError(f"step values must be between 0 and {MAX_SCHEDULE_VALUE:,}")
    return steps


def schedule_values(steps: Schedule, months: np.ndarray) -> np.ndarray:
    """Value of a step schedule for each element of ``months`` (months into the trajectory)."""
    starts = np.array([m for m, _ in steps])
    values = np.array([v for _, v in steps], dtype=np.float64)
    return values[np.searchsorted(starts, months, side="right") - 1]


class World(Section):
    """Initial state and size of the simulated world."""

    pool_size: Int = param(
        100_000,
        "persons",
        "U (BRIEF): > 100,000 structurally unemployed in Flanders",
        "Structurally unemployed job seekers at month 0 (unemployed or on social assistance).",
        ge=100,
        le=20_000_000,
    )
    initial_social_assistance_share: Float = param(
        0.40,
        "share",
        "S 4.1: 37,000 of 61,500 long-term WZW on benefit",
        "Share of the initial pool on social assistance (leefloon) rather than unemployment benefit.",
        ge=0,
        le=1,
    )
    lde_workers: Int = param(
        2_500, "persons", "S 2.1: 2,559 LDE workers in 2020", "Target-group workers in LDE at month 0.", ge=0, le=1_000_000
    )
    maatwerk_workers: Int = param(
        150,
        "persons",
        "E: as policy.maatwerk_places (the places are full at the start)",
        "People of the pool in collective maatwerk at month 0.",
        ge=0,
        le=1_000_000,
    )
    enterprises: Int = param(
        200, "enterprises", "S 2.1: 204 LDE initiatives in 2018", "LDE enterprises at month 0.", ge=1, le=100_000
    )
    large_enterprise_share: Float = param(
        0.20,
        "share",
        "E 7.7: ~20% large proximity services",
        "Share of enterprises that are large proximity services (nabijheidsdiensten); the rest are small neighbourhood services.",
        ge=0,
        le=1,
    )
    small_slots_mean: Float = param(
        7.5,
        "slots",
        "E 2.1: mean 12-18 persons per initiative overall",
        "Mean target-group slots of a small neighbourhood service, before scaling to initial_occupancy.",
        ge=1,
        le=10_000,
    )
    large_slots_mean: Float = param(
        35.0,
        "slots",
        "E 7.7: large services >= 30",
        "Mean target-group slots of a large proximity service, before scaling to initial_occupancy.",
        ge=1,
        le=10_000,
    )
    initial_occupancy: Float = param(
        0.95,
        "share of slots",
        "E: waiting lists exist (BRIEF: referral is a bottleneck)",
        "Share of slots filled at month 0; slots are scaled so that lde_workers fill this share.",
        gt=0,
        le=1,
    )
    slots_sigma: Float = param(
        0.35, "log-units", "E: lognormal spread of sizes", "Standard deviation of log slots within a size class.", ge=0, le=2
    )
    min_slots: Int = param(
        5, "slots", "S 1.6: at least 5 FTE target-group workers", "Minimum target-group slots of an enterprise.", ge=1, le=10_000
    )
    age_band_shares: list[Float] = param(
        [0.28, 0.35, 0.37],
        "shares of ages 18-34, 35-49, 50-64",
        "S 2.1: SE ages 2020",
        "Age distribution of the pool and of new entrants (uniform within a band).",
    )
    education_shares: list[Float] = param(
        [0.70, 0.25, 0.05],
        "shares of low, medium, high",
        "E, S 2.1: > 8/10 of SE workers low-skilled",
        "Education distribution of the pool and of new entrants.",
    )
    employability_beta: tuple[Float, Float] = param(
        (2.0, 5.0),
        "Beta(a, b)",
        "E: mean 0.29, few near the hiring bar",
        "Distribution of employability (0 = furthest from work, 1 = job-ready) at entry.",
    )
    education_employability_bonus: Float = param(
        0.05, "employability per education level", "E", "Employability added per education level above low.", ge=0, le=0.5
    )
    initial_jobless_months: tuple[Int, Int] = param(
        (24, 120),
        "months (low, high)",
        "S 4.1: structural = more than 2 years",
        "Months without work of the initial pool, uniform between the bounds.",
    )
    initial_erosion: bool = param(
        True,
        "switch",
        "R: the people of month 0 carry the erosion (employability_decay) of the joblessness they come from, "
        "as those who join later do; false: fresh draws, as before 2026-11-29",
        "Whether the initial pool and LDE workers start with eroded employability.",
    )

    @field_validator("age_band_shares", "education_shares")
    @classmethod
    def _shares(cls, v: list[float]) -> list[float]:
        if len(v) != 3 or any(s < 0 for s in v) or abs(sum(v) - 1) > 1e-6:
            raise ValueError(f"needs three non-negative shares adding up to 1, got {v}")
        return v

    @field_validator("employability_beta")
    @classmethod
    def _beta(cls, v: tuple[float, float]) -> tuple[float, float]:
        if min(v) <= 0:
            raise ValueError(f"both Beta parameters must be > 0, got {list(v)}")
        return v

    @field_validator("initial_jobless_months")
    @classmethod
    def _jobless(cls, v: tuple[int, int]) -> tuple[int, int]:
        if not 0 <= v[0] <= v[1] <= MAX_MONTHS:
            raise ValueError(f"needs 0 <= low <= high <= {MAX_MONTHS}, got {list(v)}")
        return v


class People(Section):
    """Behaviour of job seekers and workers: search, learning, separation, exits."""

    search_rate_unemployed: Float = param(
        0.10,
        "probability per month",
        "E: set by the calibration of 2026-11 on the long-term job finding of 2023 (source 3.5), now an "
        "out-of-sample check; a free parameter of the calibration (calibration/plausible.csv)",
        "Chance that an unemployed person applies for a regular job in a month.",
        ge=0,
        le=1,
    )
    search_rate_social_assistance: Float = param(
        0.08,
        "probability per month",
        "E: slightly below the unemployed",
        "Chance that a person on social assistance applies in a month.",
        ge=0,
        le=1,
    )
    search_rate_lde: Float = param(
        0.038,
        "probability per month",
        "calibrated (docs/calibration.md): plausible mean 0.038, with the 10%/year LDE transition (U 3.1)",
        "Chance that an LDE worker applies in a month at the reference coaching ratio (lock-in: below the unemployed).",
        ge=0,
        le=1,
    )
    search_rate_maatwerk: Float = param(
        0.008,
        "probability per month",
        "calibrated to U 3.1: about 3% a year of collective maatwerk workers move to a regular job",
        "Chance that a worker in collective maatwerk applies for a regular job in a month.",
        ge=0,
        le=1,
    )
    exhaustion_search_response: Float = param(
        0.20,
        "relative increase",
        "S 4.7: Card, Chetty & Weber 2007: the re-employment hazard rises about 20% at benefit exhaustion (the "
        "exit from the register by over 200%); E for the range 0-0.5",
        "Extra job search of the unemployed in the last exhaustion_window_months before their benefit ends.",
        ge=0,
        le=5,
    )
    exhaustion_window_months: Int = param(
        3,
        "months",
        "E: the hazard rises in the months just before exhaustion (S 4.7)",
        "Months before the end of an unemployment benefit over which job search is raised.",
        ge=0,
        le=24,
    )
    limit_search_ramp_months: Int = param(
        12,
        "months",
        "S 1.17, 1.21: transition is prepared in the final phase",
        "Months before the time limit over which search intensity rises.",
        ge=1,
        le=60,
    )
    limit_search_multiplier: Float = param(
        2.5, "ratio", "E", "Search intensity at the time limit relative to an LDE worker far from it.", ge=1, le=10
    )
    hiring_softness: Float = param(
        0.05, "employability", "E", "Spread of the logistic acceptance curve around the hiring bar.", gt=0, le=1
    )
    older_worker_acceptance: Float = param(
        0.40,
        "ratio",
        "S 3.5: 6% of 50+ vs 18% of all at work after 9 months",
        "Acceptance chance of applicants aged 50 or more relative to younger ones.",
        ge=0,
        le=1,
    )
    learning_rate_lde: Float = param(
        0.0016,
        "share of gap per month",
        "calibrated (docs/calibration.md): plausible mean 0.0016, identified by the effect pattern (S 5.2-5.3, 3.4)",
        "Monthly employability gain in LDE as a share of the gap to the ceiling, at reference coaching and no training.",
        ge=0,
        le=1,
    )
    learning_rate_nec: Float = param(
        0.01,
        "share of gap per month",
        "E",
        "Monthly employability gain in a regular job as a share of the gap to the ceiling.",
        ge=0,
        le=1,
    )
    employability_ceiling: Float = param(0.90, "employability", "E", "Upper bound reached by learning.", gt=0, le=1)
    employability_decay: Float = param(
        0.003,
        "share per month",
        "E: scarring by long unemployment",
        "Monthly relative loss of employability while unemployed or on social assistance.",
        ge=0,
        le=1,
    )
    training_effect: Float = param(
        5.0,
        "relative learning per unit of training effort",
        "E",
        "Learning multiplier is 1 + training_effect x training_effort.",
        ge=0,
        le=100,
    )
    separation_hazard_early: Float = param(
        0.053,
        "probability per month",
        "S 3.3 via E 7.4: 72% still at work after 6 months",
        "Monthly separation risk in a regular job in months 1-6.",
        ge=0,
        le=1,
    )
    separation_hazard_mid: Float = param(
        0.022,
        "probability per month",
        "S 3.3 via E 7.4: 48% after 24 months",
        "Monthly separation risk in months 7-24.",
        ge=0,
        le=1,
    )
    separation_hazard_late: Float = param(
        0.010, "probability per month", "E", "Monthly separation risk after month 24.", ge=0, le=1
    )
    separation_employability_effect: Float = param(
        1.0,
        "relative risk per unit employability below 0.5",
        "E 7.4: target group x1.2-1.5",
        "Separation risk multiplier is 1 + effect x (0.5 - employability), at least 0.2.",
        ge=0,
        le=5,
    )
    lde_dismissal_hazard: Float = param(
        0.004,
        "probability per month",
        "E 7.2: early exits 0.008-0.012 incl. sickness",
        "Monthly chance that an LDE (or collective maatwerk) worker is dismissed or quits (to unemployment).",
        ge=0,
        le=1,
    )
    inactivity_hazard: Float = param(
        0.003,
        "probability per month",
        "E 7.2: sickness, invalidity, other",
        "Monthly chance of leaving the labour force (besides retirement).",
        ge=0,
        le=1,
    )
    retirement_age: Float = param(65.0, "years", "S: legal pension age", "Age at which people retire (inactive).", ge=50, le=75)
    benefit_qualifying_months: Int = param(
        12,
        "months",
        "E: simplified Belgian entitlement rules",
        "Months of work in a spell that earn a fresh unemployment benefit entitlement.",
        ge=1,
        le=60,
    )


class Sector(Section):
    """One sector of the regular labour market."""

    vacancy_share: Float = param(
        0.2, "share", "S 4.3 sector mix of VDAB vacancies, E", "Share of accessible vacancies in this sector.", ge=0, le=1
    )
    hiring_bar: Float = param(0.4, "employability", "E", "Employability the sector's employers ask for at the start.", ge=0, le=1)
    job_quality: Float = param(
        1.0,
        "relative separation risk",
        "E: workable work lowers separation",
        "Multiplier on the separation risk in this sector (below 1 = more workable work).",
        gt=0,
        le=5,
    )


DEFAULT_SECTORS = {
    "care": Sector(vacancy_share=0.25, hiring_bar=0.45, job_quality=1.0),
    "logistics": Sector(vacancy_share=0.20, hiring_bar=0.40, job_quality=1.1),
    "cleaning_services": Sector(vacancy_share=0.30, hiring_bar=0.32, job_quality=1.2),
    "industry": Sector(vacancy_share=0.15, hiring_bar=0.50, job_quality=0.9),
    "hospitality": Sector(vacancy_share=0.10, hiring_bar=0.36, job_quality=1.4),
}


class Employers(Section):
    """Regular (NEC) employers: sectors, their hiring bars and how the bars adapt."""

    employers_per_sector: Int = param(
        10, "employers", "E: each stands for a group of firms", "NEC employer agents per sector.", ge=1, le=1000
    )
    sectors: dict[str, Sector] = param(
        DEFAULT_SECTORS,
        "table",
        "S 4.3, E",
        "Sectors by name, each with vacancy_share, hiring_bar and job_quality.",
        max_length=50,
    )
    bar_step: Float = param(
        0.005, "employability per month", "E", "How far an employer lowers (or restores) its hiring bar in a month.", ge=0, le=0.2
    )
    bar_max_drop: Float = param(0.15, "employability", "E", "How far below its starting level a hiring bar can fall.", ge=0, le=1)
    bar_pressure: Float = param(
        0.15,
        "months of vacancy inflow",
        "E",
        "An employer lowers its bar while its open vacancies exceed this many months of its vacancy inflow.",
        gt=0,
        le=100,
    )
    traineeship_share: Float = param(
        0.05,
        "share of open vacancies",
        "E: S 1.21 says the traineeship is on a real vacancy; no figure on how many are offered",
        "Share of its open vacancies an employer offers as traineeship places for doorstroom trajectories.",
        ge=0,
        le=1,
    )
    covenant_traineeship_factor: Float = param(
        3.0,
        "multiplier",
        "E: a sector covenant commits employers to traineeships",
        "How many times more traineeship places an employer with a covenant offers.",
        ge=0,
        le=100,
    )
    tie_step: Float = param(
        0.25,
        "share",
        "E: ties as in the literature on employer engagement (assumption)",
        "How far a tie between an LDE enterprise and an employer moves towards 1 with a traineeship or a lasting "
        "hire, and towards 0 with a failed traineeship or an early separation.",
        ge=0,
        le=1,
    )
    tie_retention_effect: Float = param(
        0.30,
        "relative reduction",
        "E: a hire through a known contact lasts longer (assumption)",
        "Reduction of the separation risk of a hire through a tie of strength 1 (proportional to the strength).",
        ge=0,
        le=1,
    )

    @field_validator("sectors")
    @classmethod
    def _sectors(cls, v: dict[str, Sector]) -> dict[str, Sector]:
        if not v:
            raise ValueError("needs at least one sector")
        total = sum(s.vacancy_share for s in v.values())
        if abs(total - 1) > 1e-6:
            raise ValueError(f"vacancy_share of the sectors must add up to 1, got {total:.4f}")
        return v


class Enterprises(Section):
    """Economics of LDE enterprises: the cloverleaf of income and the costs."""

    wage_cost_month: Float = param(
        2_500.0,
        "EUR per worker-month",
        "S 4.4 minimum wage EUR 1,994 x 1.25 (E 7.5)",
        "Employer labour cost of a target-group worker.",
        ge=0,
        le=1_000_000,
    )
    reference_wage_month: Float = param(
        2_500.0, "EUR per month", "E: capped reference wage", "Wage to which wage-subsidy shares apply.", ge=0, le=1_000_000
    )
    revenue_per_output_month: Float = param(
        1_500.0,
        "EUR per unit output",
        "E: client prices of local services",
        "Customer revenue per unit of output (a fully productive worker makes 1 unit a month).",
        ge=0,
        le=1_000_000,
    )
    productivity_base: Float = param(0.30, "output units", "E", "Output of a worker with employability 0.", ge=0, le=1)
    productivity_slope: Float = param(
        0.70, "output units per unit employability", "E", "Extra output per unit of employability.", ge=0, le=1
    )
    task_learning_gain: Float = param(
        0.25,
        "output units",
        "E: job-specific skill (Becker 1964): learning the enterprise's own tasks raises output, not the chance "
        "of a regular job, which is why a calibrated learning of employability can be small while the work gets done",
        "Extra output a worker reaches with tenure in his LDE job, on top of what his employability gives.",
        ge=0,
        le=1,
    )
    task_learning_months: Float = param(
        24.0,
        "months",
        "E",
        "Time constant of task learning: the extra output is gain x (1 - exp(-tenure / months)).",
        gt=0,
        le=600,
    )
    coach_cost_month: Float = param(4_500.0, "EUR per coach-month", "E", "Cost of one full-time coach.", ge=0, le=1_000_000)
    reference_coaching_ratio: Float = param(
        12.0, "workers per coach", "E", "Coaching ratio at which learning and search run at their base rates.", gt=0, le=1_000
    )
    overhead_small_month: Float = param(
        1_500.0, "EUR per enterprise-month", "E", "Fixed overhead of a small service.", ge=0, le=1_000_000
    )
    overhead_large_month: Float = param(
        4_000.0, "EUR per enterprise-month", "E", "Fixed overhead of a large service.", ge=0, le=1_000_000
    )
    initial_reserve_months: Float = param(3.0, "months of costs", "E", "Cash reserve at month 0.", ge=0, le=100_000)
    grace_months: Int = param(6, "months", "E", "Months an enterprise may stay insolvent before it closes.", ge=0, le=120)
    sine_share: Float = param(
        0.60,
        "share of workers",
        "S 1.39: 85% (2015) to 54% (2020)",
        "Share of LDE workers whose SINE leaf is paid while SINE runs in full.",
        ge=0,
        le=1,
    )
    sine_allowance_month: Float = param(
        500.0,
        "EUR per SINE worker-month",
        "? 1.40: about EUR 500",
        "SINE work allowance and contribution reduction per SINE worker.",
        ge=0,
        le=1_000_000,
    )
    local_contribution_month: Float = param(
        360.0,
        "EUR per worker-month",
        "E: the cloverleaf has a local leaf (S 1.8) but no source gives its amount; an assumption, a free "
        "parameter of the calibration (prior 0-600). The history assumes local governments keep paying it after "
        "2023, as the 2023 note asked them to respect existing partnerships (S 1.33)",
        "The local governments' own leaf of the cloverleaf, per occupied slot.",
        ge=0,
        le=1_000_000,
    )
    quality_demand_effect: Float = param(
        0.2,
        "elasticity",
        "E: clients of local services stay for quality (assumption; no figure found; 0.5 doubles the "
        "closures under the SINE cut)",
        "Revenue rises by this elasticity with service quality relative to the quality at month 0.",
        ge=0,
        le=10,
    )
    market_share_small: Float = param(
        0.1,
        "share of output",
        "E: small neighbourhood services serve mostly vulnerable households (assumption)",
        "Share of a small neighbourhood service's output sold to paying clients at market prices at month 0.",
        ge=0,
        le=1,
    )
    market_share_large: Float = param(
        0.5,
        "share of output",
        "E: large proximity services also sell to firms and better-off households (assumption)",
        "Share of a large proximity service's output sold to paying clients at market prices at month 0.",
        ge=0,
        le=1,
    )
    market_price_premium: Float = param(
        0.3,
        "share",
        "E (assumption)",
        "How much more a paying client pays per unit of output than a social client.",
        ge=0,
        le=10,
    )
    market_share_max: Float = param(
        0.6,
        "share of output",
        "S 1.7: the recognised services meet local needs (a service of general economic interest); E for the cap",
        "Largest share of output an enterprise may sell to paying clients.",
        ge=0,
        le=1,
    )
    quality_smoothing: Float = param(
        0.2, "share per month", "E", "How fast the service quality index follows occupancy and productivity.", gt=0, le=1
    )
    adaptive: bool = param(
        True,
        "switch",
        "rule",
        "Enterprises respond to financial pressure (coaches, prices, hiring, local support, takeovers) before they "
        "close; false gives fixed enterprises that only close.",
    )
    aspiration_months: tuple[Float, Float] = param(
        (0.5, 2.0),
        "months of costs (low, high)",
        "E: satisficing aspiration (sources 6.1, 6.2), uniform across enterprises",
        "Reserve an enterprise aspires to keep; it acts when it expects to fall below it within a year.",
    )
    mission_driven_share: Float = param(
        0.5,
        "share of enterprises",
        "E: social-economy enterprises weigh their mission differently",
        "Share of enterprises that protect coaching and cut it last under pressure (the others cut it first).",
        ge=0,
        le=1,
    )
    coach_cut_step: Float = param(
        0.10, "share of coaches", "E", "Share of its coaches an enterprise lets go in one month of pressure.", ge=0, le=1
    )
    max_coaching_ratio: Float = param(
        24.0, "workers per coach", "E", "Fewest coaches an enterprise keeps: one per this many slots.", gt=0, le=1_000
    )
    price_step: Float = param(0.05, "share", "E", "Price rise in one month of pressure.", ge=0, le=1)
    overhead_floor: Float = param(
        0.7,
        "share of overhead",
        "E: staff functions can be shared or trimmed, not abolished",
        "Lowest share of its overhead an enterprise can cut down to under pressure (10% a month).",
        ge=0,
        le=1,
    )
    price_cap: Float = param(
        1.30, "price index", "E", "Highest price relative to the start (clients are mostly local, often poor).", ge=1, le=10
    )
    demand_elasticity: Float = param(
        0.5,
        "elasticity",
        "E: local services for low-income clients (source 1.10)",
        "Share of a price rise lost in demand: revenue grows with price^(1 - elasticity).",
        ge=0,
        le=1,
    )
    local_support_probability: Float = param(
        0.5,
        "probability",
        "E: local social policy (sector note)",
        "Chance a municipality grants an enterprise's request.",
        ge=0,
        le=1,
    )
    local_support_months: Float = param(
        6.0,
        "months of deficit",
        "E",
        "A granted local support covers this many months of the enterprise's deficit.",
        ge=0,
        le=120,
    )
    local_support_interval: Int = param(
        12, "months", "E", "Months between two requests of one enterprise for local support.", ge=1, le=1200
    )

    push_max: Float = param(
        1.0,
        "relative search",
        "E: doorstroom effort (sector note, challenge 2)",
        "Most extra job search an enterprise can give its workers (time off, job matching, traineeships): "
        "their search rate is multiplied by 1 + push.",
        ge=0,
        le=10,
    )
    bonus_paid_expected: Float = param(
        0.7,
        "probability",
        "E: an enterprise's expectation that an outcome bonus is paid (assumption, range 0.4-0.9); of the "
        "order of the retention in source 3.3, which is a calibration target and sets no parameter",
        "Chance an enterprise expects a transition to earn the outcome bonus (still in a regular job a year later).",
        ge=0,
        le=1,
    )
    pressure_discount: Float = param(
        0.5,
        "weight",
        "E: a bonus paid a year later weighs less for an enterprise that expects to fall short within the year "
        "(assumption; range 0.2-1)",
        "Weight an enterprise under financial pressure gives the outcome bonus when it decides how hard to push.",
        ge=0,
        le=1,
    )
    expected_transition_rate: Float = param(
        0.0087,
        "per worker-month",
        "U 3.1: about 10% of LDE workers a year move to a regular job (E 7.2: 1 - 0.9^(1/12))",
        "An enterprise's expectation of its workers' moves to regular jobs at the start; then its own experience.",
        ge=0,
        le=1,
    )
    entry_rate: Float = param(
        0.01,
        "new enterprises a year per enterprise at the start",
        "E: new LDE recognitions were possible until 1 July 2023 (S 1.5); no source gives how many a year "
        "(assumption, range 0-0.05)",
        "Expected new initiatives a year, as a share of the enterprises at month 0, while policy.new_recognitions.",
        ge=0,
        le=1,
    )
    mission_value: Float = param(
        0.0,
        "EUR per transition",
        "E: assumption to vary; 0 keeps the calibrated transition rate",
        "What a transition is worth to a mission-driven enterprise beyond any outcome bonus.",
        ge=0,
        le=10_000_000,
    )
    push_output_cost: Float = param(
        0.15,
        "share of output per unit push",
        "E: workers released for search and traineeships do not produce",
        "Output an enterprise loses per unit of push.",
        ge=0,
        le=1,
    )

    creaming_spread: Float = param(
        0.5,
        "share",
        "E: mission-driven enterprises take on those furthest from work (sector note)",
        "Selection strength is the policy's creaming x (1 - this) for mission-driven enterprises, x (1 + this) for the others.",
        ge=0,
        le=1,
    )
    creaming_pressure: Float = param(
        0.5,
        "share",
        "E: a pressed enterprise needs productive workers",
        "Extra selection strength of an enterprise under financial pressure: x (1 + this).",
        ge=0,
        le=10,
    )

    @field_validator("aspiration_months")
    @classmethod
    def _aspiration(cls, v: tuple[float, float]) -> tuple[float, float]:
        if not 0 <= v[0] <= v[1] <= 120:
            raise ValueError(f"needs 0 <= low <= high <= 120, got {list(v)}")
        return v


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


class Policy(Section):
    """The levers: time limit, subsidies, guidance, training, SINE, covenants, aftercare, referral."""

    max_lde_months: Months = param(60, "months or 'unlimited'", "S 1.17: 5 years", "Maximum months in LDE across spells.")
    extension_rule: Literal["none", "evaluation"] = param(
        "evaluation",
        "rule",
        "S 1.17: exceptionally a 6th year; E",
        "'evaluation': at the limit, workers with employability >= extension_min_employability "
        "get an extension with probability extension_probability; 'none': never.",
    )
    extension_months: Int = param(12, "months", "S 1.17: at most 6 years", "Length of an extension.", ge=0, le=12)
    extension_probability: Float = param(
        0.12,
        "probability",
        "E 7.1: 10% of the cohort (range 5-20%)",
        "Chance that an eligible worker gets the extension.",
        ge=0,
        le=1,
    )
    extension_min_employability: Float = param(
        0.45,
        "employability",
        "E: VDAB judges a transition within reach",
        "Employability needed to be eligible for an extension.",
        ge=0,
        le=1,
    )
    wage_subsidy: Schedule = param(
        [(0, 0.45)],
        "[[from month, share of reference wage]]",
        "gap 1.24; E (IMW analogue S 1.28)",
        "Wage subsidy by months into the worker's LDE trajectory.",
    )
    guidance_subsidy: Schedule = param(
        [(0, 400.0)],
        "[[from month, EUR per worker-month]]",
        "E; IMW analogue S 1.29",
        "Guidance subsidy by months into the worker's LDE trajectory.",
    )
    coaching_ratio: Float = param(
        12.0, "workers per coach", "E", "Target-group slots per coach an enterprise employs.", gt=0, le=100
    )
    training_effort: Float = param(
        0.05, "share of working time", "E", "Time LDE workers spend in training (no output).", ge=0, le=0.5
    )
    sine_phaseout_start_month: StartMonth = param(
        "never", "month or 'never'", "S 1.37-1.38", "Month from which the SINE leaf is phased out."
    )
    sine_phaseout_months: Int = param(
        24,
        "months",
        "S 1.38: existing SINE ends within 2 years",
        "Months over which the SINE leaf falls linearly to zero.",
        ge=1,
        le=MAX_MONTHS,
    )
    sine_compensation_share: Float = param(
        0.0, "share", "lever", "Share of the lost SINE leaf the Flemish government pays instead.", ge=0, le=1
    )
    covenant_sectors: list[str] = param(
        ["care", "logistics", "cleaning_services"],
        "sector names",
        "E 7.7: bottleneck sectors",
        "Sectors in which sector covenants can be signed.",
    )
    covenant_coverage: Float = param(
        0.0, "share of employers", "lever", "Share of employers in covenant sectors that have signed a covenant.", ge=0, le=1
    )
    covenant_cost_month: Float = param(
        250.0,
        "EUR per trainee-month",
        "E: the on-the-job training support a covenant promises, priced as a training premium (an assumption to vary)",
        "Flemish public cost of each month of a covenant hire's on-the-job training (the ledger's spending_covenant).",
        ge=0,
        le=1_000_000,
    )
    covenant_bar_reduction: Float = param(
        0.10,
        "employability",
        "E 7.7: x1.2-1.5 on transition",
        "How much lower a covenant employer sets its bar for candidates coming from LDE.",
        ge=0,
        le=1,
    )
    covenant_training_rate: Float = param(
        0.02,
        "share of gap per month",
        "E",
        "Extra learning of covenant hires from LDE in their first 12 months (on-the-job training).",
        ge=0,
        le=1,
    )
    aftercare_months: Int = param(
        3, "months", "S 1.21: nazorg up to 3 months", "Months of aftercare after a move from LDE to a regular job.", ge=0, le=60
    )
    aftercare_effect: Float = param(
        0.30, "relative reduction", "E 7.4: 20-40%", "Reduction of the separation risk during aftercare.", ge=0, le=1
    )
    aftercare_cost_month: Float = param(150.0, "EUR per person-month", "E", "Public cost of aftercare.", ge=0, le=1_000_000)
    referral_capacity: Int = param(
        100,
        "persons per month",
        "E 7.7: steady LDE hiring ~40/month",
        "Referral decisions (indicering) the employment service can make in a month at most.",
        ge=0,
        le=1_000_000,
    )
    referral_rule: Literal["managed", "fixed"] = param(
        "managed",
        "rule",
        "E: a waiting list as an employment service manages one",
        "'managed': decisions follow the LDE places that are free (plus ticket_reserve), requests lapse "
        "after queue_validity_months and intake follows referral_intake; 'fixed': referral_capacity decisions "
        "every month and a queue that only grows (the model before the queue was managed).",
    )
    ticket_reserve: Float = param(
        1.0,
        "share of free places",
        "E: enterprises choose among more candidates than places",
        "Valid tickets the employment service keeps beyond the free LDE places (1 = two tickets a place).",
        ge=0,
        le=100,
    )
    queue_validity_months: Int = param(
        12,
        "months",
        "E: a request not decided within a year lapses (the person is taken up by other routes)",
        "Months a referral request waits at most.",
        ge=1,
        le=MAX_MONTHS,
    )
    referral_intake: Literal["within_validity", "open"] = param(
        "within_validity",
        "rule",
        "E (named assumption, docs/ODD.md): the employment service does not register a request it cannot decide "
        "before the request would lapse; the refused requests are counted (referral_requests_refused)",
        "'within_validity': a request is refused at intake when the queue already holds as many requests as the "
        "service decides in queue_validity_months (at its mean rate of the last 12 months); 'open': every request "
        "is registered and those not decided in time lapse.",
    )
    referral_request_rate: Float = param(
        0.003,
        "probability per month",
        "E",
        "Chance that an eligible job seeker asks for (or is proposed for) an LDE referral.",
        ge=0,
        le=1,
    )
    referral_min_jobless_months: Int = param(
        12, "months", "S 1.12: at least a year registered", "Months without work needed for eligibility.", ge=0, le=MAX_MONTHS
    )
    referral_max_employability: Float = param(
        0.60,
        "employability",
        "S 1.11: a distance to the labour market",
        "Employability above which a job seeker is not eligible for LDE.",
        ge=0,
        le=1,
    )
    ticket_validity_months: Int = param(
        12, "months", "E", "Months a referral stays valid without a placement.", ge=1, le=MAX_MONTHS
    )
    creaming: Float = param(
        5.0,
        "log-weight per unit employability",
        "E",
        "How strongly enterprises prefer more employable candidates (0 = random).",
        ge=0,
        le=50,
    )
    sitting_until_month: StartMonth = param(
        "never",
        "month or 'never'",
        "S 1.31: the LDE workers employed on 30 June 2023 keep a temporary allowance (tijdelijke vergoeding, "
        "not SINE) for the rest of their trajectory",
        "The last month of an old regime ('never': no change of regime). Workers whose LDE spell began at or "
        "before it are its sitting workers: after it they keep the trajectory payment (wage and guidance "
        "subsidy) of the old regime as a temporary allowance, while new hires get the schedules in force.",
    )
    sitting_wage_subsidy: Schedule | None = param(
        None,
        "[[from month, share of reference wage]] or none",
        "S 1.31: the sitting workers keep their trajectory payment",
        "Wage part of the sitting workers' allowance by months into the trajectory; none: the wage_subsidy "
        "schedule in force in month sitting_until_month (in the history: the LDE payment).",
    )
    sitting_guidance_subsidy: Schedule | None = param(
        None,
        "[[from month, EUR per worker-month]] or none",
        "S 1.31: the sitting workers keep their trajectory payment",
        "Guidance part of the sitting workers' allowance; none: the guidance_subsidy schedule in force in "
        "month sitting_until_month.",
    )
    werkingssubsidie_year: Float = param(
        0.0,
        "EUR per year for the Flemish sector",
        "S 1.33: an annual operating subsidy (werkingssubsidie) of EUR 10,396,129 for local governments with "
        "complementary local services, July 2023 to 31 December 2025",
        "Flemish operating subsidy passed on by the local governments to their LDE enterprises; scaled to the "
        "model's world by world.lde_workers / 2,500 (the baseline world is the Flemish sector).",
        ge=0,
        le=1_000_000_000,
    )
    werkingssubsidie_sine_part: Float = param(
        0.48,
        "share",
        "S 1.33: about EUR 5.0 M of 10.4 M by 50% of each enterprise's 2019 SINE budget, 5.3 M by occupancy in "
        "the last quarter of 2022",
        "Share of the operating subsidy distributed by each enterprise's SINE income in 2019; the rest by its "
        "occupied worker-months in October-December 2022.",
        ge=0,
        le=1,
    )
    new_recognitions: bool = param(
        True,
        "rule",
        "S 1.5: no new LDE recognitions since 1 July 2023",
        "Whether new LDE enterprises can be recognised (enter, at enterprises.entry_rate).",
    )
    cmw_conversion: bool = param(
        False,
        "rule",
        "S 1.31: under the 2023 rules an LDE enterprise could convert to collective maatwerk",
        "Whether an enterprise under pressure may convert to collective maatwerk (CMW) before it closes; "
        "a converted enterprise keeps operating, with the CMW premiums below.",
    )
    cmw_wage_subsidy: Float = param(
        0.40,
        "share of reference wage",
        "S 1.31: sitting workers get a temporary WOP 40 (laag)",
        "Wage premium per worker of a converted enterprise.",
        ge=0,
        le=1,
    )
    cmw_guidance_subsidy: Float = param(
        400.0,
        "EUR per worker-month",
        "E: the fixed part per head of the CMW guidance premium (S 1.27; amounts not found)",
        "Guidance premium per worker of a converted enterprise.",
        ge=0,
        le=1_000_000,
    )
    outcome_bonus: Float = param(
        0.0,
        "EUR per sustainable transition",
        "lever",
        "Paid to the sending enterprise when a former worker is still in a regular job 12 months after the move.",
        ge=0,
        le=10_000_000,
    )
    end_evaluation: bool = param(
        True,
        "rule",
        "S 1.20: the employment service evaluates the worker before the end of the trajectory",
        "Whether the evaluation before the end routes workers (collective maatwerk, internal doorstroom, "
        "doorstroom trajectory, work-care); false: everyone at the limit without a job falls back.",
    )
    evaluation_lead_months: Int = param(
        10,
        "months before the limit",
        "E: so that the 10-month doorstroom trajectory (S 1.21) fits before the limit",
        "When the evaluation takes place.",
        ge=0,
        le=MAX_MONTHS,
    )
    work_care_max_employability: Float = param(
        0.35,
        "employability",
        "S 1.16: the work-care route is for people too far from work; E for the threshold",
        "Below this employability the evaluation advises the work-care route.",
        ge=0,
        le=1,
    )
    evaluation_judgement_spread: Float = param(
        0.05,
        "employability",
        "E (range 0.02-0.10): the mentor's and the employment service's judgement of a worker's distance to work "
        "(S 1.18, 1.20) is an assessment, not a measurement",
        "Scale of the judgement error: the evaluation compares employability plus a logistic error of this scale "
        "with its thresholds, so the chance of each advice is logistic in employability, not a cut.",
        ge=0,
        le=1,
    )
    pop_min_progress: Float = param(
        0.02,
        "employability",
        "E (range 0-0.05): the yearly POP (S 1.18) records progress; work-care is for those for whom paid work is "
        "unclear (S 1.14), which progress contradicts",
        "A worker whose employability rose by at least this much since his LDE placement is not advised work-care "
        "on his employability (the health criterion still applies).",
        ge=0,
        le=1,
    )
    work_care_places: Int = param(
        200,
        "persons",
        "S 2.1: 2,202 people in work-care (arbeidszorg) in all Flemish social economy in 2020; E (range 100-1,100) "
        "for the part the model's pool can reach",
        "Places on the work-care route for people of the pool; those advised wait (and search) when they are full.",
        ge=0,
        le=1_000_000,
    )
    work_care_review_months: Int = param(
        12,
        "months",
        "E (range 6-24): work-care and W2 trajectories (S 1.16) are reviewed; no interval found",
        "Months after which a work-care route (held or awaited) is reviewed; a person no longer judged too far "
        "from work returns to search and referral.",
        ge=1,
        le=MAX_MONTHS,
    )
    maatwerk_review_months: Int = param(
        60,
        "months",
        "S 1.25, 1.30: a collective maatwerk support package is valid at most 5 years and adjustable after a VDAB "
        "evaluation",
        "Months in collective maatwerk after which (and every such period again) the worker is re-evaluated; "
        "one no longer judged to need support is kept on a regular contract or joins the doorstroom trajectory's "
        "waiting list.",
        ge=1,
        le=MAX_MONTHS,
    )
    work_care_health_months: Int = param(
        12,
        "months",
        "E: a health proxy (the person's scheduled departure from the labour force for sickness or invalidity)",
        "A worker due to leave the labour force within this many months is advised the work-care route.",
        ge=0,
        le=MAX_MONTHS,
    )
    maatwerk_max_employability: Float = param(
        0.55,
        "employability",
        "S 1.20: a worker who still needs support gets a collective maatwerk advice; E for the threshold",
        "Below this employability (and above the work-care threshold) the evaluation advises collective maatwerk.",
        ge=0,
        le=1,
    )
    maatwerk_older_age: Float = param(
        58.0,
        "years",
        "E: close to pension a move to a regular job is rarely asked",
        "From this age the evaluation advises collective maatwerk whatever the employability.",
        ge=15,
        le=100,
    )
    maatwerk_places: Int = param(
        150,
        "persons",
        "E: the part of the about 23,000 collective maatwerk places (S 2.1) that the model's pool can reach",
        "Places in collective maatwerk for people of the pool; advised people wait when they are full.",
        ge=0,
        le=1_000_000,
    )
    internal_doorstroom_share: Float = param(
        0.10,
        "probability",
        "S 1.20: the employer may keep the worker (interne doorstroom); E for how often",
        "Chance that an enterprise not under financial pressure keeps a worker who needs no more support on a regular contract.",
        ge=0,
        le=1,
    )
    doorstroom_trajectories_month: Int = param(
        10,
        "trajectories per month",
        "E: capacity of the mandated providers (S 1.21)",
        "Doorstroom trajectories that can start in a month; evaluated workers beyond it get no trajectory.",
        ge=0,
        le=1_000_000,
    )
    doorstroom_trajectory_cost: Float = param(
        8_400.0,
        "EUR per trajectory",
        "S 1.21: about 140 hours of guidance; E: EUR 60 an hour",
        "Public cost of one doorstroom trajectory (paid when it starts).",
        ge=0,
        le=10_000_000,
    )
    matching_months: Int = param(
        3, "months", "S 1.21: job matching up to 3 months", "Longest search for a traineeship place.", ge=1, le=24
    )
    matching_success: Float = param(
        0.5,
        "probability per month",
        "E: finding a traineeship on a real vacancy (S 1.21)",
        "Chance that the provider finds a free traineeship place for a worker in a month of matching.",
        ge=0,
        le=1,
    )
    traineeship_months: Int = param(
        3, "months", "S 1.21: a traineeship of up to 3 months", "Length of a traineeship.", ge=1, le=24
    )
    traineeship_bar_reduction: Float = param(
        0.0,
        "employability",
        "E: none by default (the model's trainees are already hired about 75% of the time; E 7.2 guesses 35-50%)",
        "How much lower an employer sets its bar for a trainee it has seen at work.",
        ge=0,
        le=1,
    )
    benefit_duration_months: Months = param(
        UNLIMITED,
        "months or 'unlimited'",
        "S 4.4: unlimited in time (2024); the 2025 reform limits it to ~2 years",
        "Months of unemployment benefit before social assistance.",
    )
    lde_placements: bool = param(
        True,
        "switch",
        "-: the counterfactual twin of lde-sim evaluate",
        "Whether enterprises fill open slots from referrals; false places nobody in LDE during the run "
        "(those in LDE at month 0 stay until they leave).",
    )
    benefit_reform_month: StartMonth = param(
        "never",
        "month or 'never'",
        "S 4.6: the federal limit on unemployment benefits from 2026",
        "Month from which the federal limit applies: new claims 12 months plus 1 per 4 months worked, at most "
        "24 (55+ with 30 years of work: unlimited); existing claimants lose their benefit in phases.",
    )

    benefit_notice_months: Int = param(
        3,
        "months",
        "E: claimants were told by letter in the autumn of 2025 when their benefit would end (S 4.6.2 gives the "
        "dates, not the letters)",
        "Months before the federal limit comes in at which existing claimants learn when their benefit ends "
        "(their job search responds from then: people.exhaustion_search_response).",
        ge=0,
        le=24,
    )

    @field_validator("wage_subsidy", "guidance_subsidy", "sitting_wage_subsidy", "sitting_guidance_subsidy")
    @classmethod
    def _schedules(cls, v: Schedule | None) -> Schedule | None:
        return v if v is None else check_schedule(v)

    @property
    def lde_limit(self) -> int:
        """Maximum LDE months as a number (:data:`NO_LIMIT_MONTHS` when unlimited)."""
        return NO_LIMIT_MONTHS if self.max_lde_months == UNLIMITED else int(self.max_lde_months)

    @property
    def benefit_limit(self) -> int:
        """Benefit duration as a number (:data:`NO_LIMIT_MONTHS` when unlimited)."""
        return NO_LIMIT_MONTHS if self.benefit_duration_months == UNLIMITED else int(self.benefit_duration_months)


class Change(Section):
    """One dated change: from ``date`` on, the parameter ``key`` (dotted) takes ``value``."""

    date: YearMonth
    key: str = Field(min_length=1, max_length=200)
    value: bool | int | float | str | list[Any]


#: Parameters set once at month 0 (the world, the firms' traits, the sectors): a dated
#: change of them could not act, so the timeline refuses them.
SET_AT_START = (
    "world.",
    "employers.sectors",
    "employers.employers_per_sector",
    "enterprises.aspiration_months",
    "enterprises.mission_driven_share",
    "enterprises.initial_reserve_months",
    "enterprises.market_share_small",
    "enterprises.market_share_large",
)
TIMELINE_SECTIONS = ("people.", "enterprises.", "employers.", "context.", "policy.")


class Scenario(Section):
    """A whole scenario: the model's parameters, validated. Load one with :meth:`load`."""

    name: str = param("scenario", "text", "-", "Short name, used in output folders and tables.", min_length=1, max_length=100)
    description: str = param("", "text", "-", "What this scenario represents, in plain words.")
    months: Int = param(180, "months", "BRIEF: 15-year horizon", "Simulated months (one step is one month).", ge=1, le=MAX_MONTHS)
    start: YearMonth = param(
        "2015-04", "year-month", "S 1.3: the 2013 decree took effect on 1 April 2015", "Calendar month of month 0."
    )
    branch: YearMonth | None = param(
        None,
        "year-month",
        "-",
        "Set in a file that extends another: its parameters apply from this date, the history before it is the "
        "other file's (experiments run that shared history once per seed).",
    )
    window: Window | None = param(
        None,
        "year-month:year-month",
        "-",
        "Calendar months the indicators are measured over, both included (YYYY-MM:YYYY-MM), or 'all' for the "
        "whole run; unset: a branch's own months (from its branch date), any other scenario's whole run.",
    )
    timeline: list[Change] = param(
        [],
        "list of {date, key, value}",
        "-",
        "Dated changes of levers and context: from each date on, the parameter takes the value.",
        max_length=1000,
    )
    world: World = World()
    people: People = People()
    enterprises: Enterprises = Enterprises()
    employers: Employers = Employers()
    context: Context = Context()
    policy: Policy = Policy()

    @model_validator(mode="after")
    def _timeline_fits(self) -> Scenario:
        from .scenario_files import set_dotted

        for i, change in enumerate(self.timeline):
            where = f"timeline[{i}] ({change.date}, {change.key})"
            month = months_between(self.start, change.date)
            if not 1 <= month <= self.months:
                end = date_of(self.start, self.months)
                raise ValueError(f"{where}: the date must fall after the start {self.start} and by the end {end}")
            if not change.key.startswith(TIMELINE_SECTIONS) or change.key.startswith(SET_AT_START):
                raise ValueError(
                    f"{where}: only parameters of [people], [enterprises], [employers], [context] and [policy] that "
                    "act during the run can change at a date (not the world, the sectors or traits set at month 0)"
                )
            data = self.model_dump(mode="json")
            data["timeline"], data["branch"], data["window"] = [], None, None
            try:
                set_dotted(data, change.key, change.value)
                Scenario.model_validate(data)
            except (ValidationError, ScenarioError) as err:
                problem = err.errors()[0]["msg"] if isinstance(err, ValidationError) else str(err)
                raise ValueError(f"{where}: value {change.value!r}: {problem}") from None
        if self.branch is not None and not 1 <= months_between(self.start, self.branch) <= self.months:
            raise ValueError(
                f"branch {self.branch}: the date must fall after the start {self.start} and within the run, which ends "
                f"{date_of(self.start, self.months)} (months = {self.months}; a branch needs at least "
                f"months = {max(1, months_between(self.start, self.branch))})"
            )
        if self.window not in (None, "all"):
            first, last = (months_between(self.start, d) for d in self.window.split(":"))
            if not 1 <= first <= last <= self.months:
                raise ValueError(
                    f"window {self.window}: must run forward within the run, {date_of(self.start, 1)} to "
                    f"{date_of(self.start, self.months)}"
                )
        return self

    def __iter__(self) -> Any:
        """Not iterable: a scenario is one value, so ``mesa.batch_run`` takes it as one parameter
        value rather than a list of values (pydantic would iterate over its fields)."""
        raise TypeError("a Scenario is one value, not a collection: use model_dump() for its fields")

    def month_of(self, date: str) -> int:
        """The model month of calendar month ``date`` (``YYYY-MM``)."""
        return months_between(self.start, date)

    def date(self, month: int) -> str:
        """The calendar month (``YYYY-MM``) of model month ``month``."""
        return date_of(self.start, month)

    @model_validator(mode="after")
    def _covenant_sectors_exist(self) -> Scenario:
        unknown = [s for s in self.policy.covenant_sectors if s not in self.employers.sectors]
        if unknown:
            raise ValueError(
                f"policy.covenant_sectors names unknown sectors {unknown}; sectors are {sorted(self.employers.sectors)}"
            )
        return self

    @classmethod
    def load(cls, path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
        """Read a TOML scenario (following ``extends``), apply dotted ``overrides``, validate.

        ``path`` is a file, or the name of a shipped scenario (``"small"``, ``"from_2018/aftercare"``),
        found in the installed package from any folder."""
        from .scenario_files import fill_tables, locate, read_chain, set_dotted, validate_scenario

        data, origins = read_chain(locate(path), ())
        for key, value in (overrides or {}).items():
            fill_tables(data, key)
            set_dotted(data, key, value)
            origins[key] = "override (--set)"
        return validate_scenario(data, origins, str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], origin: str = "<dict>") -> Scenario:
        """Validate a plain nested dictionary (as a TOML file would give)."""
        from .scenario_files import validate_scenario

        return validate_scenario(data, {}, origin)

    def with_overrides(self, overrides: dict[str, Any], coerce: bool = False) -> Scenario:
        """A copy with dotted-key overrides applied, e.g. ``{"policy.aftercare_months": 12}``.

        With ``coerce``, a fractional value for a whole-number field is rounded (as samplers
        such as a Latin hypercube produce them); otherwise it is an error.
        """
        from .parameter_docs import whole_number
        from .scenario_files import set_dotted, validate_scenario

        data = self.model_dump(mode="json")
        for key, value in overrides.items():
            if coerce and isinstance(value, float) and whole_number(key):
                value = round(value)
            set_dotted(data, key, value)
        return validate_scenario(data, dict.fromkeys(overrides, "override"), self.name)

    def to_toml(self) -> str:
        """The fully resolved scenario as TOML (no ``extends``)."""
        return tomli_w.dumps(self.model_dump(mode="json", exclude_none=True))

    def digest(self) -> str:
        """SHA-256 of the resolved scenario: identical scenarios have identical digests."""
        return hashlib.sha256(self.to_toml().encode()).hexdigest()


#: What a parameter is, in the XLRM framing of exploratory modelling (Lempert, Popper and
#: Bankes 2003): levers (L) are chosen, uncertainties (X) are either the context or
#: behaviour to be calibrated, and fixed rules (R) belong to the model's structure.
ROLES = {
    "lever": "a policy lever: chosen by the policymaker",
    "context": "an external uncertainty: the world the policy meets",
    "behaviour": "an uncertain behavioural parameter, to be calibrated",
    "fixed": "a fixed rule, scale or switch of the model",
}
SECTION_ROLES = {
    "world": "fixed",
    "people": "behaviour",
    "enterprises": "behaviour",
    "employers": "behaviour",
    "context": "context",
    "policy": "lever",
}
#: Parameters whose role differs from their section's.
PARAMETER_ROLES = {
    **dict.fromkeys(("name", "description", "months", "start", "branch", "window", "timeline"), "fixed"),
    **dict.fromkeys(("people.retirement_age", "people.benefit_qualifying_months"), "fixed"),
    **dict.fromkeys(("enterprises.adaptive", "employers.employers_per_sector"), "fixed"),
    **dict.fromkeys(
        ("enterprises.wage_cost_month", "enterprises.reference_wage_month", "enterprises.coach_cost_month", "employers.sectors"),
        "context",
    ),
    **dict.fromkeys(
        ("policy.end_evaluation", "policy.lde_placements", "policy.referral_rule", "policy.sitting_until_month"), "fixed"
    ),
    **dict.fromkeys(
        (
            "policy.doorstroom_trajectory_cost",
            "policy.aftercare_cost_month",
            "policy.benefit_notice_months",
            "policy.cmw_guidance_subsidy",
            "policy.covenant_cost_month",
        ),
        "context",
    ),
    **dict.fromkeys(
        (
            "policy.extension_probability",
            "policy.extension_min_employability",
            "policy.covenant_bar_reduction",
            "policy.covenant_training_rate",
            "policy.aftercare_effect",
            "policy.referral_request_rate",
            "policy.creaming",
            "policy.ticket_reserve",
            "policy.queue_validity_months",
            "policy.evaluation_judgement_spread",
            "policy.pop_min_progress",
            "policy.work_care_review_months",
            "policy.work_care_max_employability",
            "policy.work_care_health_months",
            "policy.maatwerk_max_employability",
            "policy.maatwerk_older_age",
            "policy.internal_doorstroom_share",
            "policy.matching_success",
            "policy.traineeship_bar_reduction",
            "policy.evaluation_lead_months",
        ),
        "behaviour",
    ),
}


def parameter_role(key: str) -> str:
    """The role of a (dotted) parameter: ``lever``, ``context``, ``behaviour`` or ``fixed`` (see :data:`ROLES`)."""
    if key in PARAMETER_ROLES:
        return PARAMETER_ROLES[key]
    if key.startswith("employers.sectors."):
        return "context"
    return SECTION_ROLES.get(key.split(".", 1)[0], "fixed")
