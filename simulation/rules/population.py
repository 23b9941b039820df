"""The ``[world]`` and ``[people]`` sections of a scenario: the world's size and initial state,
and the behaviour of job seekers and workers.
"""

from __future__ import annotations

from pydantic import field_validator

from .fields import MAX_MONTHS, Float, Int, Section, param


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
        "calibrated (docs/calibration.md): the best fit 0.0016 (plausible mean 0.0015), identified by the effect pattern "
        "(S 5.2-5.3, 3.4)",
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
