"""Golden regression: the indicators of small.toml for a fixed seed, exactly.

Any change to the model's behaviour changes these numbers. When that is deliberate,
regenerate the file and give the reason in the commit message:

    .venv/bin/python -m tests.test_golden

``small_seed1_fixed_enterprises.json`` holds the indicators from before enterprises
decided (recorded on 2026-11-29); ``enterprises.adaptive = false`` with the end-of-trajectory
routes and collective maatwerk switched off (``BEFORE``) must still give them exactly.
It is not regenerated.
"""

from __future__ import annotations

import json
import math

from simulation import INDICATORS, Scenario, run

from .conftest import ROOT, SCENARIOS

GOLDEN = ROOT / "tests" / "golden" / "small_seed1.json"
FIXED_ENTERPRISES = ROOT / "tests" / "golden" / "small_seed1_fixed_enterprises.json"
SEED, REPLICATIONS = 1, 2


def current(overrides: dict | None = None) -> list[dict[str, float | None]]:
    """The indicators of each replication, NaN as None (JSON has no NaN)."""
    scenario = Scenario.load(SCENARIOS / "small.toml", overrides)
    summary = run(scenario, seed=SEED, replications=REPLICATIONS).summary
    return [
        {name: None if math.isnan(value) else value for name, value in row.items()}
        for row in summary[["replication", "seed", *INDICATORS]].to_dict("records")
    ]


def compare_to(path, overrides: dict | None = None) -> None:
    expected = json.loads(path.read_text())
    got = json.loads(json.dumps(current(overrides)))  # the same float -> text -> float round trip as the file
    for want, have in zip(expected, got, strict=True):
        changed = {k: (want[k], have.get(k)) for k in want if want[k] != have.get(k)}
        assert not changed, f"replication {want['replication']}: {changed} (deliberate? see this module's docstring)"


def test_small_scenario_indicators_are_exactly_the_recorded_ones():
    compare_to(GOLDEN)


#: The switches that give the model as it was before enterprises decided, before the end
#: of a trajectory had routes (collective maatwerk, doorstroom trajectories) and before
#: the referral queue was managed.
BEFORE = {
    "enterprises.adaptive": False,
    "enterprises.quality_demand_effect": 0.0,
    "enterprises.market_price_premium": 0.0,
    "policy.end_evaluation": False,
    "policy.referral_rule": "fixed",
    "world.maatwerk_workers": 0,
    "people.learning_rate_lde": 0.02,  # the hand-set behaviour before the calibration (docs/calibration.md)
    "people.search_rate_lde": 0.017,
    "enterprises.task_learning_gain": 0.0,  # output from employability alone, as before task learning
    "world.initial_erosion": False,  # fresh draws at month 0, as before
    "enterprises.entry_rate": 0.0,  # no new initiatives, as before entry
    "start": "2020-04",  # the clock as before it counted from the decree: five years since 2015-04 have passed
}


def test_without_adaptation_enterprises_behave_exactly_as_before_they_decided():
    compare_to(FIXED_ENTERPRISES, BEFORE)


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(current(), indent=1) + "\n")
    print(f"wrote {GOLDEN}")
