"""Search files: what ``lde-sim search`` looks for, read from TOML and validated.

A search file names the levers to search (each with a range or its choices), the
objectives and the robustness statistic of each over the futures, the constraints, the
futures (members of an ensemble file such as ``calibration/plausible.csv``, replications,
seed), the fresh futures the front is re-evaluated on, the stress test, and the algorithm
with its size. ``searches/small.toml`` is a worked example. Files are data: parsed as TOML,
never evaluated. An error names the file, the field, the value and what is allowed.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import LDEError
from ..rules.parameter_docs import LEVER_PRICES, UNPRICED, parameters, whole_number
from ..rules.scenario import Scenario, ScenarioError, parameter_role
from ..world.indicators import INDICATOR_INFO
from .discovery import CLAUSE
from .ensemble import load_ensemble
from .evaluation import EFFECTS

#: Which direction of each evaluation headline effect is better (the indicators carry their own).
EFFECT_BETTER = {
    "net_effect_regular_job_24m": "higher",
    "lock_in_12m": "higher",
    "deadweight_share": "lower",
    "displacement_share": "lower",
    "net_employment_effect": "higher",
    "net_sustainable_transitions": "higher",
    **{name: "lower" for name in EFFECTS if name.startswith("net_fiscal_cost")},
}
STATISTICS = ("mean", "percentile", "regret", "satisficing")

#: Files of a search folder.
CANDIDATES, FRONT, CONVERGENCE, REEVALUATION, PROVENANCE = (
    "candidates.csv",
    "front.csv",
    "convergence.csv",
    "reevaluation.csv",
    "search.json",
)
#: What a ministry reads beside the objectives, per candidate (means over the futures).
MINISTRY = {
    "cost_per_year": "all governments' net cost per year (EUR)",
    "lasting_transitions_per_year": "LDE -> regular job moves a year still in a regular job 12 months later",
    "falling_back_per_year": "people a year who left LDE and are on a benefit 12 months later",
}


class SearchFileError(LDEError):
    """A search file that cannot be used; the message names file, field, value and what is allowed."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Lever(Strict):
    """A lever to search: a number between ``low`` and ``high`` (whole numbers for a whole-number
    field), or one of ``choices``."""

    key: str
    low: float | None = None
    high: float | None = None
    choices: list[bool | int | float | str] | None = None

    @model_validator(mode="after")
    def _range_or_choices(self) -> Lever:
        if self.choices is None and (self.low is None or self.high is None):
            raise ValueError("give low and high, or choices")
        if self.choices is not None and (self.low is not None or self.high is not None):
            raise ValueError("give low and high, or choices, not both")
        if self.choices is not None and len(self.choices) < 2:
            raise ValueError(f"choices {self.choices}: give at least two")
        if self.choices is None and not self.low < self.high:  # type: ignore[operator]
            raise ValueError(f"low {self.low} must be below high {self.high}")
        return self

    @property
    def integer(self) -> bool:
        return self.choices is None and whole_number(self.key)

    def decode(self, x: float) -> Any:
        """The lever's value at ``x`` in [0, 1]: equal bins for whole numbers and choices; a real
        value rounded to 4 significant digits (a policy is not set more finely, and the cache by
        lever values then recognises a candidate seen before)."""
        if self.choices is not None:
            return self.choices[min(int(x * len(self.choices)), len(self.choices) - 1)]
        low, high = float(self.low), float(self.high)  # type: ignore[arg-type]
        if self.integer:
            count = int(high) - int(low) + 1
            return int(low) + min(int(x * count), count - 1)
        return float(f"{low + x * (high - low):.4g}")


