"""Running a scenario: replications with their own seeds, returning pandas tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..rules.scenario import Scenario
from ..world.agents import SIZE_CLASSES
from ..world.indicators import indicators, measured_months
from ..world.model import LabourMarketModel
from ..world.streams import replication_seed

__all__ = ["Replication", "RunResult", "finish", "replication_seed", "run", "run_model", "run_one", "simulate"]


@dataclass
class Replication:
    """The output of one replication."""

    replication: int
    seed: int
    metrics: pd.DataFrame
    summary: dict[str, float]
    events: pd.DataFrame | None
    enterprise_events: pd.DataFrame | None = None
    network: pd.DataFrame | None = None


@dataclass
class RunResult:
    """All replications of a run: ``metrics``, ``summary``, the ``network`` of ties at the end
    and (if asked) ``events`` and ``enterprise_events`` as frames."""

    scenario: Scenario
    seed: int
    metrics: pd.DataFrame
    summary: pd.DataFrame
    events: pd.DataFrame | None
    enterprise_events: pd.DataFrame | None = None
    network: pd.DataFrame | None = None


def run_model(
    scenario: Scenario,
    seed: int,
    replication: int = 0,
    months: int | None = None,
    on_month: Callable[[], None] | None = None,
) -> LabourMarketModel:
    """Replication ``replication`` of ``scenario`` with base ``seed``, run for ``months`` (default: the scenario's)."""
    model = LabourMarketModel(scenario, seed=seed, replication=replication)
    for _ in range(scenario.months if months is None else months):
        model.step()
        if on_month is not None:
            on_month()
    return model


def simulate(
    scenario: Scenario,
    seed: int,
    replication: int = 0,
    months: int | None = None,
    events: bool = False,
    on_month: Callable[[], None] | None = None,
) -> Replication:
    """Run one replication for ``months`` (default: the scenario's) and collect its tables."""
    model = run_model(scenario, seed, replication, months, on_month)
    return finish(model, replication, model.model_seed, events)


def run_one(
    scenario: Scenario | str | Path, overrides: dict[str, Any] | None = None, seed: int = 1, replication: int = 0
) -> dict[str, float]:
    """The indicators of replication ``replication`` of ``scenario`` (a :class:`Scenario` or a file)
    with dotted ``overrides``, as a dict.

    The same as replication ``replication`` of ``run(scenario, seed=seed)`` and of ``lde-sim run
    --seed SEED``. A module-level function of plain arguments: picklable, for any external sampler
    or optimiser; a fractional value for a whole-number field is rounded.
    """
    if not isinstance(scenario, Scenario):
        scenario = Scenario.load(scenario)
    if overrides:
        scenario = scenario.with_overrides(overrides, coerce=True)
    result = simulate(scenario, seed, replication)
    return {k: v for k, v in result.summary.items() if k not in ("replication", "seed")}


def finish(model: LabourMarketModel, replication: int, rep_seed: int, events: bool = False) -> Replication:
    """The tables of a finished replication (its metrics, indicators over the scenario's window
    (:func:`simulation.world.indicators.measured_months`), network and, if asked, event logs)."""
    metrics = model.recorder.metrics()
    metrics.insert(1, "replication", replication)
    summary = {"replication": replication, "seed": rep_seed, **indicators(metrics, measured_months(model.design))}
    log = decisions = None
    if events:
        log = model.recorder.events()
        log.insert(1, "replication", replication)
        decisions = model.recorder.enterprise_events()
        decisions.insert(1, "replication", replication)
    return Replication(replication, rep_seed, metrics, summary, log, decisions, network(model, replication))


def network(model: LabourMarketModel, replication: int) -> pd.DataFrame:
    """The ties between enterprises and employers at the end of a run, one row per tie (see :mod:`simulation.world.ties`)."""
    ties = model.ties.table()
    employers = model.employer_table
    ties.insert(0, "replication", replication)
    ties.insert(3, "size_class", np.array(SIZE_CLASSES)[model.enterprise_table.large[ties["enterprise"]].astype(int)])
    ties.insert(4, "sector", [model.sector_names[s] for s in employers.sector[ties["employer"]]])
    ties.insert(5, "covenant", employers.covenant[ties["employer"]])
    return ties


def run(
    scenario: Scenario,
    seed: int = 1,
    replications: int = 1,
    months: int | None = None,
    events: bool = False,
    on_replication: Callable[[Replication], None] | None = None,
    on_month: Callable[[], None] | None = None,
) -> RunResult:
    """Run ``replications`` replications of ``scenario`` and return the tables as pandas frames.

    ``on_replication`` is called with each finished replication (the command line uses it
    to write results as they come); ``on_month`` after every simulated month (progress).
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    done = []
    for r in range(replications):
        rep = simulate(scenario, seed, r, months, events, on_month)
        if on_replication is not None:
            on_replication(rep)
        done.append(rep)
    return RunResult(
        scenario=scenario,
        seed=seed,
        metrics=pd.concat([r.metrics for r in done], ignore_index=True),
        summary=pd.DataFrame([r.summary for r in done]),
        events=pd.concat([r.events for r in done], ignore_index=True) if events else None,
        enterprise_events=pd.concat([r.enterprise_events for r in done], ignore_index=True) if events else None,
        network=pd.concat([r.network for r in done], ignore_index=True),
    )
