"""Golden regression: the indicators of small.toml for a fixed seed, exactly.

Any change to the model's behaviour changes these numbers. When that is deliberate,
regenerate the file and give the reason in the commit message:

    .venv/bin/python -m tests.test_golden
"""

from __future__ import annotations

import json
import math

from simulation import INDICATORS, Scenario, run

from .conftest import ROOT, SCENARIOS

GOLDEN = ROOT / "tests" / "golden" / "small_seed1.json"
SEED, REPLICATIONS = 1, 2


def current() -> list[dict[str, float | None]]:
    """The indicators of each replication, NaN as None (JSON has no NaN)."""
    summary = run(Scenario.load(SCENARIOS / "small.toml"), seed=SEED, replications=REPLICATIONS).summary
    return [
        {name: None if math.isnan(value) else value for name, value in row.items()}
        for row in summary[["replication", "seed", *INDICATORS]].to_dict("records")
    ]


def test_small_scenario_indicators_are_exactly_the_recorded_ones():
    expected = json.loads(GOLDEN.read_text())
    got = json.loads(json.dumps(current()))  # the same float -> text -> float round trip as the file
    for want, have in zip(expected, got, strict=True):
        changed = {k: (want[k], have.get(k)) for k in want if want[k] != have.get(k)}
        assert not changed, f"replication {want['replication']}: {changed} (deliberate? see this module's docstring)"


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(current(), indent=1) + "\n")
    print(f"wrote {GOLDEN}")
