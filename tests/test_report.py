"""Reports: self-contained HTML (or Markdown) with the indicators, the figures and provenance."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from simulation import Scenario
from simulation.cli import main
from simulation.experiments.experiment import compare
from simulation.outputs.report import ReportError, findings, in_words, write_report
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
    assert "net budget effect against the reference" in summary and "gross LDE spending against the reference" in summary
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


def test_findings_give_a_difference_in_the_yearly_rate_per_100_worker_years_like_points_of_a_share():
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
    assert "Most enterprises closed" in findings and "a worker-month" in findings
    assert "What they tried" in findings and "closed" in findings


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
