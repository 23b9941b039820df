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

from ..world.people import LDE, MAATWERK, NEC, SOCIAL_ASSISTANCE, UNEMPLOYED
from .development import COVENANT_TRAINING_MONTHS

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel

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
    hired = p.view("covenant_hire")
    if not hired.any():  # no covenant, or no hire through one yet
        return 0
    training = hired & (p.view("months_in_status") < COVENANT_TRAINING_MONTHS)
    return int(np.count_nonzero(training & (p.view("status") == NEC)))


def public_finances(model: LabourMarketModel) -> None:
    """Add the month's ledger by level of government, the taxes on wages and the pool's income."""
    rec, context = model.recorder, model.scenario.context
    rec.add("spending_covenant", covenant_trainees(model) * model.scenario.policy.covenant_cost_month)
    counts = model.people.counts()  # kept as people move: no scan
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
