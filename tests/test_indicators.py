"""Indicator definitions (docs/indicators.md), checked on hand-made metrics."""

import math

import pandas as pd
import pytest

from simulation.submodels.public_finances import LEVELS
from simulation.world.indicators import DUMPING_GROUPS, INDICATORS, LDE_SPENDING, indicators
from simulation.world.records import FLOW_COLUMNS

LEAVER_COLUMNS = [f"followup12_leavers_{g}{end}" for g in DUMPING_GROUPS for end in ("", "_on_benefits")]


def hand_made_metrics() -> pd.DataFrame:
    """Two years; 100 LDE workers throughout; known flows and follow-ups."""
    rows = []
    for month in range(25):
        row = dict.fromkeys(FLOW_COLUMNS, 0)
        row.update(
            month=month,
            lde=100,
            enterprises_open=10,
            enterprises_solvent=10 - (month == 24) * 2,
            enterprises_closed=(month == 24) * 1,
            service_quality=0.5 + 0.01 * month,
            followup12_moves=0,
            followup12_in_nec=0,
            followup12_limit_leavers=0,
            followup12_limit_on_benefits=0,
            followup24_lde_leavers=0,
            followup24_social_assistance=0,
            enterprises_converted=(month == 24) * 3,
            enterprise_income=0.0,
            enterprise_costs=0.0,
            pool_income=0.0,
            ledger_total=0.0,
            **{f"ledger_{level}": 0.0 for level in LEVELS},
            maatwerk=20,
            **dict.fromkeys(LEAVER_COLUMNS, 0),
            **dict.fromkeys(LDE_SPENDING, 0.0),
        )
        if month > 0:
            row.update(flow_lde_to_nec=1, flow_lde_to_unemployed=2, flow_lde_to_inactive=1, spending_wage_subsidy=1000.0)
            row.update(spending_maatwerk=500.0)  # collective maatwerk is not LDE spending
            row.update(ledger_flemish=100.0, ledger_federal=-40.0, ledger_local=10.0, ledger_total=70.0)
            row.update(pool_income=1000.0, enterprise_income=300.0, enterprise_costs=200.0)
        if month == 13:
            row.update(followup12_moves=10, followup12_in_nec=6, followup12_limit_leavers=5, followup12_limit_on_benefits=4)
            row.update(followup12_leavers=20, followup12_leavers_on_benefits=7)
            row.update(followup12_leavers_small=15, followup12_leavers_small_on_benefits=6)
            row.update(followup12_leavers_large=5, followup12_leavers_large_on_benefits=1)
            row.update(followup12_leavers_50_plus=4, followup12_leavers_50_plus_on_benefits=3)
        if month == 24:
            row.update(followup24_lde_leavers=8, followup24_social_assistance=2)
        rows.append(row)
    return pd.DataFrame(rows)


def test_indicators_follow_their_definitions():
    got = indicators(hand_made_metrics())
    assert set(got) == set(INDICATORS)
    assert got["transition_rate_annual"] == pytest.approx(24 / (100 * 2))
    assert got["exit_to_job_share"] == pytest.approx(24 / 96)
    assert got["target_gap"] == pytest.approx(1 - 24 / 96)
    assert got["sustainable_transition_rate"] == pytest.approx(0.6)
    assert got["dumping_risk"] == pytest.approx(0.8)
    assert got["social_assistance_24m_share"] == pytest.approx(0.25)
    assert got["dumping_share"] == pytest.approx(7 / 20)
    assert got["dumping_count"] == pytest.approx(7 / 2)  # per year over two years
    assert got["leefloon_share_24m"] == got["social_assistance_24m_share"] == pytest.approx(0.25)
    assert got["dumping_share_small"] == pytest.approx(6 / 15)
    assert got["dumping_share_large"] == pytest.approx(1 / 5)
    assert got["dumping_share_50_plus"] == pytest.approx(3 / 4)
    assert math.isnan(got["dumping_share_under_35"])  # nobody in the group: no share
    assert got["enterprise_conversions"] == 3
    assert got["maatwerk_workforce_mean"] == 20
    assert got["fiscal_cost_flemish"] == 2400 and got["fiscal_cost_federal"] == -960 and got["fiscal_cost_local"] == 240
    assert got["fiscal_cost_net"] == 24 * 70 and got["pool_income"] == 24_000 and got["enterprise_margin"] == 2400
    assert got["enterprise_solvent_share"] == pytest.approx(0.8)
    assert got["enterprise_closures"] == 1
    assert got["service_quality"] == pytest.approx(sum(0.5 + 0.01 * m for m in range(1, 25)) / 24)
    assert got["public_spending_lde"] == pytest.approx(24_000)
    assert got["cost_per_sustainable_transition"] == pytest.approx(24_000 / (24 * 0.6))


