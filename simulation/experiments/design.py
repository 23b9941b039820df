"""Experimental designs: which scenarios an experiment runs.

A *design point* is a scenario plus the overrides that make it; every point runs the
same replications (same seeds: common random numbers). Designs come from

- a list of scenario files (``compare``);
- ``--vary`` specifications: a grid (``key=low:high:step`` or ``key=a,b,c``) or a Latin
  hypercube (``key=low:high`` with ``--sample lhs``), for ``sweep``;
- a SALib sample for ``sensitivity`` (see :mod:`simulation.experiments.sensitivity`).

Specifications are checked against the scenario before anything runs: an unknown key,
an empty range, a value of the wrong type, or a step for a sampler that draws anywhere in
the range (a Latin hypercube; Morris and Sobol) is a :class:`DesignError`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args, get_origin

import numpy as np

from ..errors import LDEError
from ..rules.scenario import Scenario, ScenarioError, parameter_role
from ..rules.scenario_files import changed_fields, leaves, parse_override

#: Values of one varied parameter in a grid, at most.
MAX_VALUES = 10_000
#: Design points of one experiment, at most (each runs every replication).
MAX_POINTS = 100_000


class DesignError(LDEError):
    """A --vary specification or design that cannot be used; the message says why."""


@dataclass(frozen=True)
class Point:
    """One design point: a label, the overrides that make it, and the resolved scenario."""

    label: str
    overrides: dict[str, Any]
    scenario: Scenario


@dataclass(frozen=True)
class Vary:
    """One varied parameter: ``values`` for a grid, or ``low``/``high`` for sampling; ``text`` as the user gave it.

    A range with a ``step`` has both: its grid values, and the range a sampler would refuse
    to use (it cannot keep to the step)."""

    key: str
    integer: bool
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    step: float | None = None
    text: str = ""


def parse_vary(text: str, base: Scenario) -> Vary:
    """Parse ``key=low:high[:step]`` or ``key=a,b,c`` and check it against ``base``."""
    key, sep, spec = text.partition("=")
    key, spec = key.strip(), spec.strip()
    if not sep or not key or not spec:
        raise DesignError(f"--vary {text!r}: expected key=low:high, key=low:high:step or key=a,b,c")
    if parameter_role(key) == "fixed":
        raise DesignError(
            f"--vary {text!r}: {key} is a fixed rule, scale or switch of the model (role 'fixed', docs/parameters.md); "
            "sweeps vary policy levers and uncertainties. To study it, run scenarios that set it, or use --set"
        )
    integer = _is_integer_field(base, key)
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise DesignError(f"--vary {text!r}: a range is low:high or low:high:step")
        try:
            low, high, *step = (float(p) for p in parts)
        except ValueError:
            raise DesignError(f"--vary {text!r}: range bounds must be numbers, got {spec!r}") from None
        if not all(np.isfinite([low, high, *step])):
            raise DesignError(f"--vary {text!r}: bounds and step must be finite numbers")
        if not low < high:
            raise DesignError(f"--vary {text!r}: empty range, low ({low:g}) must be below high ({high:g})")
        vary = Vary(key, integer, low=low, high=high, text=text)
        if step:
            if step[0] <= 0:
                raise DesignError(f"--vary {text!r}: the step must be positive, got {step[0]:g}")
            if (high - low) / step[0] >= MAX_VALUES:
                raise DesignError(f"--vary {text!r}: more than {MAX_VALUES:,} values; use a larger step")
            grid = np.arange(low, high + step[0] * 1e-9, step[0])
            values = tuple(int(round(v)) if integer else float(f"{v:.12g}") for v in grid)
            vary = Vary(key, integer, values=values, low=low, high=high, step=step[0], text=text)
    else:
        values = tuple(parse_override(f"{key}={item}")[1] for item in spec.split(","))
        if len(values) > MAX_VALUES:
            raise DesignError(f"--vary {text!r}: more than {MAX_VALUES:,} values")
        vary = Vary(key, integer, values=values, text=text)
    for value in vary.values or (_round(vary.low, integer), _round(vary.high, integer)):
        _check(base, key, value, text)
    return vary


def grid(base: Scenario, varies: list[Vary]) -> list[Point]:
    """Every combination of the varied values (a full factorial design)."""
    missing = [v.key for v in varies if not v.values]
    if missing:
        raise DesignError(f"--vary for {', '.join(missing)}: a grid needs values (key=low:high:step or key=a,b,c)")
    for v in varies:
        repeated = sorted({str(x) for x in v.values if v.values.count(x) > 1})
        if repeated:
            whole = " (a whole-number field: values are rounded)" if v.integer else ""
            raise DesignError(f"--vary {v.key}: the value(s) {', '.join(repeated)} appear more than once{whole}")
    size = int(np.prod([len(v.values) for v in varies], dtype=float))
    if size > MAX_POINTS:
        raise DesignError(f"the grid has {size:,} points: at most {MAX_POINTS:,}; vary fewer values")
    return [point(base, dict(zip([v.key for v in varies], combo))) for combo in itertools.product(*(v.values for v in varies))]


def latin_hypercube(base: Scenario, varies: list[Vary], samples: int, seed: int) -> list[Point]:
    """``samples`` points of a Latin hypercube over the ranges (scipy.stats.qmc), seeded."""
    if not 1 <= samples <= MAX_POINTS:
        raise DesignError(f"--samples must be between 1 and {MAX_POINTS:,}, got {samples}")
    refuse_steps(varies, lambda v: "a Latin hypercube draws its values anywhere in low:high", "--sample grid")
    from scipy.stats import qmc  # imported here: scipy.stats is slow to import, and workers never need it

    unit = qmc.LatinHypercube(d=len(varies), seed=np.random.default_rng(seed)).random(samples)
    return from_unit_cube(base, varies, unit)


def from_unit_cube(base: Scenario, varies: list[Vary], rows: np.ndarray) -> list[Point]:
    """Points for rows of a sample in the unit cube [0, 1)^d, scaled to the ranges."""
    ranges = _ranges(varies)
    lows, highs = np.array([r[0] for r in ranges]), np.array([r[1] for r in ranges])
    scaled = lows + rows * (highs - lows)
    return from_values(base, varies, scaled)


def from_values(base: Scenario, varies: list[Vary], rows: np.ndarray) -> list[Point]:
    """Points for rows of parameter values (integers rounded)."""
    return [point(base, {v.key: _round(x, v.integer) for v, x in zip(varies, row)}) for row in rows]


def point(base: Scenario, overrides: dict[str, Any]) -> Point:
    label = ", ".join(f"{k}={_show(v)}" for k, v in overrides.items()) or base.name
    return Point(label, overrides, base.with_overrides(overrides))


def design_values(points: list[Point]) -> list[dict[str, Any]]:
    """Each point's value of every key the design varies, whatever made it: a grid's or sample's
    keys, the scenarios of a comparison (the first one's values too, not only how the others
    differ from it), an ensemble member's parameters beside the candidate's levers. A key is
    varied when a point overrides it or any point's scenario differs in it from the first's."""
    first = points[0].scenario if points else None
    keys = dict.fromkeys(key for p in points for key in (*p.overrides, *changed_fields(p.scenario, first)))
    values = [dict(leaves(p.scenario.model_dump(mode="json"))) for p in points]
    return [{key: value.get(key, p.overrides.get(key)) for key in keys} for p, value in zip(points, values)]


def refuse_steps(varies: list[Vary], how: Callable[[Vary], str], instead: str) -> None:
    """Refuse a ``low:high:step`` range where a sampler (``how`` it picks a parameter's values) cannot keep
    to the step, rather than drop the step without a word; say what to give, or ``instead`` to use for the step."""
    stepped = [v for v in varies if v.step is not None]
    if stepped:
        v = stepped[0]
        raise DesignError(
            f"--vary {v.text!r}: {how(v)}, so it cannot keep to a step: give {v.key}={v.low:g}:{v.high:g}, "
            f"or use {instead} for the values {v.low:g}, {v.low + v.step:g}, ... (step {v.step:g})"
        )


def _ranges(varies: list[Vary]) -> list[tuple[float, float]]:
    missing = [v.key for v in varies if v.low is None]
    if missing:
        raise DesignError(f"--vary for {', '.join(missing)}: sampling needs a range key=low:high")
    return [(float(v.low), float(v.high)) for v in varies]  # type: ignore[arg-type]


def _round(value: Any, integer: bool) -> Any:
    return int(round(float(value))) if integer else float(value)


def _show(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _check(base: Scenario, key: str, value: Any, text: str) -> None:
    try:
        base.with_overrides({key: value})
    except ScenarioError as err:
        raise DesignError(f"--vary {text!r}: {str(err).split(': ', 1)[1]}") from None


def _is_integer_field(base: Scenario, key: str) -> bool:
    """Whether the dotted field ``key`` holds whole numbers; unknown keys are an error."""
    model: Any = type(base)
    for part in key.split("."):
        if get_origin(model) is dict:  # a table by name, such as employers.sectors.<name>
            model = get_args(model)[1]
            continue
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            known = ", ".join(sorted(fields)) if fields else "none (not a section)"
            raise DesignError(f"--vary {key}: unknown key '{part}'; allowed keys here: {known}")
        model = fields[part].annotation
    types = get_args(model) or (model,)
    return int in types or any(int in get_args(t) for t in types)