class Measure(Strict):
    """An indicator (docs/indicators.md) or an evaluation headline effect over the futures, by a
    robustness statistic: ``mean``; ``percentile`` (the value ``percentile`` % of futures are
    worse than); ``regret`` (the largest shortfall from the best candidate in a future); or
    ``satisficing`` (the share of futures where the value meets ``threshold``)."""

    name: str
    statistic: Literal["mean", "percentile", "regret", "satisficing"] = "mean"
    percentile: float | None = Field(None, gt=0, lt=100)
    threshold: float | None = None

    @model_validator(mode="after")
    def _known(self) -> Measure:
        if self.name not in INDICATOR_INFO and self.name not in EFFECT_BETTER:
            raise ValueError(
                f"name {self.name!r}: not an indicator (docs/indicators.md) or an evaluation headline effect "
                f"({', '.join(EFFECT_BETTER)})"
            )
        if not self.better:
            raise ValueError(f"name {self.name!r}: neither higher nor lower is better (a size or a price); choose another")
        if (self.statistic == "percentile") != (self.percentile is not None):
            raise ValueError("percentile (0-100) is given with statistic = 'percentile', and only then")
        if (self.statistic == "satisficing") != (self.threshold is not None):
            raise ValueError("threshold is given with statistic = 'satisficing', and only then")
        return self

    @property
    def better(self) -> str:
        """``higher`` or ``lower``: from the indicator's own metadata (or the effect's)."""
        return INDICATOR_INFO[self.name].better if self.name in INDICATOR_INFO else EFFECT_BETTER[self.name]

    @property
    def is_effect(self) -> bool:
        return self.name not in INDICATOR_INFO

    @property
    def column(self) -> str:
        """Its column in candidates.csv."""
        if self.statistic == "percentile":
            return f"{self.name}_p{self.percentile:g}"
        if self.statistic == "satisficing":
            return f"{self.name}_share_meeting_{self.threshold:g}"
        return f"{self.name}_{self.statistic}"

    @property
    def maximised(self) -> bool:
        """Whether more of the statistic is better (a share of futures met always is; regret never)."""
        return self.statistic == "satisficing" or (self.statistic != "regret" and self.better == "higher")


class Constraint(Measure):
    """A measure that must stay at most ``at_most`` or at least ``at_least``."""

    at_most: float | None = None
    at_least: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Constraint:
        if (self.at_most is None) == (self.at_least is None):
            raise ValueError("give exactly one of at_most and at_least")
        return self


class Futures(Strict):
    """Members of an ensemble file (``members = "all"`` with their weights, or a weighted sample of
    K drawn with ``seed``, then equally weighted), each run ``replications`` times."""

    ensemble: str = "calibration/plausible.csv"
    members: Literal["all"] | int = Field(4)
    replications: int = Field(2, ge=1, le=1000)
    seed: int = Field(1, ge=0, lt=2**63)

    @model_validator(mode="after")
    def _positive(self) -> Futures:
        if self.members != "all" and self.members < 1:  # type: ignore[operator]
            raise ValueError(f"members {self.members}: 'all' or a whole number of at least 1")
        return self


class Stress(Strict):
    """The stress test of the compromise candidate: every member, ``replications`` each, and
    scenario discovery (PRIM) of where ``fails`` holds (``lde-sim discover --fails``)."""

    fails: str
    replications: int = Field(1, ge=1, le=1000)
    seed: int = Field(3, ge=0, lt=2**63)


class SearchSpec(Strict):
    """A whole search file."""

    name: str = Field("search", min_length=1, max_length=100)
    description: str = ""
    algorithm: Literal["auto", "nsga2", "nsga3"] = "auto"
    generations: int = Field(10, ge=1, le=1000)
    population: int = Field(20, ge=4, le=10_000)
    seed: int = Field(1, ge=0, lt=2**63)
    levers: list[Lever] = Field(min_length=1, max_length=50)
    objectives: list[Measure] = Field(min_length=2, max_length=10)
    constraints: list[Constraint] = []
    futures: Futures = Futures()
    fresh: Futures = Futures(seed=2)
    stress: Stress | None = None

    @model_validator(mode="after")
    def _distinct(self) -> SearchSpec:
        for what, keys in (("levers", [lv.key for lv in self.levers]), ("objectives", [o.column for o in self.objectives])):
            repeated = sorted({k for k in keys if keys.count(k) > 1})
            if repeated:
                raise ValueError(f"{what} {repeated} given more than once")
        if self.fresh.seed == self.futures.seed:
            raise ValueError(
                f"fresh.seed = {self.fresh.seed}: the same as futures.seed; fresh futures need seeds the search did not use"
            )
        if self.stress is not None:
            for part in self.stress.fails.replace(" or ", " and ").split(" and "):
                match = CLAUSE.match(part)
                if match is None or match.group(1) not in INDICATOR_INFO:
                    raise ValueError(f"stress.fails {self.stress.fails!r}: '{part}' is not 'indicator < number' (or <=, >, >=)")
        return self

    @property
    def measures(self) -> list[Measure]:
        return [*self.objectives, *self.constraints]

    @property
    def uses_effects(self) -> bool:
        """Whether any objective or constraint is an evaluation effect (each run then has its twin)."""
        return any(m.is_effect for m in self.measures)

    @property
    def algorithm_name(self) -> str:
        """NSGA-III for three or more objectives, NSGA-II for two, unless the file chooses."""
        if self.algorithm != "auto":
            return self.algorithm
        return "nsga3" if len(self.objectives) >= 3 else "nsga2"


