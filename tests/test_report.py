"""Reports: self-contained HTML (or Markdown) with the indicators, the figures and provenance."""

from __future__ import annotations

import html
import json
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest

from simulation import Scenario
from simulation.cli import main
from simulation.experiments.experiment import compare, sweep
from simulation.experiments.statistics import interval
from simulation.experiments.store import read_experiment
from simulation.outputs.report import (
    ReportError,
    count_text,
    decision_summary,
    findings,
    in_words,
    run_report,
    write_report,
)
from simulation.outputs.route_report import benefit_limit_reading, benefit_limit_table, lever_reasons
from simulation.rules.scenario import NEVER
from simulation.world.indicators import INDICATOR_INFO

from .conftest import SCENARIOS, browser_page


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("run") / "r"
    args = ["run", str(SCENARIOS / "small.toml"), "--months", "36", "--replications", "2", "--events", "--out", str(folder)]
    assert main(args) == 0
    return folder


def text_of(path: Path) -> str:
    """An HTML report as a reader sees its text: entities decoded, word-break hints dropped."""
    return html.unescape(path.read_text().replace("<wbr>", ""))


def test_run_report_is_self_contained_with_table_figures_and_provenance(run_folder: Path):
    text = text_of(write_report(run_folder))
    assert "<table" in text and "transition_rate_annual" in text
    assert text.count("src='data:image/png;base64,") == 6  # stocks, viability, decisions, network, survival, pathways
    assert "Enterprise decisions (count over all replications)" in text
    assert not re.search(r"(src|href)=['\"]https?://", text)  # opens without network
    assert "world.pool_size" in text and "5,000 persons instead of 100,000 persons" in text  # what differs, with units
    assert "Horizon 36 months (3 years, 2015-05 to 2018-04)" in text and "5,000 structurally unemployed" in text
    assert "Indicators over the whole run, 2015-05 to 2018-04" in text
    assert "replication_seeds" in text and "versions" in text


def test_markdown_report_links_figures_that_exist(run_folder: Path):
    text = write_report(run_folder, "md").read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(links) == 6 and all((run_folder / link).is_file() for link in links)
    assert "| transition_rate_annual |" in text


def test_comparison_report_explains_the_differences(small: Scenario, tmp_path: Path):
    quick = small.with_overrides({"months": 24})
    more = quick.with_overrides({"name": "more_aftercare", "policy.aftercare_months": 12})
    folder = compare([quick, more], replications=2, jobs=1, out=tmp_path / "c").folder
    text = text_of(write_report(folder))
    assert (
        "Months of aftercare after a move from LDE to a regular job (policy.aftercare_months): 12 months instead of 3 months"
        in text
    )
    assert text.count("data:image/png;base64,") == 2 and "more_aftercare" in text
    assert "<title>Comparison of 2 options: 'small', 'more_aftercare'</title>" in text
    summary = text[text.index("Summary for decision makers") : text.index("Indicators per option")]
    assert "more aftercare" in summary and "small (reference)" in summary  # plain names
    assert "extra net public cost, all governments (- = a saving)" in summary and "extra gross LDE spending" in summary
    words = re.sub(r"src='data:[^']*'", "", text.split("<h2>Provenance</h2>")[0])
    assert not re.search(r"\de[+-]\d", words)  # no scientific notation
    assert text.index("<h2>Findings</h2>") < text.index("<h2>What was run</h2>")
    assert "'more_aftercare' against 'small'" in text


def test_a_folder_without_results_is_a_clear_error(tmp_path: Path, capsys):
    with pytest.raises(ReportError, match="no run"):
        write_report(tmp_path)
    assert main(["report", str(tmp_path)]) == 2
    assert "no run" in capsys.readouterr().err


