"""Calibration: history matching recovers a known parameter; the emulator, the measures, the
weights; outputs, resuming, bad files."""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import Scenario, run
from simulation.calibration.history_matching import calibrate
from simulation.rules.scenario import ScenarioError

from .conftest import SCENARIOS, load_benchmark


def targets_text(scenario: Path = SCENARIOS / "pre_reform.toml", value: float = 0.1) -> str:
    """The targets file of these tests: a 48-month world from May 2015 (the scenario's start)."""
    return TARGETS.format(
        scenario=scenario, value=value, first_month="2015-05", first_year="2016-04", last_year="2018-05", last_month="2019-04"
    )


TARGETS = """
scenario = "{scenario}"
samples = 8
waves = 2
screen = 500
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
reason = "the range this test searches"

[[answer]]
name = "transitions in the last year"
series = "transition_rate"
window = ["{last_year}", "{last_month}"]
meaning = "made by this test"

[[observable]]
name = "transitions in the first year"
series = "transition_rate"
window = ["{first_month}", "{first_year}"]
how = "made by this test"
"""


def option_text(scenario: str | Path, base: str | Path, first: str = "2018-05") -> str:
    """A policy option for the targets file of these tests: ``scenario`` against ``base``, measured on
    the transition rate from ``first`` to April 2019."""
    return f"""
[[option]]
name = "guidance"
scenario = "{scenario}"
base = "{base}"

[[option_measure]]
name = "transitions in the last year"
series = "transition_rate"
window = ["{first}", "2019-04"]
meaning = "made by this test"
"""


def naming_measures(measures: str) -> str:
    """The option of :func:`option_text` (files not loaded) that names its ``measures`` (a TOML list)."""
    return option_text("x.toml", "x.toml").replace('base = "x.toml"', f'base = "x.toml"\nmeasures = {measures}')


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
    (tmp_path / "guidance.toml").write_text(
        f'extends = "{SCENARIOS / "pre_reform.toml"}"\n[policy]\ncoaching_ratio = 8.0\ntraining_effort = 0.15\n'
    )
    # more guidance and training against the base, ten plausible sets
    with_option = targets_text(value=observed).replace("seed = 3", "seed = 3\noption_sets = 10")
    with_option += option_text("guidance.toml", SCENARIOS / "pre_reform.toml")
    with_option += f"""
[[option]]
name = "guidance, workforce only"
scenario = "guidance.toml"
base = "{SCENARIOS / "pre_reform.toml"}"
measures = ["LDE workforce at the end"]

[[option_measure]]
name = "LDE workforce at the end"
series = "lde_workforce"
window = ["2019-04", "2019-04"]
meaning = "made by this test"
"""
    targets.write_text(with_option)

    result = calibrate(targets, jobs=1, out=tmp_path / "cal")
    table = result.table
    folder = tmp_path / "cal"
    written = pd.read_csv(folder / "fit.csv", keep_default_na=False)  # an undated target has an empty window
    pd.testing.assert_frame_equal(result.extra["fit"], written, check_dtype=False)
    row = table.set_index("parameter").loc["people.search_rate_lde"]
    runs = pd.read_csv(folder / "runs.csv")
    inside = runs.loc[runs["plausible"], "people.search_rate_lde"]
    assert inside.min() <= truth <= inside.max()  # the truth is not ruled out
    assert row["identified"] and row["sd_ratio"] < 0.5  # the transition rate pins the search rate down
    assert abs(row["fitted"] - truth) < 0.01
    waves = pd.read_csv(folder / "waves.csv")
    assert list(waves["runs"]) == [8, 8] and waves["not_ruled_out_share"].iloc[1] < 0.8  # wave 2 searches where it matters
    assert runs.loc[runs["wave"] == 2, "plausible"].mean() > runs.loc[runs["wave"] == 1, "plausible"].mean()
    assert runs["weight"].sum() == pytest.approx(1) and (runs.loc[~runs["plausible"], "weight"] == 0).all()
    assert abs(pd.read_csv(folder / "fit.csv")["z"].iloc[0]) < 3
    plausible = pd.read_csv(folder / "plausible.csv")  # the ensemble
    assert plausible["weight"].sum() == pytest.approx(1)
    # with a folder given, nothing is written beside the targets file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cal", "guidance.toml", "targets.toml"] and not result.extra["beside"]
    assert plausible["people.search_rate_lde"].between(inside.min(), inside.max()).all()
    assert (folder / "diagnostics.png").read_bytes()[:4] == b"\x89PNG"
    extends = tomllib.loads((folder / "calibrated.toml").read_text())["extends"]
    assert not Path(extends).is_absolute()  # portable: relative to the calibration folder
    calibrated = Scenario.load(folder / "calibrated.toml")
    assert calibrated.people.search_rate_lde == pytest.approx(row["fitted"])
    assert calibrated.months == 180  # extends the scenario itself, not the speed-ups
    assert calibrated.policy.max_lde_months == "unlimited"

    from simulation.outputs.report import write_report

    report = write_report(folder, "md").read_text(encoding="utf-8")
    assert "Identified by the targets (plausible sd at most half the prior's): people.search_rate_lde;" in report
    assert "What to measure next" in report and "transitions in the last year" in report
    headline = pd.read_csv(folder / "headline.csv").iloc[0]
    assert headline["param_sd"] > 0 and headline["stoch_sd"] > 0 and headline["q05"] <= headline["mean"] <= headline["q95"]
    assert (folder / "value_of_information.csv").exists() and (folder / "discrimination.csv").exists()
    provenance = json.loads((folder / "calibration.json").read_text())
    assert provenance["targets"] == str(targets) and provenance["seed"] == 3 and provenance["status"] == "complete"
    assert provenance["targets_sha256"] == hashlib.sha256(targets.read_bytes()).hexdigest()
    assert {"lde-doorstroom", "mesa", "numpy", "scikit-learn"} <= provenance["versions"].keys()
    assert f"| targets_sha256 | {provenance['targets_sha256']} |" in report and "| seed | 3 |" in report

    measured = pd.read_csv(folder / "option_headline.csv").set_index(["option", "measure"])
    # an option without measures is measured on all of them, one that names its measures on those only
    assert list(measured.index) == [
        ("guidance", "transitions in the last year"),
        ("guidance", "LDE workforce at the end"),
        ("guidance, workforce only", "LDE workforce at the end"),
    ]
    # the same scenarios ran once for both options: the same effect
    assert measured["effect_mean"].iloc[1] == measured["effect_mean"].iloc[2]
    options = measured.reset_index().iloc[0]  # 10 sets x 2 scenarios x 2 replications, run once
    assert (
        options["option"] == "guidance" and options["sets"] == 10 and options["q05"] <= options["effect_mean"] <= options["q95"]
    )
    assert 0 <= options["noise_share"] <= 1 and options["stoch_sd"] > 0
    assert "Policy options over a sample of the plausible sets" in report
    assert json.loads((folder / "timing.json").read_text())["model_runs"] == 16 * 2 + 10 * 2 * 2

    again = calibrate(targets, jobs=1, out=folder)  # resumes: nothing left to run, same answer
    pd.testing.assert_frame_equal(again.table, table)
    (folder / "calibration.json").unlink()  # as in a calibration made before it was written
    assert "| not recorded | this calibration was made before" in write_report(folder, "md").read_text(encoding="utf-8")


