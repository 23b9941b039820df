"""The tables of results in the README and docs/validation.md are the files the commands behind them wrote,
and those files were made by the model as it is: a change of the draws (a new golden file) or a new ensemble
makes them stale."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.calibration.targets import SERIES, series_value
from simulation.outputs import result_tables
from simulation.outputs.calibration_page import END, START, refresh
from simulation.outputs.result_tables import (
    GOLDEN,
    HISTORY_CHECKS,
    INPUTS,
    MADE_WITH,
    PAGES,
    RESULTS,
    TABLES,
    VALIDATION_TABLES,
    benefit_limit_months,
    enterprise_years,
    history_checks,
    main,
    make_results,
    refresh_pages,
    stale_inputs,
)
from simulation.rules.scenario import Scenario

from .conftest import ROOT

README = ROOT / "README.md"
VALIDATION = ROOT / "docs" / "validation.md"


def copy_root(tmp_path: Path) -> Path:
    """A copy of what the pages' tables and ``make results`` read: the pages, the scenarios, the
    calibration and results folders and the golden file."""
    for part in ("calibration", "results", "scenarios", "docs/figures"):
        shutil.copytree(ROOT / part, tmp_path / part)
    (tmp_path / GOLDEN).parent.mkdir(parents=True)
    shutil.copy(ROOT / GOLDEN, tmp_path / GOLDEN)
    for page in PAGES:
        (tmp_path / page).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / page, tmp_path / page)
    return tmp_path


def generated(page: str) -> dict[str, str]:
    """The page's generated tables, by name."""
    return {name: page.split(START.format(name=name), 1)[1].split(END, 1)[0] for name in TABLES}


