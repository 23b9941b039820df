"""Robust many-objective search over the levers (``lde-sim search``): policies that hold up.

Many-objective robust decision making (Kasprzyk et al. 2013; the EMA workbench's robust
optimisation): an evolutionary algorithm (NSGA-II, or NSGA-III for three or more
objectives, from pymoo) proposes lever settings; each candidate is scored over the same
futures (members of the calibrated ensemble, :mod:`simulation.experiments.ensemble`) and seeds by a
robustness statistic per objective (:mod:`simulation.experiments.search_file`); constraints (a budget,
enterprises solvent in a share of futures) separate feasible candidates; the non-dominated
feasible candidates form the front. The front is then re-run on futures and seeds the
search did not see, and the compromise candidate is stress-tested by scenario discovery.

Efficient by design:

- every generation's new candidates run as one experiment (:mod:`simulation.experiments.experiment`)
  in ``generations/gen-NNN/``, so they run on any executor, with identical results, and
  are resumable after a kill: the same command replays the algorithm (seeded, its own
  random generator) and finds every finished run in the stores;
- common random numbers: every candidate runs on the same members with the same
  replication seeds;
- a candidate already scored (the same lever values) is never run again;
- on a branch scenario (``branch = "YYYY-MM"``) the levers apply from the branch date, so
  the candidates of a generation share their history, which is run once per future and
  seed in each generation and continued for each candidate (:mod:`simulation.experiments.branching`).

A candidate without a value for an objective (every run of it undefined) counts as worse
than any value; an objective no candidate has a value for is an error.

Writes ``candidates.csv``, ``front.csv``, ``convergence.csv``, ``reevaluation.csv``, the
figures and ``search.json`` (provenance); ``lde-sim report`` on the folder reads them.
Needs the ``search`` extra (pymoo).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import random
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import LDEError
from ..experiments.design import Point
from ..experiments.evaluation import twin_of
from ..experiments.experiment import Experiment, run_experiment
from ..experiments.output import LOCK, OutputError, lock_folder, make_folder, package_versions
from ..experiments.search_file import (
    CANDIDATES,
    CONVERGENCE,
    FRONT,
    MINISTRY,
    PROVENANCE,
    REEVALUATION,
    Measure,
    SearchSpec,
    load_search,
    select_futures,
)
from ..experiments.store import read_experiment
from ..rules.scenario import Scenario

#: What an objective without a value counts as (pymoo minimises): worse than any value.
UNDEFINED = 1e300


class SearchError(LDEError):
    """A search that cannot run or resume; the message says why and what to do."""


def require_pymoo() -> None:
    try:
        import pymoo  # noqa: F401
    except ImportError:
        raise SearchError("search needs pymoo: pip install 'lde-doorstroom[search]'") from None


# --- the optimiser: pymoo's ask-and-tell loop over the unit cube --------------------------------


Evaluate = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]


def make_algorithm(name: str, objectives: int, population: int) -> Any:
    """NSGA-II, or NSGA-III with Das-Dennis reference directions (as many as fit the population)."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.algorithms.moo.nsga3 import NSGA3
    from pymoo.operators.selection.tournament import TournamentSelection
    from pymoo.util.ref_dirs import get_reference_directions

    if name == "nsga2":
        return NSGA2(pop_size=population)
    partitions = 1
    while math.comb(partitions + 1 + objectives - 1, objectives - 1) <= population:
        partitions += 1
    directions = get_reference_directions("das-dennis", objectives, n_partitions=partitions)
    return NSGA3(ref_dirs=directions, pop_size=population, selection=TournamentSelection(func_comp=cv_then_random))


def cv_then_random(pop: Any, pairs: np.ndarray, random_state: np.random.Generator, **kwargs: Any) -> np.ndarray:
    """NSGA-III's tournament (pymoo's ``comp_by_cv_then_random``): the smaller constraint violation
    wins, else a draw. The draw between equal violations comes from the algorithm's own seeded
    generator: pymoo 0.6.2 draws it from an unseeded one, so a search would not replay."""
    from pymoo.operators.selection.tournament import compare

    winners = np.empty(len(pairs), dtype=int)
    for i, (a, b) in enumerate(pairs):
        if pop[a].CV > 0.0 or pop[b].CV > 0.0:
            cv_a, cv_b = pop[a].CV, pop[b].CV
            winners[i] = compare(a, cv_a, b, cv_b, "smaller_is_better", return_random_if_equal=True, random_state=random_state)
        else:
            winners[i] = random_state.choice([a, b])
    return winners[:, None]


