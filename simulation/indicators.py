"""Headline indicators of a run, computed from its monthly metrics (see docs/indicators.md)."""

from __future__ import annotations

import math

import pandas as pd

#: Public spending on LDE instruments (excludes benefits and social assistance).
LDE_SPENDING = [
    "spending_wage_subsidy",
    "spending_guidance_subsidy",
    "spending_sine",
    "spending_sine_compensation",
    "spending_local_government",
    "spending_outcome_bonus",
    "spending_aftercare",
]

INDICATORS = {
    "transition_rate_annual": "LDE -> regular job moves per year over the mean LDE workforce",
    "exit_to_job_share": "share of all LDE exits that go to a regular job",
    "sustainable_transition_rate": "share of LDE -> regular job moves still in a regular job 12 months later",
    "dumping_risk": "share of time-limit leavers on unemployment benefit or social assistance 12 months later",
    "social_assistance_24m_share": "share of former LDE workers on social assistance 24 months after leaving",
    "enterprise_solvent_share": "share of the initial enterprises open with a non-negative reserve at the end",
    "enterprise_closures": "enterprises closed during the run",
    "service_quality": "mean service quality index of open enterprises over the run (0-1)",
    "cost_per_sustainable_transition": "public spending on LDE instruments per sustainable transition (EUR)",
    "target_gap": "distance to the 100% transition target: 1 - exit_to_job_share",
    "lde_workforce_mean": "mean number of LDE workers over the run",
    "public_spending_lde": "public spending on LDE instruments over the run (EUR)",
}


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, or NaN when there is nothing to divide by."""
    return numerator / denominator if denominator > 0 else math.nan


def indicators(metrics: pd.DataFrame) -> dict[str, float]:
    """The indicators of one replication from its ``metrics`` rows (month 0 to the end)."""
    months = metrics[metrics["month"] > 0]
    total = months.sum(numeric_only=True)
    years = len(months) / 12
    lde_mean = float(months["lde"].mean())
    to_job = float(total["flow_lde_to_nec"])
    exits = float(sum(total[f"flow_lde_to_{s}"] for s in ("unemployed", "social_assistance", "nec", "inactive")))
    exit_to_job = ratio(to_job, exits)
    sustained = ratio(total["followup12_in_nec"], total["followup12_moves"])
    spending = float(sum(total.get(c, 0.0) for c in LDE_SPENDING))
    first, last = metrics.iloc[0], metrics.iloc[-1]
    return {
        "transition_rate_annual": ratio(to_job, lde_mean * years),
        "exit_to_job_share": exit_to_job,
        "sustainable_transition_rate": sustained,
        "dumping_risk": ratio(total["followup12_limit_on_benefits"], total["followup12_limit_leavers"]),
        "social_assistance_24m_share": ratio(total["followup24_social_assistance"], total["followup24_lde_leavers"]),
        "enterprise_solvent_share": ratio(last["enterprises_solvent"], first["enterprises_open"]),
        "enterprise_closures": float(last["enterprises_closed"]),
        "service_quality": float(months["service_quality"].mean()),
        "cost_per_sustainable_transition": ratio(spending, to_job * sustained) if not math.isnan(sustained) else math.nan,
        "target_gap": 1 - exit_to_job,
        "lde_workforce_mean": lde_mean,
        "public_spending_lde": spending,
    }
