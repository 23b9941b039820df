"""``docs/parameters.md``, generated from the schema (``make docs``; a test checks it is up to date)."""

from __future__ import annotations

import json
from typing import Any

from .scenario import DEFAULT_SECTORS, ROLES, Scenario, Section, Sector, parameter_role


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
    top = {name: f for name, f in Scenario.model_fields.items() if not _is_section(f.annotation)}
    lines += _table("Scenario", top, prefix="")
    for name, field in Scenario.model_fields.items():
        if _is_section(field.annotation):
            lines += _table(f"[{name}]", field.annotation.model_fields, field.annotation.__doc__, prefix=f"{name}.")
    lines += _table("[employers.sectors.NAME]", Sector.model_fields, Sector.__doc__, prefix="employers.sectors.NAME.")
    lines += ["Default sectors:", "", "| sector | vacancy_share | hiring_bar | job_quality |", "|---|---|---|---|"]
    lines += [f"| {n} | {s.vacancy_share} | {s.hiring_bar} | {s.job_quality} |" for n, s in DEFAULT_SECTORS.items()]
    return "\n".join(lines) + "\n"


def _is_section(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Section)


def _table(title: str, fields: dict[str, Any], doc: str | None = None, prefix: str = "") -> list[str]:
    lines = [f"## {title}", ""]
    if doc:
        lines += [doc.strip(), ""]
    lines += ["| parameter | default | unit | role | source | meaning |", "|---|---|---|---|---|---|"]
    for name, field in fields.items():
        if _is_section(field.annotation):
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
