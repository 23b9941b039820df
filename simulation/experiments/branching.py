"""Snapshot and branch: a shared history simulated once, its branches continued from it.

Scenarios that agree in everything up to a branch month b, and differ only in dated
changes from b on (a branch file, ``branch = "YYYY-MM"``, and the history it extends),
have identical runs up to month b - 1: every draw depends only on (seed, stream,
month, person id). An experiment therefore runs that shared part once per seed, keeps
the model (a deep copy), and continues each branch from it under its own rules
(:meth:`simulation.world.model.LabourMarketModel.rebase`). The results are identical to
running each branch from the start (tested); only the time differs
(benchmarks/bench_branches.py).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Sequence

from ..rules.scenario import Scenario
from ..world.model import LabourMarketModel
from .runner import Replication, finish

#: Fields that may differ between branches of one history (their own identity, horizon and measured window).
OWN_FIELDS = ("name", "description", "months", "branch", "window")


def trunk_key(scenario: Scenario, month: int) -> str:
    """What a scenario's run up to month ``month`` - 1 depends on: everything but its identity,
    horizon and the dated changes from ``month`` on."""
    data = scenario.model_dump(mode="json")
    for name in OWN_FIELDS:
        data.pop(name, None)
    data["timeline"] = [c for c in data["timeline"] if scenario.month_of(c["date"]) < month]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def branch_groups(scenarios: Sequence[Scenario]) -> list[tuple[int, list[int]]]:
    """Groups of at least two scenarios that share their history up to a branch month, each as
    (branch month, scenario indices); the latest branch month first takes its members."""
    months = sorted({s.month_of(s.branch) for s in scenarios if s.branch is not None}, reverse=True)
    taken: set[int] = set()
    groups = []
    for month in months:
        by_key: dict[str, list[int]] = {}
        for i, scenario in enumerate(scenarios):
            if i not in taken and scenario.months >= month:
                by_key.setdefault(trunk_key(scenario, month), []).append(i)
        for members in by_key.values():
            if len(members) > 1 and any(scenarios[i].branch is not None for i in members):
                groups.append((month, members))
                taken.update(members)
    return groups


def run_branches(scenarios: Sequence[Scenario], seed: int, replication: int, month: int) -> list[Replication]:
    """Replication ``replication`` of each of ``scenarios`` (one history up to ``month`` - 1)."""
    trunk = LabourMarketModel(scenarios[0], seed=seed, replication=replication)
    for _ in range(month - 1):
        trunk.step()
    done = []
    for i, scenario in enumerate(scenarios):
        model = trunk if i == len(scenarios) - 1 else copy.deepcopy(trunk)
        model.rebase(scenario)
        for _ in range(scenario.months - (month - 1)):
            model.step()
        done.append(finish(model, replication, model.model_seed))
    return done
