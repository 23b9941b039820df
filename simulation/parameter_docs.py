"""The parameters for people and machines: ``docs/parameters.md``, generated from the schema
(``make docs``; a test checks it is up to date), and :func:`parameters`, the same as a table
for samplers and optimisers."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from .scenario import DEFAULT_SECTORS, ROLES, Scenario, ScenarioError, Section, Sector, parameter_role


def parameter_reference() -> str:
    """``docs/parameters.md``: every parameter with its default, unit, source and meaning."""
    lines = [
        "# Parameters",
        "",
        "Generated from `simulation/scenario.py` by `make docs`; a test checks that it is up to date.",
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
    lines += _table("Scenario", top, prefix="")
    for name, field in Scenario.model_fields.items():
        if is_section(field.annotation):
            lines += _table(f"[{name}]", field.annotation.model_fields, field.annotation.__doc__, prefix=f"{name}.")
    lines += _table("[employers.sectors.NAME]", Sector.model_fields, Sector.__doc__, prefix="employers.sectors.NAME.")
    lines += ["Default sectors:", "", "| sector | vacancy_share | hiring_bar | job_quality |", "|---|---|---|---|"]
    lines += [f"| {n} | {s.vacancy_share} | {s.hiring_bar} | {s.job_quality} |" for n, s in DEFAULT_SECTORS.items()]
    return "\n".join(lines + lever_prices()) + "\n"


def lever_prices() -> list[str]:
    """The price of each lever: where the public ledger counts its cost, and who pays it
    (``LEVER_PRICES`` in ``simulation/submodels/public_finances.py``). A search over levers
    (``lde-sim search``) would drive a lever that cost nothing to its bound."""
    from .submodels.public_finances import LEVER_PRICES

    lines = ["", "## The price of each lever", ""]
    lines += ["Where the public ledger (ODD 7.13) counts each lever's cost, and who pays it.", ""]
    lines += ["| lever | price |", "|---|---|"]
    return lines + [f"| `{lever}` | {price} |" for lever, price in LEVER_PRICES.items()]


def is_section(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Section)


def _table(title: str, fields: dict[str, Any], doc: str | None = None, prefix: str = "") -> list[str]:
    lines = [f"## {title}", ""]
    if doc:
        lines += [doc.strip(), ""]
    lines += ["| parameter | default | unit | role | source | meaning |", "|---|---|---|---|---|---|"]
    for name, field in fields.items():
        if is_section(field.annotation):
            continue
        extra = field.json_schema_extra or {}
        default = "see below" if name == "sectors" else _show(field.default)
        role = parameter_role(prefix + name)
        lines.append(
            f"| `{name}` | {default} | {extra.get('unit', '')} | {role} | {extra.get('source', '')} | {field.description} |"
        )
    return [*lines, ""]


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
