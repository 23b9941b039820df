"""Experiments: many runs of many scenarios, stored, resumable, summarised with intervals.

An experiment is a list of design points (:mod:`simulation.experiments.design`) times the same
replications (same seeds: common random numbers, so differences between points are
paired). It runs on an executor (:mod:`simulation.experiments.executors`), streams every finished
run into ``experiment.sqlite`` (:mod:`simulation.experiments.store`), and can be resumed by running
the same command with the same output folder. The three kinds:

- :func:`compare`: scenarios side by side, with paired differences from the first;
- :func:`sweep`: a grid or Latin hypercube over parameters;
- :func:`simulation.experiments.sensitivity.sensitivity`: Morris or Sobol indices (SALib).

Each returns an :class:`ExperimentResult` (the table and the folder) and writes the
table as CSV next to the store.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..rules.scenario import Scenario, ScenarioError
from ..rules.scenario_files import changed_fields
from ..world.indicators import INDICATOR_INFO, INDICATORS, measured_months, window_span
from ..world.resources import check_counts, check_disk, check_jobs, check_memory, cores, store_size
from .branching import branch_groups
from .design import DesignError, Point, Vary, grid, latin_hypercube, parse_vary
from .ensemble import ensemble_effects, ensemble_evaluation, ensemble_points, ensemble_table, load_ensemble
from .evaluation import PEOPLE_FIELDS, check_same_people, check_twin, effects_table, evaluation_table, twin_of
from .executors import Task, check_scheduler, run_tasks
from .output import LOCK, OutputError, lock_folder, make_folder, package_versions
from .runner import replication_seed
from .statistics import difference_bounds, interval
from .store import FILE, TABLES, ExperimentStore, read_experiment, write_result

tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked from this one


@dataclass
class Experiment:
    """A design to run: its kind, points, replications and base seed."""

    kind: str
    points: list[Point]
    replications: int = 10
    seed: int = 1
    details: dict[str, Any] = field(default_factory=dict)
    #: Evaluations: point i's runs are paired with the counterfactual ``twins[i]`` (None: plain runs).
    twins: list[Scenario | None] | None = None
    #: Provenance recorded in the store but not part of the design (:meth:`digest`).
    notes: dict[str, Any] = field(default_factory=dict)

    def seeds(self) -> list[int]:
        """The replication seeds, shared by every point."""
        return [replication_seed(self.seed, r) for r in range(self.replications)]

    def digest(self) -> str:
        """Identifies the design: same points, scenarios, seed and replications, same digest."""
        content = {
            "kind": self.kind,
            "seed": self.seed,
            "replications": self.replications,
            "details": self.details,
            "points": [[p.label, p.overrides, p.scenario.digest()] for p in self.points],
            **({"twins": [t.digest() if t is not None else None for t in self.twins]} if self.twins is not None else {}),
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class ExperimentResult:
    """What an experiment function returns: its main ``table`` and the ``folder`` holding the store.

    ``extra`` holds further tables an experiment makes (the calibration's ``fit``).
    """

    table: pd.DataFrame
    folder: Path
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

    def tables(self, names: tuple[str, ...] = TABLES) -> dict[str, pd.DataFrame]:
        """The store's tables (see :func:`simulation.experiments.store.read_experiment`)."""
        return read_experiment(self.folder, names)


def experiment_folder(out: str | Path | None, kind: str, root: Path = Path("runs")) -> tuple[Path, TextIO]:
    """Create and lock ``out`` (new, empty, or holding a store to resume), or a new folder under ``root``.

    Returns the folder and its lock (keep it open while the experiment runs): a second
    command on the same folder is refused rather than running the same runs twice.
    """
    folder = root / f"{kind}-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}" if out is None else Path(out)
    refuse_if_foreign(folder)  # before the lock, so that a refused folder is left exactly as it was
    make_folder(folder)
    lock = lock_folder(folder)
    try:
        refuse_if_foreign(folder)
    except OutputError:
        lock.close()
        raise
    return folder, lock


def refuse_if_foreign(folder: Path) -> None:
    """Refuse a folder that holds files but no experiment store to resume."""
    if folder.is_dir() and not (folder / FILE).exists() and any(p.name != LOCK for p in folder.iterdir()):
        raise OutputError(f"--out {folder}: exists and holds no experiment to resume; choose a new folder")


def check_resources(experiment: Experiment, jobs: int, scheduler: str | None, folder: Path) -> None:
    """Refuse an experiment too large to store, or too large for this machine, before it starts:
    its runs in parallel and the design held here must fit in memory, its store on the disk."""
    points = len(experiment.points)
    runs = points * experiment.replications
    check_counts(experiment.replications, runs)
    check_disk(folder, store_size(points, runs, max(p.scenario.months for p in experiment.points)))
    if scheduler is None or scheduler == "local":  # a remote cluster's machines are not this one's
        check_jobs(jobs)
        check_memory((p.scenario for p in experiment.points), parallel=max(1, min(jobs, runs)), points=points)


def run_experiment(
    experiment: Experiment,
    out: str | Path | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    on_outcome: Callable[[Any], None] | None = None,
) -> Path:
    """Run every run of ``experiment`` not yet in its store; return the folder.

    Finished runs are committed one by one; Ctrl-C (or a kill) leaves them in place and
    the same call resumes. ``on_outcome`` sees each outcome after it is stored.
    """
    jobs = jobs or cores()
    check_scheduler(scheduler)
    check_resources(experiment, jobs, scheduler, Path(out) if out is not None else Path("runs"))
    folder, lock = experiment_folder(out, experiment.kind)
    with lock:
        run_design(experiment, folder, jobs, scheduler, progress, on_outcome)
    return folder


def run_design(
    experiment: Experiment,
    folder: Path,
    jobs: int,
    scheduler: str | None,
    progress: bool,
    on_outcome: Callable[[Any], None] | None,
) -> None:
    """Open the store in ``folder``, record the design, and run every run not yet done.

    A new store whose design cannot be recorded (a full disk) is removed again, so that the
    same command can be repeated instead of meeting a store without a design."""
    new = not (folder / FILE).exists()
    store = ExperimentStore(folder)
    try:
        prepare(store, experiment)
    except BaseException:
        store.close(record=False)
        if new:
            for path in folder.glob(f"{FILE}*"):
                path.unlink(missing_ok=True)
        raise
    try:
        todo = store.todo()
        tasks = make_tasks(experiment, todo)
        failed = 0
        with tqdm(total=len(todo), unit="run", desc=experiment.kind, disable=None if progress else True) as bar:
            for outcome in run_tasks(tasks, jobs, scheduler):
                store.save(outcome)
                failed += outcome.error is not None
                bar.set_postfix(failed=failed, refresh=False)
                bar.update()
                if on_outcome is not None:
                    on_outcome(outcome)
    finally:
        store.close()


#: The libraries beyond the core that shape an experiment's results, by its kind: the sampler of a
#: sensitivity analysis, the emulators that chose a calibration wave's sets, the optimiser that
#: proposed a search's candidates (its generations, re-evaluation and stress test).
LIBRARIES = {
    "sensitivity": ("SALib",),
    "calibrate": ("scikit-learn",),
    "search": ("pymoo",),
    "search-fresh": ("pymoo",),
    "search-stress": ("pymoo",),
}


def prepare(store: ExperimentStore, experiment: Experiment) -> None:
    """Record the design in a new store, or check that a store to resume holds the same one."""
    store.prepare(
        experiment.digest(),
        experiment.points,
        experiment.seeds(),
        {
            "kind": experiment.kind,
            "seed": experiment.seed,
            "replications": experiment.replications,
            "details": experiment.details,
            **({"notes": experiment.notes} if experiment.notes else {}),
            "command": sys.argv,
            "versions": package_versions(*LIBRARIES.get(experiment.kind, ())),
        },
    )


def make_tasks(experiment: Experiment, todo: list[tuple[int, int, int]]) -> list[Task]:
    """One task per run, except that the runs of one replication of scenarios sharing a history
    (:func:`simulation.experiments.branching.branch_groups`) form one task that runs the history once."""
    scenarios = [p.scenario.model_dump(mode="json") for p in experiment.points]
    twins = [t.model_dump(mode="json") if t is not None else None for t in experiment.twins or [None] * len(scenarios)]
    plain = [p for p in range(len(scenarios)) if twins[p] is None]
    group_of: dict[int, tuple[int, int]] = {}
    for g, (month, members) in enumerate(branch_groups([experiment.points[p].scenario for p in plain])):
        group_of.update({plain[point]: (g, month) for point in members})
    tasks, branched = [], {}
    for run, point, replication in todo:
        if point not in group_of:
            tasks.append(Task(run, scenarios[point], experiment.seed, replication, twins[point]))
            continue
        group, month = group_of[point]
        branched.setdefault((group, replication, month), []).append((run, scenarios[point]))
    for (_, replication, month), runs in branched.items():
        tasks.append(Task(runs[0][0], runs[0][1], experiment.seed, replication, branches=tuple(runs), branch_month=month))
    return tasks


def with_window(scenario: Scenario, window: str | None) -> Scenario:
    """``scenario`` with its indicators measured over ``window`` (``YYYY-MM:YYYY-MM`` or ``all``); None: unchanged."""
    return scenario if window is None else scenario.with_overrides({"window": window})


def paired(scenarios: list[Scenario], window: str | None = None) -> list[Scenario]:
    """The scenarios of a comparison, each paired with the first replication by replication: the same
    people (:data:`~simulation.experiments.evaluation.PEOPLE_FIELDS`; their horizons may differ)
    measured over the same calendar months (:func:`common_window`), or a clear refusal. A difference
    in the people would be read as the option's effect: a larger world has more of everything."""
    for other in scenarios[1:]:
        check_same_people(
            scenarios[0],
            other,
            f"compare: '{other.name}'",
            "a comparison pairs every scenario with the first, the same people with the same luck, so the scenarios "
            "may change policy and context but not who the people are: their world, start, inflow and its cycle "
            "(sweep --vary shows what those change)",
            PEOPLE_FIELDS,
        )
    return common_window(scenarios, window)


def common_window(scenarios: list[Scenario], window: str | None = None) -> list[Scenario]:
    """The scenarios of a comparison measured over the same calendar months, or a clear refusal.

    With ``window`` every scenario is measured over it (``"all"`` only when their runs cover the
    same months). Without, scenarios of the same run
    (start and horizon) whose windows differ only because some are branches of one date and
    the others (their history, a reference) are not, are all measured over the branches' own
    years; any other difference in horizon or window is refused: its differences would mix
    years in which the options act with years in which they do not.
    """
    if window is not None:
        scenarios = [with_window(s, window) for s in scenarios]
    spans = {window_span(s) for s in scenarios}
    if len(spans) == 1:
        return scenarios
    runs = {(s.start, s.months) for s in scenarios}
    own = {window_span(s) for s in scenarios if s.branch is not None or s.window is not None}
    if window is None and len(runs) == 1 and len(own) == 1:
        first, last = measured_months(next(s for s in scenarios if s.branch is not None or s.window is not None))
        shared = f"{scenarios[0].date(first)}:{scenarios[0].date(last)}"
        return [with_window(s, shared) for s in scenarios]
    shown = "; ".join(f"'{s.name}' {s.date(1)} to {s.date(s.months)} measured {window_span(s)}" for s in scenarios)
    starts = max(measured_months(s)[0] for s in scenarios)
    ends = min(s.months for s in scenarios)
    hint = (
        f"give a common --window, e.g. --window {scenarios[0].date(starts)}:{scenarios[0].date(ends)}"
        if len({s.start for s in scenarios}) == 1 and starts <= ends
        else "give a common --window within every run"
    )
    raise ScenarioError(f"the scenarios cover different years or windows ({shown}): {hint}")


def compare(
    scenarios: list[Scenario],
    replications: int = 10,
    seed: int = 1,
    jobs: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    progress: bool = False,
    ensemble: str | Path | None = None,
    window: str | None = None,
) -> ExperimentResult:
    """Run each scenario with the same replication seeds; return (and write) ``comparison.csv``.

    Every scenario has the first's people and its indicators cover the same calendar months
    (:func:`paired`): ``window`` (``"2026-07:2036-12"``, or ``"all"``) when given, else the
    branches' own years.

    Each design point records how its scenario differs from the first (its overrides), and a
    scenario whose name repeats is labelled by its first difference. With an ``ensemble`` file
    (:mod:`simulation.experiments.ensemble`) every scenario runs with every plausible parameter set, and the
    table combines parametric and stochastic uncertainty and marks robust differences.
    """
    scenarios = paired(scenarios, window)
    labels = labels_of(scenarios)
    details: dict[str, Any] = {
        "call": call("compare", scenarios, replications=replications, seed=seed, ensemble=ensemble, window=window)
    }
    if ensemble is not None:
        experiment, weights = over_ensemble("compare", labels, scenarios, ensemble, replications, seed, details)
        folder = run_experiment(experiment, out, jobs, scheduler, progress)
        indicators = read_experiment(folder, ("indicators",))["indicators"]
        table = ensemble_table(indicators, labels, scenarios, weights)
        write_result(folder, "comparison.csv", table)
        return ExperimentResult(table, folder)
    points = [Point(label, changed_fields(s, scenarios[0]), s) for label, s in zip(labels, scenarios)]
    experiment = Experiment("compare", points, replications, seed, details)
    folder = run_experiment(experiment, out, jobs, scheduler, progress)
    table = comparison_table(read_experiment(folder, ("indicators",))["indicators"], points)
    write_result(folder, "comparison.csv", table)
    return ExperimentResult(table, folder)


def evaluate(
    scenario: Scenario,
    against: Scenario | None = None,
    replications: int = 10,
    seed: int = 1,
    jobs: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    progress: bool = False,
    ensemble: str | Path | None = None,
    window: str | None = None,
) -> ExperimentResult:
    """Run ``scenario`` and its counterfactual twin (default: nobody placed in LDE, :func:`twin_of`)
    with the same seeds and people; return (and write) ``evaluation.csv``, with the headline
    indicators (``effects.csv``) in ``extra["effects"]``. See :mod:`simulation.experiments.evaluation`.

    With an ``ensemble`` file every plausible parameter set is evaluated against its own twin (the
    twin with the same parameters), and the tables combine both uncertainties and say which effects
    are robust (:mod:`simulation.experiments.ensemble`)."""
    scenario = with_window(scenario, window)
    twin = with_window(against, window) if against is not None else twin_of(scenario)
    check_twin(scenario, twin)
    details = {
        "against": twin.name,
        "call": call(
            "evaluate", scenario, against=twin.name, replications=replications, seed=seed, ensemble=ensemble, window=window
        ),
    }
    if ensemble is None:
        experiment = Experiment("evaluate", [Point(scenario.name, {}, scenario)], replications, seed, details, [twin])
    else:
        experiment, weights = over_ensemble("evaluate", [scenario.name], [scenario], ensemble, replications, seed, details)
        experiment.twins = [twin.with_overrides(p.overrides, coerce=True) for p in experiment.points]
    folder = run_experiment(experiment, out, jobs, scheduler, progress)
    stored = read_experiment(folder, ("evaluation", "effects"))
    if ensemble is None:
        table = evaluation_table(stored["evaluation"].drop(columns=["point", "label", "replication", "run"]))
        effects = effects_table(stored["effects"])
    else:
        table, effects = ensemble_evaluation(stored["evaluation"], weights), ensemble_effects(stored["effects"], weights)
    write_result(folder, "evaluation.csv", table)
    write_result(folder, "effects.csv", effects)
    return ExperimentResult(table, folder, {"effects": effects})


def sweep(
    base: Scenario,
    vary: list[str],
    sample: str = "grid",
    samples: int | None = None,
    replications: int = 3,
    seed: int = 1,
    jobs: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    progress: bool = False,
    ensemble: str | Path | None = None,
    window: str | None = None,
) -> ExperimentResult:
    """Run a grid (``key=low:high:step`` or ``key=a,b,c``) or a Latin hypercube (``sample="lhs"``,
    ``key=low:high``) over ``base``; return (and write) ``sweep.csv``: one row per point.

    With an ``ensemble`` file every point runs with every plausible parameter set, and
    ``sweep.csv`` has one row per point and indicator, as ``compare --ensemble`` has, with the
    first point as the reference for differences and the point's values in front."""
    base = with_window(base, window)
    varies = [parse_vary(text, base) for text in vary]
    repeated = sorted({v.key for v in varies if [w.key for w in varies].count(v.key) > 1})
    if repeated:
        raise DesignError(f"--vary {', '.join(repeated)} is given more than once; give each key once")
    points = design_points(base, varies, sample, samples, seed)
    details = {
        "vary": vary,
        "sample": sample,
        "samples": samples,
        "call": call(
            "sweep",
            base,
            vary=vary,
            sample=sample,
            samples=samples,
            replications=replications,
            seed=seed,
            ensemble=ensemble,
            window=window,
        ),
    }
    if ensemble is None:
        folder = run_experiment(Experiment("sweep", points, replications, seed, details), out, jobs, scheduler, progress)
        table = sweep_table(read_experiment(folder, ("indicators",))["indicators"], points)
    else:
        scenarios, labels = [p.scenario for p in points], [p.label for p in points]
        experiment, weights = over_ensemble("sweep", labels, scenarios, ensemble, replications, seed, details)
        folder = run_experiment(experiment, out, jobs, scheduler, progress)
        table = ensemble_table(read_experiment(folder, ("indicators",))["indicators"], labels, scenarios, weights)
        values = pd.DataFrame([{"scenario": p.label, **p.overrides} for p in points])
        table = values.merge(table, on="scenario", how="right")
    write_result(folder, "sweep.csv", table)
    return ExperimentResult(table, folder)


def over_ensemble(
    kind: str, labels: list[str], scenarios: list[Scenario], ensemble: str | Path, replications: int, seed: int, details: dict
) -> tuple[Experiment, np.ndarray]:
    """The experiment running every scenario with every member of the ensemble file (same seeds),
    and the members' weights; the members are recorded in ``details``."""
    members, weights = load_ensemble(ensemble)
    points = ensemble_points(labels, scenarios, members, str(ensemble))
    details["ensemble"] = {"file": str(ensemble), "members": members, "weights": weights.tolist()}
    return Experiment(kind, points, replications, seed, details), weights


def design_points(base: Scenario, varies: list[Vary], sample: str, samples: int | None, seed: int) -> list[Point]:
    if sample == "grid":
        if samples is not None:
            raise DesignError(
                f"--samples {samples}: a grid runs every combination of its --vary values, so the number of points is "
                "theirs; --samples counts the points of a Latin hypercube: drop it, or add --sample lhs"
            )
        return grid(base, varies)
    if sample == "lhs":
        if samples is None:
            raise DesignError("--sample lhs needs --samples N")
        return latin_hypercube(base, varies, samples, seed)
    raise DesignError(f"--sample {sample!r}: choose grid or lhs")


def comparison_table(indicators: pd.DataFrame, points: list[Point]) -> pd.DataFrame:
    """Per scenario and indicator: mean, median, 95% interval, and the paired difference from the first.

    Intervals stay inside each indicator's range (a share in [0, 1], closures between 0
    and the scenario's enterprises), and a difference inside the range of differences.
    """
    rows = []
    labels = [p.label for p in points]
    wide = {
        name: indicators.pivot(index="replication", columns="label", values=name).reindex(columns=labels) for name in INDICATORS
    }
    for point in points:
        for name, info in INDICATOR_INFO.items():
            values = wide[name].get(point.label, pd.Series(dtype=float))
            bounds = info.range(point.scenario)
            mean, low, high = interval(values.to_numpy(dtype=float), bounds=bounds)
            paired = (values - wide[name][labels[0]]).to_numpy(dtype=float)
            diff, diff_low, diff_high = interval(paired, bounds=difference_bounds(bounds, info.range(points[0].scenario)))
            rows.append(
                {
                    "scenario": point.label,
                    "indicator": name,
                    "mean": mean,
                    "median": float(np.nanmedian(values)) if values.notna().any() else math.nan,
                    "ci_low": low,
                    "ci_high": high,
                    "diff": diff,
                    "diff_ci_low": diff_low,
                    "diff_ci_high": diff_high,
                    "significant": bool(diff_low > 0 or diff_high < 0),
                    "replications": int(values.notna().sum()),
                }
            )
    return pd.DataFrame(rows)


def sweep_table(indicators: pd.DataFrame, points: list[Point]) -> pd.DataFrame:
    """One row per design point: its parameter values and the mean of each indicator."""
    means = indicators.groupby("point")[list(INDICATORS)].mean()
    counts = indicators.groupby("point").size()
    rows = []
    for i, p in enumerate(points):
        row = {"point": i, **p.overrides, "replications": int(counts.get(i, 0))}
        row.update({name: means.loc[i, name] if i in means.index else math.nan for name in INDICATORS})
        rows.append(row)
    return pd.DataFrame(rows)


def labels_of(scenarios: list[Scenario]) -> list[str]:
    """A unique label per scenario: its name, or where names repeat, the name with its first
    difference from the first scenario (``small (policy.aftercare_months=12)``), numbered if still equal."""
    names = [s.name for s in scenarios]
    labels = []
    for scenario in scenarios:
        label = scenario.name
        if names.count(label) > 1 and (changes := changed_fields(scenario, scenarios[0])):
            key, value = next(iter(changes.items()))
            label = f"{label} ({key}={value})"
        while label in labels:
            label = f"{label}-{labels.count(label) + 1}"
        labels.append(label)
    return labels


def call(function: str, scenarios: list[Scenario] | Scenario, **options: Any) -> str:
    """How an experiment was asked for from Python, for its provenance (scenarios by name)."""
    shown = [s.name for s in scenarios] if isinstance(scenarios, list) else scenarios.name
    return f"simulation.{function}({shown!r}, " + ", ".join(f"{k}={v!r}" for k, v in options.items()) + ")"
