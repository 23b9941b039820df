"""Every plot runs on real output and draws what it should: lines, bands, labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from simulation import Scenario, plots, run
from simulation.experiments.experiment import compare


@pytest.fixture(scope="module")
def result(quick_world: Scenario):
    return run(quick_world, seed=4, replications=3, events=True)


@pytest.fixture(scope="module")
def quick_world(tiny: Scenario) -> Scenario:
    # from 2020-04 the decree's five years have run: workers at month 0 reach the limit within the 48 months
    return tiny.with_overrides({"months": 48, "start": "2020-04"})


@pytest.fixture(scope="module")
def table(quick_world: Scenario, tmp_path_factory) -> object:
    more = quick_world.with_overrides({"name": "aftercare", "policy.aftercare_months": 12})
    return compare([quick_world, more], replications=3, jobs=1, out=tmp_path_factory.mktemp("c") / "c").table


def test_stocks_has_a_panel_with_a_line_and_a_band_per_status_with_units(result):
    fig = plots.stocks(result.metrics)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 6
    for ax, status in zip(panels, plots.STATUS_COLORS):
        assert len(ax.lines) == 1 and sum(isinstance(c, PolyCollection) for c in ax.collections) == 1
        assert ax.get_ylabel() == "persons" and ax.get_xlabel() == "years" and ax.get_title() == plots.STATUS_LABELS[status]
        assert ax.lines[0].get_color() == plots.STATUS_COLORS[status]
    lde, inactive = panels[2], panels[5]
    assert lde.get_ylim()[1] <= 1.5 * result.metrics["lde"].max() < inactive.get_ylim()[1]  # LDE on its own scale


def test_kaplan_meier_matches_a_hand_computed_case():
    times, surv = plots.kaplan_meier(np.array([1, 2, 2, 3, 4]), np.array([True, True, False, True, False]))
    assert list(times) == [0, 1, 2, 3]
    assert surv == pytest.approx([1, 4 / 5, 4 / 5 * 3 / 4, 4 / 5 * 3 / 4 * 1 / 2])


def test_survival_marks_the_time_limit_and_draws_one_curve_per_scenario(result, monkeypatch):
    monkeypatch.setattr(plots, "MIN_AT_RISK", 50)  # this small world's last event times have about 40 spells at risk
    fig = plots.survival({"a": result.events, "b": result.events}, limit=60)
    ax = fig.axes[0]
    curves = [line for line in ax.lines if line.get_linestyle() == "-"]
    assert len(curves) == 2
    assert any(line.get_linestyle() == "--" for line in ax.lines)  # the limit
    assert "months in LDE" in ax.get_xlabel()
    months = plots.lde_spells(result.events)["months"].to_numpy()
    times, _ = plots.kaplan_meier(months, plots.lde_spells(result.events)["ended_in_job"].to_numpy(dtype=bool))
    last = curves[0].get_xdata()[-1]
    assert plots.at_risk(months, np.array([last]))[0] >= 50 > plots.at_risk(months, times[-1:])[0]  # the tail is cut


def test_at_risk_counts_the_spells_still_running():
    assert list(plots.at_risk(np.array([1, 2, 2, 3, 4]), np.array([0, 1, 2, 3, 4, 5]))) == [5, 5, 4, 2, 1, 0]


def test_pathways_stacks_add_up_to_one_at_every_stage(result):
    fig = plots.pathways(result.events, after=(12, 24))
    ax = fig.axes[0]
    heights = {}
    for bar in ax.patches:
        x = round(bar.get_x() + bar.get_width() / 2)
        heights[x] = heights.get(x, 0) + bar.get_height()
    assert len(heights) == 3 and all(h == pytest.approx(1) for h in heights.values())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["at exit", "12 months later", "24 months later"]


def test_viability_has_three_panels_with_units(result):
    fig = plots.viability(result.metrics)
    assert [ax.get_ylabel() for ax in fig.axes] == ["million EUR", "share of those at the start", "index (0-1)"]
    assert len(fig.axes[0].lines) == 2 and len(fig.axes[1].lines) == 2


def test_comparison_and_tradeoff_show_every_scenario(table):
    fig = plots.comparison(table, ["transition_rate_annual", "dumping_risk"])
    assert len(fig.axes) == 4
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == list(dict.fromkeys(table["scenario"]))
    trade = plots.tradeoff(table).axes[0]
    assert len(trade.texts) == 2 and "dumping share" in trade.get_xlabel()


def test_comparison_and_tradeoff_axes_say_their_units_as_the_reports_do(table):
    """Shares were drawn as fractions (0.3) beside tables in % and without a unit; the trade-off's height,
    which has no interval, was drawn on a range of a few thousandths that magnified noise-sized gaps."""
    fig = plots.comparison(table, ["transition_rate_annual", "dumping_share"])
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "transition_rate_annual (per 100 worker-years)" and titles[2] == "dumping_share (%)"
    assert titles[3].endswith("(points)")
    share = table[(table["indicator"] == "dumping_share")]["mean"].iloc[0]
    drawn = fig.axes[2].collections[-1].get_offsets()[0][0]
    assert drawn == pytest.approx(100 * share)
    trade = plots.tradeoff(table).axes[0]
    assert trade.get_ylim()[0] == 0 and "per 100 LDE worker-years" in trade.get_ylabel() and "no interval" in trade.get_ylabel()


def test_sensitivity_bars_for_morris_and_sobol():
    import pandas as pd

    morris = pd.DataFrame(
        {
            "indicator": "x",
            "parameter": ["a", "b"],
            "mu_star": [1.0, 0.2],
            "mu_star_conf": [0.1, 0.1],
            "mu": [1.0, -0.2],
            "sigma": [0.3, 0.0],
        }
    )
    sobol = pd.DataFrame(
        {
            "indicator": "x",
            "parameter": ["a", "b"],
            "S1": [0.6, 0.1],
            "S1_conf": [0.05, 0.05],
            "ST": [0.8, 0.2],
            "ST_conf": [0.05, 0.05],
        }
    )
    for table, first in ((morris, 1.0), (sobol, 0.6)):
        ax = plots.sensitivity_bars(table, "x").axes[0]
        assert len(ax.patches) == 4 and ax.patches[0].get_width() == first
        assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]


def test_figures_save_as_png(result, tmp_path: Path):
    path = tmp_path / "stocks.png"
    plots.stocks(result.metrics).savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_spell_that_starts_and_ends_in_the_same_month_lasts_zero_months():
    import pandas as pd

    events = pd.DataFrame(
        {
            "month": [5, 5, 9, 20],
            "person": [1, 1, 1, 1],
            "from": ["unemployed", "lde", "unemployed", "lde"],
            "to": ["lde", "unemployed", "lde", "nec"],
            "reason": ["hired_lde", "dismissed", "hired_lde", "found_job"],
        }
    )
    found = plots.lde_spells(events)
    assert list(found["start"]) == [5, 9] and list(found["months"]) == [0, 11]
    assert list(found["ended_in_job"]) == [False, True] and not found["censored"].any()


def test_no_lde_spell_outlasts_the_limit_and_its_extension(result, quick_world: Scenario):
    found = plots.lde_spells(result.events)
    policy = quick_world.policy
    assert found["months"].max() <= policy.max_lde_months + policy.extension_months


def test_viability_starts_every_size_class_at_one_with_several_replications(result):
    solvent = plots.viability(result.metrics).axes[1]
    for line in solvent.lines:
        assert line.get_ydata()[0] == pytest.approx(1.0)


def test_tradeoff_draws_a_scenario_without_limit_within_the_axis_and_one_without_leavers_not_at_all(table):
    first = table[table["scenario"] == table["scenario"].iloc[0]]
    no_limit = first.assign(scenario="no limit")
    no_limit.loc[no_limit["indicator"] == "dumping_risk", ["mean", "ci_low", "ci_high"]] = float("nan")
    no_limit.loc[no_limit["indicator"] == "dumping_share", ["mean", "ci_low", "ci_high"]] = [0.98, 0.95, 1.02]
    nobody = first.assign(scenario="nobody left")
    nobody.loc[nobody["indicator"] == "dumping_share", ["mean", "ci_low", "ci_high"]] = float("nan")
    fig = plots.tradeoff(pd.concat([table, no_limit, nobody]))
    ax = fig.axes[0]
    x = {text.get_text().split(" (")[0]: text.xy[0] for text in ax.texts}
    low, high = ax.get_xlim()
    assert x["no limit"] == pytest.approx(0.98) and 0 <= low < x["no limit"] < high <= 1  # within the axis, never past 100%
    assert "nobody left" not in x and any("nobody left" in t.get_text() for t in fig.texts)  # named, not drawn at 0
    assert high - low >= 0.1  # a noise-sized range does not fill the width
    assert any("EUR" in text.get_text() for text in ax.get_legend().get_texts())  # the size key
    assert all("solvent" in text.get_text() for text in ax.texts)


def test_tradeoff_labels_do_not_overlap_in_the_picture(table):
    """Eight options at nearly the same point: every name is readable, none covers another."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    first = table[table["scenario"] == table["scenario"].iloc[0]]
    crowd = pd.concat([first.assign(scenario=f"option_number_{i}") for i in range(8)])
    fig = plots.tradeoff(crowd)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    boxes = [Text.get_window_extent(text, canvas.get_renderer()) for text in fig.axes[0].texts]  # names, not arrows
    assert len(boxes) == 8
    for i, one in enumerate(boxes):
        for two in boxes[i + 1 :]:
            assert not one.overlaps(two), (one, two)