@pytest.mark.parametrize("page", PAGES)
def test_the_pages_show_the_shipped_result_files(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    assert refresh(text, ROOT, PAGES[page]) == text, (
        f"{page}'s generated tables differ from calibration/, results/ and docs/figures/: run `make docs` "
        "(and read the words around them again: they quote the same figures)"
    )


def test_the_shipped_results_were_made_by_the_model_as_it_is():
    for folder in INPUTS:
        assert stale_inputs(ROOT, folder) == [], (
            f"{folder}/ was made before these files last changed: the model's exact results (a regenerated golden "
            f"file) or the ensemble the outlook runs. Run make calibration (if the draws changed), then make results "
            f"and make validation"
        )


def test_a_change_of_the_draws_or_of_the_ensemble_makes_the_results_stale(tmp_path):
    root = copy_root(tmp_path)
    (root / GOLDEN).write_text((root / GOLDEN).read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert stale_inputs(root, "calibration") == stale_inputs(root, "results") == stale_inputs(root, "docs/figures") == [GOLDEN]
    plausible = root / "calibration" / "plausible.csv"
    plausible.write_text(plausible.read_text(encoding="utf-8").replace("\n", "\r\n"), encoding="utf-8")
    assert stale_inputs(root, "results") == [GOLDEN, "calibration/plausible.csv"]
    (root / "calibration" / MADE_WITH).unlink()
    assert stale_inputs(root, "calibration") == [GOLDEN]  # no record: nothing is known to be current


def test_a_changed_result_file_changes_its_table_and_only_it(tmp_path):
    """The first check can fail: a changed mean and significance show in the default point's table alone."""
    root = copy_root(tmp_path)
    table = pd.read_csv(root / "results" / "default_point.csv")
    row = (table["scenario"] == "pre_reform") & (table["indicator"] == "enterprise_closures")
    table.loc[row, ["mean", "significant"]] = [17.2, True]
    table.to_csv(root / "results" / "default_point.csv", index=False)
    refresh_pages(root)
    before, after = generated(README.read_text(encoding="utf-8")), generated((root / "README.md").read_text(encoding="utf-8"))
    assert [name for name in TABLES if before[name] != after[name]] == ["default_point"]
    assert (root / "docs" / "validation.md").read_text(encoding="utf-8") == VALIDATION.read_text(encoding="utf-8")
    line = next(text for text in after["default_point"].splitlines() if text.startswith("| pre_reform |"))
    assert line.split(" | ")[7] == "17 *"  # closures: the eighth column, a whole count and its star


def test_the_ensemble_headline_weighs_the_plausible_runs_of_the_target(tmp_path):
    """The 2015-2018 row is the plausible runs' weighted mean and sd; an implausible run does not count."""
    root = copy_root(tmp_path)
    runs = pd.read_csv(root / "calibration" / "runs.csv")
    target = "LDE transition rate May 2015 - April 2018"
    plausible = runs["plausible"].astype(bool)
    runs.loc[plausible, target] = [0.05, 0.15] * (plausible.sum() // 2) + [0.10] * (plausible.sum() % 2)
    runs.loc[plausible, "weight"] = 1.0
    runs.loc[~plausible, target] = 0.9
    runs.to_csv(root / "calibration" / "runs.csv", index=False)
    row = TABLES["ensemble_headline"](root).splitlines()[2]
    assert row.removesuffix(" |").split(" | ")[1:] == ["10.0%", "5.0 points (with noise)", "-", "5.0% - 15.0% (range)"]


@pytest.mark.parametrize(("missing", "page"), [("outlook_2026.csv", "README.md"), ("history_checks.csv", "docs/validation.md")])
def test_a_missing_result_file_stops_make_docs_with_its_name_and_leaves_every_page(tmp_path, missing, page):
    root = copy_root(tmp_path)
    (root / "results" / missing).unlink()
    with pytest.raises(SystemExit, match=rf"{re.escape(page)}: .*{re.escape(missing)}"):
        refresh_pages(root)
    for name in PAGES:
        assert (root / name).read_text(encoding="utf-8") == (ROOT / name).read_text(encoding="utf-8")


def test_a_headline_answer_the_readme_cannot_show_yet_is_named(tmp_path):
    root = copy_root(tmp_path)
    headline = pd.read_csv(root / "calibration" / "headline.csv")
    headline.loc[0, "measure"] = "pool_income 2021-01 to 2026-12"
    headline.to_csv(root / "calibration" / "headline.csv", index=False)
    with pytest.raises(SystemExit, match="README.md: headline.csv answers with 'pool_income'.*add it to SERIES_FORMATS"):
        refresh_pages(root)


def shown_commands() -> list[list[str]]:
    """The ``lde-sim`` commands of the README's ``sh`` blocks, continuation lines joined, without ``lde-sim``."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    lines = "\n".join(blocks).replace("\\\n", " ").splitlines()
    return [shlex.split(line)[1:] for line in lines if line.startswith(".venv/bin/lde-sim ")]


def test_make_results_runs_the_commands_the_readme_shows():
    shown = shown_commands()
    for name, args in RESULTS.items():
        assert args in shown, f"results/{name}.csv is made by `lde-sim {shlex.join(args)}`, which the README does not show"


def test_a_failed_command_leaves_the_results_as_they_were_and_a_good_run_records_what_made_them(tmp_path, monkeypatch):
    root = copy_root(tmp_path)
    tiny = ["compare", "scenarios/small.toml", "--months", "2", "--replications", "1", "--jobs", "1"]
    monkeypatch.setattr(result_tables, "RESULTS", {"default_point": tiny, "outlook_2026": ["compare", "scenarios/missing.toml"]})
    monkeypatch.setattr(result_tables, "DERIVED", {"enterprise_years.csv": ("default_point", enterprise_years)})
    shipped = (root / "results" / "default_point.csv").read_bytes()
    with pytest.raises(SystemExit, match="lde-sim compare scenarios/missing.toml` failed; results/ is left as it was"):
        make_results(root)
    assert (root / "results" / "default_point.csv").read_bytes() == shipped
    monkeypatch.setattr(result_tables, "RESULTS", {"default_point": tiny})
    make_results(root)
    made = pd.read_csv(root / "results" / "default_point.csv")
    assert set(made["scenario"]) == {"small"} and made["replications"].max() == 1
    years = pd.read_csv(root / "results" / "enterprise_years.csv")  # small.toml's two months: one calendar year
    assert len(years) == 1 and years.loc[0, "replication"] == 0 and years.loc[0, "enterprises_open"] > 0
    made_with = json.loads((root / "results" / MADE_WITH).read_text(encoding="utf-8"))
    assert made_with["commands"] == {"default_point": ["lde-sim", *tiny]}
    assert stale_inputs(root, "results") == []


def test_the_command_records_a_folder_or_says_how_it_is_used(tmp_path, monkeypatch):
    root = copy_root(tmp_path)
    (root / GOLDEN).write_text("{}\n", encoding="utf-8")  # as after a change of the draws
    monkeypatch.chdir(root)
    assert stale_inputs(root, "calibration") == [GOLDEN]
    main(["record", "calibration"])
    assert stale_inputs(root, "calibration") == []
    assert stale_inputs(root, "results") == [GOLDEN]  # recorded apart: results/ was not made again
    with pytest.raises(SystemExit, match=r"usage: .*\[results \| record calibration\|results\|docs/figures\]"):
        main(["record", "docs"])


def test_an_option_reads_as_its_paired_difference_and_interval_and_the_reference_as_its_means(tmp_path):
    root = copy_root(tmp_path)
    table = pd.read_csv(root / "results" / "options_2026.csv")
    closures = table["indicator"] == "enterprise_closures"
    table.loc[closures & (table["scenario"] == "today"), "mean"] = 150.04
    row = closures & (table["scenario"] == "maatwerk_places")
    table.loc[row, ["diff", "diff_ci_low", "diff_ci_high"]] = [-3.25, -7.0, 0.5]
    table.to_csv(root / "results" / "options_2026.csv", index=False)
    lines = TABLES["options_2026"](root).splitlines()
    header = lines[0].split(" | ")
    column = header.index("closures")
    assert lines[2].split(" | ")[0] == "| today (means)" and lines[2].split(" | ")[column] == "150.0"
    shown = next(line for line in lines if line.startswith("| maatwerk_places |"))
    assert shown.split(" | ")[column] == "-3.2 (-7.0 to +0.5)"  # Python rounds half to even


def monthly_of(scenario: Scenario, replications: dict[int, dict[str, list[float]]]) -> pd.DataFrame:
    """An experiment's monthly table for one scenario: month 0 and then one row a month, by replication."""
    frames = []
    for replication, columns in replications.items():
        months = len(next(iter(columns.values())))
        frame = pd.DataFrame(columns | {"month": range(months), "replication": replication, "label": scenario.name})
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def test_the_enterprises_year_by_year_count_closures_once_and_weigh_the_margin_by_worker_months():
    """Two replications from May 2015 to December 2016: the closures of each year add up to the cumulative
    count, the stocks are December's, and the margin is the calibration's own measure of a calendar year."""
    scenario = Scenario.load(ROOT / "scenarios" / "history.toml")  # starts in April 2015; 20 of its months
    rng = np.random.default_rng(7)

    def replication(closed_by: list[int]) -> dict[str, list[float]]:
        months = 21
        return {
            "enterprises_closed": closed_by,
            "enterprises_open": [200.0 - c for c in closed_by],
            "enterprises_converted": list(np.minimum(np.arange(months) // 6, 3).astype(float)),
            "lde": list(rng.integers(2_000, 3_000, months).astype(float)),
            "enterprise_income": list(rng.uniform(1e6, 2e6, months)),
            "enterprise_costs": list(rng.uniform(1e6, 2e6, months)),
        }

    closed = {0: [0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 5, 5, 5, 5, 6], 1: [0] * 20 + [2]}
    monthly = monthly_of(scenario, {r: replication([float(c) for c in by]) for r, by in closed.items()})
    years = enterprise_years(monthly, scenario).set_index(["replication", "year"])
    assert list(years.index) == [(0, 2015), (0, 2016), (1, 2015), (1, 2016)]
    assert years["closed_in_year"].tolist() == [2.0, 4.0, 0.0, 2.0]  # by December 2015 (month 8) 2; 6 in all
    december = monthly.set_index(["replication", "month"])
    for (r, year), row in years.iterrows():
        last = december.loc[(r, scenario.month_of(f"{year}-12"))]
        assert row["enterprises_open"] == last["enterprises_open"] and row["lde_workers"] == last["lde"]
        assert row["enterprises_converted"] == last["enterprises_converted"]
        first = "2015-05" if year == 2015 else f"{year}-01"  # month 0 (April 2015) is the starting state
        margin = series_value(SERIES["enterprise_margin"], scenario, monthly, (first, f"{year}-12"))
        assert row["margin_per_worker_month"] == pytest.approx(margin[r], rel=1e-12)


def test_the_enterprises_table_shows_each_years_mean_and_the_range_of_its_closures(tmp_path):
    root = copy_root(tmp_path)
    years = pd.DataFrame(
        {
            "replication": [0, 1, 0, 1],
            "year": [2018, 2018, 2030, 2030],  # 2018 is before the table's first year
            "enterprises_open": [210.0, 212.0, 90.0, 85.0],
            "closed_in_year": [0.0, 0.0, 20.0, 31.0],
            "enterprises_converted": [0.0, 0.0, 40.0, 44.0],
            "lde_workers": [2_700.0, 2_800.0, 950.0, 940.0],
            "margin_per_worker_month": [120.0, 130.0, -700.0, -650.0],
        }
    )
    years.to_csv(root / "results" / "enterprise_years.csv", index=False)
    lines = TABLES["enterprise_years"](root).splitlines()
    assert lines[2:] == ["| 2030 | 88 | 25.5 (20 - 31) | 42 | 945 | -675 |"]


def test_the_historys_routes_and_leavers_show_each_share_with_its_interval(tmp_path):
    root = copy_root(tmp_path)
    indicators = [name for name, _ in result_tables.ROUTES] + [
        f"leaver_state_{h}m_{state}" for h in result_tables.HORIZONS for state, _ in result_tables.STATES
    ]
    shares = np.linspace(0.01, 0.5, len(indicators))
    history = pd.DataFrame({"scenario": "history", "indicator": indicators, "mean": shares})
    history["ci_low"], history["ci_high"] = shares - 0.01, shares + 0.02
    history.to_csv(root / "results" / "history.csv", index=False)
    routes = TABLES["history_routes"](root).splitlines()
    assert routes[2] == "| joined the doorstroom trajectory's waiting list | 1.0% (0.0% - 3.0%) |"
    leavers = TABLES["history_leavers"](root).splitlines()
    assert leavers[0] == "| LDE leavers, 2015-2026, in | 6 months later | 12 months later | 24 months later |"
    at = {name: i for i, name in enumerate(indicators)}
    row = next(line for line in leavers if line.startswith("| social assistance (leefloon) |")).split(" | ")
    for cell, h in zip(row[1:], result_tables.HORIZONS, strict=True):
        share = shares[at[f"leaver_state_{h}m_social_assistance"]]
        assert cell.removesuffix(" |") == f"{share * 100:.1f}% ({(share - 0.01) * 100:.1f}% - {(share + 0.02) * 100:.1f}%)"


def test_the_months_of_the_benefit_limit_are_the_shown_calendar_months_of_each_replication(tmp_path):
    scenario = Scenario.load(ROOT / "scenarios" / "history.toml")  # April 2015 to December 2026
    months = scenario.months + 1
    columns = {
        "benefit_lost": [float(m) for m in range(months)],  # each month's figure is its own month number
        "flow_unemployed_to_nec": [1.0] * months,
        "unemployed": [2.0] * months,
        "social_assistance": [3.0] * months,
    }
    monthly = monthly_of(scenario, {0: columns, 1: {**columns, "benefit_lost": [2.0 * m for m in range(months)]}})
    table = benefit_limit_months(monthly, scenario)
    first, last = (scenario.month_of(date) for date in result_tables.BENEFIT_LIMIT_MONTHS)
    assert table["date"].tolist() == [scenario.date(m) for m in range(first, last + 1)] * 2
    assert table["date"].iloc[0] == "2025-10" and table["date"].iloc[-1] == "2026-06"
    assert table.loc[table["replication"] == 1, "benefit_lost"].tolist() == [2.0 * m for m in range(first, last + 1)]
    root = copy_root(tmp_path)
    table.to_csv(root / "results" / "benefit_limit.csv", index=False)
    january = next(line for line in TABLES["benefit_limit"](root).splitlines() if line.startswith("| 2026-01 |"))
    m = scenario.month_of("2026-01")
    assert january == f"| 2026-01 | {1.5 * m:,.0f} ({m} - {2 * m}) | 1 | 2 | 3 |"


def test_the_historys_checks_read_each_replications_calendar_months():
    """Two replications of the history whose workers and enterprises are known functions of the month: each
    check is the calendar months it names (yearly means, December's stock, a month's change, a sum)."""
    scenario = Scenario.load(ROOT / "scenarios" / "history.toml")  # April 2015 (month 0) to December 2026
    months = np.arange(scenario.months + 1, dtype=float)
    columns = {"lde": 1_000 + 3 * months, "enterprises_open": 200 + months, "benefit_lost": months}
    monthly = monthly_of(scenario, {0: columns, 1: {**columns, "lde": 2 * columns["lde"]}})
    checks = history_checks(monthly, scenario).set_index(["replication", "check"])["value"]
    assert checks.index.get_level_values("check").unique().tolist() == [check for check, _, _ in HISTORY_CHECKS]
    of = scenario.month_of
    for replication, scale in ((0, 1), (1, 2)):
        value = checks.loc[replication]
        yearly = {year: scale * (1_000 + 1.5 * (of(f"{year}-01") + of(f"{year}-12"))) for year in (2019, 2020)}  # a line's mean
        assert value["LDE workers, mean of 2020"] == pytest.approx(yearly[2020], rel=1e-12)
        assert value["change in LDE workers, 2019 to 2020 (yearly means)"] == pytest.approx(
            yearly[2020] / yearly[2019] - 1, rel=1e-12
        )
        assert value["enterprises open, December 2019"] == 200 + of("2019-12")
        assert value["change in LDE workers, March to April 2021"] == 3 * scale
        assert value["change in LDE workers, March 2021 to March 2022"] == 36 * scale
        endings = sum(range(of("2026-01"), of("2026-04") + 1))
        assert value["unemployment benefits that ran out, January-April 2026"] == endings


def test_the_validation_pages_tables_show_the_checks_mean_and_range_and_the_calibrations_verdicts(tmp_path):
    root = copy_root(tmp_path)
    checks = pd.DataFrame(
        {
            "replication": [0, 1] * len(HISTORY_CHECKS),
            "check": [check for check, _, _ in HISTORY_CHECKS for _ in (0, 1)],
            "value": [-500.0, -610.0] * len(HISTORY_CHECKS),
        }
    )
    checks.to_csv(root / "results" / "history_checks.csv", index=False)
    table = VALIDATION_TABLES["history_checks"](root).splitlines()
    assert len(table) == 2 + len(HISTORY_CHECKS)
    assert "| change in LDE workers, March to April 2021 | -555 (-610 to -500) |" in table
    assert "| enterprises open, December 2018 | -555 (-610 to -500) |" in table
    checks_file = root / "calibration" / "out_of_sample.csv"
    shipped = pd.read_csv(checks_file)
    shipped.loc[0, ["ensemble_mean", "ensemble_q05", "ensemble_q95", "z", "verdict"]] = [0.25, -0.5, 1.5, -3.14, "missed"]
    shipped.to_csv(checks_file, index=False)
    rows = VALIDATION_TABLES["out_of_sample"](root).splitlines()
    assert len(rows) == 2 + len(shipped)
    assert rows[2].endswith("| 0.250 (-0.500 - 1.50) | missed (z -3.1) |")


def test_the_2018_options_across_the_ensemble_show_each_effect_in_its_unit_with_the_sets_range(tmp_path):
    root = copy_root(tmp_path)
    headline = pd.read_csv(root / "calibration" / "option_headline.csv")
    row = (headline["option"] == "sector covenants from 2018") & headline["what"].str.startswith("dumping_share ")
    headline.loc[row, ["effect_mean", "q05", "q95", "positive_share"]] = [-0.0526, -0.08, 0.004, 0.125]
    headline.to_csv(root / "calibration" / "option_headline.csv", index=False)
    lines = TABLES["ensemble_options_2018"](root).splitlines()
    options_2018 = [o for o in dict.fromkeys(headline["option"]) if o.endswith(" from 2018")]  # not the 2026 options
    assert [line.split(" | ")[0].removeprefix("| ") for line in lines[2:]] == options_2018
    column = lines[0].split(" | ").index("dumping share 2019-2026")
    covenants = next(line for line in lines if line.startswith("| sector covenants from 2018 |"))
    assert covenants.split(" | ")[column] == "-5.3 points (-8.0 to +0.4; above 0 in 12%)"  # shares in points


def test_the_default_points_differences_are_each_scenarios_paired_difference_from_the_baseline(tmp_path):
    root = copy_root(tmp_path)
    table = pd.read_csv(root / "results" / "default_point.csv")
    row = (table["scenario"] == "pre_reform") & (table["indicator"] == "dumping_count")
    table.loc[row, ["diff", "diff_ci_low", "diff_ci_high"]] = [-187.4, -191.2, -0.3]
    table.to_csv(root / "results" / "default_point.csv", index=False)
    lines = TABLES["default_point_differences"](root).splitlines()
    assert lines[2].startswith("| baseline (means) |")
    assert [line.split(" | ")[0].removeprefix("| ") for line in lines[3:]] == [
        Path(name).stem for name in result_tables.DEFAULT_POINT_SCENARIOS[1:]
    ]
    column = lines[0].split(" | ").index("fallen back / year")
    pre_reform = next(line for line in lines if line.startswith("| pre_reform |"))
    assert pre_reform.split(" | ")[column] == "-187 (-191 to -0)"  # an interval just below 0 keeps its sign


def test_the_outlook_shows_the_median_set_and_the_options_paired_difference_shares_in_points(tmp_path):
    root = copy_root(tmp_path)
    table = pd.read_csv(root / "results" / "outlook_2026.csv")
    today, bonus = table["scenario"] == "today", table["scenario"] == "outcome_bonus"
    closures, dumping = table["indicator"] == "enterprise_closures", table["indicator"] == "dumping_share"
    table.loc[today & closures, "median"] = 97.4
    table.loc[bonus & closures, ["diff", "diff_ci_low", "diff_ci_high"]] = [-2.04, -5.0, 0.96]
    table.loc[bonus & dumping, ["diff", "diff_ci_low", "diff_ci_high"]] = [-0.0123, -0.02, -0.0046]
    table.to_csv(root / "results" / "outlook_2026.csv", index=False)
    lines = TABLES["outlook_2026"](root).splitlines()
    assert lines[0].endswith("| median set | outcome_bonus less today (95% interval; shares in points) |")
    rows = {line.split(" | ")[0].removeprefix("| "): line.removesuffix(" |").split(" | ")[1:] for line in lines[2:]}
    assert rows["enterprises closed in these years (of about 220 open at the start of 2026)"][3:] == ["97", "-2.0 (-5.0 to +1.0)"]
    assert rows["the same as a share of all LDE leavers (dumping share)"][4] == "-1.2 (-2.0 to -0.5)"


def test_the_stylised_facts_read_each_kind_of_figure_in_its_unit(tmp_path):
    root = copy_root(tmp_path)
    facts = pd.DataFrame(
        {
            "fact": ["a share a month", "a ratio", "a correlation"],
            "value": [0.004567, 3.8649, -0.3884],
            "kind": ["share", "ratio", "correlation"],
        }
    )
    facts.to_csv(root / "docs" / "figures" / "facts.csv", index=False)
    assert VALIDATION_TABLES["stylised_facts"](root).splitlines()[2:] == [
        "| a share a month | 0.46% |",
        "| a ratio | 3.86 |",
        "| a correlation | -0.39 |",
    ]
