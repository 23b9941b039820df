"""The ``[policy]`` section of a scenario (the levers a government or sector can pull) and a
dated change of the timeline (:class:`Change`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from .fields import (
    MAX_MONTHS,
    NO_LIMIT_MONTHS,
    UNLIMITED,
    Float,
    Int,
    Months,
    Schedule,
    Section,
    StartMonth,
    YearMonth,
    check_schedule,
    param,
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
        "S 1.25, 1.30: a collective maatwerk support package is valid at most 5 years and adjustable after a VDAB evaluation",
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
