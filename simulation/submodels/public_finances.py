"""The public-finance ledger of the month, by level of government and by perspective.

Spending and revenue are the month's recorded amounts (euro), costs positive, revenue
negative. Which government pays what (sources 1.24-1.33 for the Flemish instruments,
1.35 for SINE, 4.4 for benefits; the rates are estimates in ``[context]``):

- **Flemish**: the LDE (or individueel maatwerk) wage and guidance premiums, the SINE
  compensation, outcome bonuses, aftercare, sector covenants (``covenant_cost_month`` for
  each month of a covenant hire's on-the-job training, an assumption), the sitting workers'
  allowance, the 2023-2025 operating subsidy passed on by local governments (source 1.33),
  doorstroom trajectories and collective maatwerk premiums;
- **federal**: the SINE allowance (paid from unemployment insurance), unemployment
  benefits and its share of the leefloon (``leefloon_federal_share``), less the social
  contributions and personal income tax on the wages of everyone of the pool in a job;
- **local**: the municipalities' LDE contribution, their support to enterprises in
  trouble, and the rest of the leefloon.

The perspectives: ``ledger_total`` (government, net), ``pool_income`` (the people of
the pool: net wages and benefits) and the enterprises' margin (``enterprise_income`` -
``enterprise_costs`` in the metrics).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..people import LDE, MAATWERK, NEC, SOCIAL_ASSISTANCE, UNEMPLOYED
from .development import COVENANT_TRAINING_MONTHS

if TYPE_CHECKING:
    from ..model import LabourMarketModel

#: Spending lines (metrics columns) paid by each level of government, in full.
LEDGER = {
    "flemish": [
        "spending_wage_subsidy",
        "spending_guidance_subsidy",
        "spending_sine_compensation",
        "spending_outcome_bonus",
        "spending_aftercare",
        "spending_sitting_allowance",
        "spending_operating_subsidy",
        "spending_doorstroom",
        "spending_maatwerk",
        "spending_covenant",
    ],
    "federal": ["spending_sine", "benefits_unemployment"],
    "local": ["spending_local_government", "spending_local_support"],
}
LEVELS = tuple(LEDGER)
#: The levels in words.
LEVEL_NAMES = {"flemish": "Flemish", "federal": "federal", "local": "local"}


def covenant_trainees(model: LabourMarketModel) -> int:
    """People hired from LDE by a covenant employer, in their months of on-the-job training
    (the covenant's training support, paid by the Flemish government per trainee-month)."""
    p = model.people
    training = p.view("covenant_hire") & (p.view("months_in_status") < COVENANT_TRAINING_MONTHS)
    return int(np.count_nonzero(training & (p.view("status") == NEC)))


def public_finances(model: LabourMarketModel) -> None:
    """Add the month's ledger by level of government, the taxes on wages and the pool's income."""
    rec, context = model.recorder, model.scenario.context
    rec.add("spending_covenant", covenant_trainees(model) * model.scenario.policy.covenant_cost_month)
    counts = model.people.counts()
    jobs = int(counts[LDE] + counts[MAATWERK] + counts[NEC])
    rates = context.employer_contribution_rate + context.employee_contribution_rate + context.income_tax_rate
    taxes = jobs * context.gross_wage_month * rates
    leefloon = rec.values.get("benefits_social_assistance", 0.0)
    levels = {level: sum(rec.values.get(line, 0.0) for line in lines) for level, lines in LEDGER.items()}
    levels["federal"] += context.leefloon_federal_share * leefloon - taxes
    levels["local"] += (1 - context.leefloon_federal_share) * leefloon
    for level, amount in levels.items():
        rec.add(f"ledger_{level}", amount)
    rec.add("ledger_total", sum(levels.values()))
    rec.add("taxes_and_contributions", taxes)
    net_wage = context.gross_wage_month * (1 - context.employee_contribution_rate - context.income_tax_rate)
    benefits = (
        counts[UNEMPLOYED] * context.unemployment_benefit_month + counts[SOCIAL_ASSISTANCE] * context.social_assistance_month
    )
    rec.add("pool_income", jobs * net_wage + benefits)


#: The price of a lever the ledger does not count yet: a search refuses it (it would look free).
UNPRICED = "not priced"
PLACEMENTS = "through the placements it allows: spending_wage_subsidy and spending_guidance_subsidy (Flemish)"
#: Where each lever's public price is (``docs/parameters.md`` lists it): its own ledger line, or
#: the lines it moves (a lever without a line of its own costs through the placements, months or
#: benefits it changes), or the enterprises (a lever they pay). A search over levers
#: (:mod:`simulation.search`) prices each one so: a free lever would be driven to its bound.
LEVER_PRICES = {
    "policy.max_lde_months": "through spending_wage_subsidy and spending_guidance_subsidy (Flemish) of the months it allows",
    "policy.extension_rule": "through spending_wage_subsidy and spending_guidance_subsidy (Flemish) of the extension months",
    "policy.extension_months": "through spending_wage_subsidy and spending_guidance_subsidy (Flemish) of the extension months",
    "policy.wage_subsidy": "spending_wage_subsidy (Flemish; source 1.24)",
    "policy.guidance_subsidy": "spending_guidance_subsidy (Flemish; source 1.24)",
    "policy.coaching_ratio": "the enterprises: coaches cost them coach_cost_month (enterprise_margin), no public line",
    "policy.training_effort": "the enterprises: training time yields no output (enterprise_margin), no public line",
    "policy.sine_phaseout_start_month": "spending_sine (federal, saved) and spending_sine_compensation (Flemish)",
    "policy.sine_phaseout_months": "spending_sine (federal, saved) and spending_sine_compensation (Flemish)",
    "policy.sine_compensation_share": "spending_sine_compensation (Flemish; source 1.37-1.38)",
    "policy.covenant_sectors": "spending_covenant (Flemish): covenant_cost_month per covenant hire in training (assumption E)",
    "policy.covenant_coverage": "spending_covenant (Flemish): covenant_cost_month per covenant hire in training (assumption E)",
    "policy.aftercare_months": "spending_aftercare (Flemish): aftercare_cost_month per person-month (E)",
    "policy.referral_capacity": PLACEMENTS + "; the employment service's own staff are not priced (assumption: decisions "
    "within its caseload)",
    "policy.referral_intake": PLACEMENTS,
    "policy.referral_min_jobless_months": PLACEMENTS,
    "policy.referral_max_employability": PLACEMENTS,
    "policy.ticket_validity_months": PLACEMENTS,
    "policy.sitting_wage_subsidy": "spending_sitting_allowance (Flemish; source 1.31): the wage part sitting workers keep",
    "policy.sitting_guidance_subsidy": "spending_sitting_allowance (Flemish; source 1.31): the guidance part they keep",
    "policy.werkingssubsidie_year": "spending_operating_subsidy (Flemish, passed on by local governments; source 1.33)",
    "policy.werkingssubsidie_sine_part": "spending_operating_subsidy (Flemish): how it is split, not how much",
    "policy.new_recognitions": "through spending_wage_subsidy and spending_guidance_subsidy (Flemish) of the new "
    "initiatives' workers",
    "policy.cmw_conversion": "spending_maatwerk (Flemish): the collective maatwerk premiums of converted enterprises",
    "policy.cmw_wage_subsidy": "spending_maatwerk (Flemish; source 1.28)",
    "policy.outcome_bonus": "spending_outcome_bonus (Flemish)",
    "policy.maatwerk_places": "spending_maatwerk (Flemish): the premiums of the places filled",
    "policy.maatwerk_review_months": "through spending_maatwerk and spending_doorstroom (Flemish): the workers a review "
    "moves out of collective maatwerk or onto a trajectory",
    "policy.work_care_places": UNPRICED + ": work-care places are financed by the Flemish government, but the ledger "
    "has no line for them yet",
    "policy.doorstroom_trajectories_month": "spending_doorstroom (Flemish): doorstroom_trajectory_cost per trajectory (S 1.21)",
    "policy.matching_months": "through spending_doorstroom (Flemish): the trajectories it lengthens",
    "policy.traineeship_months": "through spending_doorstroom (Flemish): the trajectories it lengthens",
    "policy.benefit_duration_months": "benefits_unemployment (federal, saved) and the leefloon (federal and local)",
    "policy.benefit_reform_month": "benefits_unemployment (federal, saved) and the leefloon (federal and local)",
}
