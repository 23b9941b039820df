"""What the calibration leaves open in each headline answer, where that comes from, and what
to measure next.

After the last wave, the plausible region is sampled densely: ``screen`` Latin-hypercube
sets the final target emulators do not rule out, each weighted by its Gaussian likelihood
under them (as the plausible runs are). Each *answer* of the targets file (a headline
result, measured on every run) and each *observable* (a quantity not published yet) gets
its own emulator (:mod:`simulation.emulator`) fitted on every run, and is read at the
sample's sets, inside what its measure can be (:func:`emulated`). Over that weighted sample:

- the answer's **parametric spread** (``param_sd``) is the sd of its emulated mean, and its
  **stochastic spread** (``stoch_sd``) the sd of one run around that mean (the nugget);
- its **variance decomposition**: the share of ``param_sd`` squared that each free
  parameter explains alone (a first-order index: the correlation ratio over ten
  equal-weight bins of the parameter; Saltelli et al. 2008, ch. 1). Inside the plausible
  region parameters are correlated (the targets trade them off), so the shares need not
  add up to one;
- each observable's **value of information**: the share of the answer's parametric
  variance that knowing the observable exactly would remove (the correlation ratio of the
  answer on ten bins of the observable). The observable with the largest share is what to
  measure next for that answer; a measured figure with an uncertainty removes less.

``headline.csv`` holds the first; ``variance_shares.csv`` the shares (parameters and
observables, one row per answer); ``value_of_information.csv`` the table in words, naming only
shares above what an unrelated quantity reaches by chance with that many sets (:func:`chance_level`,
counted by the weights' effective number); and
``missing_observations.csv``, per free parameter, the observable whose plausible spread it
explains most alone: the observation that would identify it, if any would.

A policy option's effect has no emulator: the option and its base are run with a resample of
that plausible sample, and :func:`write_options` decomposes the measured effects the same way,
naming only shares above what chance gives with that many sets (``option_*.csv``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..experiments.design import Vary
from .emulator import Emulator, fit, implausibility
from .targets import Measure, Targets

#: Bins of the correlation ratio (first-order index): ten equal-weight bins.
BINS = 10
#: Fewer sampled plausible sets than this: the plausible runs themselves stand in for the sample.
MIN_SAMPLE = 200
#: Fewer plausible sets than this (sampled or run): no decomposition, the table says so.
MIN_DECOMPOSED = 5 * BINS
#: The value-of-information row of an answer whose plausible sets are too few to decompose.
TOO_FEW = {"spread_comes_from": f"too few plausible sets to decompose (fewer than {MIN_DECOMPOSED})"}


def write_answers(
    spec: Targets,
    varies: list[Vary],
    x: np.ndarray,
    mean: np.ndarray,
    sample: np.ndarray,
    w: np.ndarray,
    observables: list[Emulator],
    folder: Path,
) -> dict[str, pd.DataFrame]:
    """Write headline.csv, variance_shares.csv and value_of_information.csv for the answers, emulated
    at the plausible ``sample`` (weights ``w``; :func:`plausible_sample`) as the ``observables`` are
    (:func:`observable_emulators`); return them."""
    decomposed = len(sample) >= MIN_DECOMPOSED
    first = len(spec.target) + len(spec.check)
    answers = [fit(x, mean[:, first + a], spec.seed) for a in range(len(spec.answer))]
    observed = [emulated(o, m, sample) for o, m in zip(observables, spec.observable)]
    chance = chance_levels(w, len(varies), len(observed))
    headline, shares, table = [], [], []
    for answer, emulator in zip(spec.answer, answers):
        values = emulated(emulator, answer, sample)
        centre, spread, low, high = weighted_summary(values, w)
        by_parameter = {v.key: correlation_ratio(values, sample[:, j], w) if decomposed else np.nan for j, v in enumerate(varies)}
        by_observable = {
            o.name: correlation_ratio(values, column, w) if decomposed else np.nan for o, column in zip(spec.observable, observed)
        }
        headline.append(
            {
                "answer": answer.name,
                "measure": answer.what(),
                "mean": centre,
                "param_sd": spread,
                "stoch_sd": np.sqrt(emulator.noise),
                "q05": low,
                "q95": high,
                "meaning": answer.meaning,
            }
        )
        shares.append({"answer": answer.name, **by_parameter, **{f"observable: {k}": v for k, v in by_observable.items()}})
        words = above_chance(spec, by_parameter, by_observable, chance) if decomposed else TOO_FEW
        table.append({"answer": answer.name, **words})
    tables = {
        "headline": pd.DataFrame(headline),
        "variance_shares": pd.DataFrame(shares),
        "value_of_information": pd.DataFrame(table),
        "missing_observations": missing_observations(spec, varies, sample, w, observed, decomposed),
    }
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return tables


def write_options(
    spec: Targets,
    varies: list[Vary],
    sets: np.ndarray,
    weights: np.ndarray,
    observed: list[np.ndarray],
    effects: np.ndarray,
    folder: Path,
) -> dict[str, pd.DataFrame]:
    """Write option_headline.csv, option_variance_shares.csv and option_value_of_information.csv; return them.

    ``effects``: option x option measure x set x replication, the option less its base (same seeds),
    read for the measures each option is measured on (:meth:`Targets.measured_on`);
    ``sets`` (unit cube) and ``weights``: the plausible sets they ran with; ``observed``: each observable
    emulated at those sets. Unlike an answer, an effect is measured, not emulated: its spread over
    the sets holds the replications' noise too, so every share is of the whole spread of the sets'
    means, and ``noise_share`` says how much of it is noise no observation removes. With a few hundred
    sets a parameter or observable unrelated to the effect still shows a share by chance: the table
    names only shares above :func:`chance_level`.
    """
    headline, shares, table = [], [], []
    for o, option in enumerate(spec.option):
        for k in spec.measured_on(option):
            measure, runs = spec.option_measure[k], effects[o, k]
            known = np.isfinite(runs).all(axis=1)  # a set whose measure is undefined in a replication is left out
            y, w = runs[known].mean(axis=1), weights[known] / weights[known].sum()
            noise = float(np.sum(w * runs[known].var(axis=1, ddof=1)))  # one run's variance around its set's mean
            centre, spread, low, high = weighted_summary(y, w)
            total = spread**2
            chance = chance_levels(w, len(varies), len(observed))
            by_parameter = {v.key: correlation_ratio(y, sets[known, j], w) for j, v in enumerate(varies)}
            by_observable = {ob.name: correlation_ratio(y, column[known], w) for ob, column in zip(spec.observable, observed)}
            label = {"option": option.name, "measure": measure.name}
            headline.append(
                {
                    **label,
                    "what": measure.what(),
                    "effect_mean": centre,
                    "param_sd": float(np.sqrt(max(total - noise / runs.shape[1], 0.0))),
                    "stoch_sd": float(np.sqrt(noise)),
                    "q05": low,
                    "q95": high,
                    "positive_share": float(np.sum(w * (y > 0))),
                    "noise_share": min(noise / runs.shape[1] / total, 1.0) if total > 0 else np.nan,
                    "sets": int(known.sum()),
                    "meaning": measure.meaning,
                }
            )
            shares.append({**label, **by_parameter, **{f"observable: {k}": v for k, v in by_observable.items()}})
            table.append({**label, **above_chance(spec, by_parameter, by_observable, chance)})
    tables = {
        "option_headline": pd.DataFrame(headline),
        "option_variance_shares": pd.DataFrame(shares),
        "option_value_of_information": pd.DataFrame(table),
    }
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return tables


def above_chance(
    spec: Targets, by_parameter: dict[str, float], by_observable: dict[str, float], chance: dict[str, float]
) -> dict[str, str]:
    """Where the spread of an answer or an option's effect comes from and what to measure next, naming
    only shares above the ``chance`` level of parameters and of observables."""
    largest = sorted(by_parameter.items(), key=lambda item: -item[1])[:3]
    top = [(key, share) for key, share in largest if share > chance["parameter"]]
    row = {
        "spread_comes_from": "; ".join(f"{key} ({share:.0%})" for key, share in top) or "no parameter above chance",
        "measure_next": "no observable above chance",
        "would_remove": None,
        "how": None,
        "chance_level": f"parameters {chance['parameter']:.0%}, observables {chance['observable']:.0%}",
    }
    best = max(by_observable.items(), key=lambda item: item[1], default=None)
    if best is not None and best[1] > chance["observable"]:
        how = next(o.how for o in spec.observable if o.name == best[0])
        row |= {"measure_next": best[0], "would_remove": f"{best[1]:.0%}", "how": how}
    return row


def chance_levels(w: np.ndarray, parameters: int, observables: int) -> dict[str, float]:
    """The :func:`chance_level` of the parameters and of the observables for sets of normalised
    weights ``w``, counted by their effective number (Kish: 1 / sum of the squared weights)."""
    sets = 1 / np.sum(w**2) if w.size else 0.0
    return {"parameter": chance_level(sets, parameters), "observable": chance_level(sets, observables)}


def chance_level(sets: float, tests: int) -> float:
    """The share of the spread (correlation ratio over ``BINS`` bins) that a quantity unrelated to it
    exceeds in ``sets`` sets with chance 5% over ``tests`` such quantities (Bonferroni): under no
    relation, (n - B) / (B - 1) x share / (1 - share) follows F(B - 1, n - B) for normal noise."""
    if tests == 0 or sets <= BINS:
        return np.nan
    from scipy.stats import f  # imported here: slow to import

    q = f.ppf(1 - 0.05 / tests, BINS - 1, sets - BINS)
    return float(q * (BINS - 1) / (q * (BINS - 1) + sets - BINS))


def emulated(emulator: Emulator, measure: Measure, sample: np.ndarray) -> np.ndarray:
    """The emulator's mean of ``measure`` at the ``sample``'s sets, kept inside what the measure can be
    (:meth:`Measure.bounds`). A Gaussian process does not know that closures are never below 0, and
    where many runs sit at such a bound its mean passes it (the closures' emulated 5% point was
    -4.66); the true mean lies inside, so moving the emulated one to the bound only brings it closer."""
    return np.clip(emulator.predict_mean(sample)[0], *measure.bounds())


def observable_emulators(spec: Targets, x: np.ndarray, mean: np.ndarray) -> list[Emulator]:
    """An emulator of each observable, fitted on every run (``x``: the runs' sets in the unit cube;
    ``mean``: their measures, targets first, then checks, answers and observables)."""
    first = len(spec.target) + len(spec.check) + len(spec.answer)
    return [fit(x, mean[:, first + o], spec.seed) for o in range(len(spec.observable))]


def missing_observations(
    spec: Targets, varies: list[Vary], sample: np.ndarray, w: np.ndarray, observed: list[np.ndarray], decomposed: bool
) -> pd.DataFrame:
    """Per free parameter, the observable whose spread over the plausible sets it explains most
    alone (the correlation ratio): the observation that would tell its values apart."""
    rows = []
    for j, v in enumerate(varies):
        shares = {o.name: correlation_ratio(column, sample[:, j], w) for o, column in zip(spec.observable, observed)}
        row: dict[str, object] = {"parameter": v.key}
        if shares and decomposed:
            best, share = max(shares.items(), key=lambda item: item[1])
            row |= {"best_observable": best, "share_it_explains": share}
        rows.append(row)
    return pd.DataFrame(rows)


def plausible_sample(
    spec: Targets, x: np.ndarray, emulators: list[Emulator], plausible: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sets of the plausible region (unit cube) and their normalised weights: a Latin hypercube
    the final emulators do not rule out, weighted by its likelihood under them; the plausible
    runs when too few are left."""
    from scipy.stats import qmc  # imported here: slow to import

    observed = np.array([t.value for t in spec.target])
    uncertainty = np.array([t.uncertainty for t in spec.target])
    screen = qmc.LatinHypercube(d=x.shape[1], seed=np.random.default_rng([spec.seed, 1000])).random(spec.screen)
    distance = implausibility(emulators, screen, observed, uncertainty)
    kept = distance.max(axis=1) <= spec.cutoff
    if kept.sum() < MIN_SAMPLE:
        return x[plausible], weights[plausible] / weights[plausible].sum()
    likelihood = np.exp(-0.5 * (distance[kept] ** 2).sum(axis=1))
    return screen[kept], likelihood / likelihood.sum()


