"""Levers with exact consequences: the outcome bonus payment and a finite benefit duration."""

from __future__ import annotations

import numpy as np
import pytest

from simulation import Scenario, plots, run


def test_the_outcome_bonus_is_paid_once_per_sustainable_transition_into_the_reserves(tiny: Scenario):
    """The payment itself, exactly: with fixed enterprises the bonus changes nothing but the reserves."""
    bonus = 5000.0
    # reserves for five years: no enterprise closes, so the payment is all that differs
    world = tiny.with_overrides({"months": 48, "enterprises.adaptive": False, "enterprises.initial_reserve_months": 60.0})
    without = run(world, seed=3).metrics
    paid = run(world.with_overrides({"policy.outcome_bonus": bonus}), seed=3).metrics
    assert (paid["enterprises_closed"] == 0).all()  # every sender is still open, so every bonus is paid
    assert paid["spending_outcome_bonus"].sum() == bonus * paid["followup12_in_nec"].sum() > 0
    assert without["spending_outcome_bonus"].sum() == 0
    extra = paid["reserves_total"] - without["reserves_total"]
    assert np.allclose(extra, paid["spending_outcome_bonus"].cumsum())  # the money reaches the reserves


@pytest.mark.parametrize("months", [3, 9])
def test_a_finite_benefit_runs_out_into_social_assistance(tiny: Scenario, months: int):
    world = tiny.with_overrides({"months": 60, "policy.benefit_duration_months": months})
    events = run(world, seed=5, events=True).events
    spells = plots.spells(events, ("unemployed",))
    assert spells["months"].max() <= months  # nobody stays on benefit longer than the duration
    exhausted = events[events["reason"] == "benefit_exhausted"]
    assert len(exhausted) > 0 and (exhausted["to"] == "social_assistance").all()


def test_unlimited_benefits_never_run_out(tiny: Scenario):
    events = run(tiny.with_overrides({"months": 60}), seed=5, events=True).events
    assert tiny.policy.benefit_duration_months == "unlimited"
    assert not (events["reason"] == "benefit_exhausted").any()