def optimise(
    variables: int,
    objectives: int,
    constraints: int,
    evaluate: Evaluate,
    algorithm: str,
    generations: int,
    population: int,
    seed: int,
) -> None:
    """Run ``algorithm`` for ``generations`` over [0, 1]^``variables``. ``evaluate(X, generation)``
    returns the objectives (to minimise) and constraints (feasible at <= 0) of the rows of X.

    pymoo draws from its own generator seeded with ``seed``, so the same evaluations give the same
    candidates: a resumed search asks for exactly the candidates it asked for before."""
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem

    problem = Problem(n_var=variables, n_obj=objectives, n_ieq_constr=constraints, xl=0.0, xu=1.0)
    solver = make_algorithm(algorithm, objectives, population)
    solver.setup(problem, termination=("n_gen", generations), seed=seed, verbose=False)
    generation = 0
    while solver.has_next():
        offspring = solver.ask()
        python, numpy = random.getstate(), np.random.get_state()  # nothing outside pymoo's generator leaks in
        f, g = evaluate(offspring.get("X"), generation)
        random.setstate(python)
        np.random.set_state(numpy)
        kwargs = {"F": f, "G": g} if constraints else {"F": f}
        Evaluator().eval(StaticProblem(problem, **kwargs), offspring)
        solver.tell(infills=offspring)
        generation += 1


# --- robustness statistics over the futures -----------------------------------------------------


def per_future(values: np.ndarray) -> np.ndarray:
    """Candidates x futures x replications -> candidates x futures: the mean over replications."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a future without a value stays NaN
        return np.nanmean(values, axis=2)


def statistic(measure: Measure, values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The robustness statistic of ``measure`` for each candidate (rows of candidates x futures).

    ``regret`` compares each candidate with the best of the candidates given in each future, so
    it is computed over all of them at once (Savage's minimax regret: the largest shortfall)."""
    higher = measure.better == "higher"
    if measure.statistic == "mean":
        return np.array([_weighted_mean(row, weights) for row in values])
    if measure.statistic == "percentile":
        return np.array([_worse_percentile(row, weights, measure.percentile or 0, higher) for row in values])
    if measure.statistic == "satisficing":
        meets = values >= measure.threshold if higher else values <= measure.threshold
        return (meets & np.isfinite(values)) @ weights
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        best = np.nanmax(values, axis=0) if higher else np.nanmin(values, axis=0)
        shortfall = (best - values) if higher else (values - best)
        return np.nanmax(shortfall, axis=1)


def _weighted_mean(row: np.ndarray, weights: np.ndarray) -> float:
    known = np.isfinite(row)
    return float(np.sum(row[known] * weights[known]) / weights[known].sum()) if known.any() else math.nan


def _worse_percentile(row: np.ndarray, weights: np.ndarray, percentile: float, higher: bool) -> float:
    """The value that ``percentile`` % (by weight) of the futures are worse than, or equal to."""
    known = np.isfinite(row)
    if not known.any():
        return math.nan
    values, w = row[known], weights[known] / weights[known].sum()
    order = np.argsort(values if higher else -values, kind="stable")
    reached = np.cumsum(w[order]) >= percentile / 100 - 1e-12
    return float(values[order][int(np.argmax(reached))])


def oriented(table: pd.DataFrame, measures: list[Measure]) -> np.ndarray:
    """The objectives as pymoo minimises them: a statistic where more is better, negated."""
    return np.column_stack([-table[m.column] if m.maximised else table[m.column] for m in measures]).astype(float)


def violations(table: pd.DataFrame, spec: SearchSpec) -> np.ndarray:
    """Each constraint's violation (at most 0 when met), relative to its bound where it is not 0."""
    columns = []
    for c in spec.constraints:
        value = table[f"constraint_{c.column}"].to_numpy(float)
        bound = c.at_most if c.at_most is not None else c.at_least
        excess = value - bound if c.at_most is not None else bound - value  # type: ignore[operator]
        columns.append(np.nan_to_num(excess / (abs(bound) if bound else 1.0), nan=1e9))  # type: ignore[arg-type]
    return np.column_stack(columns) if columns else np.zeros((len(table), 0))


