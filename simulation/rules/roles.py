"""Each parameter's role in the XLRM framing of exploratory modelling: lever, context,
behaviour or fixed (docs/parameters.md).
"""

from __future__ import annotations

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