def load_search(path: str | Path, base: Scenario) -> SearchSpec:
    """Read and validate a search file for scenario ``base``; the ensemble paths are taken relative
    to the search file when not found from the current folder."""
    path = Path(path)
    if not path.is_file():
        raise SearchFileError(f"{path}: search file not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise SearchFileError(f"{path}: not valid TOML ({err})") from None
    for section in ("futures", "fresh"):
        table = data.get(section)
        if isinstance(table, dict) and isinstance(table.get("ensemble"), str):
            table["ensemble"] = str(_resolve(path, table["ensemble"]))
    try:
        spec = SearchSpec.model_validate(data)
    except ValidationError as err:
        problems = []
        for e in err.errors():
            where = ".".join(str(part) for part in e["loc"]) or "(file)"
            value = f" = {e['input']!r}" if not isinstance(e["input"], dict) else ""
            problems.append(f"{where}{value}: {e['msg'].removeprefix('Value error, ')}")
        raise SearchFileError(f"{path}: " + "; ".join(problems)) from None
    for i, lever in enumerate(spec.levers):
        _check_lever(path, i, lever, base)
    return spec


def _resolve(search_file: Path, name: str) -> Path:
    given = Path(name)
    return given if given.exists() or given.is_absolute() else Path(os.path.normpath(search_file.parent / given))


def _check_lever(path: Path, i: int, lever: Lever, base: Scenario) -> None:
    where = f"{path}: levers.{i}.key = {lever.key!r}"
    if parameter_role(lever.key) != "lever" or lever.key not in set(parameters()["key"]):
        levers = parameters().query("role == 'lever'")["key"]
        raise SearchFileError(f"{where}: not a lever (role {parameter_role(lever.key)}); levers are {', '.join(levers)}")
    if LEVER_PRICES[lever.key].startswith(UNPRICED):
        raise SearchFileError(
            f"{where}: {LEVER_PRICES[lever.key]}; a search would take it for free (docs/parameters.md, "
            "'The price of each lever'), so it cannot be searched until the ledger prices it"
        )
    values = lever.choices if lever.choices is not None else [lever.decode(0.0), lever.decode(1.0)]
    for value in values:
        try:
            base.with_overrides({lever.key: value})
        except ScenarioError as err:
            reason = str(err).rsplit(": ", 1)[-1]
            raise SearchFileError(f"{path}: levers.{i} ({lever.key}): value {value!r}: {reason}") from None


def select_futures(futures: Futures, exclude: list[int] | None = None) -> tuple[list[int], list[dict[str, Any]], np.ndarray]:
    """The members (their row numbers, their overrides) and weights of ``futures``: all with the file's
    weights, or K drawn without replacement in proportion to weight (with ``futures.seed``), not
    among ``exclude`` (the search's own members, for fresh futures) unless too few are left."""
    members, weights = load_ensemble(futures.ensemble)
    if futures.members == "all":
        return list(range(len(members))), members, weights
    pool = [m for m in range(len(members)) if m not in set(exclude or [])]
    if len(pool) < futures.members:  # type: ignore[operator]
        pool = list(range(len(members)))
    if futures.members > len(pool):  # type: ignore[operator]
        raise SearchFileError(f"futures.members = {futures.members}: the ensemble {futures.ensemble} has {len(pool)} members")
    p = weights[pool] / weights[pool].sum()
    chosen = sorted(int(pool[i]) for i in np.random.default_rng(futures.seed).choice(len(pool), futures.members, False, p))
    return chosen, [members[m] for m in chosen], np.full(len(chosen), 1 / len(chosen))