def comparison_rows(rows: list[tuple[str, str, float, float, float, bool]]) -> pd.DataFrame:
    """A comparison table with the given (scenario, indicator, mean, diff, half-width, significant)."""
    names = list(INDICATOR_INFO)
    table = []
    for scenario in dict.fromkeys(r[0] for r in rows):
        for name in names:
            mean, diff, half, significant = 0.5, 0.0, 0.1, False
            for r in rows:
                if r[0] == scenario and r[1] == name:
                    mean, diff, half, significant = r[2], r[3], r[4], r[5]
            table.append(
                {
                    "scenario": scenario,
                    "indicator": name,
                    "mean": mean,
                    "ci_low": mean - half,
                    "ci_high": mean + half,
                    "diff": diff,
                    "diff_ci_low": diff - half,
                    "diff_ci_high": diff + half,
                    "significant": significant,
                }
            )
    return pd.DataFrame(table)


def test_findings_name_what_each_option_clearly_changes_and_warn_about_closures():
    table = comparison_rows(
        [
            ("base", "enterprise_solvent_share", 0.9, 0.0, 0.05, False),
            ("bonus", "transition_rate_annual", 0.12, 0.02, 0.01, True),
            ("bonus", "dumping_risk", 0.5, 0.01, 0.05, False),
            ("cut", "enterprise_solvent_share", 0.2, -0.7, 0.05, True),
            ("cut", "dumping_risk", 0.6, 0.1, 0.05, True),  # conditional on the limit: can rise while ...
            ("cut", "dumping_share", 0.3, -0.1, 0.05, True),  # ... fewer of all leavers fall back
        ]
    )
    lines = findings(table, replications=10)
    assert lines[0].startswith("Options that clearly raise sustainable transitions: 'bonus'.")
    assert (
        "clearly lower dumping (the share of all LDE leavers on a benefit 12 months later): 'cut'" in lines[0]
        and "at risk (clearly fewer open and solvent at the end): 'cut'" in lines[0]
    )
    bonus = next(line for line in lines if line.startswith("'bonus' against 'base'"))
    assert "raises transitions to a regular job per LDE worker-year" in bonus and "no clear difference in dumping risk" in bonus
    assert any(line.startswith("Caution: in 'cut' only 20%") for line in lines)
    assert not any("Caution: in 'bonus'" in line for line in lines)


def finding_against_base(rows: list[tuple[str, str, float, float, float, bool]]) -> str:
    """The findings' line of the one other scenario of ``rows`` against 'base' (10 replications)."""
    other = next(r[0] for r in rows if r[0] != "base")
    return next(line for line in findings(comparison_rows(rows), replications=10) if line.startswith(f"'{other}' against 'base'"))


def test_findings_give_differences_with_their_unit_rates_per_100_worker_years_counts_in_people_a_year():
    """A rate per worker-year of 0.0005 more reads +0.05 per 100 worker-years, never a bare +0.0005 beside points."""
    line = finding_against_base(
        [
            ("base", "transition_rate_annual", 0.0600, 0.0, 0.001, False),
            ("aftercare", "transition_rate_annual", 0.0605, 0.0005, 0.0002, True),
            ("aftercare", "dumping_share", 0.30, -0.012, 0.004, True),
        ]
    )
    assert "(+0.05 per 100 worker-years; 95% interval +0.03 to +0.07 per 100 worker-years)" in line
    assert "(-1.2 points; 95% interval -1.6 to -0.8 points)" in line
    assert "0.0005" not in line
    count = finding_against_base(
        [("base", "dumping_count", 14.06, 0.0, 1.0, False), ("other", "dumping_count", 14.12, 0.0606, 3.35, False)]
    )
    assert "(+0.1 people a year; 95% interval -3.3 to +3.4 people a year)" in count, count  # once "(+0.0606; ... -3.29 to"


def test_findings_with_one_replication_call_nothing_clear():
    table = comparison_rows([("base", "transition_rate_annual", 0.1, 0.0, float("nan"), False)])
    table = pd.concat([table, table.assign(scenario="other")])
    assert findings(table, replications=1)[0].startswith("Only one replication")


