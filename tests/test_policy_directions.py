"""Directions a policy must push the world in, on average over paired replications.

Each pair runs the two scenarios with the same replication seed (common random
numbers), so the paired differences are precise. A direction holds when the mean
paired difference lies more than 3.5 standard errors from zero in the expected
direction: with 10 pairs (9 degrees of freedom) that is one-sided p < 0.004.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation import Scenario, run

REPLICATIONS = 10


def paired(a: Scenario, b: Scenario, measure) -> np.ndarray:
    """measure(b) - measure(a) for each replication, with shared seeds."""
    ra = run(a, seed=101, replications=REPLICATIONS)
    rb = run(b, seed=101, replications=REPLICATIONS)
    return np.array([measure(rb, r) - measure(ra, r) for r in range(REPLICATIONS)])


def t_statistic(diffs: np.ndarray) -> float:
    return float(diffs.mean() / (diffs.std(ddof=1) / np.sqrt(diffs.size)))


def summary_value(name: str):
    return lambda result, r: float(result.summary.loc[result.summary["replication"] == r, name].iloc[0])


def metric_mean(name: str):
    def measure(result, r):
        m: pd.DataFrame = result.metrics
        return float(m.loc[(m["replication"] == r) & (m["month"] > 0), name].mean())

    return measure


def test_aftercare_raises_the_sustainable_transition_rate(small: Scenario):
    more = small.with_overrides({"policy.aftercare_months": 12})
    none = small.with_overrides({"policy.aftercare_months": 0})
    diffs = paired(none, more, summary_value("sustainable_transition_rate"))
    assert t_statistic(diffs) > 3.5, diffs


def test_removing_sine_without_compensation_lowers_reserves(tiny: Scenario):
    cut = tiny.with_overrides({"policy.sine_phaseout_start_month": 6, "policy.sine_phaseout_months": 12})
    diffs = paired(tiny, cut, metric_mean("reserves_total"))
    assert t_statistic(diffs) < -3.5, diffs
    compensated = cut.with_overrides({"policy.sine_compensation_share": 1.0})
    assert np.allclose(paired(tiny, compensated, metric_mean("reserves_total")), 0, atol=1e-6)


def test_more_referral_capacity_shortens_the_waiting_list(tiny: Scenario):
    more = tiny.with_overrides({"policy.referral_capacity": 3 * tiny.policy.referral_capacity})
    diffs = paired(tiny, more, metric_mean("waiting_list"))
    assert t_statistic(diffs) < -3.5, diffs


def test_the_time_limit_raises_exits_at_the_limit_and_lowers_long_stays(tiny: Scenario):
    pre = tiny.with_overrides({"policy.max_lde_months": "unlimited", "policy.extension_rule": "none"})
    diffs = paired(pre, tiny, summary_value("exit_to_job_share"))
    assert t_statistic(diffs) < -3.5, diffs  # with a limit, more exits are not to a job
