"""The README's tables of results are the files the commands behind them wrote, and those files were
made by the model as it is: a change of the draws (a new golden file) or a new ensemble makes them stale."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pytest

from simulation.outputs import readme_tables
from simulation.outputs.calibration_page import END, START, refresh
from simulation.outputs.readme_tables import (
    GOLDEN,
    INPUTS,
    MADE_WITH,
    RESULTS,
    TABLES,
    main,
    make_results,
    refresh_readme,
    stale_inputs,
)

from .conftest import ROOT

README = ROOT / "README.md"


def copy_root(tmp_path: Path) -> Path:
    """A copy of what the README's tables and ``make results`` read: the README, the scenarios, the
    calibration and results folders and the golden file."""
    for part in ("calibration", "results", "scenarios"):
        shutil.copytree(ROOT / part, tmp_path / part)
    (tmp_path / GOLDEN).parent.mkdir(parents=True)
    shutil.copy(ROOT / GOLDEN, tmp_path / GOLDEN)
    shutil.copy(README, tmp_path / "README.md")
    return tmp_path


def generated(page: str) -> dict[str, str]:
    """The page's generated tables, by name."""
    return {name: page.split(START.format(name=name), 1)[1].split(END, 1)[0] for name in TABLES}


def test_the_readme_shows_the_shipped_result_files():
    readme = README.read_text(encoding="utf-8")
    assert refresh(readme, ROOT, TABLES) == readme, (
        "the README's generated tables differ from calibration/ and results/: run `make docs` "
        "(and read the words around them again: they quote the same figures)"
    )


def test_the_shipped_results_were_made_by_the_model_as_it_is():
    for folder in INPUTS:
        assert stale_inputs(ROOT, folder) == [], (
            f"{folder}/ was made before these files last changed: the model's exact results (a regenerated golden "
            f"file) or the ensemble the outlook runs. Run make calibration (if the draws changed), then make results"
        )


def test_a_change_of_the_draws_or_of_the_ensemble_makes_the_results_stale(tmp_path):
    root = copy_root(tmp_path)
    (root / GOLDEN).write_text((root / GOLDEN).read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert stale_inputs(root, "calibration") == stale_inputs(root, "results") == [GOLDEN]
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
    refresh_readme(root)
    before, after = generated(README.read_text(encoding="utf-8")), generated((root / "README.md").read_text(encoding="utf-8"))
    assert [name for name in TABLES if before[name] != after[name]] == ["default_point"]
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


def test_a_missing_result_file_stops_make_docs_with_its_name_and_leaves_the_readme(tmp_path):
    root = copy_root(tmp_path)
    (root / "results" / "outlook_2026.csv").unlink()
    with pytest.raises(SystemExit, match=r"README\.md: .*outlook_2026\.csv"):
        refresh_readme(root)
    assert (root / "README.md").read_text(encoding="utf-8") == README.read_text(encoding="utf-8")


def test_a_headline_answer_the_readme_cannot_show_yet_is_named(tmp_path):
    root = copy_root(tmp_path)
    headline = pd.read_csv(root / "calibration" / "headline.csv")
    headline.loc[0, "measure"] = "pool_income 2021-01 to 2026-12"
    headline.to_csv(root / "calibration" / "headline.csv", index=False)
    with pytest.raises(SystemExit, match="README.md: headline.csv answers with 'pool_income'.*add it to SERIES_FORMATS"):
        refresh_readme(root)


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
    monkeypatch.setattr(readme_tables, "RESULTS", {"default_point": tiny, "outlook_2026": ["compare", "scenarios/missing.toml"]})
    shipped = (root / "results" / "default_point.csv").read_bytes()
    with pytest.raises(SystemExit, match="lde-sim compare scenarios/missing.toml` failed; results/ is left as it was"):
        make_results(root)
    assert (root / "results" / "default_point.csv").read_bytes() == shipped
    monkeypatch.setattr(readme_tables, "RESULTS", {"default_point": tiny})
    make_results(root)
    made = pd.read_csv(root / "results" / "default_point.csv")
    assert set(made["scenario"]) == {"small"} and made["replications"].max() == 1
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
    with pytest.raises(SystemExit, match=r"usage: .*\[results \| record calibration\|results\]"):
        main(["record", "docs"])