def test_parameter_values_read_in_words_with_units():
    assert in_words([[0, 600.0]], "[[from month, EUR per worker-month]]") == "600 EUR per worker-month"
    two = in_words([[0, 0.45], [24, 0.3]], "[[from month, share of reference wage]]")
    assert two == "45% of reference wage from month 0 in LDE, then 30% of reference wage from month 24 in LDE"
    assert in_words(0.25, "share") == "25%" and in_words("unlimited", "months or 'unlimited'") == "unlimited"
    assert in_words(12, "months") == "12 months"


def test_names_with_markup_or_mathematics_are_shown_literally(small: Scenario, tmp_path: Path):
    quick = small.with_overrides({"months": 12, "name": "a$b$ <i>|x|"})
    folder = compare([quick, quick.with_overrides({"name": "c $d$"})], replications=2, jobs=1, out=tmp_path / "c").folder
    html_text = write_report(folder).read_text()
    assert "a$b$ &lt;i&gt;|x|" in html_text and "<i>" not in html_text
    md = write_report(folder, "md").read_text()
    assert "a\\$b\\$ \\<i>\\|x\\|" in md


@pytest.mark.slow
def test_report_tables_fit_an_800_pixel_page_in_a_real_browser(small: Scenario, tmp_path: Path):
    quick = small.with_overrides({"months": 12})
    others = [quick.with_overrides({"name": f"option_with_a_long_name_{i}", "policy.aftercare_months": i}) for i in range(4)]
    folder = compare([quick, *others], replications=2, jobs=1, out=tmp_path / "c").folder
    with browser_page(write_report(folder), 1200) as page:
        widths = page.eval_on_selector_all("table", "tables => tables.map(t => t.getBoundingClientRect().width)")
    assert len(widths) >= 3 and max(widths) <= 800


