"""Enterprise decisions: each open LDE enterprise decides after it has seen its books.

Runs after the month's finances, so that an enterprise reacts to the margin it has
just made; what it decides (coaches, training, prices, hiring, a request for local support)
takes effect from the next month. The rules are :meth:`simulation.agents.LDEEnterprise.step`;
with ``enterprises.adaptive = false`` nobody decides and enterprises only close.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..agents import PUSH_TOLERANCE, at_ease, pressed, push_target

if TYPE_CHECKING:
    from ..model import LabourMarketModel


def enterprise_decisions(model: LabourMarketModel) -> None:
    """The step of every enterprise that has something to decide, in row order (deterministic);
    their lottery draws come from one stream."""
    if not model.scenario.enterprises.adaptive:
        return
    table = model.enterprise_table
    model.recorder.add("spending_local_support", 0.0)  # a column every month, granted or not
    model.enterprise_draws = model.streams.uniform("enterprise.decisions", np.arange(table.n))
    agents = list(model.enterprises)  # in row order
    for row in np.flatnonzero(may_decide(model)).tolist():
        agents[row].step()


def may_decide(model: LabourMarketModel) -> np.ndarray:
    """Which enterprises could change something this month (speed only: the others' step does nothing).

    Open ones that are under pressure, comfortable with a cut to undo, frozen, or whose
    push is off its target; the same tests as :meth:`LDEEnterprise.step`, on whole columns.
    """
    t, scenario = model.enterprise_table, model.scenario
    pressure, comfortable = pressed(t), at_ease(t)
    frozen = t.view("fill_target") < t.view("slots")
    cut = (
        (t.view("coaches") < t.view("slots") / scenario.policy.coaching_ratio - 1e-9)
        | frozen
        | (t.view("price") > 1.0 + 1e-9)
        | (t.view("training") < scenario.policy.training_effort - 1e-9)
    )
    push_off = np.abs(push_target(scenario, t.view("mission_driven"), pressure) - t.view("push")) >= PUSH_TOLERANCE
    return t.view("is_open") & (pressure | (comfortable & cut) | frozen | push_off)