def test_decisions_draw_what_the_enterprises_chose(result):
    fig = plots.decisions(result.metrics)
    counts, coaching, choices = fig.axes
    labelled = [line.get_label() for line in counts.lines if not line.get_label().startswith("_")]
    assert labelled[:2] == ["open", "under pressure"]
    assert labelled[-2:] == ["small neighbourhood services", "large proximity services"]  # the line-style key
    # one solid line for the small and one dashed for the large enterprises, each from its own column
    assert [line.get_linestyle() for line in coaching.lines] == ["-", "--"]
    metrics = result.metrics
    for line, suffix in zip(coaching.lines, ("_small", "_large")):
        assert list(line.get_ydata()) == list(metrics.groupby("month")[f"coaches_per_worker{suffix}"].median())
    assert {line.get_label() for line in choices.lines} == {"price index", "push", "_child1", "_child3"}


def test_network_shows_each_size_class_s_ties_by_sector():
    ties = pd.DataFrame(
        {
            "replication": [0, 0, 0, 1],
            "enterprise": [0, 0, 1, 0],
            "employer": [0, 1, 0, 0],
            "size_class": ["small_neighbourhood_service"] * 2 + ["large_proximity_service", "small_neighbourhood_service"],
            "sector": ["care", "industry", "care", "care"],
            "covenant": [True, False, True, True],
            "strength": [0.5, 0.25, 1.0, 0.3],
            "events": [1, 1, 0, 2],
        }
    )
    heat, counts = plots.network(ties).axes[:2]
    # rows: large, small (sorted); columns: care, industry; means over the (replication, enterprise) with ties
    assert heat.images[0].get_array().tolist() == [[1.0, 0.0], [pytest.approx(0.4), pytest.approx(0.125)]]
    assert [t.get_text() for t in heat.get_xticklabels()] == ["care", "industry"]
    medians = [line.get_ydata()[0] for line in counts.lines if line.get_color() in ("C1", "#ff7f0e")]
    assert sorted(medians) == [1.0, 1.5]  # employers tied at >= 0.1: 1 for the large; 2 and 1 for the small
