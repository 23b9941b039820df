"""Calibration by history matching: the parameter sets the observed figures do not rule out.

A targets file (:mod:`simulation.calibration.targets`) gives the free parameters with prior ranges,
and observed figures with their uncertainty. The model is noisy and has many free
parameters, so the calibration does not look for one best point. It rules out, in waves,
the parameter sets whose output cannot match the targets (Vernon, Goldstein and Bower
2010; Andrianakis et al. 2015 for an agent-based model):

1. Wave 1 runs a Latin hypercube of ``samples`` parameter sets over the prior box. Every
   set runs on every target population with the same ``replications`` seeds (common
   random numbers), on the experiment layer: each wave is a resumable store in
   ``wave<k>/`` and runs on any executor. Effect targets run the set against its twin
   without LDE, as ``lde-sim evaluate`` does.
2. After each wave an emulator per target (:mod:`simulation.calibration.emulator`) is fitted on all
   runs so far, and judges ``screen`` new Latin-hypercube sets; those whose largest
   implausibility is at most ``cutoff`` (not ruled out yet, NROY) are the next wave's.
3. At the end, a run set is *plausible* when its simulated targets (mean over
   replications) all lie within ``cutoff`` standard deviations of the observed figures,
   counting the target's uncertainty and the replications' noise.

The plausible sets get weights: their Gaussian likelihood divided by the density they
were drawn from (a mixture of the waves: uniform on the prior box, then uniform on each
wave's NROY region, whose volume is the share of the screened sets kept). With a uniform
prior these are importance weights for the posterior restricted to the plausible region.
Beyond ``ensemble_size`` sets, the ensemble is a systematic resample by weight.

Why history matching and not ABC-SMC (pyabc): each wave is one experiment of plain runs,
so it uses the store, resumption and executors every other experiment uses, and the
emulator spends the runs where the targets are not yet ruled out; the implausibility
counts noise, observation error and discrepancy openly, one target at a time, which is
what a reader of the fit needs. The price: the weights are an approximation of a
posterior, not a sample from it.

Outputs, in the calibration folder: ``runs.csv`` (every run set, its simulated targets,
implausibility, plausibility and weight), ``fit.csv`` (per target), ``parameters.csv``
(per parameter: prior, plausible range, weighted mean and sd, and whether the targets
identify it), ``identification.csv`` (how far each parameter moves each target, in
target uncertainties), ``waves.csv``, ``diagnostics.png``, ``timing.json``, ``plausible.csv``
(the ensemble), ``calibrated.toml`` (the most likely set, as a scenario extending
``calibrated_extends``) and ``calibration.json`` (the provenance: targets file and its SHA-256,
seed, versions, command, status). The answers and policy options of the targets file add their
tables (:mod:`simulation.calibration.value_of_information`); the options' runs are a store of
their own in ``options/``. Without an output folder the result files (not the waves) are also
written beside the targets file (:func:`calibrate`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w

from ..errors import LDEError
from ..experiments.design import DesignError, Point, Vary, from_unit_cube, parse_vary
from ..experiments.evaluation import twin_of
from ..experiments.experiment import Experiment, ExperimentResult, run_experiment
from ..experiments.output import OutputError, journal, make_folder, package_versions, write_file
from ..experiments.store import FILE, read_experiment
from ..rules.scenario import Scenario, parameter_role
from .emulator import Emulator, fit, implausibility, main_effects
from .targets import Targets, load_targets, measured, option_scenarios, populations
from .value_of_information import (
    emulated,
    observable_emulators,
    plausible_sample,
    weighted_summary,
    write_answers,
    write_options,
)

#: The identification diagnostic: a parameter is identified when its plausible spread (sd) is
#: at most this share of its prior spread.
IDENTIFIED = 0.5
#: The calibration's provenance in its folder: the targets file and its SHA-256, seed, versions, status.
PROVENANCE = "calibration.json"
#: The calibration's result files written beside the targets file when no folder is given (make calibration).
BESIDE = (
    "plausible.csv",
    "calibrated.toml",
    PROVENANCE,
    "fit.csv",
    "parameters.csv",
    "runs.csv",
    "identification.csv",
    "waves.csv",
    "out_of_sample.csv",
    "discrimination.csv",
    "headline.csv",
    "value_of_information.csv",
    "variance_shares.csv",
    "missing_observations.csv",
    "option_headline.csv",
    "option_variance_shares.csv",
    "option_value_of_information.csv",
    "diagnostics.png",
    "timing.json",
)


class CalibrationError(LDEError):
    """A calibration that cannot give an ensemble; the message says which target fails."""


@dataclass
class History:
    """Every run set of the calibration so far: unit-cube coordinates, its wave, and per target
    the mean over replications and the variance of that mean."""

    unit: list[np.ndarray] = field(default_factory=list)
    wave: list[int] = field(default_factory=list)
    mean: list[np.ndarray] = field(default_factory=list)
    variance: list[np.ndarray] = field(default_factory=list)

    def add(self, wave: int, unit: np.ndarray, mean: np.ndarray, variance: np.ndarray) -> None:
        self.unit += list(unit)
        self.wave += [wave] * len(unit)
        self.mean += list(mean)
        self.variance += list(variance)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return np.array(self.unit), np.array(self.wave), np.array(self.mean), np.array(self.variance)


def calibrate(
    path: str | Path, jobs: int | None = None, scheduler: str | None = None, out: str | Path | None = None, progress: bool = False
) -> ExperimentResult:
    """Run the history matching in targets file ``path``; return the parameter table, with the
    fit in ``extra["fit"]``, the ensemble in ``extra["plausible"]`` and the files written beside
    the targets file in ``extra["beside"]``.

    Everything is written into ``out`` (default: a new folder under ``runs/``), with its provenance
    in ``calibration.json`` (:data:`PROVENANCE`). With ``out`` nothing is written outside it;
    without, the result files (:data:`BESIDE`) are also written beside the targets file, replacing
    those there, once the calibration is complete: that is how ``make calibration`` refreshes
    ``calibration/``."""
    spec, base, scenario_path = load_targets(path)
    varies = free_parameters(path, spec, base)
    folder = calibration_folder(out)
    with journal(folder / PROVENANCE, provenance(path, spec, base, folder)):
        result, best = match_history(Path(path), spec, base, varies, folder, jobs, scheduler, progress)
        write_ensemble(path, spec, scenario_path, result.extra["plausible"], best, folder)
    result.extra["beside"] = [] if out is not None else keep_beside(path, spec, scenario_path, best, folder)
    return result


def provenance(path: str | Path, spec: Targets, base: Scenario, folder: Path) -> dict[str, Any]:
    """What identifies a calibration: its targets file (as given, and its SHA-256), the resolved
    scenario it calibrates (its SHA-256, with the targets file's overrides), the seed, the folder,
    and the versions of this package and of the libraries that shape its result."""
    return {
        "kind": "calibrate",
        "targets": str(path),
        "targets_sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest(),
        "scenario": base.name,
        "scenario_sha256": base.digest(),
        "seed": spec.seed,
        "folder": str(folder),
        "versions": package_versions("scikit-learn"),
    }


def match_history(
    path: Path,
    spec: Targets,
    base: Scenario,
    varies: list[Vary],
    folder: Path,
    jobs: int | None,
    scheduler: str | None,
    progress: bool,
) -> tuple[ExperimentResult, dict[str, Any]]:
    """The waves, the ensemble and the tables in ``folder`` (see the module); the result of
    :func:`calibrate` and the most likely set as overrides."""
    started, clock = pd.Timestamp.now(tz="UTC"), time.perf_counter()
    observed = np.array([t.value for t in spec.target])
    uncertainty = np.array([t.uncertainty for t in spec.target])
    history, regions, seconds = History(), [], []
    for wave in range(1, spec.waves + 1):
        unit, region = next_wave(spec, history, wave, observed, uncertainty)
        if unit is None:
            break
        regions.append(region)
        wave_clock = time.perf_counter()
        mean, variance = run_wave(spec, base, varies, unit, wave, folder, jobs, scheduler, progress)
        seconds.append(time.perf_counter() - wave_clock)
        history.add(wave, unit, mean, variance)
        check_measured(path, spec, history, wave)
    x, waves, mean, _ = history.arrays()
    targets = len(spec.target)
    emulators = emulators_of(x, mean[:, :targets], spec.seed)
    distance = distances(emulators, x, mean[:, :targets], observed, uncertainty)
    noise = np.array([e.noise for e in emulators])
    plausible = np.isfinite(distance).all(axis=1) & (np.nan_to_num(distance, nan=np.inf).max(axis=1) <= spec.cutoff)
    weights = importance_weights(spec, history, regions, distance, plausible)
    values = values_of(varies, x)
    tables = write_tables(spec, varies, values, waves, mean, distance, plausible, weights, emulators, regions, folder)
    tables["waves"] = tables["waves"].assign(seconds=np.round(seconds, 1))
    tables["waves"].to_csv(folder / "waves.csv", index=False)
    tables |= write_checks(spec, waves, mean, noise, plausible, weights, folder)
    from ..outputs.plots import calibration_diagnostics  # Matplotlib only where a figure is drawn (start-up)

    figure = calibration_diagnostics(tables["parameters"], tables["fit"], tables["runs"], tables["identification"])
    figure.savefig(folder / "diagnostics.png", dpi=100)
    if not plausible.any():
        worst = spec.target[int(np.argmax(np.nanmin(distance, axis=0)))]
        raise CalibrationError(
            f"{path}: no parameter set matches every target within {spec.cutoff:g} sd; the hardest is "
            f"'{worst.name}' (fit.csv and diagnostics.png in {folder} show the closest runs). Widen the prior "
            "ranges, add waves, or question the target"
        )
    option_runs = 0
    if spec.answer or spec.option:
        sample, w = plausible_sample(spec, x, emulators, plausible, weights)
        observables = observable_emulators(spec, x, mean)
        if spec.answer:
            tables |= write_answers(spec, varies, x, mean, sample, w, observables, folder)
        if spec.option:
            chosen, set_weights = resample(w, spec.option_sets, spec.seed)
            sets = sample[chosen]
            effects, option_runs = run_options(spec, path, varies, sets, folder, jobs, scheduler, progress)
            observed = [emulated(o, m, sets) for o, m in zip(observables, spec.observable)]
            tables |= write_options(spec, varies, sets, set_weights, observed, effects, folder)
    ensemble = ensemble_of(varies, values, weights, spec.ensemble_size, spec.seed)
    best = overrides_of(varies, values[int(np.argmax(weights))])
    timing = {
        "started": started.isoformat(timespec="seconds"),
        "wall_seconds": round(time.perf_counter() - clock, 1),
        "waves": len(seconds),
        "parameter_sets": int(len(x)),
        "model_runs": int(
            len(x) * spec.replications * len(populations(spec)) * (1 + spec.effect_share * any(t.effect for t in spec.measures()))
        )
        + option_runs,
        "jobs": jobs or "all cores",
        "cores_on_this_machine": os.cpu_count(),
    }
    write_file(folder / "timing.json", (json.dumps(timing, indent=2) + "\n").encode())
    return ExperimentResult(tables["parameters"], folder, {"fit": tables["fit"], "plausible": ensemble}), best


def check_measured(path: str | Path, spec: Targets, history: History, wave: int) -> None:
    """Stop with a clear error when no run so far gave a target a value (its measure was undefined in
    every run: nobody in the group it counts, say, in a world too small or a run too short). Its
    emulator would know nothing, and the waves would end without saying why."""
    _, _, mean, _ = history.arrays()
    missing = [t.name for k, t in enumerate(spec.target) if not np.isfinite(mean[:, k]).any()]
    if missing:
        raise CalibrationError(
            f"{path}: no run of wave{'s 1-' if wave > 1 else ' '}{wave} gave a value for target "
            f"{', '.join(repr(name) for name in missing)}: its measure was undefined in every run (nobody in "
            "the group it counts, or none of its months in the run). Run a larger world or a longer run "
            "(the targets file's overrides), or measure the target on another indicator or window"
        )


def distances(
    emulators: list[Emulator], x: np.ndarray, simulated: np.ndarray, observed: np.ndarray, uncertainty: np.ndarray
) -> np.ndarray:
    """Each run set's distance from each target in standard deviations: the simulated value
    against the observed, with the target's uncertainty and a run's noise (the emulator's
    nugget); where the set was not measured on a target (an effect target of a set run without
    its twin, ``effect_share``), the emulator stands in, with its own uncertainty."""
    columns = []
    for t, emulator in enumerate(emulators):
        expected, variance = emulator.predict(x)
        known = np.isfinite(simulated[:, t])
        value = np.where(known, simulated[:, t], expected)
        spread = np.where(known, emulator.noise, variance)
        columns.append(np.abs(value - observed[t]) / np.sqrt(uncertainty[t] ** 2 + spread))
    return np.column_stack(columns)


def free_parameters(path: str | Path, spec: Targets, base: Scenario) -> list[Vary]:
    """The free parameters as design ranges; a lever or a fixed rule cannot be fitted."""
    chosen = [f"{p.key} (role {parameter_role(p.key)})" for p in spec.parameter if parameter_role(p.key) in ("lever", "fixed")]
    if chosen:
        raise DesignError(
            f"{path}: {', '.join(chosen)}: a policy lever is chosen, not fitted, and a fixed rule is the model's "
            "structure (docs/parameters.md); calibrate behaviour or context parameters"
        )
    return [parse_vary(f"{p.key}={p.low}:{p.high}", base) for p in spec.parameter]


def calibration_folder(out: str | Path | None) -> Path:
    """The calibration's folder: new, empty, or a calibration to resume (holding ``wave1/``)."""
    folder = Path("runs") / f"calibrate-{pd.Timestamp.now():%Y%m%d-%H%M%S-%f}" if out is None else Path(out)
    if folder.is_dir() and any(folder.iterdir()) and not (folder / "wave1" / FILE).exists():
        raise OutputError(f"--out {folder}: exists and holds no calibration to resume; choose a new folder")
    make_folder(folder)
    return folder


@dataclass(frozen=True)
class Region:
    """Where a wave was drawn from: the sets whose largest implausibility under ``emulators`` is
    at most ``cutoff`` (None: the whole prior box), whose share of the box is ``volume``."""

    volume: float
    emulators: list[Emulator] | None = None
    cutoff: float = np.inf


def next_wave(
    spec: Targets, history: History, wave: int, observed: np.ndarray, uncertainty: np.ndarray
) -> tuple[np.ndarray | None, Region]:
    """The unit-cube rows of wave ``wave`` and the region they come from (for the first wave the
    whole prior box); None when the emulators judge no set at all.

    When the emulators keep fewer than ``samples`` of the screened sets within the cut-off
    (early emulators of few runs can be too sure), the wave's region widens its cut-off just
    enough to keep ``samples``: the least implausible sets, so the wave still refocuses;
    waves.csv gives each wave's cut-off."""
    from scipy.stats import qmc  # imported here: slow to import

    if wave == 1:
        unit = qmc.LatinHypercube(d=len(spec.parameter), seed=np.random.default_rng(spec.seed)).random(spec.samples)
        return unit, Region(1.0)
    screen = qmc.LatinHypercube(d=len(spec.parameter), seed=np.random.default_rng([spec.seed, wave])).random(spec.screen)
    x, _, mean, _ = history.arrays()
    emulators = emulators_of(x, mean[:, : len(spec.target)], spec.seed)
    largest = implausibility(emulators, screen, observed, uncertainty).max(axis=1)
    judged = np.sort(largest[np.isfinite(largest)])
    if not judged.size:
        return None, Region(0.0, emulators)
    cutoff = max(spec.cutoff, float(judged[min(spec.samples, judged.size) - 1]))
    kept = largest <= cutoff
    return screen[kept][: spec.samples], Region(float(kept.mean()), emulators, cutoff)


def emulators_of(x: np.ndarray, mean: np.ndarray, seed: int = 0) -> list[Emulator]:
    """One emulator per target (column of ``mean``), fitted on the runs at ``x`` (unit cube)."""
    return [fit(x, mean[:, t], seed) for t in range(mean.shape[1])]


def not_ruled_out(
    emulators: list[Emulator], x: np.ndarray, observed: np.ndarray, uncertainty: np.ndarray, cutoff: float
) -> np.ndarray:
    return implausibility(emulators, x, observed, uncertainty).max(axis=1) <= cutoff


def run_wave(
    spec: Targets,
    base: Scenario,
    varies: list[Vary],
    unit: np.ndarray,
    wave: int,
    folder: Path,
    jobs: int | None,
    scheduler: str | None,
    progress: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Run one wave's parameter sets on every target population (with twins for effect targets);
    return per set and measure (targets, then checks, answers and observables) the mean over
    replications and the variance of that mean."""
    candidates = [p.overrides for p in from_unit_cube(base, varies, unit)]
    groups = populations(spec)
    measures = spec.measures()
    evaluated = {groups.index(t.overrides) for t in measures if t.effect is not None}
    every = max(1, round(1 / spec.effect_share))  # the Latin hypercube's rows are in random order
    points, twins = [], []
    for c, candidate in enumerate(candidates):
        for k, overrides in enumerate(groups):
            scenario = base.with_overrides({**candidate, **overrides})
            points.append(Point(f"w{wave}c{c}|p{k}", {**candidate, **overrides}, scenario))
            twins.append(twin_of(scenario) if k in evaluated and c % every == 0 else None)
    # Only what decides the runs identifies the wave (its points, twins, seeds): a targets file corrected
    # elsewhere (a source, calibrated_extends, a typo in a name) keeps the waves already run.
    experiment = Experiment("calibrate", points, spec.replications, spec.seed, {"wave": wave}, twins if evaluated else None)
    experiment.notes = {"targets": spec.model_dump()}
    store = run_experiment(experiment, folder / f"wave{wave}", jobs, scheduler, progress)
    tables = read_experiment(store, ("indicators", "monthly", "evaluation"))
    by_point = {name: dict(iter(frame.groupby("point"))) for name, frame in tables.items()}
    mean = np.full((len(candidates), len(measures)), np.nan)
    variance = np.full_like(mean, np.nan)
    for c in range(len(candidates)):
        for t, target in enumerate(measures):
            p = c * len(groups) + groups.index(target.overrides)
            rows = {name: frames.get(p, tables[name].iloc[:0]) for name, frames in by_point.items()}
            values = measured(target, points[p].scenario, rows).dropna().to_numpy(float)
            if values.size:
                mean[c, t] = values.mean()
                variance[c, t] = values.var(ddof=1) / values.size if values.size > 1 else 0.0
    return mean, variance


def run_options(
    spec: Targets,
    path: Path,
    varies: list[Vary],
    sets: np.ndarray,
    folder: Path,
    jobs: int | None,
    scheduler: str | None,
    progress: bool,
) -> tuple[np.ndarray, int]:
    """Run every option and its base with each of ``sets`` (unit cube), ``option_replications`` each, in
    one experiment (options of one history share its runs: :mod:`simulation.experiments.branching`);
    return the effects, option x option measure x set x replication (the option less its base, the same
    seeds; NaN where the option is not measured on the measure), and the number of runs."""
    pairs = option_scenarios(path, spec)
    scenarios, at = distinct_scenarios(pairs)
    members = [overrides_of(varies, row) for row in values_of(varies, sets)]
    points = [Point(f"{s.name}|m{m}", member, s.with_overrides(member)) for s in scenarios for m, member in enumerate(members)]
    experiment = Experiment("calibrate", points, spec.option_replications, spec.seed, {"options": [o.name for o in spec.option]})
    store = run_experiment(experiment, folder / "options", jobs, scheduler, progress)
    tables = read_experiment(store, ("indicators", "monthly"))
    by_point = {name: dict(iter(frame.groupby("point"))) for name, frame in tables.items()}

    @functools.cache  # a base shared by several options is measured once
    def value(scenario: int, m: int, k: int) -> np.ndarray:
        """Option measure ``k`` per replication of scenario number ``scenario`` with member ``m``."""
        p = scenario * len(members) + m
        rows = {name: frames.get(p, tables[name].iloc[:0]) for name, frames in by_point.items()}
        measure = spec.option_measure[k]
        return measured(measure, points[p].scenario, rows).reindex(range(spec.option_replications)).to_numpy(float)

    effects = np.full((len(at), len(spec.option_measure), len(members), spec.option_replications), np.nan)
    for o, (base, option) in enumerate(at):
        for k in spec.measured_on(spec.option[o]):
            effects[o, k] = [value(option, m, k) - value(base, m, k) for m in range(len(members))]
    return effects, len(points) * spec.option_replications


def distinct_scenarios(pairs: list[tuple[Scenario, Scenario]]) -> tuple[list[Scenario], list[tuple[int, int]]]:
    """The distinct scenarios of the (base, option) ``pairs`` (a base shared by options runs once),
    and each pair as their places in that list."""
    scenarios: list[Scenario] = []
    position: dict[str, int] = {}
    for pair in pairs:
        for scenario in pair:
            key = scenario.digest()
            if key not in position:
                position[key] = len(scenarios)
                scenarios.append(scenario)
    return scenarios, [(position[base.digest()], position[option.digest()]) for base, option in pairs]


def write_checks(
    spec: Targets,
    waves: np.ndarray,
    mean: np.ndarray,
    noise: np.ndarray,
    plausible: np.ndarray,
    weights: np.ndarray,
    folder: Path,
) -> dict[str, pd.DataFrame]:
    """Write out_of_sample.csv (each check: observed against the plausible runs) and
    discrimination.csv (each target and check against the first wave's runs); return them.

    A check's verdict: "inside the interval" when the observed figure lies within the plausible
    runs' weighted 5-95% range; else "within 2 sd" when the gap is at most 2 standard deviations
    of the runs' spread and the figure's uncertainty together; else "missed"."""
    targets, checks = len(spec.target), spec.check
    rows = []
    for k, check in enumerate(checks):
        values = mean[:, targets + k]
        known = plausible & np.isfinite(values)
        w = weights[known] / weights[known].sum() if known.any() else weights[known]
        centre, spread, low, high = weighted_summary(values[known], w)
        z = (centre - check.value) / np.sqrt(spread**2 + check.uncertainty**2)
        inside = bool(low <= check.value <= high)
        rows.append(
            {
                "check": check.name,
                "kind": check.kind,
                "measure": check.what(),
                "figure": check.figure or "",
                "observed": check.value,
                "uncertainty": check.uncertainty,
                "ensemble_mean": centre,
                "ensemble_q05": low,
                "ensemble_q95": high,
                "z": z,
                "verdict": "inside the interval" if inside else ("within 2 sd" if abs(z) <= 2 else "missed"),
                "source": check.source,
            }
        )
    first = waves == 1
    spread_rows = []
    for k, measure in enumerate([*spec.target, *checks]):  # the targets' and checks' columns come first in mean
        values = mean[first, k]
        values = values[np.isfinite(values)]
        sd = np.sqrt(measure.uncertainty**2 + (noise[k] if k < targets else 0.0))
        met = np.abs(values - measure.value) <= spec.cutoff * sd
        spread_rows.append(
            {
                "measure": measure.name,
                "role": "target" if k < targets else measure.kind,  # type: ignore[union-attr]
                "observed": measure.value,
                "uncertainty": measure.uncertainty,
                "first_wave_min": values.min() if values.size else np.nan,
                "first_wave_q05": np.quantile(values, 0.05) if values.size else np.nan,
                "first_wave_q95": np.quantile(values, 0.95) if values.size else np.nan,
                "first_wave_max": values.max() if values.size else np.nan,
                "spread_in_uncertainties": (values.max() - values.min()) / measure.uncertainty if values.size else np.nan,
                "share_met": float(met.mean()) if values.size else np.nan,
                "can_fail": bool(values.size and not met.all()),
            }
        )
    tables = {"discrimination": pd.DataFrame(spread_rows)} | ({"out_of_sample": pd.DataFrame(rows)} if rows else {})
    for name, table in tables.items():
        table.to_csv(folder / f"{name}.csv", index=False)
    return tables


def importance_weights(
    spec: Targets, history: History, regions: list[Region], distance: np.ndarray, plausible: np.ndarray
) -> np.ndarray:
    """Weights of the run sets (0 for the implausible): Gaussian likelihood over the density of
    the waves' mixture they were drawn from (see the module), normalised to sum to 1."""
    x, waves, _, _ = history.arrays()
    observed = np.array([t.value for t in spec.target])
    uncertainty = np.array([t.uncertainty for t in spec.target])
    density = np.zeros(len(x))
    for wave, region in enumerate(regions, start=1):
        inside = np.ones(len(x), bool)
        if region.emulators is not None:
            inside = not_ruled_out(region.emulators, x, observed, uncertainty, region.cutoff)
        density += (waves == wave).mean() * inside / region.volume
    log_likelihood = -0.5 * np.nansum(distance**2, axis=1)
    if not plausible.any():
        return np.zeros(len(x))
    weights = np.where(plausible, np.exp(log_likelihood - log_likelihood[plausible].max()) / density, 0.0)
    return weights / weights.sum()


def values_of(varies: list[Vary], unit: np.ndarray) -> np.ndarray:
    """Parameter values (as run: integers rounded) of unit-cube rows."""
    lows, highs = np.array([v.low for v in varies], float), np.array([v.high for v in varies], float)
    values = lows + unit * (highs - lows)
    for j, v in enumerate(varies):
        if v.integer:
            values[:, j] = np.round(values[:, j])
    return values


def overrides_of(varies: list[Vary], values: np.ndarray) -> dict[str, Any]:
    """One parameter set's values (a row of :func:`values_of`) as overrides: integers as integers."""
    return {v.key: int(round(x)) if v.integer else float(x) for v, x in zip(varies, values)}


def resample(weights: np.ndarray, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The sets (indices) to keep of those with ``weights`` and their normalised weights: all with a
    weight above 0; beyond ``size`` of them, a systematic resample by weight (sets drawn more than
    once are kept once with the summed weight)."""
    chosen = np.flatnonzero(weights > 0)
    if len(chosen) <= size:
        return chosen, weights[chosen] / weights[chosen].sum()
    positions = (np.random.default_rng(seed).random() + np.arange(size)) / size
    drawn = np.searchsorted(np.cumsum(weights), positions, side="right").clip(max=len(weights) - 1)
    chosen, counts = np.unique(drawn, return_counts=True)
    return chosen, counts / size


def ensemble_of(varies: list[Vary], values: np.ndarray, weights: np.ndarray, size: int, seed: int) -> pd.DataFrame:
    """The plausible sets with their weights, resampled to ``size`` at most (:func:`resample`)."""
    keys = [v.key for v in varies]
    chosen, member_weights = resample(weights, size, seed)
    frame = pd.DataFrame(values[chosen], columns=keys)
    for v in varies:
        if v.integer:
            frame[v.key] = frame[v.key].astype(int)
    frame["weight"] = member_weights
    return frame.sort_values("weight", ascending=False, kind="stable").reset_index(drop=True)


def write_tables(
    spec: Targets,
    varies: list[Vary],
    values: np.ndarray,
    waves: np.ndarray,
    mean: np.ndarray,
    distance: np.ndarray,
    plausible: np.ndarray,
    weights: np.ndarray,
    emulators: list[Emulator],
    regions: list[Region],
    folder: Path,
) -> dict[str, pd.DataFrame]:
    """Write runs.csv, fit.csv, parameters.csv, identification.csv and waves.csv; return them."""
    names = [t.name for t in spec.target]
    runs = pd.DataFrame(values, columns=[v.key for v in varies]).assign(wave=waves)
    runs = pd.concat([runs, pd.DataFrame(mean, columns=[m.name for m in spec.measures()])], axis=1)
    runs = runs.assign(implausibility=np.nanmax(np.nan_to_num(distance, nan=np.inf), axis=1), plausible=plausible, weight=weights)
    effects = main_effects(emulators, len(varies), np.array([t.uncertainty for t in spec.target]))
    identification = pd.DataFrame(effects, index=[v.key for v in varies], columns=names).rename_axis("parameter")
    tables = {
        "runs": runs,
        "fit": fit_table(spec, mean, distance, plausible, weights),
        "parameters": parameter_table(spec, varies, values, weights, effects),
        "identification": identification.reset_index(),
        "waves": pd.DataFrame(
            {
                "wave": range(1, len(regions) + 1),
                "runs": [int((waves == w).sum()) for w in range(1, len(regions) + 1)],
                "not_ruled_out_share": [r.volume for r in regions],
                "cutoff": [r.cutoff if r.emulators is not None else np.nan for r in regions],
                "plausible": [int((plausible & (waves == w)).sum()) for w in range(1, len(regions) + 1)],
            }
        ),
    }
    for name, table in tables.items():
        table.to_csv(folder / f"{name}.csv", index=False)
    return tables


def fit_table(spec: Targets, mean: np.ndarray, distance: np.ndarray, plausible: np.ndarray, weights: np.ndarray) -> pd.DataFrame:
    """Per target: observed and uncertainty; simulated at the most likely set, over the plausible
    sets (weighted mean, lowest, highest) and the closest any run came (in sd)."""
    best = int(np.argmax(weights)) if plausible.any() else int(np.nanargmin(np.nanmax(distance, axis=1)))
    rows = []
    for t, target in enumerate(spec.target):
        inside = mean[plausible, t]
        measured_weights = weights[plausible][np.isfinite(inside)]
        inside = inside[np.isfinite(inside)]
        rows.append(
            {
                "target": target.name,
                "measure": target.what(),
                "figure": target.figure or "",
                "observed": target.value,
                "uncertainty": target.uncertainty,
                "simulated": mean[best, t],
                "z": (mean[best, t] - target.value) / target.uncertainty,
                "plausible_mean": float(np.sum(measured_weights * inside) / measured_weights.sum()) if inside.size else np.nan,
                "plausible_low": float(inside.min()) if inside.size else np.nan,
                "plausible_high": float(inside.max()) if inside.size else np.nan,
                "closest_sd": float(np.nanmin(distance[:, t])),
                "source": target.source,
            }
        )
    return pd.DataFrame(rows)


def parameter_table(
    spec: Targets, varies: list[Vary], values: np.ndarray, weights: np.ndarray, effects: np.ndarray
) -> pd.DataFrame:
    """Per parameter: prior range and reason, the most likely value, the plausible sets' weighted
    mean, sd and 5-95% range, the sd against the prior's, and the target that moves it most."""
    rows = []
    names = [t.name for t in spec.target]
    some = weights.sum() > 0
    for j, (v, free) in enumerate(zip(varies, spec.parameter)):
        x = values[:, j]
        prior_sd = (v.high - v.low) / np.sqrt(12)
        mean, sd, q05, q95 = weighted_summary(x, weights) if some else (np.nan,) * 4
        rows.append(
            {
                "parameter": v.key,
                "low": v.low,
                "high": v.high,
                "fitted": x[int(np.argmax(weights))] if some else np.nan,
                "mean": mean,
                "sd": sd,
                "q05": q05,
                "q95": q95,
                "sd_ratio": sd / prior_sd if some else np.nan,
                "identified": bool(some and sd / prior_sd <= IDENTIFIED),
                "moved_most_by": names[int(np.argmax(effects[j]))],
                "reason": free.reason,
            }
        )
    return pd.DataFrame(rows)


def write_ensemble(
    path: str | Path, spec: Targets, scenario_path: Path, ensemble: pd.DataFrame, best: dict[str, Any], folder: Path
) -> None:
    """plausible.csv and calibrated.toml in ``folder``."""
    write_file(folder / "plausible.csv", ensemble.to_csv(index=False).encode())
    write_calibrated(path, spec, scenario_path, best, folder)


def write_calibrated(path: str | Path, spec: Targets, scenario_path: Path, best: dict[str, Any], folder: Path) -> None:
    """calibrated.toml in ``folder``: the most likely set ``best`` as a scenario extending
    ``calibrated_extends`` (default: the calibrated scenario), by a path relative to ``folder``."""
    parent = (Path(path).parent / spec.calibrated_extends).resolve() if spec.calibrated_extends else scenario_path
    write_file(folder / "calibrated.toml", calibrated_scenario(Scenario.load(parent), parent, best, folder).encode())


def keep_beside(path: str | Path, spec: Targets, scenario_path: Path, best: dict[str, Any], folder: Path) -> list[Path]:
    """Write the result files of the complete calibration in ``folder`` beside the targets file
    ``path``, replacing those there (the waves stay in ``folder``); return the files written."""
    beside = Path(path).parent
    names = [name for name in BESIDE if (folder / name).exists()]  # answers and options: when the targets file asks
    try:
        for name in names:
            if name == "calibrated.toml":  # its extends is relative to where it is
                write_calibrated(path, spec, scenario_path, best, beside)
            else:
                write_file(beside / name, (folder / name).read_bytes())
    except OSError as err:
        raise OutputError(
            f"cannot write beside {path}: {err.strerror}; the calibration is complete in {folder}: copy its results from there"
        ) from None
    return [beside / name for name in names]


def calibrated_scenario(base: Scenario, scenario_path: Path, fitted: dict[str, Any], folder: Path) -> str:
    """A scenario file extending the calibrated scenario with the fitted values.

    ``extends`` is relative to ``folder`` (where the file is written), so the project and
    its runs can be moved or cloned elsewhere and the file still loads.
    """
    data: dict[str, Any] = {
        "extends": Path(os.path.relpath(scenario_path.resolve(), folder.resolve())).as_posix(),
        "name": f"{base.name}_calibrated",
        "description": f"{base.name} with the most likely parameter set of the calibration (calibration/plausible.csv)",
    }
    for key, value in fitted.items():  # only the fitted values: the calibration's own overrides were for speed
        node = data
        *parents, last = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return tomli_w.dumps(data)