def test_indicators_without_observations_are_nan_not_zero():
    metrics = hand_made_metrics()
    metrics[["followup12_limit_leavers", "followup12_limit_on_benefits"]] = 0
    assert math.isnan(indicators(metrics)["dumping_risk"])


def test_a_window_counts_its_own_months_and_the_follow_ups_of_its_own_moves():
    metrics = hand_made_metrics()
    whole, first_year, second_year = (indicators(metrics, w) for w in (None, (1, 12), (13, 24)))
    assert indicators(metrics, (1, 24)) == pytest.approx(whole, nan_ok=True)
    # flows and spending add up over the two years; each year is a year of 12 moves
    assert first_year["public_spending_lde"] + second_year["public_spending_lde"] == whole["public_spending_lde"]
    assert first_year["transition_rate_annual"] == second_year["transition_rate_annual"] == pytest.approx(12 / 100)
    # the follow-ups read in month 13 are of the moves of month 1: they belong to the first year
    assert first_year["sustainable_transition_rate"] == pytest.approx(0.6)
    assert math.isnan(second_year["sustainable_transition_rate"])  # its moves are not followed up within the run
    # closures in the window, against the month before it; conversions operating at its end; solvency against its start
    assert (second_year["enterprise_closures"], first_year["enterprise_closures"]) == (1, 0)
    assert second_year["enterprise_conversions"] == 3 and first_year["enterprise_solvent_share"] == 1
    assert second_year["service_quality"] == pytest.approx(sum(0.5 + 0.01 * m for m in range(13, 25)) / 12)


def test_a_branch_is_measured_over_its_own_years_unless_told_otherwise():
    from simulation import Scenario, ScenarioError
    from simulation.outputs.console import window_line
    from simulation.world.indicators import measured_months

    from .conftest import SCENARIOS

    branch = Scenario.load(SCENARIOS / "from_2026" / "today.toml")
    assert measured_months(branch) == (branch.month_of("2026-01"), branch.months)
    assert "2026-01 to 2036-12: the branch's own years" in window_line(branch)
    assert measured_months(branch.with_overrides({"window": "all"})) == (1, branch.months)
    assert measured_months(branch.with_overrides({"window": "2026-07:2036-12"})) == (branch.month_of("2026-07"), 260)
    history = Scenario.load(SCENARIOS / "history.toml")
    assert measured_months(history) == (1, history.months)
    with pytest.raises(ScenarioError, match="window 2026-07:2040-12: must run forward within the run, 2015-05 to 2026-12"):
        history.with_overrides({"window": "2026-07:2040-12"})


def test_yearly_tables_cover_each_calendar_year_of_the_run():
    from simulation import Scenario
    from simulation.world.indicators import yearly

    scenario = Scenario(months=24, start="2015-04")
    table = yearly(hand_made_metrics(), scenario)
    assert list(table["year"]) == [2015, 2016, 2017] and list(table["months"]) == [8, 12, 4]
    assert table["public_spending_lde"].sum() == pytest.approx(indicators(hand_made_metrics())["public_spending_lde"])
