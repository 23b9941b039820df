"""Scenario files: every parameter of the model, its unit, default and source.

A scenario is a TOML file validated with pydantic. Its sections follow the XLRM framing
of exploratory modelling:

- ``[world]``: the initial state and structure (how many people, enterprises, employers);
- ``[people]``: behaviour of job seekers and workers (the model's relations, calibrated);
- ``[enterprises]``: the economics of LDE enterprises;
- ``[employers]``: the regular (NEC) labour market's employers by sector;
- ``[context]``: exogenous uncertainties (inflow, shortage growth, business cycle);
- ``[policy]``: the levers a government or sector can pull.

This module is the whole scenario (:class:`Scenario`: the sections, the horizon, the
timeline, and the checks across sections) and the one place to import the schema from.
Its parts are modules of their own: the building blocks (:mod:`.fields`), the sections
(:mod:`.population`: world and people; :mod:`.firms`: employers and enterprises;
:mod:`.context`; :mod:`.policy`, with the timeline's dated changes) and each parameter's
role (:mod:`.roles`). Reading files (``extends``, branches, ``--set`` overrides)
and the error messages are in :mod:`simulation.rules.scenario_files`; the generated
``docs/parameters.md`` in :mod:`simulation.rules.parameter_docs`. Errors name the file, the
field, the value and what is allowed (:class:`ScenarioError`); the command line turns
them into exit code 2. Sources refer to items of ``docs/sources.md`` (``S`` sourced,
``E`` estimate, ``U`` sector note).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError, ValidationInfo, model_validator

from .context import Context
from .fields import (
    MAX_MONTHS,
    MAX_SCHEDULE_VALUE,
    NEVER,
    NO_LIMIT_MONTHS,
    UNLIMITED,
    Float,
    Int,
    Months,
    ScenarioError,
    Schedule,
    Section,
    StartMonth,
    Window,
    YearMonth,
    check_schedule,
    date_of,
    months_between,
    param,
    refuse_non_numbers,
    schedule_values,
)
from .firms import DEFAULT_SECTORS, Employers, Enterprises, Sector
from .policy import Change, Policy
from .population import People, World
from .roles import PARAMETER_ROLES, ROLES, SECTION_ROLES, parameter_role

#: The schema, importable from this one module.
__all__ = [
    "Change",
    "Context",
    "DEFAULT_SECTORS",
    "Employers",
    "Enterprises",
    "Float",
    "Int",
    "MAX_MONTHS",
    "MAX_SCHEDULE_VALUE",
    "Months",
    "NEVER",
    "NO_LIMIT_MONTHS",
    "PARAMETER_ROLES",
    "People",
    "Policy",
    "ROLES",
    "SECTION_ROLES",
    "SET_AT_START",
    "Scenario",
    "ScenarioError",
    "Schedule",
    "Section",
    "Sector",
    "StartMonth",
    "TIMELINE_SECTIONS",
    "UNLIMITED",
    "Window",
    "World",
    "YearMonth",
    "check_schedule",
    "date_of",
    "months_between",
    "param",
    "parameter_role",
    "refuse_non_numbers",
    "schedule_values",
]

#: Parameters set once at month 0 (the world, the firms' traits, the sectors): a dated
#: change of them could not act, so the timeline refuses them.
SET_AT_START = (
    "world.",
    "employers.sectors",
    "employers.employers_per_sector",
    "enterprises.aspiration_months",
    "enterprises.mission_driven_share",
    "enterprises.initial_reserve_months",
    "enterprises.market_share_small",
    "enterprises.market_share_large",
)
TIMELINE_SECTIONS = ("people.", "enterprises.", "employers.", "context.", "policy.")
#: Validation context key: the timeline's values were each validated already (see
#: :meth:`Scenario.with_overrides`): only its dates and the sections of its keys are checked again.
TIMELINE_CHECKED = "timeline_checked"


class Scenario(Section):
    """A whole scenario: the model's parameters, validated. Load one with :meth:`load`."""

    name: str = param("scenario", "text", "-", "Short name, used in output folders and tables.", min_length=1, max_length=100)
    description: str = param("", "text", "-", "What this scenario represents, in plain words.")
    months: Int = param(180, "months", "BRIEF: 15-year horizon", "Simulated months (one step is one month).", ge=1, le=MAX_MONTHS)
    start: YearMonth = param(
        "2015-04", "year-month", "S 1.3: the 2013 decree took effect on 1 April 2015", "Calendar month of month 0."
    )
    branch: YearMonth | None = param(
        None,
        "year-month",
        "-",
        "Set in a file that extends another: its parameters apply from this date, the history before it is the "
        "other file's (experiments run that shared history once per seed).",
    )
    window: Window | None = param(
        None,
        "year-month:year-month",
        "-",
        "Calendar months the indicators are measured over, both included (YYYY-MM:YYYY-MM), or 'all' for the "
        "whole run; unset: a branch's own months (from its branch date), any other scenario's whole run.",
    )
    timeline: list[Change] = param(
        [],
        "list of {date, key, value}",
        "-",
        "Dated changes of levers and context: from each date on, the parameter takes the value.",
        max_length=1000,
    )
    world: World = World()
    people: People = People()
    enterprises: Enterprises = Enterprises()
    employers: Employers = Employers()
    context: Context = Context()
    policy: Policy = Policy()

    @model_validator(mode="after")
    def _timeline_fits(self, info: ValidationInfo) -> Scenario:
        from .scenario_files import key_problem, set_dotted

        checked = bool((info.context or {}).get(TIMELINE_CHECKED))
        for i, change in enumerate(self.timeline):
            where = f"timeline[{i}] ({change.date}, {change.key})"
            month = months_between(self.start, change.date)
            if not 1 <= month <= self.months:
                end = date_of(self.start, self.months)
                raise ValueError(f"{where}: the date must fall after the start {self.start} and by the end {end}")
            if not change.key.startswith(TIMELINE_SECTIONS) or change.key.startswith(SET_AT_START):
                raise ValueError(
                    f"{where}: only parameters of [people], [enterprises], [employers], [context] and [policy] that "
                    "act during the run can change at a date (not the world, the sectors or traits set at month 0)"
                )
            if checked:
                continue
            if problem := key_problem(change.key):
                raise ValueError(f"{where}: {problem}")
            data = self.model_dump(mode="json")
            data["timeline"], data["branch"], data["window"] = [], None, None
            try:
                set_dotted(data, change.key, change.value)
                Scenario.model_validate(data)
            except (ValidationError, ScenarioError) as err:
                problem = err.errors()[0]["msg"] if isinstance(err, ValidationError) else str(err)
                raise ValueError(f"{where}: value {change.value!r}: {problem}") from None
        if self.branch is not None and not 1 <= months_between(self.start, self.branch) <= self.months:
            raise ValueError(
                f"branch {self.branch}: the date must fall after the start {self.start} and within the run, which ends "
                f"{date_of(self.start, self.months)} (months = {self.months}; a branch needs at least "
                f"months = {max(1, months_between(self.start, self.branch))})"
            )
        if self.window not in (None, "all"):
            first, last = (months_between(self.start, d) for d in self.window.split(":"))
            if not 1 <= first <= last <= self.months:
                raise ValueError(
                    f"window {self.window}: must run forward within the run, {date_of(self.start, 1)} to "
                    f"{date_of(self.start, self.months)}"
                )
        return self

    def __iter__(self) -> Any:
        """Not iterable: a scenario is one value, so ``mesa.batch_run`` takes it as one parameter
        value rather than a list of values (pydantic would iterate over its fields)."""
        raise TypeError("a Scenario is one value, not a collection: use model_dump() for its fields")

    def month_of(self, date: str) -> int:
        """The model month of calendar month ``date`` (``YYYY-MM``)."""
        return months_between(self.start, date)

    def date(self, month: int) -> str:
        """The calendar month (``YYYY-MM``) of model month ``month``."""
        return date_of(self.start, month)

    @model_validator(mode="after")
    def _covenant_sectors_exist(self) -> Scenario:
        unknown = [s for s in self.policy.covenant_sectors if s not in self.employers.sectors]
        if unknown:
            raise ValueError(
                f"policy.covenant_sectors names unknown sectors {unknown}; sectors are {sorted(self.employers.sectors)}"
            )
        return self

    @classmethod
    def load(cls, path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
        """Read a TOML scenario (following ``extends``), apply dotted ``overrides``, validate.

        ``path`` is a file, or the name of a shipped scenario (``"small"``, ``"from_2018/aftercare"``),
        found in the installed package from any folder."""
        from .scenario_files import fill_tables, locate, read_chain, set_dotted, validate_scenario

        data, origins = read_chain(locate(path), ())
        for key, value in (overrides or {}).items():
            fill_tables(data, key)
            set_dotted(data, key, value)
            origins[key] = "override (--set)"
        return validate_scenario(data, origins, str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], origin: str = "<dict>") -> Scenario:
        """Validate a plain nested dictionary (as a TOML file would give)."""
        from .scenario_files import validate_scenario

        return validate_scenario(data, {}, origin)

    def with_overrides(self, overrides: dict[str, Any], coerce: bool = False, timeline_checked: bool = False) -> Scenario:
        """A copy with dotted-key overrides applied, e.g. ``{"policy.aftercare_months": 12}``.

        With ``coerce``, a fractional value for a whole-number field is rounded (as samplers
        such as a Latin hypercube produce them); otherwise it is an error. With
        ``timeline_checked``, the copy keeps a timeline whose values were each validated when
        this scenario was (the rules in force of a run, :mod:`simulation.rules.timeline`): they
        are not validated again one by one, which for a timeline of T changes is T whole-scenario
        validations more (28 for the history, about 2.7 ms, at every month a change starts).
        """
        from .parameter_docs import whole_number
        from .scenario_files import set_dotted, validate_scenario

        data = self.model_dump(mode="json")
        for key, value in overrides.items():
            if coerce and isinstance(value, float) and whole_number(key):
                value = round(value)
            set_dotted(data, key, value)
        context = {TIMELINE_CHECKED: True} if timeline_checked else None
        return validate_scenario(data, dict.fromkeys(overrides, "override"), self.name, context)

    def to_toml(self) -> str:
        """The fully resolved scenario as TOML (no ``extends``)."""
        return tomli_w.dumps(self.model_dump(mode="json", exclude_none=True))

    def digest(self) -> str:
        """SHA-256 of the resolved scenario: identical scenarios have identical digests."""
        return hashlib.sha256(self.to_toml().encode()).hexdigest()
