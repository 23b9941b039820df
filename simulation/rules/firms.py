"""The ``[employers]`` (regular employers by sector) and ``[enterprises]`` (the economics of
LDE enterprises) sections of a scenario.
"""

from __future__ import annotations

from pydantic import field_validator

from .fields import Float, Int, Section, param


class Sector(Section):
    """One sector of the regular labour market."""

    vacancy_share: Float = param(
        0.2,
        "share",
        "S 4.3 sector mix of VDAB vacancies, E",
        "Share of accessible vacancies in this sector (the sectors' shares add up to 1).",
        ge=0,
        le=1,
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
        "order of the retention in source 3.3, which is a calibration check and sets no parameter",
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
