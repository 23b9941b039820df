"""The timeline: levers and context that change at dates, as objects with a start and an end.

A scenario's ``[[timeline]]`` entries (and a branch file's parameters, which apply from
its ``branch`` date) become :class:`Lever` objects: parameter ``key`` holds ``value``
from model month ``start`` until the next change of the same key (``end``). Each month
the model asks the timeline what starts now and replaces its rules in force
(``model.scenario``) by a copy with those values, so every submodel reads the rules of
its month, as Covasim's interventions act from their start day. The rules in force at
month m are a function of the scenario and m alone (:meth:`Timeline.in_force`), which
is what lets a branch continue a shared history exactly (:meth:`LabourMarketModel.rebase`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .scenario import Scenario


@dataclass(frozen=True)
class Lever:
    """Parameter ``key`` holds ``value`` from model month ``start`` until ``end`` (exclusive; None: the run's end)."""

    key: str
    value: Any
    start: int
    end: int | None = None

    def active(self, month: int) -> bool:
        return self.start <= month and (self.end is None or month < self.end)


class Timeline:
    """The dated changes of a scenario, in the order they act."""

    def __init__(self, scenario: Scenario) -> None:
        changes = sorted(
            ((scenario.month_of(c.date), i, c.key, c.value) for i, c in enumerate(scenario.timeline)),
            key=lambda change: (change[0], change[1]),
        )
        levers: list[Lever] = []
        for position, (start, _, key, value) in enumerate(changes):
            following = [s for s, _, k, _ in changes[position + 1 :] if k == key and s > start]
            levers.append(Lever(key, value, start, following[0] if following else None))
        self.levers = levers
        self._rules: dict[int, Scenario] = {}

    def rules_at(self, scenario: Scenario, month: int) -> Scenario:
        """:meth:`in_force`, kept once computed (the rules of a past month never change in a run)."""
        if month not in self._rules:
            self._rules[month] = self.in_force(scenario, month)
        return self._rules[month]

    def starting(self, month: int) -> dict[str, Any]:
        """The values that take effect in ``month`` (the last one written wins within a month)."""
        return {lever.key: lever.value for lever in self.levers if lever.start == month}

    def in_force(self, scenario: Scenario, month: int) -> Scenario:
        """``scenario`` with the levers active in ``month`` applied (each key's latest change by then)."""
        values = {lever.key: lever.value for lever in self.levers if lever.active(month)}
        return scenario.with_overrides(values, timeline_checked=True) if values else scenario


def explain(scenario: Scenario, overridden: list[dict[str, Any]] = ()) -> str:
    """The rules a scenario runs with, in words: each dated change and the values in force from it.

    ``overridden`` are history changes a branch does not apply (its own levers persist,
    :func:`simulation.rules.scenario_files.branch_levers_kept`); they are listed with the value kept.
    """
    timeline = Timeline(scenario)
    branch = f", branch from {scenario.branch}" if scenario.branch else ""
    lines = [f"{scenario.name}: {scenario.months} months from {scenario.start}{branch}"]
    changing = sorted({lever.key for lever in timeline.levers})
    if changing:
        lines.append(f"{scenario.start} (month 0), the parameters that change later:")
        lines += [f"  {key} = {value_of(scenario, key)!r}" for key in changing]
    for month in sorted({lever.start for lever in timeline.levers}):
        lines.append(f"{scenario.date(month)} (month {month}):")
        lines += [f"  {key} = {value!r}" for key, value in timeline.starting(month).items()]
    for change in overridden:
        kept = timeline.rules_at(scenario, scenario.month_of(change["date"]))
        lines.append(
            f"not applied: {change['date']} {change['key']} = {change['value']!r} (history); the branch keeps "
            f"{value_of(kept, change['key'])!r}"
        )
    return "\n".join(lines)


def value_of(scenario: Scenario, key: str) -> Any:
    """The value of dotted parameter ``key`` (``section.name``) in ``scenario``."""
    section, _, name = key.partition(".")
    return getattr(getattr(scenario, section), name)
