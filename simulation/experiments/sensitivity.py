"""Global sensitivity analysis with SALib: which parameters drive the indicators.

- Morris (elementary effects): ``samples`` trajectories of ``k + 1`` points on a 4-level
  grid; reports ``mu_star`` (mean absolute effect, with its 95% bootstrap interval),
  ``mu`` and ``sigma`` (non-linearity or interactions) per parameter and indicator.
- Sobol (Saltelli's scheme): ``samples`` base samples, a power of two, times ``k + 2``
  points; reports first-order ``S1`` and total ``ST`` indices with 95% intervals.

Each design point runs the experiment's replications (common seeds) and the analysis
uses the mean over replications. Needs the ``sensitivity`` extra (SALib).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..rules.scenario import Scenario
from ..world.indicators import INDICATORS
from .design import MAX_POINTS, DesignError, Vary, from_values, parse_vary, refuse_steps
from .experiment import Experiment, ExperimentResult, run_experiment
from .store import read_experiment, write_result

METHODS = ("morris", "sobol")
#: Morris's grid: each parameter moves over this many evenly spaced levels of its range, low and high included.
MORRIS_LEVELS = 4


def how_values_are_picked(method: str, vary: Vary) -> str:
    """How ``method`` picks the values of one parameter, for the message that refuses a ``low:high:step`` range."""
    if method == "sobol":
        return "Sobol's design draws its values anywhere in low:high"
    levels = ", ".join(f"{x:g}" for x in np.linspace(vary.low, vary.high, MORRIS_LEVELS))
    return f"Morris moves each parameter over {MORRIS_LEVELS} evenly spaced levels of its range (here {levels})"


def problem(varies: list) -> dict:
    """The SALib problem definition for the varied parameters."""
    return {"num_vars": len(varies), "names": [v.key for v in varies], "bounds": [[v.low, v.high] for v in varies]}


def sample(method: str, spec: dict, samples: int, seed: int) -> np.ndarray:
    """The SALib design: one row of parameter values per model evaluation."""
    salib = _salib()
    if method == "morris":
        return salib["morris_sample"].sample(spec, samples, num_levels=MORRIS_LEVELS, seed=seed)
    if samples < 2 or samples & (samples - 1):
        raise DesignError(f"--samples {samples}: Sobol needs a power of two (e.g. 8, 16, 64, 256)")
    return salib["sobol_sample"].sample(spec, samples, calc_second_order=False, seed=seed)


def sensitivity(
    base: Scenario,
    vary: list[str],
    method: str = "morris",
    samples: int = 10,
    replications: int = 2,
    seed: int = 1,
    jobs: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    progress: bool = False,
) -> ExperimentResult:
    """Sensitivity indices of every indicator to the ``vary`` ranges (``key=low:high``); writes ``sensitivity.csv``."""
    if method not in METHODS:
        raise DesignError(f"--method {method!r}: choose morris or sobol")
    varies = [parse_vary(text, base) for text in vary]
    if any(v.low is None for v in varies):
        raise DesignError("sensitivity needs ranges: --vary key=low:high")
    refuse_steps(varies, lambda v: how_values_are_picked(method, v), "sweep (a grid)")
    spec = problem(varies)
    points_needed = samples * (len(varies) + (1 if method == "morris" else 2))
    if points_needed > MAX_POINTS:
        raise DesignError(f"--samples {samples}: {points_needed:,} design points, at most {MAX_POINTS:,}")
    design = sample(method, spec, samples, seed)
    points = from_values(base, varies, design)
    details = {"method": method, "vary": vary, "samples": samples}
    folder = run_experiment(Experiment("sensitivity", points, replications, seed, details), out, jobs, scheduler, progress)
    outputs = (
        read_experiment(folder, ("indicators",))["indicators"]
        .groupby("point")[list(INDICATORS)]
        .mean()
        .reindex(range(len(points)))
    )
    table = analyse(method, spec, design, outputs, seed)
    write_result(folder, "sensitivity.csv", table)
    return ExperimentResult(table, folder)


def analyse(method: str, spec: dict, design: np.ndarray, outputs: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Indices per indicator and parameter; indicators with missing values are left out."""
    salib = _salib()
    frames = []
    for name in INDICATORS:
        y = outputs[name].to_numpy(dtype=float)
        if np.isnan(y).any() or np.ptp(y) == 0:
            continue
        if method == "morris":
            result = salib["morris_analyze"].analyze(spec, design, y, conf_level=0.95, seed=seed)
            frame = pd.DataFrame(
                {
                    "parameter": spec["names"],
                    "mu_star": result["mu_star"],
                    "mu_star_conf": result["mu_star_conf"],
                    "mu": result["mu"],
                    "sigma": result["sigma"],
                }
            )
        else:
            result = salib["sobol_analyze"].analyze(spec, y, calc_second_order=False, conf_level=0.95, seed=seed)
            frame = pd.DataFrame(
                {
                    "parameter": spec["names"],
                    "S1": result["S1"],
                    "S1_conf": result["S1_conf"],
                    "ST": result["ST"],
                    "ST_conf": result["ST_conf"],
                }
            )
        frames.append(frame.assign(indicator=name))
    if not frames:
        return pd.DataFrame(columns=["indicator", "parameter"])
    table = pd.concat(frames, ignore_index=True)
    return table[["indicator", *[c for c in table.columns if c != "indicator"]]]


def _salib() -> dict:
    try:
        from SALib.analyze import morris as morris_analyze
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import morris as morris_sample
        from SALib.sample import sobol as sobol_sample
    except ImportError:
        raise DesignError("sensitivity analysis needs SALib: pip install 'lde-doorstroom[sensitivity]'") from None
    return {
        "morris_analyze": morris_analyze,
        "sobol_analyze": sobol_analyze,
        "morris_sample": morris_sample,
        "sobol_sample": sobol_sample,
    }