def non_dominated(f: np.ndarray) -> np.ndarray:
    """Whether each row of ``f`` (to minimise) is dominated by no other row."""
    keep = np.ones(len(f), dtype=bool)
    for i in range(len(f)):
        dominated = np.all(f <= f[i], axis=1) & np.any(f < f[i], axis=1)
        keep[i] = not dominated.any()
    return keep


# --- the futures and the runs ---------------------------------------------------------------------


@dataclass
class Futures:
    """The futures candidates are scored on: members (rows of the ensemble file), their overrides and
    weights, the replications and the base seed."""

    rows: list[int]
    members: list[dict[str, Any]]
    weights: np.ndarray
    replications: int
    seed: int


def candidate_scenario(base: Scenario, levers: dict[str, Any], member: dict[str, Any], label: str) -> Scenario:
    """``base`` in future ``member`` with the candidate's ``levers``: from the start, or on a branch
    scenario as dated changes at its branch date (so candidates share the history before it)."""
    scenario = base.with_overrides({**member, "name": label}, coerce=True)
    if base.branch is None:
        return scenario.with_overrides(levers)
    data = scenario.model_dump(mode="json")
    data["timeline"] += [{"date": base.branch, "key": key, "value": value} for key, value in levers.items()]
    return Scenario.from_dict(data, f"{base.name} with the levers from {base.branch}")


@dataclass
class Runner:
    """Runs candidates on futures through the experiment layer and reads back their indicators."""

    base: Scenario
    spec: SearchSpec
    jobs: int | None
    scheduler: str | None
    progress: bool

    def run(
        self, folder: Path, kind: str, candidates: list[dict[str, Any]], futures: Futures, details: dict, first: int = 0
    ) -> pd.DataFrame:
        """Run every candidate on every future (labelled ``c<first + i>|m<member>``); return one row per
        run (candidate i, future, replication, indicators and effects)."""
        points = [
            Point(f"c{c}|m{m}", {**levers, **member}, candidate_scenario(self.base, levers, member, f"c{c}|m{m}"))
            for c, levers in enumerate(candidates, start=first)
            for m, member in zip(futures.rows, futures.members)
        ]
        twins = [twin_of(p.scenario) for p in points] if self.spec.uses_effects else None
        experiment = Experiment(kind, points, futures.replications, futures.seed, details, twins)
        run_experiment(experiment, folder, self.jobs, self.scheduler, self.progress)
        tables = read_experiment(folder, ("runs", "indicators", "effects"))
        failed = tables["runs"][tables["runs"]["status"] == "failed"]
        if len(failed):
            raise SearchError(
                f"{folder}: {len(failed)} run(s) failed (first: {failed['error'].iloc[0]}); the runs table of "
                f"{folder}/experiment.sqlite has each error; the same command retries them"
            )
        rows = tables["indicators"]
        if len(tables["effects"]):
            effects = tables["effects"].pivot(index=["point", "replication"], columns="indicator", values="value")
            rows = rows.merge(effects.reset_index(), on=["point", "replication"], how="left")
        rows["candidate"] = rows["point"] // len(futures.rows)  # the i-th of these candidates
        rows["future"] = rows["point"] % len(futures.rows)
        return rows


def values_of(rows: pd.DataFrame, name: str, candidates: int, futures: Futures) -> np.ndarray:
    """``name`` as candidates x futures x replications (NaN where a run has no value)."""
    out = np.full((candidates, len(futures.rows), futures.replications), np.nan)
    out[rows["candidate"], rows["future"], rows["replication"]] = rows[name].to_numpy(float)
    return out


def ministry_values(rows: pd.DataFrame, candidates: int, futures: Futures, months: int) -> dict[str, np.ndarray]:
    """Per candidate and future: net public cost a year, lasting transitions a year, people falling back a year."""
    frame = rows.assign(
        cost_per_year=rows["fiscal_cost_net"] / (months / 12),
        lasting_transitions_per_year=rows["transition_rate_annual"]
        * rows["lde_workforce_mean"]
        * rows["sustainable_transition_rate"],
        falling_back_per_year=rows["dumping_count"],
    )
    return {name: per_future(values_of(frame, name, candidates, futures)) for name in MINISTRY}