@pytest.mark.parametrize("cut", ["mid-line", "whole rows"])
def test_a_run_whose_tables_were_cut_short_is_refused(run_folder: Path, tmp_path: Path, cut: str):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(run_folder, copy)
    metrics = copy / "metrics.csv"
    lines = metrics.read_text().splitlines(keepends=True)
    metrics.write_text("".join(lines[:-1]) + (lines[-1][: len(lines[-1]) // 2] if cut == "mid-line" else ""))
    with pytest.raises(ReportError, match="metrics.csv was changed or cut short"):
        write_report(copy)


def test_a_run_in_which_most_enterprises_close_says_what_they_tried_and_why_it_failed(tmp_path: Path):
    out = tmp_path / "imw"
    small = ["--set", "world.pool_size=5000", "--set", "world.lde_workers=250", "--set", "world.enterprises=20"]
    harsh = ["enterprises.overhead_floor=1.0", "enterprises.market_price_premium=0", "policy.cmw_conversion=false"]
    args = ["run", str(SCENARIOS / "imw_2023.toml"), *small, *[a for h in harsh for a in ("--set", h)], "--events"]
    assert main([*args, "--out", str(out)]) == 0
    text = text_of(write_report(out))
    findings = text[text.index("<h2>Findings</h2>") : text.index("<h2>What was run</h2>")]
    assert "Fewer than half the enterprises are open and solvent at the end" in findings and "a worker-month" in findings
    assert "What they tried" in findings and "closed" in findings
    closures = pd.read_csv(out / "summary.csv")["enterprise_closures"].mean()
    metrics = pd.read_csv(out / "metrics.csv")
    measured = (
        metrics.loc[metrics["month"] == 0, "enterprises_open"].mean()
        + metrics.groupby("replication")["enterprises_entered"].sum().mean()
    )  # of how many: the whole run is its window here
    assert f"of the {count_text(measured)} open at 2015-05 or entered since" in findings
    assert f"{count_text(closures)} of them closed by" in findings and "(enterprise_closures)" in findings
    assert "not a forecast" in findings and "docs/validation.md, section 7" in findings


def test_sustainable_transitions_rise_only_when_neither_part_clearly_falls():
    from simulation.outputs.report import raises_sustainable_transitions

    table = comparison_rows(
        [
            ("base", "transition_rate_annual", 0.1, 0.0, 0.01, False),
            ("lasting", "sustainable_transition_rate", 0.8, 0.05, 0.01, True),
            ("churn", "transition_rate_annual", 0.12, 0.02, 0.01, True),
            ("churn", "sustainable_transition_rate", 0.7, -0.05, 0.01, True),
        ]
    ).set_index(["scenario", "indicator"])
    assert raises_sustainable_transitions(table.loc["lasting"])
    assert not raises_sustainable_transitions(table.loc["churn"])  # more moves, clearly less lasting
    assert not raises_sustainable_transitions(table.loc["base"])


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    return err[0]


@pytest.mark.parametrize("table", ["summary.csv", "yearly.csv"])
def test_a_hand_edited_table_is_refused_with_one_line(run_folder: Path, tmp_path: Path, capsys, table: str):
    """A value changed by hand (here a mean pushed outside its interval) keeps the file's shape but not its checksum."""
    import shutil

    copy = tmp_path / "edited"
    shutil.copytree(run_folder, copy, ignore=shutil.ignore_patterns("report.*"))
    edited = pd.read_csv(copy / table)
    edited.loc[0, "transition_rate_annual"] = 99.0
    edited.to_csv(copy / table, index=False)
    assert main(["report", str(copy)]) == 2
    assert f"{table} was changed or cut short after the run wrote it" in one_line(capsys)
    assert not (copy / "report.html").exists()


def test_a_changed_stored_value_is_refused_with_one_line(small: Scenario, tmp_path: Path, capsys):
    import sqlite3

    folder = compare([small.with_overrides({"months": 6})], replications=3, jobs=1, out=tmp_path / "c").folder
    with sqlite3.connect(folder / "experiment.sqlite") as connection:
        connection.execute("UPDATE indicators SET transition_rate_annual = transition_rate_annual + 0.01 WHERE run = 1")
    for command in (["report", str(folder)], ["export", str(folder), "--out", str(tmp_path / "p")]):
        assert main(command) == 2
        assert "the stored results of 1 run(s) (1) differ from their checksums" in one_line(capsys)
    assert not (folder / "report.html").exists() and not (tmp_path / "p").exists()


def test_a_hand_edited_comparison_is_refused_and_the_same_command_writes_it_again(small: Scenario, tmp_path: Path, capsys):
    quick = small.with_overrides({"months": 6})
    folder = compare([quick], replications=2, jobs=1, out=tmp_path / "c").folder
    original = (folder / "comparison.csv").read_text()
    (folder / "comparison.csv").write_text(original.replace(",2\n", ",3\n", 1))
    assert main(["report", str(folder)]) == 2
    assert "comparison.csv was changed after the experiment wrote it" in one_line(capsys)
    compare([quick], replications=2, jobs=1, out=folder)  # resumes: nothing to run, the table written again
    assert (folder / "comparison.csv").read_text() == original
    assert main(["report", str(folder)]) == 0


def test_an_unfinished_experiment_is_refused_unless_partial_and_then_marked(small: Scenario, tmp_path: Path, capsys):
    import sqlite3

    folder = compare([small.with_overrides({"months": 6})], replications=3, jobs=1, out=tmp_path / "c").folder
    with sqlite3.connect(folder / "experiment.sqlite") as connection:  # as if interrupted before run 2 finished
        connection.execute("UPDATE runs SET status = 'pending', checksum = NULL WHERE run = 2")
        connection.execute("DELETE FROM indicators WHERE run = 2")
        connection.execute("DELETE FROM monthly WHERE run = 2")
    assert main(["report", str(folder)]) == 2
    assert "the experiment is unfinished (2 of 3 runs done)" in one_line(capsys)
    assert main(["report", str(folder), "--partial"]) == 0
    text = text_of(folder / "report.html")
    assert "(unfinished)</title>" in text and "UNFINISHED: " in text


def test_an_interrupted_run_is_reported_only_with_partial(run_folder: Path, tmp_path: Path, capsys):
    import json
    import shutil

    copy = tmp_path / "interrupted"
    shutil.copytree(run_folder, copy)
    provenance = json.loads((copy / "run.json").read_text())
    (copy / "run.json").write_text(json.dumps({**provenance, "status": "interrupted"}))
    assert main(["report", str(copy)]) == 2
    assert "the run is interrupted (2 of 2 replications); --partial" in one_line(capsys)
    assert main(["report", str(copy), "--partial"]) == 0
    assert "UNFINISHED: " in text_of(copy / "report.html")


def test_findings_never_print_a_negative_zero():
    """An interval bound of -0.3 EUR reads "0 EUR" and a share difference of -0.00001 "0.0 points", never "-0"."""
    line = finding_against_base(
        [
            ("base", "cost_per_sustainable_transition", 1000.0, 0.0, 0.1, False),
            ("other", "cost_per_sustainable_transition", 1000.2, 0.2, 0.5, False),
            ("other", "dumping_share", 0.30, -0.00001, 0.00002, False),
        ]
    )
    assert "-0 " not in line and "-0.0 " not in line and "+0 EUR" not in line, line
    assert "(0 EUR; 95% interval 0 EUR to +1 EUR)" in line, line  # +0.2, from -0.3 to +0.7 EUR
    assert "(+0.0 points; 95% interval +0.0 to +0.0 points)" in line, line  # -0.001 to +0.001 points


def test_a_run_reports_tables_agree_with_its_csvs_and_read_as_text(run_folder: Path):
    """The leavers' states table gives the leaver_state indicators of summary.csv over the same window (it once
    pooled the whole run, history included, as raw fractions); the routes table marks a missing capacity "–";
    the indicators say their unit; provenance reads as text, not as Python or JSON."""
    report = run_report(run_folder)
    tables = dict(report.tables)
    summary = pd.read_csv(run_folder / "summary.csv")
    states = next(t for title, t in tables.items() if title.startswith("Where LDE leavers are after exit, 2015-05 to 2018-04"))
    for h, row in zip((6, 12, 24), states.itertuples(index=False)):
        assert row[0] == h and row[1] == INDICATOR_INFO[f"leaver_state_{h}m_nec"].format(summary[f"leaver_state_{h}m_nec"].mean())
    routes = next(t for title, t in tables.items() if title.startswith("Routes, 2015-05 to 2018-04"))
    assert list(routes["capacity"]) == ["10", "–", "15", "–", "1", "–"]  # small.toml's places
    indicators = next(t for title, t in tables.items() if title.startswith("Indicators"))
    assert indicators.set_index("indicator").loc["transition_rate_annual", "unit"] == "moves per worker-year"
    meanings = next(t for title, t in tables.items() if title.startswith("What the indicators mean"))
    assert list(meanings["indicator"]) == list(indicators["indicator"])  # every indicator shown is explained
    md = write_report(run_folder, "md").read_text()
    provenance = md[md.index("## Provenance") :]
    command = json.loads((run_folder / "run.json").read_text())["command"]
    assert f"| command | {shlex.join(command)} |" in provenance  # the line that repeats the run
    assert "python: 3." in provenance and "metrics.csv: bytes " in provenance
    assert not re.search(r"[\[\]{}]|\bTrue\b|\bFalse\b|\bnull\b|\bnan\b", provenance)


def test_an_interval_in_euros_is_on_one_scale():
    """A mean of 18.9 M EUR with its interval from 9,681,131 EUR once read "9,681,131 EUR to 28.2 M EUR"."""
    info = INDICATOR_INFO["public_spending_lde"]
    assert info.format_all(18.9e6, 9_681_131.0, 28.2e6) == ["18.9 M EUR", "9.7 M EUR", "28.2 M EUR"]
    assert info.format_all(900_000.0, 800_000.0, float("nan")) == ["900,000 EUR", "800,000 EUR", "–"]


def test_a_large_parameter_value_reads_without_scientific_notation():
    assert in_words(10396129.0, "EUR per year") == "10,396,129 EUR per year"  # once "1.03961e+07 EUR per year"
    assert in_words(0.000125, "") == "0.000125" and in_words(2.5, "months") == "2.5 months"


def summary_of(fiscal_net: float, rate: float) -> pd.DataFrame:
    """The decision summary of 'base' against 'option' whose transition rate and net public cost differ."""
    rows = [
        ("base", "transition_rate_annual", 0.10, 0.0, 0.01, False),
        ("base", "lde_workforce_mean", 100.0, 0.0, 1.0, False),
        ("base", "fiscal_cost_net", 1e6, 0.0, 1.0, False),
        ("option", "transition_rate_annual", rate, rate - 0.10, 0.01, False),
        ("option", "lde_workforce_mean", 100.0, 0.0, 1.0, False),
        ("option", "fiscal_cost_net", fiscal_net, fiscal_net - 1e6, 1.0, False),
    ]
    scenario = Scenario().with_overrides({"months": 120})
    return decision_summary(comparison_rows(rows), {"base": scenario, "option": scenario}, []).set_index("option")


def test_the_summary_gives_a_cost_per_extra_lasting_transition_only_for_an_option_that_adds_some():
    """Fewer lasting transitions at a lower cost once read as a positive "cost per extra lasting transition"
    (a saving divided by a loss); a change of -0.04 people read "(-0)"."""
    column = "net public cost per extra lasting transition (– when it adds none)"
    fewer = summary_of(fiscal_net=0.5e6, rate=0.09)  # 0.5 fewer lasting a year (100 x 0.01 x 0.5), 0.5 M EUR saved
    assert fewer.loc["option", column] == "–"
    assert fewer.loc["option", "lasting transitions a year (people)"] == "4.5 (-0.5)"
    more = summary_of(fiscal_net=1.5e6, rate=0.12)  # 1 more a year over 10 years for 0.5 M EUR more
    assert more.loc["option", column] == "+50,000 EUR"
    same = summary_of(fiscal_net=1e6, rate=0.10 - 0.0008)  # -0.04 people a year
    assert same.loc["option", "lasting transitions a year (people)"] == "5.0 (0.0)"


def test_a_route_that_did_not_move_is_explained_only_for_the_options_that_change_its_places():
    table = comparison_rows(
        [
            ("base", "trajectory_waiting_mean", 0.0, 0.0, 0.1, False),
            ("bonus", "trajectories_per_year", 2.0, 0.0, 0.5, False),
            ("places", "trajectories_per_year", 2.0, 0.0, 0.5, False),
        ]
    )
    changed = {"bonus": ["policy.outcome_bonus"], "places": ["policy.doorstroom_trajectories_month"]}
    lines = lever_reasons(table, changed)
    assert any(line.startswith("'places' changes doorstroom trajectories by no clear amount") for line in lines)
    assert not any(line.startswith("'bonus'") for line in lines), lines


def test_the_benefit_limit_beside_flanders_is_scaled_to_the_flemish_pool():
    """A world of 1,000 job seekers once set its own count beside the 26,700 of Flanders unscaled."""
    scenario = Scenario().with_overrides({"world.pool_size": 1000, "months": 24, "policy.benefit_reform_month": 12})
    start = 12
    months = range(start - 3, start + 7)
    metrics = pd.DataFrame(
        {"month": list(months) * 2, "replication": [0] * 10 + [1] * 10, "date": [scenario.date(m) for m in months] * 2}
    )
    metrics["benefit_lost"] = [100.0 if start <= m < start + 4 else 0.0 for m in metrics["month"]]
    table = benefit_limit_table(metrics, scenario)
    rows = dict(zip(table["date"], table["lose unemployment benefit"]))
    assert rows["first 4 months (model)"] == "400" and rows["first 4 months, scaled to a pool of 100,000 (x 100)"] == "40,000"
    (reading,) = benefit_limit_reading(metrics, scenario)
    assert "In the first four months of the federal limit 400 people" in reading
    assert "in a pool of 1,000 job seekers (the baseline's Flemish pool is 100,000; scaled to it, 40,000)" in reading
    assert benefit_limit_reading(metrics, scenario.with_overrides({"policy.benefit_reform_month": NEVER})) == []
    assert "e+" not in table.to_string() and ".0 " not in rows["first 4 months (model)"]


def test_a_sweep_report_gives_each_design_points_headline_with_its_interval(small: Scenario, tmp_path: Path):
    """A sweep report once gave bare means: how sure a point's figure is was nowhere. Each cell is now the
    mean of sweep.csv with the 95% interval over the point's replications, and the varied parameter its unit."""
    folder = sweep(
        small.with_overrides({"months": 24}), ["policy.aftercare_months=0,12"], replications=3, jobs=1, out=tmp_path / "s"
    ).folder
    report = write_report(folder, "md").read_text()
    means = pd.read_csv(folder / "sweep.csv")
    runs = read_experiment(folder, ("indicators",))["indicators"]
    info = INDICATOR_INFO["transition_rate_annual"]
    for point, mean in zip(means["point"], means["transition_rate_annual"]):
        _, low, high = interval(runs.loc[runs["point"] == point, "transition_rate_annual"].to_numpy(), bounds=info.range())
        assert f"| {info.format(mean)} ({info.format(low)} to {info.format(high)}) |" in report
    assert "| policy.aftercare_months (months) |" in report and "(mean over replications, 95% interval;" in report


def test_a_calibration_report_says_yes_or_no(tmp_path: Path):
    """The shipped calibration's tables read "True"/"False"; the report says yes or no."""
    import shutil

    folder = shutil.copytree(Path(__file__).parents[1] / "calibration", tmp_path / "calibration")
    report = write_report(folder, "md").read_text(encoding="utf-8")
    assert not re.search(r"\| (True|False) \|", report) and "| yes |" in report


def test_a_branchs_closure_finding_counts_over_its_own_years_and_says_what_closed_before():
    """A branch from 2026 with 41% solvent once read "Most enterprises closed" beside closures of its own
    years only; the finding now says of how many (open at the branch date) and what closed before it."""
    from simulation.outputs.report import closure_findings

    scenario = Scenario.load(SCENARIOS / "from_2026" / "today.toml")
    first = scenario.month_of("2026-01")
    months = pd.Series(range(scenario.months + 1))
    closed = months.clip(upper=first - 1) + (months >= first + 12) * 6  # 1 a month to the branch, 6 a year after it
    metrics = pd.DataFrame(
        {
            "month": months,
            "replication": 0,
            "lde": 100.0,
            "enterprise_income": 100_000.0,  # a month, for 100 workers
            "enterprise_costs": 120_000.0,
            "enterprises_open": 200 - closed,
            "enterprises_closed": closed,
            "enterprises_entered": 0.0,
        }
    )
    summary = pd.DataFrame({"enterprise_solvent_share": [0.4], "enterprise_closures": [6.0]})
    line = closure_findings(metrics, summary, None, scenario)[0]
    open_at_branch = 200 - (first - 1)
    assert f"40% (enterprise_solvent_share) of the {open_at_branch:.1f} open at 2026-01 or entered since" in line, line
    assert "6.0 of them closed by 2036-12" in line
    assert f"Before that, from 2015-05, {first - 1} had closed, of the 200 of the start and 0.0 entered" in line
    assert "Over 2026-01 to 2036-12 the open enterprises took in EUR 1,000 a worker-month and spent EUR 1,200" in line
