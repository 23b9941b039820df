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

A target may carry ``overrides`` that make the population its figure is about, and a
series target may be a change: ``relative_to`` a second window, it is the measure over
``window`` divided by the measure over ``relative_to``, minus 1.

Besides the targets, a targets file names what the same runs are also measured on, never
fitted: ``check`` (an observed figure kept out of the fit: an out-of-sample test, or a
set-up check that every run meets by construction), ``answer`` (a headline result whose
spread across the plausible sets the calibration reports and decomposes) and
``observable`` (a quantity not observed yet, whose value of information for each answer
the calibration reports: what to measure next). An ``option`` (a policy option's scenario
file against its base) is run with a sample of the plausible sets, and the spread of its
effect on each ``option_measure`` is decomposed as an answer's is. Every target and check names the
``figure`` of docs/sources.md it uses; docs/sources.md tags each figure as an input, a
target or a check, and a figure is used one way only (tests/test_calibration.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..experiments.evaluation import HORIZONS, OUTCOMES, check_same_people
from ..rules.input_files import read_toml
from ..rules.scenario import Float, Int, Scenario, ScenarioError
from ..world.indicators import INDICATOR_INFO, INDICATORS
from ..world.resources import MAX_REPLICATIONS

#: Targets files, like scenario files: unknown keys, infinite or NaN numbers are errors.
STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)
#: Candidate parameter sets of one wave, at most.
MAX_SAMPLES = 10_000


@dataclass(frozen=True)
class Series:
    """A dated measure from the monthly series over a window of calendar months.

    ``kind``: ``ratio``, the sum of ``numerator`` over the window divided by the sum of
    ``denominator`` (a rate: flows over the stocks they flow from); ``mean``, the monthly mean
    of ``numerator``; ``increase``, its value in the window's last month less that in the month
    before the window (for a count that accumulates). Then times ``scale``.
    """

    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()
    subtract: tuple[str, ...] = ()  # columns taken off the numerator
    kind: Literal["ratio", "mean", "increase"] = "ratio"
    scale: float = 1.0
    meaning: str = ""
    low: float = 0.0
    high: float = math.inf