# --- the search -----------------------------------------------------------------------------------


@dataclass
class Scored:
    """Every candidate scored so far: lever values, first generation, and per measure its values
    per future (candidates x futures) and the ministry's figures."""

    levers: list[dict[str, Any]] = field(default_factory=list)
    generation: list[int] = field(default_factory=list)
    values: dict[str, list[np.ndarray]] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)

    def add(self, levers: dict[str, Any], generation: int, values: dict[str, np.ndarray]) -> None:
        self.keys[key_of(levers)] = len(self.levers)
        self.levers.append(levers)
        self.generation.append(generation)
        for name, row in values.items():
            self.values.setdefault(name, []).append(row)

    def matrix(self, name: str) -> np.ndarray:
        return np.vstack(self.values[name])


def key_of(levers: dict[str, Any]) -> str:
    """A candidate's identity: its lever values (the cache key)."""
    return json.dumps(levers, sort_keys=True)


def table_of(scored: Scored, spec: SearchSpec, weights: np.ndarray) -> pd.DataFrame:
    """candidates.csv: one row per candidate: its levers, every objective's statistic, every
    constraint's value, feasibility, first generation and the ministry's figures."""
    table = pd.DataFrame(scored.levers)
    table.insert(0, "generation", scored.generation)
    table.insert(0, "candidate", range(len(table)))
    for m in spec.objectives:
        table[m.column] = statistic(m, scored.matrix(m.name), weights)
    for c in spec.constraints:
        table[f"constraint_{c.column}"] = statistic(c, scored.matrix(c.name), weights)
    table["feasible"] = (violations(table, spec) <= 0).all(axis=1)
    for name in MINISTRY:
        table[name] = [_weighted_mean(row, weights) for row in scored.matrix(name)]
    return table


def front_of(table: pd.DataFrame, spec: SearchSpec) -> pd.DataFrame:
    """The feasible candidates no other feasible candidate dominates."""
    feasible = table[table["feasible"]]
    if feasible.empty:
        return feasible
    return feasible[non_dominated(oriented(feasible, spec.objectives))]


def compromise(front: pd.DataFrame, spec: SearchSpec) -> int:
    """The front candidate closest (Euclidean) to the ideal point, each objective scaled to [0, 1]
    over the front (0 the front's best, 1 its worst); ties go to the lower candidate number."""
    f = oriented(front, spec.objectives)
    span = np.where(f.max(axis=0) > f.min(axis=0), f.max(axis=0) - f.min(axis=0), 1.0)
    distance = np.sqrt((((f - f.min(axis=0)) / span) ** 2).sum(axis=1))
    return int(front["candidate"].iloc[int(np.argmin(distance))])


def convergence(scored: Scored, spec: SearchSpec, weights: np.ndarray) -> pd.DataFrame:
    """Hypervolume of the front of the candidates scored by each generation, each with its final
    statistics (regret against every candidate scored), the objectives scaled by their range over
    every candidate (reference point 1.1 in each): so generations compare, and it never falls."""
    from pymoo.indicators.hv import HV

    final = table_of(scored, spec, weights)
    f = oriented(final, spec.objectives)
    low, high = np.nanmin(f, axis=0), np.nanmax(f, axis=0)
    span = np.where(high > low, high - low, 1.0)
    rows = []
    for g in range(spec.generations):  # a generation with no new candidate keeps the front it had
        upto = sum(1 for x in scored.generation if x <= g)
        front = front_of(final.iloc[:upto], spec)
        scaled = (oriented(front, spec.objectives) - low) / span
        volume = float(HV(ref_point=np.full(len(spec.objectives), 1.1))(scaled)) if len(front) else 0.0
        rows.append({"generation": g, "candidates": upto, "front": len(front), "hypervolume": volume})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class SearchResult:
    """What :func:`search` returns: the tables and the folder they are in."""

    candidates: pd.DataFrame
    front: pd.DataFrame
    convergence: pd.DataFrame
    reevaluation: pd.DataFrame
    compromise: int
    folder: Path


