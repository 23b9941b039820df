"""Calibration: choose free parameters so that the model reproduces observed figures.

A targets file (TOML, see ``calibration/targets.toml``) names the scenario to calibrate,
the targets (an indicator, its observed value, uncertainty and source, and optionally
overrides that make the population the figure is about) and the free parameters with
bounds. The method copes with simulation noise the way history matching does:

1. a Latin hypercube of ``samples`` candidate parameter sets over the bounds;
2. every candidate runs on every target population with the same ``replications``
   seeds (common random numbers across candidates), on the experiment layer, so the
   work streams into a resumable store and runs on any executor;
3. each candidate's loss is sum(((simulated - observed) / uncertainty)^2) over targets,
   with simulated = the mean over replications;
4. the best candidate is the fit; the candidates whose loss is within the 95% chi-square
   quantile (degrees of freedom = free parameters) of the best form the plausible set,
   whose range is the reported uncertainty of each parameter.

Outputs: ``fit.csv`` (target, observed, simulated, error, z), ``parameters.csv`` (best
value and plausible range), ``plausible.csv`` (the plausible set, equally weighted: an
ensemble for ``lde-sim compare --ensemble``; also written beside the targets file),
``calibration.png`` and ``calibrated.toml``, a scenario that
extends ``calibrated_extends`` (by default the calibrated scenario itself) with the
fitted values: the shipped targets are figures from before the time limit, fitted on
``pre_reform``, and the fitted behaviour is carried over to the ``baseline`` rules.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w
from matplotlib.figure import Figure
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .design import DesignError, Point, latin_hypercube, parse_vary
from .experiment import Experiment, ExperimentResult, run_experiment
from .indicators import INDICATORS
from .resources import MAX_REPLICATIONS
from .scenario import Float, Int, Scenario, ScenarioError, parameter_role
from .store import read_experiment

#: Targets files, like scenario files: unknown keys, infinite or NaN numbers are errors.
STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)


#: Candidate parameter sets of a calibration, at most.
MAX_SAMPLES = 10_000


class Target(BaseModel):
    model_config = STRICT
    name: str
    indicator: str
    value: Float
    uncertainty: Float = Field(gt=0)
    source: str
    overrides: dict[str, Any] = {}


class Free(BaseModel):
    model_config = STRICT
    key: str
    low: Float
    high: Float


class Targets(BaseModel):
    """A calibration file: the scenario, the targets, the free parameters and the design size."""

    model_config = STRICT
    scenario: str
    calibrated_extends: str | None = None  # the scenario calibrated.toml builds on (default: ``scenario``)
    overrides: dict[str, Any] = {}
    samples: Int = Field(32, ge=2, le=MAX_SAMPLES)
    replications: Int = Field(2, ge=1, le=MAX_REPLICATIONS)
    seed: Int = Field(1, ge=0, lt=2**63)
    target: list[Target]
    parameter: list[Free]


def load_targets(path: str | Path) -> tuple[Targets, Scenario, Path]:
    """Read and check a targets file; return it, the base scenario and the scenario's path."""
    path = Path(path)
    try:
        spec = Targets.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ScenarioError(f"{path}: targets file not found") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder, not a targets file") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a UTF-8 text file (a TOML targets file is expected)") from None
    except OSError as err:
        raise ScenarioError(f"{path}: cannot be read: {err.strerror}") from None
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{path}: not valid TOML: {err}") from None
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise ScenarioError(f"{path}: {problems}") from None
    scenario_path = (path.parent / spec.scenario).resolve()
    base = in_targets_file(path, "overrides", lambda: Scenario.load(scenario_path, spec.overrides))
    for target in spec.target:
        if target.indicator not in INDICATORS:
            raise ScenarioError(
                f"{path}: target '{target.name}': unknown indicator '{target.indicator}'; indicators are {', '.join(INDICATORS)}"
            )
        in_targets_file(path, f"target '{target.name}': overrides", lambda t=target: base.with_overrides(t.overrides))
    return spec, base, scenario_path


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