def correlation_ratio(y: np.ndarray, z: np.ndarray, w: np.ndarray) -> float:
    """Share of the weighted variance of ``y`` explained by ``z`` alone: Var(E[y | bin of z]) / Var(y),
    over ``BINS`` bins of equal weight."""
    total = np.sum(w * (y - np.sum(w * y)) ** 2)
    if total <= 0:
        return 0.0
    order = np.argsort(z, kind="stable")
    bins = np.minimum((np.cumsum(w[order]) * BINS).astype(int), BINS - 1)
    centre = np.sum(w * y)
    between = 0.0
    for b in range(BINS):
        inside = order[bins == b]
        weight = w[inside].sum()
        if weight > 0:
            between += weight * (np.sum(w[inside] * y[inside]) / weight - centre) ** 2
    return float(between / total)


def weighted_summary(x: np.ndarray, weights: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, standard deviation, 5% and 95% quantile of ``x`` under normalised ``weights``; NaN
    for each when ``x`` is empty."""
    if not x.size:
        return np.nan, np.nan, np.nan, np.nan
    mean = float(np.sum(weights * x))
    sd = float(np.sqrt(np.sum(weights * (x - mean) ** 2)))
    return mean, sd, weighted_quantile(x, weights, 0.05), weighted_quantile(x, weights, 0.95)


def weighted_quantile(x: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``x`` under ``weights``."""
    order = np.argsort(x)
    cumulative = np.cumsum(weights[order])
    return float(x[order][min(np.searchsorted(cumulative, q * cumulative[-1]), len(x) - 1)])
