"""Conclusions across what is plausible: comparisons over an ensemble of parameter sets.

An ensemble file (``plausible.csv``, written by ``lde-sim calibrate``) has one row per
plausible parameter set: a column per parameter (dotted keys of behaviour or context
parameters: a lever is chosen, not uncertain) and an optional ``weight``. ``lde-sim
compare --ensemble FILE`` runs every scenario with every member, all with the same
seeds, and reports for each scenario and indicator:

- the weighted mean over members of the mean over replications;
- ``param_sd``: the spread of the member means (parametric uncertainty);
- ``stoch_sd``: the standard error of the weighted mean from the replications
  (stochastic uncertainty), estimated replication by replication across the members, whose
  errors the shared seeds make move together (:func:`stochastic_sd`);
- an interval of the mean +- 1.96 x sqrt(param_sd^2 + stoch_sd^2), kept in the
  indicator's range;
- for differences from the first scenario the same, and ``robust``: whether the paired
  difference has the same sign for every member.

``evaluate --ensemble`` does the same for effects (each member against its own twin):
an effect is robust when it has the same sign for every member. ``sweep --ensemble``
reports each design point as ``compare --ensemble`` reports a scenario.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import LDEError
from ..rules.input_files import csv_stream
from ..rules.scenario import Scenario, parameter_role
from ..rules.scenario_files import locate
from ..world.indicators import INDICATOR_INFO
from .design import Point
from .evaluation import EFFECTS, effect_range
from .statistics import difference_bounds

#: The most members an ensemble may have (each multiplies the runs of an experiment).
MAX_MEMBERS = 500
Z95 = 1.959963984540054


class EnsembleError(LDEError):
    """An ensemble file that cannot be used; the message says which and why."""


def load_ensemble(path: str | Path) -> tuple[list[dict[str, Any]], np.ndarray]:
    """The members (dotted overrides each) and their weights (summing to 1) of an ensemble file (or
    ``plausible``: the shipped calibration's)."""
    path = locate(path, "calibration", ".csv")
    stream = csv_stream(path, "ensemble file", EnsembleError)
    try:
        frame = pd.read_csv(stream)
    except (ValueError, pd.errors.ParserError) as err:
        raise EnsembleError(f"--ensemble {path}: cannot be read as a CSV table ({type(err).__name__}: {err})") from None
    keys = [c for c in frame.columns if c not in ("weight", "loss")]
    if frame.empty or not keys:
        raise EnsembleError(f"--ensemble {path}: needs at least one row and one parameter column")
    if len(frame) > MAX_MEMBERS:
        raise EnsembleError(f"--ensemble {path}: {len(frame)} members; at most {MAX_MEMBERS}")
    wrong = [f"{k} (role {parameter_role(k)})" for k in keys if parameter_role(k) not in ("context", "behaviour")]
    if wrong:
        raise EnsembleError(
            f"--ensemble {path}: {', '.join(wrong)}: an ensemble holds uncertain parameters (context or behaviour, "
            "docs/parameters.md); levers are the scenarios' to set"
        )
    weights = frame["weight"].to_numpy(float) if "weight" in frame else np.ones(len(frame))
    if not np.all(np.isfinite(weights)) or (weights < 0).any() or weights.sum() <= 0:
        raise EnsembleError(f"--ensemble {path}: weights must be finite, at least 0, and not all 0")
    members = [{k: _plain(v) for k, v in row.items()} for row in frame[keys].to_dict("records")]
    return members, weights / weights.sum()


def ensemble_points(labels: list[str], scenarios: list[Scenario], members: list[dict[str, Any]], path: str) -> list[Point]:
    """Every scenario with every member: point s x M + m, labelled ``scenario|m<m>``."""
    points = []
    for label, scenario in zip(labels, scenarios):
        for m, member in enumerate(members):
            try:
                with_member = scenario.with_overrides(member, coerce=True)
            except LDEError as err:
                raise EnsembleError(f"--ensemble {path}: member {m}: {err}") from None
            points.append(Point(f"{label}|m{m}", member, with_member))
    return points


def ensemble_table(indicators: pd.DataFrame, labels: list[str], scenarios: list[Scenario], weights: np.ndarray) -> pd.DataFrame:
    """Per scenario and indicator: the combined mean and interval, its two parts, and the paired
    difference from the first scenario with its robustness (see the module)."""
    size = len(weights)
    rows = []
    for s, (label, scenario) in enumerate(zip(labels, scenarios)):
        for name, info in INDICATOR_INFO.items():
            values, first = _matrix(indicators, s, size, name), _matrix(indicators, 0, size, name)
            bounds = info.range(scenario)
            level = summary(values, weights, bounds)
            difference = summary(values - first, weights, difference_bounds(bounds, info.range(scenarios[0])))
            rows.append(
                {
                    "scenario": label,
                    "indicator": name,
                    **{k: level[k] for k in ("mean", "ci_low", "ci_high", "param_sd", "stoch_sd")},
                    "median": float(np.nanmedian(_member_means(values))) if np.isfinite(values).any() else math.nan,
                    "diff": difference["mean"],
                    "diff_ci_low": difference["ci_low"],
                    "diff_ci_high": difference["ci_high"],
                    "significant": bool(difference["ci_low"] > 0 or difference["ci_high"] < 0),
                    "robust": s > 0 and difference["robust"],
                    "members": level["members"],
                    "replications": int(np.isfinite(values).sum()),
                }
            )
    return pd.DataFrame(rows)


def combine(values: np.ndarray, weights: np.ndarray, bounds: tuple[float, float]) -> tuple[float, float, float, float, float]:
    """Weighted mean over members (rows) of the mean over replications (columns), its interval,
    and the parametric and stochastic standard deviations (NaN where nothing is known)."""
    means = _member_means(values)
    known = np.isfinite(means)
    if not known.any():
        return (math.nan,) * 5
    w = weights[known] / weights[known].sum()
    mean = float(np.sum(w * means[known]))
    param_sd = float(math.sqrt(np.sum(w * (means[known] - mean) ** 2)))
    stoch_sd = stochastic_sd(values[known], w)
    half = Z95 * math.sqrt(param_sd**2 + (stoch_sd if stoch_sd == stoch_sd else 0.0) ** 2)
    low, high = bounds
    return mean, max(mean - half, low), min(mean + half, high), param_sd, stoch_sd


def stochastic_sd(values: np.ndarray, weights: np.ndarray) -> float:
    """The standard error of the weighted mean over members (rows, ``weights`` summing to 1) of their
    means over replications (columns), estimated from the replications; NaN when a member has fewer
    than two.

    Replication r of every member runs with the same seed, so the members' errors in a replication
    move together (common random numbers: draws that raise one set's transition rate raise most
    sets'). Each member's deviations from its own mean are therefore summed across members within
    each replication, and the sums squared, not squared member by member: that would take the
    members as independent and understate the error by up to the square root of their number
    (0.1 points of the 2026-2036 transition rate across 30 sets, where another draw of the same
    replications moved the mean by 0.9). With every replication known this is exactly the standard
    deviation of the replications' weighted means over the square root of their number; with
    independent members it is on average the members' own standard errors combined. A member with fewer
    replications (an undefined indicator) weighs its deviations by its own count.
    """
    counts = np.isfinite(values).sum(axis=1)
    if (counts < 2).any():
        return math.nan
    deviations = np.nan_to_num(values - _member_means(values)[:, None])  # an unknown replication deviates by 0
    per_replication = (weights / np.sqrt(counts * (counts - 1))) @ deviations
    return float(math.sqrt(np.sum(per_replication**2)))


def ensemble_evaluation(rows: pd.DataFrame, weights: np.ndarray) -> pd.DataFrame:
    """``evaluation.csv`` over an ensemble: per outcome, anchor, horizon and subgroup, the effect with
    its combined interval, both parts, and whether its sign holds for every member (``robust``).
    ``rows`` are the store's evaluation rows; each point is one member."""
    keys = ["outcome", "since", "horizon_months", "subgroup"]
    out = []
    for key, group in rows.assign(effect=rows["treated"] - rows["counterfactual"]).groupby(keys, sort=False):
        bounds = (-math.inf, math.inf) if key[0] == "income" else (-1.0, 1.0)
        means = {c: _weighted(_by_member(group, c, len(weights)), weights) for c in ("treated", "counterfactual")}
        effect = summary(_by_member(group, "effect", len(weights)), weights, bounds)
        out.append({**dict(zip(keys, key)), **means, "effect": effect.pop("mean"), **effect, "n": int(group["n"].sum())})
    return pd.DataFrame(out)


def ensemble_effects(effects: pd.DataFrame, weights: np.ndarray) -> pd.DataFrame:
    """``effects.csv`` over an ensemble: each headline indicator's combined mean and interval, both
    parts, and whether its sign holds for every member (``robust``)."""
    rows = []
    for name, meaning in EFFECTS.items():
        values = _by_member(effects[effects["indicator"] == name], "value", len(weights))
        rows.append({"indicator": name, **summary(values, weights, effect_range(name)), "meaning": meaning})
    return pd.DataFrame(rows)


def summary(values: np.ndarray, weights: np.ndarray, bounds: tuple[float, float]) -> dict[str, Any]:
    """A quantity over an ensemble (members x replications): its combined mean and interval, the
    two parts, whether every member's mean has the same sign (``robust``), and the members known."""
    mean, low, high, param_sd, stoch_sd = combine(values, weights, bounds)
    member_means = _member_means(values)
    finite = member_means[np.isfinite(member_means)]
    return {
        "mean": mean,
        "ci_low": low,
        "ci_high": high,
        "param_sd": param_sd,
        "stoch_sd": stoch_sd,
        "robust": bool(finite.size == len(weights) and ((finite > 0).all() or (finite < 0).all())),
        "members": int(finite.size),
    }


def _by_member(rows: pd.DataFrame, column: str, size: int) -> np.ndarray:
    """``column`` of store rows as members (point) x replications."""
    return rows.pivot(index="point", columns="replication", values=column).reindex(range(size)).to_numpy(float)


def _member_means(values: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a member without results is NaN, as it should be
        return np.nanmean(values, axis=1) if values.size else np.array([])


def _weighted(values: np.ndarray, weights: np.ndarray) -> float:
    means = _member_means(values)
    known = np.isfinite(means)
    return float(np.sum(weights[known] * means[known]) / weights[known].sum()) if known.any() else math.nan


def _matrix(indicators: pd.DataFrame, scenario: int, size: int, name: str) -> np.ndarray:
    """Values of indicator ``name`` for scenario ``scenario``: members (rows) x replications (columns)."""
    rows = indicators[indicators["point"].between(scenario * size, scenario * size + size - 1)]
    wide = rows.pivot(index="point", columns="replication", values=name)
    return wide.reindex(range(scenario * size, scenario * size + size)).to_numpy(float)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
