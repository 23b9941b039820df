"""Calibration targets files: what the model must reproduce, and which parameters are free.

A targets file (TOML, see ``calibration/targets.toml``) names the scenario to calibrate,
the free parameters (each a prior range and the reason for it), the targets and the
design of the history matching (:mod:`simulation.calibration.history_matching`). A target is an observed
figure with its uncertainty and source, measured in the model one of three ways:

- ``indicator``: an indicator of the whole run (:data:`simulation.world.indicators.INDICATORS`);
- ``series`` with a ``window`` of calendar months: a dated figure from the monthly series
  (:data:`SERIES`), e.g. the LDE transition rate over April 2015 to March 2018;
- ``effect``: the effect of an LDE placement as ``lde-sim evaluate`` measures it (against
  the twin without LDE), in percentage points at a horizon after entry or exit, or its
  growth between two horizons (``minus``).

A target may carry ``overrides`` that make the population its figure is about.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..experiments.evaluation import HORIZONS, OUTCOMES
from ..rules.input_files import read_toml
from ..rules.scenario import Float, Int, Scenario, ScenarioError
from ..world.indicators import INDICATORS
from ..world.resources import MAX_REPLICATIONS

#: Targets files, like scenario files: unknown keys, infinite or NaN numbers are errors.
STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)
#: Candidate parameter sets of one wave, at most.
MAX_SAMPLES = 10_000

#: Dated measures from the monthly series: numerator columns, denominator columns (None: the
#: mean of the numerator), a scale, and what the measure is. A rate is the sum of the flows
#: over the window divided by the sum of the stocks they flow from.
SERIES: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None, float, str]] = {
    "transition_rate": (("flow_lde_to_nec",), ("lde",), 12.0, "LDE -> regular job moves per LDE worker-year"),
    "unemployed_job_finding": (
        ("flow_unemployed_to_nec",),
        ("unemployed",),
        1.0,
        "monthly share of the pool's unemployed who find a regular job",
    ),
    "pool_job_finding": (
        ("flow_unemployed_to_nec", "flow_social_assistance_to_nec"),
        ("unemployed", "social_assistance"),
        1.0,
        "monthly share of the jobless pool (benefit and social assistance) who find a regular job",
    ),
    "lde_workforce": (("lde",), None, 1.0, "mean number of LDE workers"),
    "enterprises_open": (("enterprises_open",), None, 1.0, "mean number of open LDE enterprises"),
}


class Effect(BaseModel):
    """The effect of an LDE placement on an outcome, at ``horizon`` months after entry or exit
    (percentage points; income in EUR), less the effect at ``minus`` months when given."""

    model_config = STRICT
    outcome: Literal[OUTCOMES] = "in_regular_job"  # type: ignore[valid-type]
    since: Literal["entry", "exit"]
    horizon: Int
    minus: Int | None = None

    @model_validator(mode="after")
    def _horizons(self) -> Effect:
        for h in (self.horizon, self.minus):
            if h is not None and h not in HORIZONS:
                raise ValueError(f"horizon {h}: evaluations measure every 3 months from 0 to {HORIZONS[-1]}")
        return self


class Target(BaseModel):
    model_config = STRICT
    name: str
    value: Float
    uncertainty: Float = Field(gt=0)
    source: str
    indicator: str | None = None
    series: str | None = None
    window: tuple[str, str] | None = None
    effect: Effect | None = None
    overrides: dict[str, Any] = {}

    @model_validator(mode="after")
    def _one_measure(self) -> Target:
        given = [k for k in ("indicator", "series", "effect") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of indicator, series (with window) or effect")
        if self.indicator is not None and self.indicator not in INDICATORS:
            raise ValueError(f"unknown indicator '{self.indicator}'; indicators are {', '.join(INDICATORS)}")
        if self.series is not None and self.series not in SERIES:
            raise ValueError(f"unknown series '{self.series}'; series are {', '.join(SERIES)}")
        if (self.series is None) != (self.window is None):
            raise ValueError("a series needs a window of two calendar months [first, last], and only a series has one")
        return self


class Free(BaseModel):
    """A free parameter: its prior range (uniform) and why that range."""

    model_config = STRICT
    key: str
    low: Float
    high: Float
    reason: str = Field(min_length=1)


class Targets(BaseModel):
    """A targets file: the scenario, the free parameters, the targets and the design of the waves."""

    model_config = STRICT
    scenario: str
    calibrated_extends: str | None = None  # the scenario calibrated.toml builds on (default: ``scenario``)
    overrides: dict[str, Any] = {}
    samples: Int = Field(40, ge=2, le=MAX_SAMPLES)  # runs of the model per wave
    waves: Int = Field(3, ge=1, le=10)
    screen: Int = Field(20_000, ge=100, le=1_000_000)  # parameter sets the emulators judge per wave
    cutoff: Float = Field(3.0, gt=0)
    ensemble_size: Int = Field(30, ge=1, le=500)
    replications: Int = Field(2, ge=1, le=MAX_REPLICATIONS)
    seed: Int = Field(1, ge=0, lt=2**63)
    target: list[Target] = Field(min_length=1)
    parameter: list[Free] = Field(min_length=1)


def load_targets(path: str | Path) -> tuple[Targets, Scenario, Path]:
    """Read and check a targets file; return it, the base scenario and the scenario's path."""
    path = Path(path)
    try:
        spec = Targets.model_validate(read_toml(path, "targets file", ScenarioError))
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise ScenarioError(f"{path}: {problems}") from None
    scenario_path = (path.parent / spec.scenario).resolve()
    base = in_targets_file(path, "overrides", lambda: Scenario.load(scenario_path, spec.overrides))
    for target in spec.target:
        scenario = in_targets_file(path, f"target '{target.name}': overrides", lambda t=target: base.with_overrides(t.overrides))
        if target.window is not None:
            check_window(path, target, scenario)
        if target.effect is not None:
            check_horizon(path, target, scenario)
    check_whole_file(path, spec)
    return spec, base, scenario_path