def search(
    scenario: Scenario,
    search_file: str | Path,
    out: str | Path | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
) -> SearchResult:
    """Search the levers of ``search_file`` on ``scenario`` (see the module); write and return the
    results. The same call with the same ``out`` resumes an interrupted search."""
    require_pymoo()
    spec = load_search(search_file, scenario)
    if spec.stress is not None and importlib.util.find_spec("ema_workbench") is None:  # refuse before running anything
        raise SearchError("the [stress] test needs the EMA workbench: pip install 'lde-doorstroom[ema]'")
    seen = Futures(*select_futures(spec.futures), spec.futures.replications, spec.futures.seed)
    fresh = Futures(*select_futures(spec.fresh, exclude=seen.rows), spec.fresh.replications, spec.fresh.seed)
    folder = Path(out) if out is not None else Path("runs") / f"search-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}"
    lock = open_folder(folder, provenance(scenario, spec, seen, fresh))
    with lock:
        runner = Runner(scenario, spec, jobs, scheduler, progress)
        scored = run_search(runner, spec, seen, folder)
        table = table_of(scored, spec, seen.weights)
        table.to_csv(folder / CANDIDATES, index=False)
        front = front_of(table, spec)
        if front.empty:
            raise SearchError(
                f"no candidate meets every constraint ({len(table)} scored; {folder / CANDIDATES} shows how near each "
                "came): loosen a constraint or widen a lever's range"
            )
        chosen = compromise(front, spec)
        front = front.assign(compromise=front["candidate"] == chosen)
        front.to_csv(folder / FRONT, index=False)
        history = convergence(scored, spec, seen.weights)
        history.to_csv(folder / CONVERGENCE, index=False)
        again = reevaluate(runner, spec, front, fresh, folder)
        again.to_csv(folder / REEVALUATION, index=False)
        if spec.stress is not None:
            stress_test(runner, spec, front[front["compromise"]].iloc[0], folder)
        from ..outputs.search_report import save_figures

        save_figures(folder, spec, table, front, history)
    return SearchResult(table, front, history, again, chosen, folder)


def provenance(scenario: Scenario, spec: SearchSpec, seen: Futures, fresh: Futures) -> dict[str, Any]:
    """What identifies a search (its digest) and how it was run."""
    design = {
        "spec": spec.model_dump(mode="json"),
        "scenario_sha256": scenario.digest(),
        "futures": seen.rows,
        "fresh": fresh.rows,
    }
    return {
        "kind": "search",
        "scenario": scenario.name,
        "scenario_toml": scenario.to_toml(),
        **design,
        "algorithm": spec.algorithm_name,
        "search_sha256": hashlib.sha256(json.dumps(design, sort_keys=True).encode()).hexdigest(),
        "command": sys.argv,
        "versions": package_versions("pymoo"),  # the optimiser that proposes the candidates
    }


def open_folder(folder: Path, info: dict[str, Any]) -> Any:
    """Create and lock a search folder, or reopen one holding the same search (to resume)."""
    marker = folder / PROVENANCE
    if folder.is_dir() and not marker.exists() and any(p.name != LOCK for p in folder.iterdir()):
        raise OutputError(f"--out {folder}: exists and holds no search to resume; choose a new folder")
    make_folder(folder)
    lock = lock_folder(folder)
    if marker.exists():
        stored = json.loads(marker.read_text(encoding="utf-8")).get("search_sha256")
        if stored != info["search_sha256"]:
            lock.close()
            raise OutputError(
                f"--out {folder}: holds a different search (another scenario, search file or futures); use a new "
                "folder, or repeat the original command to resume it"
            )
    else:
        marker.write_text(json.dumps(info, indent=1, default=str), encoding="utf-8")
    return lock


