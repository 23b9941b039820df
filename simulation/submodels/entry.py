"""Entry: new LDE initiatives are recognised while the rules allow it.

Until 1 July 2023 local governments and organisations could have new local services
recognised as LDE (source 1.5: no new recognitions since); how many a year is not found, so
the rate is an assumption (``enterprises.entry_rate``, a share of the enterprises at month 0,
a Poisson number a month). An entrant is drawn like the enterprises of month 0 (size class,
lognormal slots, traits), starts with empty slots that referrals fill, a reserve of
``initial_reserve_months`` and the quality of the average open enterprise as its clients'
reference; employers with a covenant are tied to it as to every enterprise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..world.initialisation import create_enterprises, slot_draws

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel


def new_initiatives(model: LabourMarketModel) -> None:
    """This month's new recognitions (none when ``policy.new_recognitions`` is false)."""
    scenario = model.scenario
    rate = scenario.enterprises.entry_rate * scenario.world.enterprises / 12 * scenario.policy.new_recognitions
    rng = model.streams.generator("enterprise.entry") if rate > 0 else None  # no stream needed when none can enter
    count = int(rng.poisson(rate)) if rng else 0
    model.recorder.add("enterprises_entered", count)  # a column every month
    if count == 0:
        return
    table = model.enterprise_table
    reference = float(table.view("quality_start")[table.view("is_open")].mean()) if table.view("is_open").any() else 1.0
    large = rng.random(count) < scenario.world.large_enterprise_share
    rows = create_enterprises(model, rng, large, slot_draws(model, rng, large), rng)
    table.quality[rows] = reference
    table.quality_start[rows] = reference
    model.ties.add_enterprises(count, model.employer_table.view("covenant"))
    for row in rows.tolist():
        model.recorder.decided(model.month, row, "enter", float(table.slots[row]), "a new recognition")