def check_whole_file(path: Path, spec: Targets) -> None:
    """What would otherwise fail only after the last wave: a parameter given twice, a target name
    given twice, and a ``calibrated_extends`` that is not a loadable scenario."""
    for what, names in (("parameter", [p.key for p in spec.parameter]), ("target", [t.name for t in spec.target])):
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ScenarioError(f"{path}: {what} {', '.join(repeated)} is given more than once; give each once")
    if spec.calibrated_extends is not None:
        in_targets_file(path, "calibrated_extends", lambda: Scenario.load(path.parent / spec.calibrated_extends))


def check_horizon(path: Path, target: Target, scenario: Scenario) -> None:
    """An effect target is measured only if someone placed in month 1 can be followed ``horizon`` months."""
    effect = target.effect
    longest = max(h for h in (effect.horizon, effect.minus) if h is not None)  # type: ignore[union-attr]
    if longest > scenario.months - 1:
        raise ScenarioError(
            f"{path}: target '{target.name}': horizon {longest} months cannot be measured in a run of "
            f"{scenario.months} months (a participant placed in month 1 is followed at most {scenario.months - 1}); "
            "lengthen the run (months) or shorten the horizon"
        )


def check_window(path: Path, target: Target, scenario: Scenario) -> None:
    """A series' window must be two calendar months inside the run, in order."""
    try:
        first, last = (scenario.month_of(date) for date in target.window or ())
    except (ValueError, ScenarioError) as err:
        raise ScenarioError(f"{path}: target '{target.name}': window {list(target.window or ())}: {err}") from None
    if not 1 <= first <= last <= scenario.months:
        raise ScenarioError(
            f"{path}: target '{target.name}': window {list(target.window or ())} must lie within the run "
            f"({scenario.date(1)} to {scenario.date(scenario.months)}), first month first"
        )


def in_targets_file(path: Path, where: str, make: Callable[[], Scenario]) -> Scenario:
    """Build a scenario from a targets file's overrides; an error names the targets file and the
    place in it, not the command line."""
    try:
        return make()
    except ScenarioError as err:
        problem = str(err)
        for origin in ("override (--set): ", "override: "):
            problem = problem.replace(origin, "")
        raise ScenarioError(f"{path}: {where}: {problem}") from None


def populations(spec: Targets) -> list[dict[str, Any]]:
    """The distinct populations the targets are about (each a set of overrides)."""
    found: list[dict[str, Any]] = []
    for target in spec.target:
        if target.overrides not in found:
            found.append(target.overrides)
    return found


def measured(target: Target, scenario: Scenario, runs: dict[str, pd.DataFrame]) -> pd.Series:
    """The target's value in each replication of one design point (indexed by replication).

    ``runs`` holds that point's store rows: ``indicators``, ``monthly`` and ``evaluation``.
    """
    if target.indicator is not None:
        return runs["indicators"].set_index("replication")[target.indicator].astype(float)
    if target.series is not None:
        numerator, denominator, scale, _ = SERIES[target.series]
        first, last = (scenario.month_of(date) for date in target.window or ())
        window = runs["monthly"][runs["monthly"]["month"].between(first, last)].groupby("replication")
        top = window[list(numerator)].sum().sum(axis=1)
        if denominator is None:
            return top / window.size()
        bottom = window[list(denominator)].sum().sum(axis=1)
        return scale * top / bottom.where(bottom > 0)
    return effect_of(target.effect, runs["evaluation"])  # type: ignore[arg-type]


def effect_of(effect: Effect, rows: pd.DataFrame) -> pd.Series:
    """The effect per replication from evaluation rows (percentage points; income in EUR)."""
    rows = rows[(rows["subgroup"] == "all") & (rows["outcome"] == effect.outcome) & (rows["since"] == effect.since)]
    per = (rows["treated"] - rows["counterfactual"]).groupby([rows["replication"], rows["horizon_months"]]).mean()
    scale = 1.0 if effect.outcome == "income" else 100.0
    wide = per.unstack("horizon_months")
    value = wide.get(effect.horizon, pd.Series(np.nan, index=wide.index))
    if effect.minus is not None:
        value = value - wide.get(effect.minus, pd.Series(np.nan, index=wide.index))
    return scale * value
