"""Comparisons of the history's branches: measured over the branches' own years, refused when
they would mix years, reported per option in words, with options that never acted said so."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from simulation import Scenario, ScenarioError
from simulation.experiments.experiment import common_window, compare
from simulation.outputs.report import write_report

from .conftest import ROOT, SCENARIOS, TINY, browser_page, invoke


def tiny(path: str) -> Scenario:
    return Scenario.load(SCENARIOS / path, TINY)


def text_of(path: Path) -> str:
    return html.unescape(path.read_text().replace("<wbr>", ""))


@pytest.fixture(scope="module")
def branch_report(tmp_path_factory) -> str:
    """today, an outcome bonus, and a cap on trajectories that the tiny world never reaches."""
    today = tiny("from_2026/today.toml")
    cap = today.with_overrides(
        {
            "name": "more_trajectories",
            "timeline": [
                *[c.model_dump(mode="json") for c in today.timeline],
                {"date": "2026-01", "key": "policy.doorstroom_trajectories_month", "value": 40},
            ],
        }
    )
    folder = compare(
        [today, tiny("from_2026/outcome_bonus.toml"), cap], replications=2, jobs=1, out=tmp_path_factory.mktemp("b") / "b"
    ).folder
    return text_of(write_report(folder))


def test_a_branch_comparison_says_its_years_and_what_each_option_changes_in_words(branch_report: str):
    assert "<title>Comparison of 3 options: 'today', 'outcome_bonus', 'more_trajectories'</title>" in branch_report
    assert "Indicators over 2026-01 to 2036-12: the branch's own years, from its branch date 2026-01" in branch_report
    what = branch_report[branch_report.index("<h2>What was run</h2>") : branch_report.index("<h2>Summary for decision makers")]
    assert (
        "'outcome_bonus': From 2026-01: Paid to the sending enterprise when a former worker is still in a regular job "
        "12 months after the move (policy.outcome_bonus): 5,000 EUR per sustainable transition instead of 0 EUR" in what
    )
    assert "{'date'" not in branch_report and "'key':" not in branch_report  # no raw dictionaries
    assert "Before and after the branch date" in branch_report


def test_an_option_equal_to_the_reference_is_said_never_to_have_acted_with_its_counts(branch_report: str):
    findings = branch_report[branch_report.index("<h2>Findings</h2>") : branch_report.index("<h2>What was run</h2>")]
    line = next(li for li in re.findall(r"<li>(.*?)</li>", findings, re.S) if li.startswith("'more_trajectories' never acted"))
    assert "every indicator equals 'today''s to the last digit" in line
    assert "doorstroom trajectories started a year:" in line
    assert "against a cap of 120 a year there and 480 in 'more_trajectories'" in line
    assert "'more_trajectories' against 'today'" not in findings  # not eight times "no clear difference"
    assert "'outcome_bonus' never acted" not in findings


def test_scenarios_over_different_years_are_refused_unless_a_common_window_is_given(tmp_path: Path, capsys):
    today, history = tiny("from_2026/today.toml"), tiny("history.toml")
    with pytest.raises(ScenarioError, match=r"cover different years .* give a common --window, e\.g\. --window 2026-01:2026-12"):
        common_window([today, history])
    assert [s.window for s in common_window([today, history], "2026-01:2026-12")] == ["2026-01:2026-12"] * 2
    with pytest.raises(ScenarioError, match="cover different years"):
        common_window([today, history], "all")  # each whole run is no common window
    code = invoke(
        ["compare", str(SCENARIOS / "from_2026/today.toml"), str(SCENARIOS / "history.toml"), "--out", str(tmp_path / "x")]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "'today' 2015-05 to 2036-12 measured 2026-01 to 2036-12" in err
    assert not (tmp_path / "x").exists()  # refused before anything ran


def test_the_history_compared_with_its_branches_is_measured_over_their_years_and_is_no_option(tmp_path: Path):
    history, aftercare = tiny("history.toml"), tiny("from_2018/aftercare.toml")
    measured = common_window([aftercare, history])
    assert [s.window for s in measured] == ["2018-01:2026-12"] * 2
    folder = compare([aftercare, history], replications=2, jobs=1, out=tmp_path / "h").folder
    text = text_of(write_report(folder))
    findings = text[text.index("<h2>Findings</h2>") : text.index("<h2>What was run</h2>")]
    first = re.findall(r"<li>(.*?)</li>", findings, re.S)[0]
    assert "'history'" not in first  # never among the options that raise or lower anything
    assert "Not an option: 'history', the history the options branch from" in findings
    summary = text[text.index("Summary for decision makers") : text.index("Indicators per option")]
    assert "history" not in summary


def test_an_ensemble_comparison_reports_its_options_with_the_ensemble_as_uncertainty(small: Scenario, tmp_path: Path):
    members = tmp_path / "plausible.csv"
    members.write_text("people.search_rate_lde,weight\n0.02,1\n0.03,2\n0.04,1\n")
    quick = small.with_overrides({"months": 12})
    more = quick.with_overrides({"name": "more_aftercare", "policy.aftercare_months": 12})
    folder = compare([quick, more], replications=2, jobs=1, out=tmp_path / "e", ensemble=members).folder
    text = text_of(write_report(folder))
    assert "<title>Comparison of 2 options: 'small', 'more_aftercare', over 3 plausible parameter sets</title>" in text
    table = text[text.index("Indicators per option") : text.index("What the indicators mean")]
    header = re.search(r"<thead>(.*?)</thead>", table, re.S).group(1)
    assert re.findall(r"<th>([^<]*)</th>", header) == ["indicator", "better", "small", "more_aftercare"]  # a column per option
    assert "|m" not in text.split("<h2>Provenance</h2>")[0]  # members are no options
    assert "3 parameter sets from" in text.split("<h2>Provenance</h2>")[1]  # named, not listed


@pytest.mark.slow
def test_an_ensemble_branch_comparison_report_is_short_in_a_real_browser(tmp_path: Path):
    """The acceptance command at a tiny size: two 2026 options over plausible sets of the calibrated
    ensemble give a report titled for two options, under 8,000 pixels tall at 1280 wide in Chromium."""
    plausible = (ROOT / "calibration" / "plausible.csv").read_text().splitlines()
    members = tmp_path / "plausible.csv"
    members.write_text("\n".join(plausible[:4]) + "\n")  # three of the plausible sets: the page does not list them
    options = [tiny("from_2026/today.toml"), tiny("from_2026/outcome_bonus.toml")]
    folder = compare(options, replications=2, jobs=1, out=tmp_path / "e", ensemble=members).folder
    with browser_page(write_report(folder), 1280) as page:
        height, title = page.evaluate("document.documentElement.scrollHeight"), page.title()
    assert title == "Comparison of 2 options: 'today', 'outcome_bonus', over 3 plausible parameter sets"
    assert height < 8000, f"the report is {height} pixels tall"