def calibrate(
    path: str | Path, jobs: int | None = None, scheduler: str | None = None, out: str | Path | None = None, progress: bool = False
) -> ExperimentResult:
    """Run the calibration in ``path``; return the parameter table, with the fit table in ``extra["fit"]``."""
    spec, base, scenario_path = load_targets(path)
    if not spec.parameter:
        raise DesignError("a calibration needs at least one [[parameter]]")
    levers = [p.key for p in spec.parameter if parameter_role(p.key) == "lever"]
    if levers:
        raise DesignError(
            f"{path}: {', '.join(levers)}: a policy lever is chosen, not fitted (role 'lever', docs/parameters.md); "
            "calibrate behaviour or context parameters"
        )
    varies = [parse_vary(f"{p.key}={p.low}:{p.high}", base) for p in spec.parameter]
    candidates = [p.overrides for p in latin_hypercube(base, varies, spec.samples, spec.seed)]
    populations = _populations(spec)
    points = [
        Point(f"c{c}|p{k}", {**candidate, **overrides}, base.with_overrides({**candidate, **overrides}))
        for c, candidate in enumerate(candidates)
        for k, overrides in enumerate(populations)
    ]
    experiment = Experiment("calibrate", points, spec.replications, spec.seed, {"targets": spec.model_dump()})
    folder = run_experiment(experiment, out, jobs, scheduler, progress)
    simulated = _simulated(folder, spec, populations, len(candidates))
    observed, scale = np.array([t.value for t in spec.target]), np.array([t.uncertainty for t in spec.target])
    loss = np.nansum(((simulated - observed) / scale) ** 2, axis=1)
    best = int(np.nanargmin(loss))
    plausible = loss <= loss[best] + _chi2_95(len(varies))

    parameters = pd.DataFrame([_parameter_row(v, candidates, best, plausible) for v in varies])
    fit = pd.DataFrame([_fit_row(t, simulated[best, i]) for i, t in enumerate(spec.target)])
    fit.to_csv(folder / "fit.csv", index=False)
    parameters.to_csv(folder / "parameters.csv", index=False)
    figure(varies, candidates, loss, best, plausible).savefig(folder / "calibration.png", dpi=100)
    members = pd.DataFrame([{**candidates[i], "loss": loss[i]} for i in np.flatnonzero(plausible)])
    members["weight"] = 1 / len(members)
    for target in (folder / "plausible.csv", Path(path).parent / "plausible.csv"):
        members.to_csv(target, index=False)  # the ensemble for compare --ensemble, also beside the targets
    parent = (Path(path).parent / spec.calibrated_extends).resolve() if spec.calibrated_extends else scenario_path
    (folder / "calibrated.toml").write_text(calibrated_scenario(Scenario.load(parent), parent, candidates[best], folder))
    return ExperimentResult(parameters, folder, {"fit": fit})


def _simulated(folder: Path, spec: Targets, populations: list[dict[str, Any]], candidates: int) -> np.ndarray:
    """Mean over replications of each target's indicator, per candidate (rows) and target (columns)."""
    means = read_experiment(folder, ("indicators",))["indicators"].groupby("point")[list(INDICATORS)].mean()
    population = [populations.index(t.overrides) for t in spec.target]
    return np.array(
        [
            [means.loc[c * len(populations) + population[i], t.indicator] for i, t in enumerate(spec.target)]
            for c in range(candidates)
        ]
    )


def _chi2_95(degrees: int) -> float:
    from scipy.stats import chi2  # imported here: slow to import

    return float(chi2.ppf(0.95, degrees))


def _parameter_row(vary: Any, candidates: list[dict[str, Any]], best: int, plausible: np.ndarray) -> dict[str, Any]:
    values = [c[vary.key] for c, ok in zip(candidates, plausible) if ok]
    return {
        "parameter": vary.key,
        "fitted": candidates[best][vary.key],
        "plausible_low": min(values),
        "plausible_high": max(values),
        "low": vary.low,
        "high": vary.high,
    }


def _fit_row(target: Target, simulated: float) -> dict[str, Any]:
    return {
        "target": target.name,
        "indicator": target.indicator,
        "observed": target.value,
        "uncertainty": target.uncertainty,
        "simulated": simulated,
        "error": simulated - target.value,
        "z": (simulated - target.value) / target.uncertainty,
        "source": target.source,
    }


def calibrated_scenario(base: Scenario, scenario_path: Path, fitted: dict[str, Any], folder: Path) -> str:
    """A scenario file extending the calibrated scenario with the fitted values.

    ``extends`` is relative to ``folder`` (where the file is written), so the project and
    its runs can be moved or cloned elsewhere and the file still loads.
    """
    data: dict[str, Any] = {
        "extends": Path(os.path.relpath(scenario_path.resolve(), folder.resolve())).as_posix(),
        "name": f"{base.name}_calibrated",
        "description": f"{base.name} with parameters calibrated in {folder.name}",
    }
    for key, value in fitted.items():  # only the fitted values: the calibration's own overrides were for speed
        node = data
        *parents, last = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return tomli_w.dumps(data)


def figure(varies: list, candidates: list[dict[str, Any]], loss: np.ndarray, best: int, plausible: np.ndarray) -> Figure:
    """Loss of every candidate against each free parameter; the fit and the plausible set marked."""
    fig = Figure(figsize=(4.5 * len(varies), 4), layout="constrained")
    axes = fig.subplots(1, len(varies), squeeze=False)[0]
    for ax, v in zip(axes, varies):
        x = np.array([c[v.key] for c in candidates])
        ax.scatter(x[~plausible], loss[~plausible], color="#999999", s=18, label="candidates")
        ax.scatter(x[plausible], loss[plausible], color="#0072b2", s=24, label="plausible (95%)")
        ax.scatter([x[best]], [loss[best]], color="#d55e00", s=80, marker="*", label="fit")
        ax.set(xlabel=v.key, ylabel="loss (sum of squared z-scores)", yscale="log", title=v.key)
        ax.grid(alpha=0.3)
    axes[0].legend(frameon=False)
    fig.suptitle("Calibration: loss of each candidate parameter set")
    return fig


def _populations(spec: Targets) -> list[dict[str, Any]]:
    """The distinct populations the targets are about (each a set of overrides)."""
    populations: list[dict[str, Any]] = []
    for target in spec.target:
        if target.overrides not in populations:
            populations.append(target.overrides)
    return populations
