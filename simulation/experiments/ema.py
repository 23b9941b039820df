"""The EMA workbench adapter: the model as an exploratory-modelling ``ReplicatorModel``.

    from ema_workbench import perform_experiments
    from simulation import Scenario
    from simulation.experiments.ema import ema_model

    model = ema_model(Scenario.load("scenarios/small.toml"), replications=2)
    experiments, outcomes = perform_experiments(model, scenarios=40, policies=2)

Uncertainties and levers are scenario parameters with ranges (``{"people.search_rate_lde":
(0.005, 0.04)}``); their roles are checked (docs/parameters.md): an uncertainty is a
context or behaviour parameter, a lever a policy lever. EMA sees them under names with
double underscores (``people__search_rate_lde``), valid Python names that never clash with
EMA's own ``Scenario`` and ``Policy``. Every experiment runs the same replications of the
same base seed (common random numbers), and each outcome is the mean over them. Needs the
``ema`` extra (``pip install 'lde-doorstroom[ema]'``, ema-workbench 2.5).
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np

from ..errors import require
from ..rules.parameter_docs import whole_number
from ..rules.scenario import Scenario, ScenarioError, parameter_role
from ..world.indicators import INDICATORS
from .runner import run_one

#: The main uncertainties (behaviour and context) with plausible ranges, used when none are given.
MAIN_UNCERTAINTIES = {
    "people.search_rate_lde": (0.005, 0.04),
    "people.learning_rate_lde": (0.005, 0.04),
    "people.search_rate_unemployed": (0.05, 0.15),
    "context.inflow_rate": (0.005, 0.015),
    "context.shortage_growth_per_year": (0.0, 0.04),
}
#: The indicators EMA receives when none are named.
MAIN_OUTCOMES = ("transition_rate_annual", "sustainable_transition_rate", "dumping_share", "enterprise_solvent_share")


def ema_model(
    scenario: Scenario,
    uncertainties: dict[str, tuple[float, float]] | None = None,
    levers: dict[str, tuple[float, float] | list[Any]] | None = None,
    outcomes: tuple[str, ...] = MAIN_OUTCOMES,
    replications: int = 2,
    seed: int = 1,
    name: str = "lde",
) -> Any:
    """A ``ReplicatorModel`` running ``scenario`` with EMA's uncertainties and levers (see the module)."""
    with warnings.catch_warnings():  # the workbench warns at import about optional parts it lacks
        warnings.simplefilter("ignore")
        ema = require("ema_workbench", "ema", "simulation.experiments.ema")
    CategoricalParameter, IntegerParameter, RealParameter = ema.CategoricalParameter, ema.IntegerParameter, ema.RealParameter
    ReplicatorModel, ScalarOutcome = ema.ReplicatorModel, ema.ScalarOutcome

    uncertainties = MAIN_UNCERTAINTIES if uncertainties is None else uncertainties
    check_roles(uncertainties, ("context", "behaviour"), "an uncertainty")
    check_roles(levers or {}, ("lever",), "a lever")
    unknown = [o for o in outcomes if o not in INDICATORS]
    if unknown:
        raise ScenarioError(f"unknown outcomes {unknown}; outcomes are the indicators: {', '.join(INDICATORS)}")

    def parameter(key: str, spec: Any) -> Any:
        label = key.replace(".", "__")
        if isinstance(spec, list):
            return CategoricalParameter(label, spec)
        low, high = spec
        return IntegerParameter(label, int(low), int(high)) if whole_number(key) else RealParameter(label, low, high)

    model = ReplicatorModel(name, function=functools.partial(run_for_ema, scenario.model_dump(mode="json"), seed))
    model.uncertainties = [parameter(k, v) for k, v in uncertainties.items()]
    model.levers = [parameter(k, v) for k, v in (levers or {}).items()]
    model.replications = [{"replication": r} for r in range(replications)]
    model.outcomes = [ScalarOutcome(o, function=np.mean) for o in outcomes]
    return model


def check_roles(parameters: dict[str, Any], roles: tuple[str, ...], what: str) -> None:
    """Refuse a parameter whose role is not one of ``roles`` (a lever as an uncertainty, a fixed rule)."""
    wrong = {key: parameter_role(key) for key in parameters if parameter_role(key) not in roles}
    if wrong:
        shown = ", ".join(f"{k} (role {r})" for k, r in wrong.items())
        raise ScenarioError(f"{shown}: not {what}; roles are in docs/parameters.md")


def run_for_ema(scenario: dict[str, Any], seed: int, replication: int = 0, **parameters: Any) -> dict[str, float]:
    """One replication with EMA's values (names with double underscores); all indicators as a dict."""
    overrides = {name.replace("__", "."): _plain(value) for name, value in parameters.items()}
    return run_one(Scenario.from_dict(scenario), overrides, seed=seed, replication=replication)


def _plain(value: Any) -> Any:
    """NumPy scalars as Python numbers (a scenario holds plain values)."""
    return value.item() if isinstance(value, np.generic) else value