def test_a_bad_targets_file_is_a_clear_error(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text(targets_text().replace("transition_rate_annual", "happiness"))
    with pytest.raises(ScenarioError, match="unknown indicator 'happiness'"):
        calibrate(bad, out=tmp_path / "never")
    with pytest.raises(ScenarioError, match="targets file not found"):
        calibrate(tmp_path / "absent.toml")


def test_calibrate_from_the_command_line_extends_the_named_scenario_and_without_out_writes_beside_the_targets(
    tmp_path: Path,
):
    """Without --out (as make calibration runs it) the calibration goes under runs/ and, once complete,
    its result files are written beside the targets file, the command saying which."""
    import subprocess
    import sys

    from simulation.calibration.history_matching import BESIDE

    (tmp_path / "spec").mkdir()
    targets = tmp_path / "spec" / "targets.toml"
    text = targets_text().replace("waves = 2", "waves = 1")
    text = text.replace("samples = 8", "samples = 3").replace("uncertainty = 0.01", "uncertainty = 0.2")
    targets.write_text(text.replace("seed = 3", f'seed = 3\ncalibrated_extends = "{SCENARIOS / "baseline.toml"}"'))
    done = subprocess.run(
        [sys.executable, "-m", "simulation", "calibrate", "spec/targets.toml", "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "people.search_rate_lde" in done.stdout and "transition rate" in done.stdout and "plausible.csv" in done.stdout
    (folder,) = (tmp_path / "runs").iterdir()
    beside = sorted(p.name for p in targets.parent.iterdir() if p != targets)
    assert beside == sorted(name for name in BESIDE if (folder / name).exists()) and "wave1" not in beside
    assert (
        f"Written beside spec/targets.toml (replacing those there): {', '.join(sorted(beside, key=BESIDE.index))}" in done.stdout
    )
    for name in set(beside) - {"calibrated.toml"}:
        assert (targets.parent / name).read_bytes() == (folder / name).read_bytes(), name
    assert json.loads((targets.parent / "calibration.json").read_text())["status"] == "complete"
    for where in (folder, targets.parent):  # each extends the baseline by a path relative to itself
        calibrated = Scenario.load(where / "calibrated.toml")
        assert calibrated.policy.max_lde_months == 60  # the baseline rules, with the fitted behaviour


def test_an_override_in_a_targets_file_is_blamed_on_the_targets_file(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    text = targets_text()
    bad.write_text(text.replace('"policy.referral_capacity" = 6', '"policy.referral_capacity" = -6'))
    with pytest.raises(ScenarioError, match=r"bad.toml: overrides: policy.referral_capacity = -6"):
        calibrate(bad, out=tmp_path / "never")
    target = tmp_path / "target.toml"
    target.write_text(text.replace('source = "made', 'overrides = { "policy.aftercare_months" = -1 }\nsource = "made'))
    with pytest.raises(ScenarioError, match=r"target.toml: target 'transition rate': overrides: policy.aftercare_months = -1"):
        calibrate(target, out=tmp_path / "never")


def test_the_emulator_learns_a_noisy_quadratic_estimates_its_noise_and_rules_out_only_what_is_far():
    from simulation.calibration.emulator import fit, implausibility, main_effects

    rng = np.random.default_rng(0)
    x = rng.random((60, 2))
    truth = lambda u: 1 + 2 * u[:, 0] - 3 * u[:, 0] ** 2 + 0.0 * u[:, 1]  # noqa: E731 - the second parameter does nothing
    noise = 0.05
    emulator = fit(x, truth(x) + rng.normal(0, noise, len(x)))
    grid = rng.random((200, 2))
    mean, variance = emulator.predict(grid)
    assert np.abs(mean - truth(grid)).max() < 4 * noise  # within a few noise sd everywhere
    # the nugget is the noise of one run: its sd is estimated from 60 runs to within about 10% (1/sqrt(2 x 60)), x 3
    assert np.sqrt(emulator.noise) == pytest.approx(noise, rel=0.3)
    latent = emulator.predict_mean(grid)[1]
    assert (variance >= latent).all() and np.sqrt(latent).mean() < noise  # inside the runs the mean is better known than one run
    far_away = emulator.predict_mean(np.array([[3.0, 3.0]]))[1][0]
    assert far_away > latent.max()  # outside them it is not
    observed = truth(np.array([[0.3, 0.5]]))
    far = implausibility([emulator], grid, observed, np.array([0.02]))[:, 0]
    near = np.abs(truth(grid) - observed[0]) < 0.02
    assert (far[near] < 3).all() and (far[np.abs(truth(grid) - observed[0]) > 0.5] > 3).all()
    effects = main_effects([emulator], 2, np.array([0.1]))[:, 0]
    assert effects[0] > 5 and effects[1] < 1  # the first parameter moves the output by ~0.75, the second not at all


def test_the_emulator_runs_its_process_on_the_parameters_that_matter():
    from simulation.calibration.emulator import ACTIVE, active_parameters

    rng = np.random.default_rng(1)
    x = rng.random((300, ACTIVE + 6))
    residual = np.sin(6 * x[:, 3]) + (x[:, ACTIVE + 2] - 0.5) ** 2 * 4 + rng.normal(0, 0.05, len(x))
    chosen = active_parameters(x, residual)
    assert len(chosen) == ACTIVE and {3, ACTIVE + 2} <= set(chosen)


def test_the_variance_decomposition_finds_where_an_answer_comes_from():
    from simulation.calibration.value_of_information import correlation_ratio

    rng = np.random.default_rng(2)
    x = rng.random((20_000, 3))
    y = 3 * x[:, 0] + np.sin(2 * np.pi * x[:, 1])  # x2 does nothing
    w = np.full(len(x), 1 / len(x))
    shares = [correlation_ratio(y, x[:, j], w) for j in range(3)]
    # first-order indices: Var(3 x0) = 0.75, Var(sin 2 pi x1) = 0.5, so 0.6 and 0.4 (less what ten bins smooth away)
    assert shares[0] == pytest.approx(0.6, abs=0.02) and shares[1] == pytest.approx(0.4 * 0.935, abs=0.03)
    assert shares[2] < 0.002
    assert correlation_ratio(y, y, w) > 0.98  # measuring the answer itself would remove (almost) all of its spread


def test_an_answers_spread_is_traced_to_its_parameter_and_nothing_else_above_chance(tmp_path: Path):
    """An answer of 2 x p0 (plus a little noise) over 300 runs: its emulated spread over a dense plausible
    sample is traced to p0 alone and to the observable that measures p0; the parameters and the observable
    that do nothing are not named, because their shares stay below the chance level of that sample."""
    from simulation.calibration.targets import Answer
    from simulation.calibration.value_of_information import chance_levels, observable_emulators, write_answers
    from simulation.experiments.design import Vary

    rng = np.random.default_rng(7)
    x = rng.random((300, 3))
    noise = rng.normal(0, 0.05, (300, 4))
    mean = np.column_stack([x[:, 0], 2 * x[:, 0], x[:, 0], rng.random(300)]) + noise  # target, answer, o0, o1
    spec = option_spec(3, 2).model_copy(update={"answer": [Answer(name="a", indicator="transition_rate_annual", meaning="a")]})
    varies = [Vary(f"p{j}", False, low=0.0, high=1.0) for j in range(3)]
    sample = rng.random((4000, 3))
    w = np.full(len(sample), 1 / len(sample))
    tables = write_answers(spec, varies, x, mean, sample, w, observable_emulators(spec, x, mean), tmp_path)
    row = tables["value_of_information"].iloc[0]
    assert row["spread_comes_from"].startswith("p0 (") and ";" not in row["spread_comes_from"]
    assert row["measure_next"] == "o0" and row["chance_level"].startswith("parameters ")
    shares = tables["variance_shares"].iloc[0]
    assert shares["p0"] > 0.95 and max(shares["p1"], shares["p2"]) < chance_levels(w, 3, 2)["parameter"]


def test_an_emulated_answer_stays_inside_what_its_measure_can_be(tmp_path: Path):
    """Closures are 0 for most sets and rise past a point: a Gaussian process' mean dips below 0 beside
    the kink (the shipped calibration's closures once read a 5% point of -4.66). The answers and the
    observables are read inside their measure's range (closures from 0, a share up to 1), and a
    margin, which can be below 0, is not moved."""
    from simulation.calibration.emulator import fit
    from simulation.calibration.targets import Answer
    from simulation.calibration.value_of_information import observable_emulators, weighted_summary, write_answers
    from simulation.experiments.design import Vary

    rng = np.random.default_rng(0)
    x = rng.random((300, 2))
    closures = rng.poisson(80 * np.maximum(x[:, 0] - 0.6, 0)).astype(float)
    share = np.minimum(1.0, 0.9 + 0.3 * x[:, 1])  # at its bound for a third of the sets
    mean = np.column_stack([x[:, 0], closures, closures - 10, share, x[:, 0]])  # target, 3 answers, observable
    window = ("2023-07", "2026-12")
    answers = [
        Answer(name="closures", series="enterprise_closures", window=window, meaning="c"),
        Answer(name="margin", series="enterprise_margin", window=window, meaning="m"),
        Answer(name="share", series="dumping_share", window=window, meaning="s"),
    ]
    spec = option_spec(2, 1).model_copy(update={"answer": answers})
    varies = [Vary(f"p{j}", False, low=0.0, high=1.0) for j in range(2)]
    sample = rng.random((4000, 2))
    w = np.full(len(sample), 1 / len(sample))
    raw = [fit(x, mean[:, 1 + a], spec.seed).predict_mean(sample)[0] for a in range(3)]
    assert raw[0].min() < 0 and raw[2].max() > 1  # the emulator alone leaves the range: the test has teeth
    headline = write_answers(spec, varies, x, mean, sample, w, observable_emulators(spec, x, mean), tmp_path)["headline"]
    kept = [np.maximum(raw[0], 0), raw[1], np.minimum(raw[2], 1)]
    for row, values in zip(headline.itertuples(), kept):
        assert (row.mean, row.param_sd, row.q05, row.q95) == pytest.approx(weighted_summary(values, w))
    assert headline["q05"][0] >= 0 and headline["q05"][1] < 0 and headline["q95"][2] <= 1
    change = Answer(name="c", series="lde_workforce", window=window, relative_to=("2020-01", "2020-12"), meaning="c")
    effect = Answer(name="e", effect={"since": "exit", "horizon": 24}, meaning="e")
    rate = Answer(name="r", indicator="transition_rate_annual", meaning="r")
    assert change.bounds() == (-1.0, math.inf) and effect.bounds() == (-math.inf, math.inf) and rate.bounds()[0] == 0


def test_the_chance_level_counts_weighted_sets_by_their_effective_number():
    from simulation.calibration.value_of_information import chance_level, chance_levels

    even = np.full(400, 1 / 400)
    uneven = np.r_[np.full(100, 0.75 / 100), np.full(300, 0.25 / 300)]  # Kish: 1 / (0.75^2 / 100 + 0.25^2 / 300)
    assert chance_levels(even, 31, 10) == pytest.approx({"parameter": chance_level(400, 31), "observable": chance_level(400, 10)})
    assert chance_levels(uneven, 31, 10)["parameter"] == pytest.approx(chance_level(1 / (0.75**2 / 100 + 0.25**2 / 300), 31))
    assert np.isnan(chance_levels(np.ones(1), 31, 10)["parameter"])  # one set: no level at all


def option_spec(parameters: int, observables: int):
    from simulation.calibration.targets import Targets

    return Targets.model_validate(
        {
            "scenario": "x.toml",
            "target": [{"name": "t", "indicator": "transition_rate_annual", "value": 0.1, "uncertainty": 0.01, "source": "s"}],
            "parameter": [{"key": f"p{j}", "low": 0, "high": 1, "reason": "r"} for j in range(parameters)],
            "observable": [
                {"name": f"o{k}", "indicator": "transition_rate_annual", "how": f"measure o{k}"} for k in range(observables)
            ],
            "option": [{"name": name, "scenario": "a.toml", "base": "b.toml"} for name in ("driven", "noise")],
            "option_measure": [{"name": "m", "indicator": "transition_rate_annual", "meaning": "m"}],
        }
    )


def test_an_options_effect_spread_is_traced_to_its_parameter_and_noise_to_nothing(tmp_path: Path):
    """Over 200 sets with 2 replications: an effect of 2 x p0 plus noise (sd 0.3) is traced to p0 and
    to the observable that measures p0; an effect of noise alone (the knock-out) to nothing above chance."""
    from simulation.calibration.value_of_information import write_options
    from simulation.experiments.design import Vary

    rng = np.random.default_rng(5)
    sets, replications = rng.random((200, 3)), 2
    noise = rng.normal(0, 0.3, (2, 1, 200, replications))
    effects = noise + np.array([2 * sets[:, 0], np.zeros(200)])[:, None, :, None]
    observed = [sets[:, 0] + rng.normal(0, 0.02, 200), rng.random(200)]  # o0 measures p0; o1 nothing
    varies = [Vary(f"p{j}", False, low=0.0, high=1.0) for j in range(3)]
    tables = write_options(option_spec(3, 2), varies, sets, np.full(200, 1 / 200), observed, effects, tmp_path)
    head = tables["option_headline"].set_index("option")
    words = tables["option_value_of_information"].set_index("option")
    # Var(2 p0) = 1/3; a set's mean over 2 runs has noise variance 0.09 / 2: sd of the estimates about 0.05 and 0.03
    assert head.loc["driven", "param_sd"] == pytest.approx(np.sqrt(1 / 3), abs=0.05)
    assert head.loc["driven", "stoch_sd"] == pytest.approx(0.3, abs=0.03)
    assert head.loc["driven", "noise_share"] == pytest.approx(0.045 / (1 / 3 + 0.045), abs=0.05)
    assert words.loc["driven", "spread_comes_from"].startswith("p0 (") and ";" not in words.loc["driven", "spread_comes_from"]
    assert words.loc["driven", "measure_next"] == "o0" and words.loc["driven", "how"] == "measure o0"
    # noise alone: the share's estimate has a relative sd of about sqrt(2 / 200 + 2 / 200) = 0.14 (the noise
    # from 200 within-set differences, the spread from 200 means), so three sd: above 0.58; param_sd^2 within
    # three sd of 0, 3 x 0.14 x 0.045, so param_sd below 0.14
    assert head.loc["noise", "noise_share"] > 0.58 and head.loc["noise", "param_sd"] < 0.14
    assert words.loc["noise", "spread_comes_from"] == "no parameter above chance"
    assert words.loc["noise", "measure_next"] == "no observable above chance"
    assert (tmp_path / "option_variance_shares.csv").exists()
    undefined = write_options(option_spec(3, 2), varies, sets, np.full(200, 1 / 200), observed, effects * np.nan, tmp_path)
    assert (undefined["option_headline"]["sets"] == 0).all()  # a measure no run defines: said, not a crash
    assert (undefined["option_value_of_information"]["spread_comes_from"] == "no parameter above chance").all()


def test_the_chance_level_is_what_an_unrelated_quantity_exceeds_one_time_in_twenty():
    from simulation.calibration.value_of_information import chance_level, correlation_ratio

    rng = np.random.default_rng(6)
    level, trials = chance_level(200, 1), 2000
    w = np.full(200, 1 / 200)
    above = np.mean([correlation_ratio(rng.normal(size=200), rng.random(200), w) > level for _ in range(trials)])
    assert above == pytest.approx(0.05, abs=3 * np.sqrt(0.05 * 0.95 / trials))  # three binomial sd
    assert chance_level(200, 31) > level  # more quantities tried, a higher bar


def test_series_and_effect_targets_measure_what_they_say(small: Scenario):
    from simulation.calibration.targets import Effect, Target, effect_of, measured
    from simulation.experiments.evaluation import evaluate_replication, twin_of

    world = small.with_overrides({"months": 36})
    metrics = run(world, seed=5, replications=1).metrics
    target = Target(
        name="t", series="transition_rate", window=(world.date(13), world.date(24)), value=0.1, uncertainty=0.1, source="s"
    )
    year = metrics[metrics["month"].between(13, 24)]
    monthly = metrics.assign(replication=0)
    value = measured(target, world, {"monthly": monthly})
    assert value.loc[0] == pytest.approx(12 * year["flow_lde_to_nec"].sum() / year["lde"].sum())
    workforce = target.model_copy(update={"series": "lde_workforce"})
    assert measured(workforce, world, {"monthly": monthly}).loc[0] == pytest.approx(year["lde"].mean())
    before = metrics[metrics["month"].between(1, 12)]
    growth = workforce.model_copy(update={"relative_to": (world.date(1), world.date(12))})
    assert measured(growth, world, {"monthly": monthly}).loc[0] == pytest.approx(year["lde"].mean() / before["lde"].mean() - 1)
    closures = target.model_copy(update={"series": "enterprise_closures"})
    at = metrics.set_index("month")["enterprises_closed"]
    assert measured(closures, world, {"monthly": monthly}).loc[0] == pytest.approx(at[24] - at[12])
    margin = target.model_copy(update={"series": "enterprise_margin"})
    expected = (year["enterprise_income"].sum() - year["enterprise_costs"].sum()) / year["lde"].sum()
    assert measured(margin, world, {"monthly": monthly}).loc[0] == pytest.approx(expected)
    sine = target.model_copy(update={"series": "sine_spending_year"})
    assert measured(sine, world, {"monthly": monthly}).loc[0] == pytest.approx(12 * year["spending_sine"].mean())

    _, table, _ = evaluate_replication(world, twin_of(world), 5, 0)
    rows = table.assign(replication=0)
    at = table.set_index(["outcome", "since", "horizon_months", "subgroup"])
    effect = lambda h: at.loc[("in_regular_job", "entry", h, "all")]  # noqa: E731
    growth = effect_of(Effect(since="entry", horizon=24, minus=12), rows).loc[0]
    expected = 100 * (
        (effect(24)["treated"] - effect(24)["counterfactual"]) - (effect(12)["treated"] - effect(12)["counterfactual"])
    )
    assert growth == pytest.approx(expected)


def test_a_target_is_measured_one_way_and_a_window_lies_inside_the_run(tmp_path: Path):
    from simulation.calibration.targets import Target

    with pytest.raises(ValueError, match="exactly one of indicator, series"):
        Target(name="t", indicator="dumping_share", series="transition_rate", value=0, uncertainty=1, source="s")
    with pytest.raises(ValueError, match="needs a window"):
        Target(name="t", series="transition_rate", value=0, uncertainty=1, source="s")
    with pytest.raises(ValueError, match="every 3 months"):
        Target(name="t", effect={"since": "exit", "horizon": 13}, value=0, uncertainty=1, source="s")
    bad = tmp_path / "bad.toml"
    text = targets_text()
    bad.write_text(
        text.replace('indicator = "transition_rate_annual"', 'series = "transition_rate"\nwindow = ["2030-01", "2030-12"]')
    )
    with pytest.raises(
        ScenarioError, match=r"bad.toml: target 'transition rate': window \['2030-01', '2030-12'\] must lie within the run"
    ):
        calibrate(bad, out=tmp_path / "never")


def test_the_ensemble_keeps_the_weights_or_resamples_them():
    from simulation.calibration.history_matching import ensemble_of
    from simulation.experiments.design import Vary

    varies = [Vary("people.search_rate_lde", False, low=0.0, high=1.0), Vary("enterprises.grace_months", True, low=1, high=12)]
    values = np.column_stack([np.linspace(0, 1, 10), np.arange(1, 11)])
    weights = np.array([0, 0, 0.1, 0.1, 0.2, 0.6, 0, 0, 0, 0])
    kept = ensemble_of(varies, values, weights, 30, seed=1)
    assert len(kept) == 4 and kept["weight"].sum() == pytest.approx(1) and kept["weight"].iloc[0] == pytest.approx(0.6)
    assert kept["enterprises.grace_months"].dtype.kind == "i"
    drawn = ensemble_of(varies, values, weights, 10, seed=1)  # a systematic resample of 10: 1, 1, 2, 6 draws
    assert sorted(np.round(drawn["weight"] * 10).astype(int)) == [1, 1, 2, 6]


def test_a_target_no_parameter_set_can_meet_is_named(tmp_path: Path):
    from simulation.calibration.history_matching import CalibrationError

    targets = tmp_path / "impossible.toml"
    text = targets_text(value=5.0)  # five moves per worker-year
    targets.write_text(text.replace("samples = 8", "samples = 3").replace("waves = 2", "waves = 1"))
    with pytest.raises(
        CalibrationError, match="no parameter set matches every target within 3 sd; the hardest is 'transition rate'"
    ):
        calibrate(targets, jobs=1, out=tmp_path / "cal")
    assert (tmp_path / "cal" / "diagnostics.png").exists() and not (tmp_path / "plausible.csv").exists()
    provenance = json.loads((tmp_path / "cal" / "calibration.json").read_text())
    assert provenance["status"] == "failed" and "no parameter set matches" in provenance["error"]


def test_a_target_no_run_could_measure_is_named_after_the_wave(tmp_path: Path):
    """A target on an indicator undefined in every run (the dumping risk of a 48-month world: no
    leaver at the limit has been followed a year) stops the calibration after its first wave, naming it,
    instead of ending the waves early and blaming a fit."""
    from simulation.calibration.history_matching import CalibrationError

    targets = tmp_path / "unmeasurable.toml"
    unmeasurable = '[[target]]\nname = "dumping"\nindicator = "dumping_risk"\nvalue = 0.3\nuncertainty = 0.1\nsource = "made by this test"\n\n'
    text = targets_text().replace("samples = 8", "samples = 2").replace("[[parameter]]", unmeasurable + "[[parameter]]", 1)
    targets.write_text(text)
    with pytest.raises(CalibrationError, match=r"unmeasurable.toml: no run of wave 1 gave a value for target 'dumping': "):
        calibrate(targets, jobs=1, out=tmp_path / "cal")


def test_an_emulator_of_no_known_output_judges_nothing_quietly():
    from simulation.calibration.emulator import fit

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        emulator = fit(np.random.default_rng(1).random((4, 2)), np.full(4, np.nan))
        mean, variance = emulator.predict(np.full((3, 2), 0.5))
    assert np.isnan(variance).all() and mean.shape == (3,)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("seed = 3", 'seed = 3\ncalibrated_extends = "absent.toml"'),
            r"bad.toml: calibrated_extends: .*absent.toml: scenario file not found",
        ),
        (
            (
                "[[parameter]]",
                '[[parameter]]\nkey = "people.search_rate_lde"\nlow = 0.01\nhigh = 0.02\nreason = "twice"\n\n[[parameter]]',
            ),
            "parameter people.search_rate_lde is given more than once",
        ),
        (
            ('indicator = "transition_rate_annual"', 'effect = { since = "entry", horizon = 48 }'),
            r"target 'transition rate': horizon 48 months cannot be measured in a run of 48 months",
        ),
        (
            (
                'how = "made by this test"',
                'how = "made by this test"\n\n[[option]]\nname = "o"\nscenario = "absent.toml"\nbase = "absent.toml"',
            ),
            r"give both \[\[option\]\] and \[\[option_measure\]\], or neither",
        ),
        (
            ('how = "made by this test"', 'how = "made by this test"\n' + option_text("x.toml", "x.toml").split("\n\n")[1]),
            r"give both",
        ),
        (
            ('how = "made by this test"', 'how = "made by this test"\n' + option_text("absent.toml", "absent.toml")),
            r"bad.toml: option 'guidance': base: .*absent.toml: scenario file not found",
        ),
        (
            (
                'how = "made by this test"',
                'how = "made by this test"\n' + option_text(*[SCENARIOS / "pre_reform.toml"] * 2, "2014-01"),
            ),
            r"target 'transitions in the last year': window \['2014-01', '2019-04'\]",
        ),
        (
            ('how = "made by this test"', 'how = "made by this test"\n' + naming_measures('["transitions"]')),
            r"option 'guidance': measures: transitions is not an \[\[option_measure\]\]; the option measures are "
            r"transitions in the last year",
        ),
        (
            (
                'how = "made by this test"',
                'how = "made by this test"\n'
                + naming_measures('["transitions in the last year", "transitions in the last year"]'),
            ),
            r"option 'guidance': measure transitions in the last year is named twice or more",
        ),
        (
            (
                'how = "made by this test"',
                'how = "made by this test"\n'
                + naming_measures('["transitions in the last year"]')
                + '\n[[option_measure]]\nname = "spare"\nindicator = "transition_rate_annual"\nmeaning = "m"\n',
            ),
            r"option measure spare is measured on no option",
        ),
        (
            ('how = "made by this test"', 'how = "made by this test"\n' + naming_measures("[]")),
            r"option.0.measures: List should have at least 1 item",
        ),
    ],
    ids=[
        "calibrated_extends missing",
        "parameter twice",
        "effect beyond the run",
        "option without measure",
        "measure without option",
        "option file missing",
        "option measure beyond the run",
        "option names an unknown measure",
        "option names a measure twice",
        "option measure of no option",
        "option names no measure",
    ],
)
def test_the_whole_targets_file_is_checked_before_the_first_wave(tmp_path: Path, change, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(targets_text().replace(*change))
    with pytest.raises(ScenarioError, match=message):
        calibrate(bad, out=tmp_path / "never")
    assert not (tmp_path / "never").exists()


def test_an_option_whose_people_differ_from_its_base_is_refused_before_the_first_wave(tmp_path: Path):
    from simulation.experiments.evaluation import PeopleError

    other = tmp_path / "other_people.toml"
    other.write_text(f'extends = "{SCENARIOS / "pre_reform.toml"}"\n[context]\ninflow_rate = 0.02\n')
    bad = tmp_path / "bad.toml"
    bad.write_text(targets_text() + option_text(other, SCENARIOS / "pre_reform.toml"))
    with pytest.raises(
        PeopleError,
        match=r"bad.toml: option 'guidance': scenario .*other_people.toml: its people differ .*"
        r"context.inflow_rate = 0.02 instead of 0.01.*give them the same \(context.inflow_rate = 0.01\)",
    ):
        calibrate(bad, out=tmp_path / "never")
    assert not (tmp_path / "never").exists()


def test_a_corrected_targets_file_that_runs_the_same_keeps_the_finished_waves(tmp_path: Path, monkeypatch):
    """A source reworded after wave 1 (nothing that decides the runs): the wave is found and not run again."""
    from simulation.experiments import experiment

    targets = tmp_path / "targets.toml"
    text = targets_text().replace("waves = 2", "waves = 1")
    text = text.replace("samples = 8", "samples = 2").replace("uncertainty = 0.01", "uncertainty = 0.5")
    targets.write_text(text)
    calibrate(targets, jobs=1, out=tmp_path / "cal")
    targets.write_text(text.replace("made by this test", "made, as corrected, by this test"))
    runs: list[int] = []
    monkeypatch.setattr(experiment, "run_tasks", lambda tasks, *args: runs.extend(tasks) or iter(()))
    calibrate(targets, jobs=1, out=tmp_path / "cal")
    assert runs == []


def test_every_figure_has_one_use_and_the_targets_file_follows_the_tags():
    """docs/sources.md tags each figure input, target or check; no figure is both an input and a
    target, a target uses a figure tagged target, an out-of-sample check one tagged check, a
    set-up check an input; and the calibration's time split holds: targets end by 2019,
    out-of-sample checks begin in 2020 or later."""
    from simulation.calibration.targets import load_targets

    root = Path(__file__).parents[1]
    text = (root / "docs" / "sources.md").read_text(encoding="utf-8")
    table = text[text.index("## Use of each figure") :]
    table = table[: table.index("\n## ")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines() if line.startswith("| ")]
    uses: dict[str, list[str]] = {}
    for figure, _, use, _ in rows[1:]:
        uses.setdefault(figure, []).append(use)
    assert {use for given in uses.values() for use in given} <= {"input", "target", "check"}
    twice = {figure: given for figure, given in uses.items() if len(given) > 1}
    assert not twice, f"docs/sources.md gives these figures more than one use: {twice}"
    spec, _, _ = load_targets(root / "calibration" / "targets.toml")
    for target in spec.target:
        given = uses.get(target.figure or "")
        assert given == ["target"], f"target '{target.name}': figure '{target.figure}' is {given}"
        assert target.window is None or target.window[1] <= "2019-12", f"target '{target.name}' is dated after 2019"
    for check in spec.check:
        wanted = ["input"] if check.kind == "set-up" else ["check"]
        assert uses.get(check.figure) == wanted, f"check '{check.name}': figure '{check.figure}' is {uses.get(check.figure)}"
        if check.kind == "out-of-sample":
            assert check.window is not None and check.window[0] >= "2020-01", f"check '{check.name}' is dated before 2020"
    assert sum(c.kind == "out-of-sample" for c in spec.check) >= 3
    assert spec.samples >= 10 * len(spec.parameter)  # ten runs per free parameter per wave


def test_the_history_figure_labels_each_observed_figure_by_its_one_use():
    """docs/figures/history.png marks each observed point input, set-up check or check: a figure the world
    is sized on is a set-up check of the targets file, and none is a calibration target (it once said
    "target" of the 2020 workforce and the 2018 enterprises, which size the world)."""
    from simulation.calibration.targets import load_targets
    from simulation.calibration.validation import OBSERVED

    spec, _, _ = load_targets(Path(__file__).parents[1] / "calibration" / "targets.toml")
    set_up = {check.value for check in spec.check if check.kind == "set-up"}
    for series, date, value, _, role in OBSERVED:
        use = role.split(" ")[0]
        assert use in {"input", "set-up", "check"}, f"{series} {date}: '{role}' is not a use of docs/sources.md"
        assert (use == "set-up") == (value in set_up), (
            f"{series} {date}: {value} is a set-up check exactly when the targets file says so"
        )


def test_the_throughput_benchmark_times_a_wave_of_the_shipped_calibration(tmp_path: Path):
    """benchmarks/bench_throughput.py writes the shipped targets file as one wave elsewhere (make
    bench): it must stay a loadable targets file as the shipped one changes (it once pointed at
    option scenarios relative to the temporary folder and the benchmark stopped), a wave of the
    shipped targets and parameters, without the options' runs."""
    from simulation.calibration.targets import load_targets

    root = Path(__file__).parents[1]
    bench = load_benchmark("bench_throughput.py")
    wave, _, _ = load_targets(bench.wave_targets(8, tmp_path))
    shipped, _, _ = load_targets(root / "calibration" / "targets.toml")
    assert (wave.samples, wave.waves, wave.option, wave.option_measure) == (8, 1, [], [])
    assert wave.target == shipped.target and wave.parameter == shipped.parameter and shipped.option


def test_no_target_is_met_by_every_run_of_the_first_wave():
    """The shipped calibration (make calibration): each target can fail."""
    table = pd.read_csv(Path(__file__).parents[1] / "calibration" / "discrimination.csv")
    targets = table[table["role"] == "target"]
    assert len(targets) and (targets["share_met"] < 1).all(), targets[["measure", "share_met"]].to_string()


def test_a_set_run_without_its_twin_is_judged_on_the_effect_by_the_emulator():
    """effect_share < 1: sets without a twin have no measured effect; the emulator's expected value
    stands in, with its own uncertainty and the run's noise, not just the noise."""
    from simulation.calibration.emulator import fit
    from simulation.calibration.history_matching import distances

    rng = np.random.default_rng(4)
    x = rng.random((80, 2))
    y = 10 * x[:, 0] + rng.normal(0, 0.5, len(x))
    emulator = fit(x, y)
    simulated = np.array([[9.0], [np.nan]])
    at = np.array([[0.9, 0.5], [0.9, 0.5]])
    measured, stood_in = distances([emulator], at, simulated, np.array([9.0]), np.array([1.0]))[:, 0]
    assert measured == 0.0
    expected, variance = emulator.predict(at[1:])
    assert stood_in == pytest.approx(abs(expected[0] - 9.0) / np.sqrt(1.0 + variance[0]))
    assert variance[0] > emulator.noise  # the emulator's own uncertainty counts too


def test_the_shipped_calibration_reports_what_to_measure_next(tmp_path: Path):
    """lde-sim report on the shipped calibration folder shows the out-of-sample table and the
    value-of-information tables, with an observation named for every headline answer and every
    policy option's effect."""
    import shutil

    from simulation.outputs.report import write_report

    folder = tmp_path / "calibration"
    shutil.copytree(Path(__file__).parents[1] / "calibration", folder)
    report = write_report(folder, "md").read_text(encoding="utf-8")
    assert "Out-of-sample checks" in report and "What to measure next" in report
    table = pd.read_csv(folder / "value_of_information.csv")
    spec = tomllib.loads((folder / "targets.toml").read_text(encoding="utf-8"))
    assert list(table["answer"]) == [a["name"] for a in spec["answer"]] and table["measure_next"].notna().all()
    options = pd.read_csv(folder / "option_value_of_information.csv")  # every option on each of its measures, in words
    every = [m["name"] for m in spec["option_measure"]]
    pairs = [(o["name"], m) for o in spec["option"] for m in o.get("measures", every)]
    assert list(zip(options["option"], options["measure"])) == pairs and options["spread_comes_from"].notna().all()
    assert table["chance_level"].notna().all() and options["chance_level"].notna().all()
    assert "What to measure next for each option's effect" in report
    assert (pd.read_csv(folder / "out_of_sample.csv")["kind"] == "out-of-sample").sum() >= 3
    assert json_seconds(folder / "timing.json") > 0
    assert "not recorded" not in report and "| targets_sha256 |" in report  # the shipped provenance is shown


def test_the_shipped_calibration_was_made_from_the_shipped_targets_file():
    """calibration.json names the targets file it was made from by its SHA-256: an edit to the targets
    without a new `make calibration` leaves results that no longer follow from the file shipped beside them."""
    folder = Path(__file__).parents[1] / "calibration"
    provenance = json.loads((folder / "calibration.json").read_text(encoding="utf-8"))
    assert (
        provenance["status"] == "complete" and provenance["seed"] == tomllib.loads((folder / "targets.toml").read_text())["seed"]
    )
    assert provenance["targets_sha256"] == hashlib.sha256((folder / "targets.toml").read_bytes()).hexdigest(), (
        "calibration/targets.toml changed since the shipped calibration: run make calibration"
    )


def json_seconds(path: Path) -> float:
    import json

    return float(json.loads(path.read_text(encoding="utf-8"))["wall_seconds"])