#: The dated measures (each column is in the experiment store's monthly table, store.MONTHLY).
SERIES: dict[str, Series] = {
    "transition_rate": Series(("flow_lde_to_nec",), ("lde",), scale=12.0, meaning="LDE -> regular job moves per LDE worker-year"),
    "unemployed_job_finding": Series(
        ("flow_unemployed_to_nec",),
        ("unemployed",),
        meaning="monthly share of the pool's unemployed who find a regular job",
        high=1.0,
    ),
    "pool_job_finding": Series(
        ("flow_unemployed_to_nec", "flow_social_assistance_to_nec"),
        ("unemployed", "social_assistance"),
        meaning="monthly share of the jobless pool (benefit and social assistance) who find a regular job",
        high=1.0,
    ),
    "lde_workforce": Series(("lde",), kind="mean", meaning="mean number of LDE workers"),
    "enterprises_open": Series(("enterprises_open",), kind="mean", meaning="mean number of open LDE enterprises"),
    "jobless": Series(("unemployed", "social_assistance"), kind="mean", meaning="mean number of jobless people in the pool"),
    "sine_spending_year": Series(("spending_sine",), kind="mean", scale=12.0, meaning="SINE spending on LDE workers, EUR a year"),
    "benefit_lost": Series(("benefit_lost",), kind="mean", meaning="people losing their unemployment benefit a month"),
    "in_job_12_months_after_move": Series(
        ("followup12_in_nec",),
        ("followup12_moves",),
        meaning="share of LDE -> regular job moves still in a regular job 12 months later (follow-ups made in the window)",
        high=1.0,
    ),
    "dumping_share": Series(
        ("followup12_leavers_on_benefits",),
        ("followup12_leavers",),
        meaning="share of LDE leavers on a benefit 12 months after leaving (follow-ups made in the window)",
        high=1.0,
    ),
    "enterprise_closures": Series(("enterprises_closed",), kind="increase", meaning="LDE enterprises closed in the window"),
    "enterprises_converted": Series(
        ("enterprises_converted",), kind="mean", meaning="enterprises converted to collective maatwerk and operating"
    ),
    "enterprise_margin": Series(
        ("enterprise_income",),
        ("lde",),
        subtract=("enterprise_costs",),
        meaning="the enterprises' income less costs per LDE worker-month, EUR (their accounts)",
        low=-math.inf,
    ),
    "customer_revenue": Series(("customer_revenue",), ("lde",), meaning="client revenue per LDE worker-month, EUR"),
    "route_work_care_share": Series(
        ("evaluated_work_care",),
        ("evaluated_work_care", "evaluated_maatwerk", "evaluated_internal_doorstroom", "evaluated_trajectory"),
        meaning="share of the doorstroom evaluations advising work-care",
        high=1.0,
    ),
    "route_maatwerk_share": Series(
        ("evaluated_maatwerk",),
        ("evaluated_work_care", "evaluated_maatwerk", "evaluated_internal_doorstroom", "evaluated_trajectory"),
        meaning="share of the doorstroom evaluations advising collective maatwerk",
        high=1.0,
    ),
    "traineeship_hire_rate": Series(
        ("traineeships_hired",), ("traineeships_ended",), meaning="share of ended traineeships that end in a hire", high=1.0
    ),
    "leavers_in_job_12_months": Series(
        ("followup12_state_nec",),
        ("followup12_cohort",),
        meaning="share of LDE leavers in a regular job 12 months after leaving (follow-ups made in the window)",
        high=1.0,
    ),
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


class Measure(BaseModel):
    """What the runs are measured on: one of an indicator of the whole run, a dated series over
    a window (possibly relative to a second window), or an effect against the twin without LDE."""

    model_config = STRICT
    name: str
    indicator: str | None = None
    series: str | None = None
    window: tuple[str, str] | None = None
    relative_to: tuple[str, str] | None = None
    effect: Effect | None = None
    overrides: dict[str, Any] = {}

    @model_validator(mode="after")
    def _one_measure(self) -> Measure:
        given = [k for k in ("indicator", "series", "effect") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of indicator, series (with window) or effect")
        if self.indicator is not None and self.indicator not in INDICATORS:
            raise ValueError(f"unknown indicator '{self.indicator}'; indicators are {', '.join(INDICATORS)}")
        if self.series is not None and self.series not in SERIES:
            raise ValueError(f"unknown series '{self.series}'; series are {', '.join(SERIES)}")
        if (self.series is None) != (self.window is None):
            raise ValueError("a series needs a window of two calendar months [first, last], and only a series has one")
        if self.relative_to is not None and self.series is None:
            raise ValueError("only a series can be relative_to a second window")
        return self

    def bounds(self) -> tuple[float, float]:
        """The least and the most this measure can be: an indicator's range (its scenario-dependent
        bound, such as the number of enterprises, counted as unbounded), a series' range, -1 up for a
        change of a quantity that is never negative; unbounded for an effect."""
        if self.indicator is not None:
            return INDICATOR_INFO[self.indicator].range()
        if self.series is not None:
            low, high = SERIES[self.series].low, SERIES[self.series].high
            return ((-1.0 if low >= 0 else -math.inf), math.inf) if self.relative_to else (low, high)
        return -math.inf, math.inf

    def what(self) -> str:
        """The measure in a few words, for tables."""
        if self.effect is not None:
            minus = f" - {self.effect.minus}" if self.effect.minus is not None else ""
            return f"effect {self.effect.since} {self.effect.horizon}{minus}"
        if self.series is None:
            return str(self.indicator)
        change = f" / {' to '.join(self.relative_to)} - 1" if self.relative_to else ""
        return f"{self.series} {' to '.join(self.window or ())}{change}"


class Target(Measure):
    """An observed figure the calibration fits: its value, uncertainty (observation error and
    model discrepancy together), source, and the figure of docs/sources.md it is."""

    value: Float
    uncertainty: Float = Field(gt=0)
    source: str
    figure: str | None = None


class Check(Target):
    """An observed figure the calibration measures and never fits: ``out-of-sample`` (written
    down before the fit, dated after the calibration window), ``set-up`` (a figure the world
    is sized on, so it can only check the set-up) or ``uninformative`` (a figure every run of
    the prior meets within its uncertainty: as a target it could rule nothing out)."""

    kind: Literal["out-of-sample", "set-up", "uninformative"] = "out-of-sample"


class Answer(Measure):
    """A headline result: its spread over the plausible sets, and where the spread comes from."""

    meaning: str = Field(min_length=1)


class Observable(Measure):
    """A quantity nobody has published yet: how much measuring it would narrow each answer."""

    how: str = Field(min_length=1)  # what to measure, in words an analyst can act on


class Option(BaseModel):
    """A policy option: ``scenario`` against ``base`` (scenario files, relative to the targets file),
    both run with a sample of the plausible sets; the spread of its effects (``option_measure``)
    over those sets is decomposed as an answer's is. ``measures`` names the option measures it is
    measured on (default: every one): options of different branch dates need windows of their own."""

    model_config = STRICT
    name: str
    scenario: str
    base: str
    measures: list[str] | None = Field(None, min_length=1)  # None: every option measure


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
    # share of the parameter sets that also run their twin without LDE (effect targets): a paired
    # run costs about two and a half plain ones, and the effects' emulators need fewer runs
    effect_share: Float = Field(1.0, gt=0, le=1)
    seed: Int = Field(1, ge=0, lt=2**63)
    target: list[Target] = Field(min_length=1)
    parameter: list[Free] = Field(min_length=1)
    check: list[Check] = []
    answer: list[Answer] = []
    observable: list[Observable] = []
    option: list[Option] = []
    option_measure: list[Answer] = []  # the effects (option less base) an option is measured on: its measures, or all
    option_sets: Int = Field(100, ge=10, le=500)  # plausible sets each option and its base run with
    option_replications: Int = Field(2, ge=2, le=MAX_REPLICATIONS)  # per set: noise told from the sets' spread

    def measures(self) -> list[Measure]:
        """Everything measured on each run: the targets first, then checks, answers, observables."""
        return [*self.target, *self.check, *self.answer, *self.observable]

    def measured_on(self, option: Option) -> list[int]:
        """The places in ``option_measure`` of the measures ``option`` is measured on."""
        names = [m.name for m in self.option_measure]
        return list(range(len(names))) if option.measures is None else [names.index(name) for name in option.measures]


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
    for target in spec.measures():
        scenario = in_targets_file(path, f"target '{target.name}': overrides", lambda t=target: base.with_overrides(t.overrides))
        for window in (target.window, target.relative_to):
            if window is not None:
                check_window(path, target, scenario, window)
        if target.effect is not None:
            check_horizon(path, target, scenario)
    check_whole_file(path, spec)
    option_scenarios(path, spec)
    return spec, base, scenario_path


def option_scenarios(path: Path, spec: Targets) -> list[tuple[Scenario, Scenario]]:
    """Each option's (base, option) scenarios, with the targets file's ``overrides``; every option
    measure must lie within both runs."""
    if bool(spec.option) != bool(spec.option_measure):
        raise ScenarioError(f"{path}: give both [[option]] and [[option_measure]], or neither")
    twinned = [m.name for m in spec.option_measure if m.effect is not None]
    if twinned:
        raise ScenarioError(f"{path}: option measure {', '.join(twinned)}: an option's effect is an indicator or a series")
    check_option_measures(path, spec)
    pairs = []
    for option in spec.option:
        base, scenario = (option_scenario(path, spec, option, key) for key in ("base", "scenario"))
        check_same_people(
            base,
            scenario,
            f"{path}: option '{option.name}': scenario {option.scenario}",
            f"an option's effect is the difference between runs of the same people with the same seeds under {option.base}",
            in_file=True,
        )
        for k in spec.measured_on(option):
            measure = spec.option_measure[k]
            for window in (measure.window, measure.relative_to):
                if window is not None:
                    check_window(path, measure, base, window)
                    check_window(path, measure, scenario, window)
        pairs.append((base, scenario))
    return pairs


def check_option_measures(path: Path, spec: Targets) -> None:
    """Every measure an option names is an option measure, and every option measure is measured on some option."""
    names = [m.name for m in spec.option_measure]
    for option in spec.option:
        named = option.measures or []
        unknown = [name for name in named if name not in names]
        if twice := repeated(named):
            raise ScenarioError(
                f"{path}: option '{option.name}': measure {', '.join(twice)} is named twice or more; name each once"
            )
        if unknown:
            raise ScenarioError(
                f"{path}: option '{option.name}': measures: {', '.join(unknown)} is not an [[option_measure]]; "
                f"the option measures are {', '.join(names)}"
            )
    used = {k for option in spec.option for k in spec.measured_on(option)}
    unused = [name for k, name in enumerate(names) if k not in used]
    if unused:
        raise ScenarioError(
            f"{path}: option measure {', '.join(unused)} is measured on no option; name it in an option's measures"
        )


def repeated(names: list[str]) -> list[str]:
    """The names given more than once in ``names``, sorted."""
    return sorted({name for name in names if names.count(name) > 1})


def option_scenario(path: Path, spec: Targets, option: Option, key: str) -> Scenario:
    """The scenario file ``key`` (``base`` or ``scenario``) of ``option``, relative to the targets file."""
    file = path.parent / getattr(option, key)
    return in_targets_file(path, f"option '{option.name}': {key}", lambda: Scenario.load(file, spec.overrides))


def check_whole_file(path: Path, spec: Targets) -> None:
    """What would otherwise fail only after the last wave: a parameter given twice, a target name
    given twice, and a ``calibrated_extends`` that is not a loadable scenario."""
    named = (
        ("parameter", [p.key for p in spec.parameter]),
        ("target", [t.name for t in spec.measures()]),
        ("option", [o.name for o in spec.option]),
        ("option measure", [m.name for m in spec.option_measure]),
    )
    for what, names in named:
        if twice := repeated(names):
            raise ScenarioError(f"{path}: {what} {', '.join(twice)} is given more than once; give each once")
    if spec.calibrated_extends is not None:
        in_targets_file(path, "calibrated_extends", lambda: Scenario.load(path.parent / spec.calibrated_extends))


def check_horizon(path: Path, target: Measure, scenario: Scenario) -> None:
    """An effect target is measured only if someone placed in month 1 can be followed ``horizon`` months."""
    effect = target.effect
    longest = max(h for h in (effect.horizon, effect.minus) if h is not None)  # type: ignore[union-attr]
    if longest > scenario.months - 1:
        raise ScenarioError(
            f"{path}: target '{target.name}': horizon {longest} months cannot be measured in a run of "
            f"{scenario.months} months (a participant placed in month 1 is followed at most {scenario.months - 1}); "
            "lengthen the run (months) or shorten the horizon"
        )


def check_window(path: Path, target: Measure, scenario: Scenario, window: tuple[str, str]) -> None:
    """A series' window must be two calendar months inside the run, in order."""
    try:
        first, last = (scenario.month_of(date) for date in window)
    except (ValueError, ScenarioError) as err:
        raise ScenarioError(f"{path}: target '{target.name}': window {list(window)}: {err}") from None
    if not 1 <= first <= last <= scenario.months:
        raise ScenarioError(
            f"{path}: target '{target.name}': window {list(window)} must lie within the run "
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
    for target in spec.measures():
        if target.overrides not in found:
            found.append(target.overrides)
    return found


def measured(target: Measure, scenario: Scenario, runs: dict[str, pd.DataFrame]) -> pd.Series:
    """The target's value in each replication of one design point (indexed by replication).

    ``runs`` holds that point's store rows: ``indicators``, ``monthly`` and ``evaluation``.
    """
    if target.indicator is not None:
        return runs["indicators"].set_index("replication")[target.indicator].astype(float)
    if target.series is not None:
        value = series_value(SERIES[target.series], scenario, runs["monthly"], target.window)  # type: ignore[arg-type]
        if target.relative_to is None:
            return value
        return value / series_value(SERIES[target.series], scenario, runs["monthly"], target.relative_to) - 1.0
    return effect_of(target.effect, runs["evaluation"])  # type: ignore[arg-type]


def series_value(series: Series, scenario: Scenario, monthly: pd.DataFrame, window: tuple[str, str]) -> pd.Series:
    """A series over a window of calendar months, per replication of ``monthly``."""
    first, last = (scenario.month_of(date) for date in window)
    rows = monthly[monthly["month"].between(first, last)].groupby("replication")
    top = rows[list(series.numerator)].sum().sum(axis=1)
    if series.subtract:
        top = top - rows[list(series.subtract)].sum().sum(axis=1)
    if series.kind == "increase":
        column = monthly.groupby(["replication", "month"])[list(series.numerator)].sum().sum(axis=1).unstack("month")
        value = column[last] - column[first - 1]
    elif series.kind == "mean":
        value = top / rows.size()
    else:
        bottom = rows[list(series.denominator)].sum().sum(axis=1)
        value = top / bottom.where(bottom > 0)
    return series.scale * value


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
