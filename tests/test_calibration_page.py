"""The result tables of docs/calibration.md are the calibration's files, not copies typed by hand."""

from __future__ import annotations

import math
import shutil

import pandas as pd
import pytest

from simulation.outputs.calibration_page import END, START, TABLES, PageError, figure, main, refresh

from .conftest import ROOT

PAGE = ROOT / "docs" / "calibration.md"
SHIPPED = ROOT / "calibration"


def test_the_calibration_page_shows_the_shipped_calibration_files():
    page = PAGE.read_text(encoding="utf-8")
    assert refresh(page, SHIPPED) == page, (
        "docs/calibration.md's generated tables differ from calibration/*.csv: run `make docs` "
        "(and read the prose around them again: it quotes the same figures)"
    )


def test_a_changed_calibration_file_changes_its_table_and_only_it(tmp_path):
    """The check above can fail: a new plausible mean of one parameter shows in the parameters' table
    (and the missing observations' table, which quotes the sd ratio, is untouched)."""
    folder = tmp_path / "calibration"
    shutil.copytree(SHIPPED, folder)
    parameters = pd.read_csv(folder / "parameters.csv")
    row = parameters.index[parameters["parameter"] == "enterprises.sine_allowance_month"][0]
    parameters.loc[row, "mean"] = 777.0
    parameters.to_csv(folder / "parameters.csv", index=False)
    page = PAGE.read_text(encoding="utf-8")
    before, after = generated(page), generated(refresh(page, folder))
    assert [name for name in TABLES if before[name] != after[name]] == ["parameters"]
    line = next(text for text in after["parameters"].splitlines() if "`enterprises.sine_allowance_month`" in text)
    assert "| 777 (326 - 573) |" in line


def generated(page: str) -> dict[str, str]:
    """The page's generated tables, by name."""
    return {name: page.split(START.format(name=name), 1)[1].split(END, 1)[0] for name in TABLES}


def test_every_generated_table_has_its_place_and_no_marker_is_unknown():
    page = PAGE.read_text(encoding="utf-8")
    assert all(START.format(name=name) in page for name in TABLES)
    with pytest.raises(PageError, match=r"no marked place for the tables \['fit'\]"):
        refresh(page.replace(START.format(name="fit"), ""), SHIPPED)
    with pytest.raises(PageError, match=r"marks tables \['fits'\] that no generator makes"):
        refresh(page + f"\n{START.format(name='fits')}\n| x |\n{END}\n", SHIPPED)


@pytest.mark.parametrize(
    ("value", "small", "text"),
    [
        (10_000_000.0, 3, "10.00 M"),
        (-1_500_000.0, 3, "-1.50 M"),
        (6675.0, 3, "6,675"),
        (100.0, 3, "100"),
        (99.994, 3, "99.99"),
        (1.0, 3, "1.00"),
        (0.025, 3, "0.025"),
        (0.00146, 4, "0.0015"),
        (-0.03, 3, "-0.030"),
        (0.0, 3, "0.000"),
        (math.nan, 3, "-"),
    ],
)
def test_a_figure_reads_in_the_decimals_its_size_needs(value, small, text):
    assert figure(value, small) == text


def test_a_bar_in_a_cell_stays_inside_its_cell(tmp_path):
    folder = tmp_path / "calibration"
    shutil.copytree(SHIPPED, folder)
    answers = pd.read_csv(folder / "value_of_information.csv")
    answers.loc[0, "how"] = "count them | then publish"
    answers.to_csv(folder / "value_of_information.csv", index=False)
    row = TABLES["value_of_information"](folder).splitlines()[2]
    assert row.endswith("| count them \\| then publish |")
    assert row.replace("\\|", "").count("|") == 6  # five cells


def test_every_option_and_measure_has_its_row_in_the_table_of_its_branch_year():
    headline = pd.read_csv(SHIPPED / "option_headline.csv")
    shown = sum(len(TABLES[f"options_from_{since}"](SHIPPED).splitlines()) - 2 for since in (2026, 2018))
    assert shown == len(headline), "an option of another branch year has no table in docs/calibration.md"
    for since in (2026, 2018):
        rows = TABLES[f"options_from_{since}"](SHIPPED).splitlines()[2:]
        expected = headline[headline["option"].str.endswith(f" from {since}")]
        assert len(rows) == len(expected) > 0
        for row, (option, measure) in zip(rows, expected[["option", "measure"]].itertuples(index=False)):
            assert row.startswith(f"| {option.removesuffix(f' from {since}')}: {measure} |")


def test_an_option_effect_reads_in_points_for_rates_and_shares_and_as_a_count_otherwise(tmp_path):
    folder = tmp_path / "calibration"
    shutil.copytree(SHIPPED, folder)
    headline = pd.read_csv(folder / "option_headline.csv")
    rate, closures = (headline.index[headline["what"].str.startswith(series)][0] for series in ("transition_rate", "enterprise_"))
    headline.loc[rate, ["effect_mean", "q05", "q95"]] = [0.0123, -0.0004, 0.031]
    headline.loc[closures, ["effect_mean", "q05", "q95"]] = [-0.004, -3.0, 2.5]
    headline.to_csv(folder / "option_headline.csv", index=False)
    table = TABLES["options_from_2026"](folder) + TABLES["options_from_2018"](folder)
    assert "| +1.2 points a year | 0.0 to +3.1 |" in table  # x 100, in the decimals of the mean (one from one point)
    assert "| 0.0 | -3.0 to +2.5 |" in table  # a count below ten: one decimal; zero has no sign


def test_a_missing_calibration_file_stops_make_docs_with_its_name_and_leaves_the_page(tmp_path):
    folder = tmp_path / "calibration"
    shutil.copytree(SHIPPED, folder)
    (folder / "fit.csv").unlink()
    page = tmp_path / "calibration.md"
    shutil.copy(PAGE, page)
    with pytest.raises(SystemExit, match=r"calibration\.md: .*fit\.csv"):
        main([str(page), str(folder)])
    assert page.read_text(encoding="utf-8") == PAGE.read_text(encoding="utf-8")


def test_a_calibration_file_without_a_column_a_table_needs_stops_make_docs_clearly(tmp_path):
    folder = tmp_path / "calibration"
    shutil.copytree(SHIPPED, folder)
    pd.read_csv(folder / "fit.csv").drop(columns="closest_sd").to_csv(folder / "fit.csv", index=False)
    page = tmp_path / "calibration.md"
    shutil.copy(PAGE, page)
    with pytest.raises(SystemExit, match="lack what a table needs .*closest_sd.*: run make calibration again"):
        main([str(page), str(folder)])
    assert page.read_text(encoding="utf-8") == PAGE.read_text(encoding="utf-8")


def test_an_answer_with_nothing_to_measure_next_reads_a_dash(tmp_path):
    folder = tmp_path / "calibration"
    shutil.copytree(SHIPPED, folder)
    answers = pd.read_csv(folder / "value_of_information.csv")
    answers.loc[0, ["would_remove", "how"]] = None
    answers.to_csv(folder / "value_of_information.csv", index=False)
    assert TABLES["value_of_information"](folder).splitlines()[2].endswith("| - | - |")