def run_search(runner: Runner, spec: SearchSpec, futures: Futures, folder: Path) -> Scored:
    """The optimiser's loop: each generation's candidates not yet scored run as one experiment."""
    scored = Scored()
    measures = sorted({m.name for m in spec.measures})

    def evaluate(x: np.ndarray, generation: int) -> tuple[np.ndarray, np.ndarray]:
        asked = [{lever.key: lever.decode(float(v)) for lever, v in zip(spec.levers, row)} for row in x]
        new = list({key_of(levers): levers for levers in asked if key_of(levers) not in scored.keys}.values())
        if new:
            details = {"search": spec.name, "generation": generation, "candidates": new}
            gen = folder / "generations" / f"gen-{generation:03d}"
            rows = runner.run(gen, "search", new, futures, details, len(scored.levers))
            values = {name: per_future(values_of(rows, name, len(new), futures)) for name in measures}
            values.update(ministry_values(rows, len(new), futures, runner.base.months))
            for i, levers in enumerate(new):
                scored.add(levers, generation, {name: matrix[i] for name, matrix in values.items()})
        table = table_of(scored, spec, futures.weights)
        undefined = [m.column for m in spec.objectives if table[m.column].isna().all()]
        if undefined:
            raise SearchError(
                f"{', '.join(undefined)}: no value for any candidate (every run gave none): the runs may be too short "
                "for it (a 12- or 24-month follow-up needs a longer horizon, --months) or it is undefined in this world"
            )
        rows_of = [scored.keys[key_of(levers)] for levers in asked]
        worst = np.nan_to_num(oriented(table, spec.objectives), nan=UNDEFINED)  # a candidate without a value loses
        return worst[rows_of], violations(table, spec)[rows_of]

    sizes = len(spec.levers), len(spec.objectives), len(spec.constraints)
    optimise(*sizes, evaluate, spec.algorithm_name, spec.generations, spec.population, spec.seed)
    return scored


def reevaluate(runner: Runner, spec: SearchSpec, front: pd.DataFrame, fresh: Futures, folder: Path) -> pd.DataFrame:
    """The front re-run on fresh futures (other members where the ensemble has them, other seeds):
    per front candidate, each objective as the search saw it and on the fresh futures, and whether
    it is still non-dominated among the front there (a regret there is against the front's best)."""
    levers = [{lever.key: _plain(row[lever.key]) for lever in spec.levers} for _, row in front.iterrows()]
    details = {"search": spec.name, "reevaluation": True, "candidates": levers}
    rows = runner.run(folder / "fresh", "search-fresh", levers, fresh, details)
    again = Scored()
    measures = sorted({m.name for m in spec.measures})
    values = {name: per_future(values_of(rows, name, len(levers), fresh)) for name in measures}
    values.update(ministry_values(rows, len(levers), fresh, runner.base.months))
    for i, lever_values in enumerate(levers):
        again.add(lever_values, 0, {name: matrix[i] for name, matrix in values.items()})
    table = table_of(again, spec, fresh.weights)
    out = front[["candidate", "compromise"]].reset_index(drop=True)
    for m in spec.objectives:
        out[f"{m.column}_search"] = front[m.column].to_numpy()
        out[f"{m.column}_fresh"] = table[m.column].to_numpy()
    for name in MINISTRY:
        out[f"{name}_search"] = front[name].to_numpy()
        out[f"{name}_fresh"] = table[name].to_numpy()
    out["feasible_fresh"] = table["feasible"].to_numpy()
    out["non_dominated_fresh"] = non_dominated(oriented(table, spec.objectives))
    return out


def stress_test(runner: Runner, spec: SearchSpec, chosen: pd.Series, folder: Path) -> None:
    """The compromise candidate on every member of the ensemble, then scenario discovery of where
    ``stress.fails`` holds (``lde-sim discover``); writes ``stress/discovery.md`` either way."""
    from ..experiments.discovery import DiscoveryError, discover
    from ..experiments.search_file import Futures as FuturesSpec

    assert spec.stress is not None
    every = FuturesSpec(ensemble=spec.futures.ensemble, members="all", replications=spec.stress.replications)
    futures = Futures(*select_futures(every), spec.stress.replications, spec.stress.seed)
    levers = {lever.key: _plain(chosen[lever.key]) for lever in spec.levers}
    stress = folder / "stress"
    runner.run(stress, "search-stress", [levers], futures, {"search": spec.name, "stress": True, "candidate": levers})
    try:
        discover(stress, spec.stress.fails)
    except DiscoveryError as err:
        (stress / "discovery.md").write_text(f"# Scenario discovery\n\n{err}\n", encoding="utf-8")


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
