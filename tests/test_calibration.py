"""Calibration: a fit that recovers a known parameter, its outputs, resuming, bad files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from simulation import Scenario, run
from simulation.calibration import calibrate
from simulation.scenario import ScenarioError

from .conftest import SCENARIOS

TARGETS = """
scenario = "{scenario}"
samples = 8
replications = 2
seed = 3

[overrides]
months = 48
"world.pool_size" = 2000
"world.lde_workers" = 150
"world.enterprises" = 12
"world.maatwerk_workers" = 0
"policy.referral_rule" = "fixed"
"employers.employers_per_sector" = 2
"policy.referral_capacity" = 6

[[target]]
name = "transition rate"
indicator = "transition_rate_annual"
value = {value}
uncertainty = 0.01
source = "made by this test from a known parameter"

[[parameter]]
key = "people.search_rate_lde"
low = 0.005
high = 0.05
"""


def test_calibration_recovers_a_known_parameter_and_writes_its_outputs(tmp_path: Path):
    truth = 0.03
    world = Scenario.load(SCENARIOS / "pre_reform.toml").with_overrides(
        {
            "months": 48,
            "world.pool_size": 2000,
            "world.lde_workers": 150,
            "world.enterprises": 12,
            "world.maatwerk_workers": 0,  # the world this test was written for, before maatwerk existed
            "policy.referral_rule": "fixed",  # ... and before the referral queue was managed
            "employers.employers_per_sector": 2,
            "policy.referral_capacity": 6,
            "people.search_rate_lde": truth,
        }
    )
    observed = run(world, seed=99, replications=4).summary["transition_rate_annual"].mean()
    targets = tmp_path / "targets.toml"
    targets.write_text(TARGETS.format(scenario=SCENARIOS / "pre_reform.toml", value=observed))

    result = calibrate(targets, jobs=1, out=tmp_path / "cal")
    table = result.table
    assert result.extra["fit"].equals(pd.read_csv(tmp_path / "cal" / "fit.csv"))
    row = table.set_index("parameter").loc["people.search_rate_lde"]
    assert row["plausible_low"] <= truth <= row["plausible_high"]
    assert abs(row["fitted"] - truth) < 0.015  # within the spacing of 8 candidates over [0.005, 0.05]
    folder = tmp_path / "cal"
    fit = pd.read_csv(folder / "fit.csv")
    assert abs(fit["z"].iloc[0]) < 3
    plausible = pd.read_csv(folder / "plausible.csv")  # the ensemble, also beside the targets file
    assert plausible.equals(pd.read_csv(targets.parent / "plausible.csv")) and plausible["weight"].sum() == pytest.approx(1)
    assert plausible["people.search_rate_lde"].between(row["plausible_low"], row["plausible_high"]).all()
    assert (folder / "calibration.png").read_bytes()[:4] == b"\x89PNG"
    extends = tomllib.loads((folder / "calibrated.toml").read_text())["extends"]
    assert not Path(extends).is_absolute()  # portable: relative to the calibration folder
    calibrated = Scenario.load(folder / "calibrated.toml")
    assert calibrated.people.search_rate_lde == pytest.approx(row["fitted"])
    assert calibrated.months == 180  # extends the scenario itself, not the speed-ups
    assert calibrated.policy.max_lde_months == "unlimited"

    again = calibrate(targets, jobs=1, out=folder)  # resumes: nothing left to run, same answer
    pd.testing.assert_frame_equal(again.table, table)


def test_a_bad_targets_file_is_a_clear_error(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        TARGETS.format(scenario=SCENARIOS / "pre_reform.toml", value=0.1).replace("transition_rate_annual", "happiness")
    )
    with pytest.raises(ScenarioError, match="unknown indicator 'happiness'"):
        calibrate(bad, out=tmp_path / "never")
    with pytest.raises(ScenarioError, match="targets file not found"):
        calibrate(tmp_path / "absent.toml")


def test_calibrate_from_the_command_line_extends_the_named_scenario(tmp_path: Path):
    import subprocess
    import sys

    targets = tmp_path / "targets.toml"
    text = TARGETS.format(scenario=SCENARIOS / "pre_reform.toml", value=0.1).replace("samples = 8", "samples = 3")
    targets.write_text(text.replace("seed = 3", f'seed = 3\ncalibrated_extends = "{SCENARIOS / "baseline.toml"}"'))
    done = subprocess.run(
        [sys.executable, "-m", "simulation", "calibrate", str(targets), "--jobs", "1", "--out", str(tmp_path / "cal")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "people.search_rate_lde" in done.stdout and "transition rate" in done.stdout
    calibrated = Scenario.load(tmp_path / "cal" / "calibrated.toml")
    assert calibrated.policy.max_lde_months == 60  # the baseline rules, with the fitted behaviour


def test_an_override_in_a_targets_file_is_blamed_on_the_targets_file(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    text = TARGETS.format(scenario=SCENARIOS / "pre_reform.toml", value=0.1)
    bad.write_text(text.replace('"policy.referral_capacity" = 6', '"policy.referral_capacity" = -6'))
    with pytest.raises(ScenarioError, match=r"bad.toml: overrides: policy.referral_capacity = -6"):
        calibrate(bad, out=tmp_path / "never")
    target = tmp_path / "target.toml"
    target.write_text(text.replace('source = "made', 'overrides = { "policy.aftercare_months" = -1 }\nsource = "made'))
    with pytest.raises(ScenarioError, match=r"target.toml: target 'transition rate': overrides: policy.aftercare_months = -1"):
        calibrate(target, out=tmp_path / "never")
