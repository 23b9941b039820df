"""The parameters for people and machines: ``docs/parameters.md``, generated from the schema
(``make docs``; a test checks it is up to date), and :func:`parameters`, the same as a table
for samplers and optimisers."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from .scenario import DEFAULT_SECTORS, ROLES, Scenario, ScenarioError, Section, Sector, parameter_role

#: The price of a lever the ledger does not count yet: a search refuses it (it would look free).
UNPRICED = "not priced"
PLACEMENTS = "through the placements it allows: spending_wage_subsidy and spending_guidance_subsidy (Flemish)"
#: Where each lever's public price is (``docs/parameters.md`` lists it): its own ledger line, or
#: the lines it moves (a lever without a line of its own costs through the placements, months or
#: benefits it changes), or the enterprises (a lever they pay). A search over levers
#: (:mod:`simulation.policy_search.search`) prices each one so: a free lever would be driven to its bound.
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


def parameter_reference() -> str:
    """``docs/parameters.md``: every parameter with its default, unit, source and meaning."""
    lines = [
        "# Parameters",
        "",
        "Generated from the scenario schema (`simulation/rules/`) by `make docs`; a test checks that it is up to date.",
        "Sources refer to items of [sources.md](sources.md): S = sourced, E = estimate or modelling assumption,",
        "U = the 2018 sector note, ? = unverified; 'calibrated' = set so that the model reproduces a target",
        "(see docs/ODD.md, section 7).",
        "",
    ]
    lines += ["Roles (the XLRM framing of exploratory modelling): " + "; ".join(f"**{r}**: {m}" for r, m in ROLES.items()), ""]
    lines += [
        "Sweeps and sensitivity analyses vary levers and uncertainties, never fixed rules; calibration fits",
        "behaviour and context, never a lever.",
        "",
    ]
    top = {name: f for name, f in Scenario.model_fields.items() if not is_section(f.annotation)}
    lines += _table("Scenario", top, Scenario, prefix="")
    for name, field in Scenario.model_fields.items():
        if is_section(field.annotation):
            section = field.annotation
            lines += _table(f"[{name}]", section.model_fields, section, section.__doc__, prefix=f"{name}.")
    lines += _table("[employers.sectors.NAME]", Sector.model_fields, Sector, Sector.__doc__, prefix="employers.sectors.NAME.")
    lines += ["Default sectors:", "", "| sector | vacancy_share | hiring_bar | job_quality |", "|---|---|---|---|"]
    lines += [f"| {n} | {s.vacancy_share} | {s.hiring_bar} | {s.job_quality} |" for n, s in DEFAULT_SECTORS.items()]
    return "\n".join(lines + lever_prices()) + "\n"


def lever_prices() -> list[str]:
    """The price of each lever: where the public ledger counts its cost, and who pays it
    (``LEVER_PRICES`` above). A search over levers (``lde-sim search``) would drive a lever that
    cost nothing to its bound."""
    lines = ["", "## The price of each lever", ""]
    lines += ["Where the public ledger (ODD 7.13) counts each lever's cost, and who pays it.", ""]
    lines += ["| lever | price |", "|---|---|"]
    return lines + [f"| `{lever}` | {price} |" for lever, price in LEVER_PRICES.items()]


def is_section(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Section)


def _table(title: str, fields: dict[str, Any], model: Any, doc: str | None = None, prefix: str = "") -> list[str]:
    lines = [f"## {title}", ""]
    if doc:
        lines += [doc.strip(), ""]
    lines += ["| parameter | default | unit | allowed | role | source | meaning |", "|---|---|---|---|---|---|---|"]
    schema = model.model_json_schema()["properties"]
    for name, field in fields.items():
        if is_section(field.annotation):
            continue
        extra = field.json_schema_extra or {}
        default = "see below" if name == "sectors" else _show(field.default)
        role = parameter_role(prefix + name)
        lines.append(
            f"| `{name}` | {default} | {extra.get('unit', '')} | {allowed(schema[name])} | {role} | "
            f"{extra.get('source', '')} | {field.description} |"
        )
    return [*lines, ""]


def allowed(schema: dict[str, Any]) -> str:
    """The values a field's JSON schema allows, in words ("0 to 1", "whole number >= 1 or
    'unlimited'"): the range an error message names when a value is refused. Lists and free text
    are left blank (their meaning says what they hold; some are checked beyond the schema)."""
    if "anyOf" in schema:
        return " or ".join(part for part in (allowed(s) for s in schema["anyOf"]) if part)
    if "enum" in schema or "const" in schema:
        return " or ".join(f"'{value}'" for value in schema.get("enum", [schema.get("const")]))
    kind = schema.get("type")
    if kind == "boolean":
        return "true or false"
    if kind not in ("integer", "number"):
        return ""
    low = [f">= {_number(schema[k])}" for k in ("minimum", "ge") if k in schema]
    low += [f"> {_number(schema[k])}" for k in ("exclusiveMinimum", "gt") if k in schema]
    high = [f"<= {_number(schema[k])}" for k in ("maximum", "le") if k in schema]
    high += [f"< {_number(schema[k])}" for k in ("exclusiveMaximum", "lt") if k in schema]
    if low and high and low[0].startswith(">=") and high[0].startswith("<="):  # both included: a range
        bounds = f"{low[0][3:]} to {high[0][3:]}"
    else:
        bounds = " and ".join(low + high)
    whole = "whole number " if kind == "integer" else ""
    return f"{whole}{bounds}".strip() or "number"


def _number(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return f"`{json.dumps(value)}`"
    return f"`{value!r}`" if isinstance(value, str) else f"`{value}`"


def parameters() -> pd.DataFrame:
    """Every scenario parameter for machines: ``key`` (dotted), ``type``, ``default``, ``low``,
    ``high`` (inclusive bounds where there are any), ``unit``, ``role`` and ``meaning``."""
    rows = []
    for key, field in _fields():
        low, high = _bounds(field)
        extra = field.json_schema_extra or {}
        rows.append(
            {
                "key": key,
                "type": _type_name(field.annotation),
                "default": field.default,
                "low": low,
                "high": high,
                "unit": extra.get("unit", ""),
                "role": parameter_role(key),
                "meaning": field.description,
            }
        )
    return pd.DataFrame(rows)


def dotted(name: str) -> str:
    """The dotted key of a keyword parameter: the key itself (``policy.aftercare_months``, as
    :func:`parameters` lists it, and as ``mesa.batch_run`` passes it in ``parameters={...}``),
    with double underscores (``policy__aftercare_months``, for Python keywords) or a name that only
    one section has (``aftercare_months``); an unknown or ambiguous name is an error that lists the
    choices."""
    if "." in name:
        return name
    if "__" in name:
        return name.replace("__", ".")
    matches = [key for key, _ in _fields() if key.rsplit(".", 1)[-1] == name]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ScenarioError(f"unknown parameter {name!r}; parameters are listed by simulation.parameters()")
    raise ScenarioError(
        f"parameter {name!r} is ambiguous: write one of {', '.join(matches)} (or with __ for . in a Python keyword)"
    )


def whole_number(key: str) -> bool:
    """Whether the field ``key`` takes whole numbers only (so a sampler's 3.7 may be rounded)."""
    field = dict(_fields()).get(key)
    return field is not None and _type_name(field.annotation) in ("int", "int or text")


def _fields() -> list[tuple[str, Any]]:
    """(dotted key, pydantic field) of every parameter, sections flattened (not the sectors table)."""
    out = []
    for name, field in Scenario.model_fields.items():
        if is_section(field.annotation):
            out += [(f"{name}.{leaf}", f) for leaf, f in field.annotation.model_fields.items() if leaf != "sectors"]
        else:
            out.append((name, field))
    return out


def _bounds(field: Any) -> tuple[float | None, float | None]:
    low = high = None
    for item in field.metadata:
        low = getattr(item, "ge", None) if getattr(item, "ge", None) is not None else low
        low = getattr(item, "gt", None) if getattr(item, "gt", None) is not None else low
        high = getattr(item, "le", None) if getattr(item, "le", None) is not None else high
        high = getattr(item, "lt", None) if getattr(item, "lt", None) is not None else high
    return low, high


def _type_name(annotation: Any) -> str:
    text = str(annotation)
    if "bool" in text and "int" not in text:
        return "bool"
    if "list" in text or "tuple" in text:
        return "list"
    if "Literal" in text and "int" not in text:
        return "choice"
    if "int" in text:
        return "int or text" if "Literal" in text else "int"
    if "float" in text:
        return "float"
    return "text"
