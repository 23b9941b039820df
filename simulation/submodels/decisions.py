"""Enterprise decisions: each open LDE enterprise decides after it has seen its books.

Runs after the month's finances, so that an enterprise reacts to the margin it has
just made; what it decides (coaches, prices, hiring, a request for local support)
takes effect from the next month. The rules are :meth:`simulation.agents.LDEEnterprise.step`;
with ``enterprises.adaptive = false`` nobody decides and enterprises only close.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..model import LabourMarketModel


def enterprise_decisions(model: LabourMarketModel) -> None:
    """Every enterprise's step, in row order (deterministic); their lottery draws come from one stream."""
    if not model.scenario.enterprises.adaptive:
        return
    table = model.enterprise_table
    model.recorder.add("spending_local_support", 0.0)  # a column every month, granted or not
    model.enterprise_draws = model.streams.uniform("enterprise.decisions", np.arange(table.n))
    model.enterprises.do("step")
