"""The command line end to end, the way a user runs it."""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation import INDICATORS, Scenario, cli
from simulation.cli import main
from simulation.experiments.experiment import paired
from simulation.experiments.store import read_experiment
from simulation.outputs.console import HEADLINE, console_table, window_line
from simulation.world.indicators import yearly

from .conftest import PLUMBING, ROOT, SCENARIOS


def lde_sim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulation", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def test_run_small_end_to_end(tmp_path: Path):
    out = tmp_path / "run"
    done = lde_sim(
        "run",
        str(SCENARIOS / "small.toml"),
        "--months",
        "24",
        "--replications",
        "2",
        "--seed",
        "7",
        "--events",
        "--set",
        "policy.aftercare_months=6",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert "transition_rate_annual" in done.stdout and str(out) in done.stdout

    metrics = pd.read_csv(out / "metrics.csv")
    assert list(metrics.columns[:2]) == ["month", "replication"]
    assert len(metrics) == 2 * 25 and set(metrics["replication"]) == {0, 1}

    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 2 and set(INDICATORS) <= set(summary.columns)

    events = pd.read_csv(out / "events.csv")
    assert list(events.columns) == ["month", "replication", "person", "from", "to", "reason"]
    flows = metrics[[c for c in metrics.columns if c.startswith("flow_")]].sum().sum()
    assert (events["from"] != "none").sum() == flows

    resolved = Scenario.load(out / "scenario.toml")
    assert resolved.policy.aftercare_months == 6 and resolved.months == 24
    provenance = json.loads((out / "run.json").read_text())
    assert provenance["status"] == "complete"
    assert provenance["seed"] == 7 and len(provenance["replication_seeds"]) == 2
    assert provenance["scenario_sha256"] == resolved.digest()
    assert provenance["versions"]["mesa"].startswith("3.")


def test_python_api_and_cli_give_the_same_numbers(tmp_path: Path, small: Scenario):
    from simulation import run

    assert main(["run", str(SCENARIOS / "small.toml"), "--months", "12", "--out", str(tmp_path / "r")]) == 0
    from_cli = pd.read_csv(tmp_path / "r" / "metrics.csv")
    from_api = run(small.with_overrides({"months": 12}), seed=1).metrics
    pd.testing.assert_frame_equal(from_cli, from_api, check_dtype=False)


def test_default_output_folders_are_new_each_time(tmp_path: Path):
    for _ in range(2):
        assert lde_sim("run", str(SCENARIOS / "small.toml"), "--months", "2", cwd=tmp_path).returncode == 0
    folders = sorted((tmp_path / "runs").iterdir())
    assert len(folders) == 2 and all((f / "run.json").exists() for f in folders)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--set", "policy.after_care=3"], "error: override (--set): unknown key 'policy.after_care'"),
        (["--set", "policy.aftercare_months=-2"], "policy.aftercare_months = -2"),
        (["--set", "policy.aftercare_months"], "expected key=value"),
        (["--replications", "0"], "--replications: must be at least 1"),
        (["--seed", "x"], "--seed: expected a whole number"),
    ],
)
def test_bad_options_exit_2_with_a_message_and_write_nothing(tmp_path: Path, args, message):
    out = tmp_path / "never"
    done = lde_sim("run", str(SCENARIOS / "small.toml"), *args, "--out", str(out))
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ('[policy]\nmax_lde_months = "forever"\n', "bad.toml: policy.max_lde_months = 'forever'"),
        ("[policy\n", "bad.toml: not valid TOML"),
        ('extends = "gone.toml"\n', "parent file"),
        ("[world]\nenterprises = 0\n", "world.enterprises = 0: Input should be greater than or equal to 1"),
        ("# nothing yet\n", "bad.toml: the file sets nothing (it is empty or holds only comments"),
    ],
)
def test_bad_scenario_files_exit_2_without_traceback_or_output(tmp_path: Path, text, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    done = lde_sim("run", str(bad), "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_missing_scenario_file_exits_2(tmp_path: Path):
    done = lde_sim("run", str(tmp_path / "nope.toml"))
    assert done.returncode == 2 and "scenario file not found" in done.stderr
    done = lde_sim("run", "scenarios")
    assert done.returncode == 2 and "error: scenarios is a folder, not a scenario file: give a .toml file" in done.stderr


def test_an_earlier_run_is_never_overwritten(tmp_path: Path):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "metrics.csv").write_text("precious\n")
    done = lde_sim("run", str(SCENARIOS / "small.toml"), "--months", "2", "--out", str(out))
    assert done.returncode == 2 and "never overwritten" in done.stderr
    assert (out / "metrics.csv").read_text() == "precious\n"


def test_every_file_a_run_writes_is_in_the_readme_s_table_and_every_table_in_run_json(tmp_path: Path):
    out = tmp_path / "r"
    assert main(["run", str(SCENARIOS / "small.toml"), "--months", "2", "--events", "--out", str(out)]) == 0
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    written = {p.name for p in out.iterdir()} - {".lock"}
    assert not [name for name in written if f"| `{name}` |" not in readme]
    assert {name for name in written if name.endswith(".csv")} == set(json.loads((out / "run.json").read_text())["files"])


def test_an_interrupted_run_keeps_its_finished_replications(tmp_path: Path):
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulation", "run", str(SCENARIOS / "small.toml"), "--replications", "50", "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not (out / "summary.csv").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    provenance = json.loads((out / "run.json").read_text())
    assert provenance["status"] == "interrupted"
    done = provenance["replications_done"]
    assert 1 <= done < 50
    summary = pd.read_csv(out / "summary.csv")
    metrics = pd.read_csv(out / "metrics.csv")
    assert len(summary) == done and metrics["replication"].nunique() == done
    assert len(metrics) == done * 121
    # the indicators per calendar year of the finished replications, checksummed like every table
    assert "yearly.csv" in provenance["files"]
    pd.testing.assert_frame_equal(pd.read_csv(out / "yearly.csv"), yearly(metrics, Scenario.load(out / "scenario.toml")))


def test_version_and_help():
    assert lde_sim("--version").stdout.startswith("lde-sim ")
    assert "run a scenario file" in lde_sim("--help").stdout


def test_every_option_of_every_command_says_what_it_does():
    commands = next(a for a in cli.build_parser()._actions if a.dest == "command").choices
    silent = [
        f"{name} {action.option_strings[0]}"
        for name, parser in commands.items()
        for action in parser._actions
        if action.option_strings and not action.help
    ]
    assert silent == []


def test_the_run_table_fits_100_columns_and_shows_shares_as_percentages(tmp_path: Path, capsys):
    assert main(["run", str(SCENARIOS / "small.toml"), "--months", "24", "--out", str(tmp_path / "one")]) == 0
    one = capsys.readouterr().out

    def header(text: str) -> str:
        return next(line for line in text.splitlines() if line.startswith("indicator "))

    assert "one replication has no interval" in one and "95% interval " not in header(one)
    assert (
        main(["run", str(SCENARIOS / "small.toml"), "--months", "24", "--replications", "2", "--out", str(tmp_path / "two")]) == 0
    )
    two = capsys.readouterr().out
    for text in (one, two):
        assert max(len(line) for line in text.splitlines() if str(tmp_path) not in line) <= 100  # paths are the user's
        share = next(line for line in text.splitlines() if line.startswith("exit_to_job_share"))
        assert share.split()[1].endswith("%") and share.rstrip().endswith("higher")
        assert "lde-sim report" in text
    assert "95% interval" in header(two) and "one replication" not in two


def test_compare_points_to_the_report(tmp_path: Path, capsys):
    small = str(SCENARIOS / "small.toml")
    args = ["compare", small, small, "--months", "12", "--replications", "2", "--jobs", "1", "--out", str(tmp_path / "c")]
    assert main(args) == 0
    assert f"lde-sim report {tmp_path / 'c'}" in capsys.readouterr().out


def test_window_measures_run_compare_evaluate_and_sweep_over_the_same_calendar_months(tmp_path: Path, capsys):
    """--window on every experiment command: the console says it, and the figures are the window's."""
    small = str(SCENARIOS / "small.toml")
    short = ["--months", "30", "--window", "2016-01:2016-12", "--jobs", "1", "--replications", "1"]
    assert main(["run", small, "--months", "30", "--window", "2016-01:2016-12", "--out", str(tmp_path / "r")]) == 0
    assert "Indicators over the window 2016-01 to 2016-12 (--window)" in capsys.readouterr().out
    summary, years = pd.read_csv(tmp_path / "r" / "summary.csv"), pd.read_csv(tmp_path / "r" / "yearly.csv")
    year = years[years["year"] == 2016].iloc[0]
    assert year["months"] == 12 and summary["public_spending_lde"][0] == pytest.approx(year["public_spending_lde"])
    for command in (["compare", small, small], ["evaluate", small], ["sweep", small, "--vary", "policy.aftercare_months=3,6"]):
        out = tmp_path / command[0]
        assert main([*command, *short, "--out", str(out)]) == 0, command
        assert "Indicators over the window 2016-01 to 2016-12 (--window)" in capsys.readouterr().out
        stored = read_experiment(out, ("indicators",))["indicators"]
        assert stored["public_spending_lde"].iloc[0] == pytest.approx(summary["public_spending_lde"][0]), command


def test_a_branch_is_measured_over_its_own_years_and_a_cut_run_says_what_to_do(tmp_path: Path):
    tiny = ["--set", "world.pool_size=2000", "--set", "world.lde_workers=150", "--set", "world.enterprises=12"]
    done = lde_sim("run", str(SCENARIOS / "history.toml"), "--months", "60", *tiny, "--out", str(tmp_path / "h"))
    assert done.returncode == 0, done.stderr
    history = Scenario.load(SCENARIOS / "history.toml")
    later = [c.date for c in history.timeline if history.month_of(c.date) > 60]
    assert (
        f"--months 60 ends the run at 2020-04; {len(later)} dated changes after it (from {min(later)}) do not act" in done.stderr
    )
    cut = lde_sim("run", str(SCENARIOS / "from_2026" / "today.toml"), "--months", "60", "--out", str(tmp_path / "t"))
    assert cut.returncode == 2 and cut.stderr.count("\n") == 1
    assert "before its branch date 2026-01: give --months 129 or more" in cut.stderr and not (tmp_path / "t").exists()


def test_an_error_in_a_branch_file_names_the_file_and_the_change_as_written(tmp_path: Path):
    branch = tmp_path / "branch.toml"
    branch.write_text(f'extends = "{SCENARIOS / "history.toml"}"\nbranch = "2026-01"\n[policy]\naftercare_months = -1\n')
    done = lde_sim("run", str(branch), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "branch.toml: policy.aftercare_months = -1 (from branch = '2026-01'): value -1: Input should be greater" in done.stderr
    assert "timeline[" not in done.stderr
    dated = tmp_path / "dated.toml"
    dated.write_text(
        f'extends = "{SCENARIOS / "history.toml"}"\n[[timeline]]\ndate = "2017-01"\nkey = "policy.aftercare_months"\nvalue = -3\n'
    )
    done = lde_sim("run", str(dated), "--out", str(tmp_path / "out"))
    assert "dated.toml: [[timeline]] date = '2017-01', key = 'policy.aftercare_months': value -3" in done.stderr


def test_an_interrupt_whose_exception_is_lost_on_its_way_up_still_ends_the_run(tmp_path: Path, monkeypatch, capsys):
    """The command notes every interrupt; `lde-sim run` checks the note after each month, so a
    KeyboardInterrupt cleared inside C code (as NumPy once cleared them) still ends the run."""
    real_run, lost = cli.run, []

    def run_that_loses_an_interrupt(*args, on_month, **kwargs):
        def month() -> None:
            if not lost:  # the first month: the handler runs, its exception is cleared on its way up
                lost.append(True)
                with pytest.raises(KeyboardInterrupt):
                    cli.interrupt(signal.SIGTERM, None)
            on_month()

        return real_run(*args, on_month=month, **kwargs)

    monkeypatch.setattr(cli, "run", run_that_loses_an_interrupt)
    out = tmp_path / "run"
    code = main(["run", str(SCENARIOS / "small.toml"), "--months", "3", "--replications", "2", "--out", str(out)])
    assert code == 130, capsys.readouterr().err
    provenance = json.loads((out / "run.json").read_text())
    assert provenance["status"] == "interrupted" and provenance["replications_done"] == 0
    next_run = ["run", str(SCENARIOS / "small.toml"), "--months", "2", "--out", str(tmp_path / "next")]
    assert main(next_run) == 0  # the note was about the interrupted command only


#: A plumbing-sized world (tests.conftest.PLUMBING) for the console's tests: their runs are a few seconds.
SMALLEST = [arg for key, value in PLUMBING.items() for arg in ("--set", f"{key}={value}")]


@pytest.mark.parametrize(
    "command",
    [
        ["sweep", str(SCENARIOS / "small.toml"), "--vary", "policy.aftercare_monthz=1,2"],
        ["compare", str(SCENARIOS / "small.toml"), str(SCENARIOS / "small.toml"), "--ensemble", "no-such-file.csv"],
        ["sensitivity", str(SCENARIOS / "small.toml"), "--vary", "policy.aftercare_months=3"],
        ["evaluate", str(SCENARIOS / "small.toml"), "--ensemble", "no-such-file.csv"],
    ],
)
def test_a_refused_experiment_prints_nothing_of_its_results(tmp_path: Path, capsys, command):
    """Input is checked before any of the results' frame (the window heading) is printed."""
    assert main([*command, "--months", "2", "--jobs", "1", "--out", str(tmp_path / "x")]) == 2
    printed = capsys.readouterr()
    assert printed.out == "" and "lde-sim: error: " in printed.err


def test_the_window_heading_names_the_option_only_when_it_was_given(tmp_path: Path, capsys):
    """A comparison of a history and its branch is measured over the branch's own years, and a
    window a scenario sets is that scenario's: neither was asked for by --window."""
    history, branch = Scenario.load(SCENARIOS / "history.toml"), Scenario.load(SCENARIOS / "from_2018" / "aftercare.toml")
    measured = paired([history, branch])[0]
    assert window_line(measured, [history, branch]) == (
        "Indicators over 2018-01 to 2026-12: the branch's own years, from its branch date 2018-01 "
        "(--window all for the whole run from 2015-05)"
    )
    assert window_line(measured, [history, branch], "2018-01:2026-12").endswith("2018-01 to 2026-12 (--window)")
    small = str(SCENARIOS / "small.toml")
    assert main(["run", small, "--months", "6", "--set", "window=2015-06:2015-08", *SMALLEST, "--out", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "Indicators over the window 2015-06 to 2015-08 (the window scenario 'small' sets)" in out and "--window" not in out


def test_console_tables_line_up_whatever_the_length_of_names_and_show_a_missing_value_as_a_dash():
    table = pd.DataFrame({"scenario": ["a", "a scenario with a very long name indeed"], "mean": [0.5, math.nan], "n": [1, 12345]})
    lines = console_table(table).splitlines()
    assert lines == [
        "scenario                                 mean       n",
        "a                                         0.5       1",
        "a scenario with a very long name indeed     –  12,345",
    ]


def test_run_and_compare_tables_line_up_and_write_a_missing_value_one_way(tmp_path: Path, capsys):
    """The longest indicator names (36 characters) and missing values (none of a 24-month share in 6
    months) keep every column in line; a missing value is "–" in every column, never NaN."""
    small = str(SCENARIOS / "small.toml")
    assert main(["run", small, "--months", "6", "--replications", "2", *SMALLEST, "--out", str(tmp_path / "r")]) == 0
    compare_ = ["compare", small, small, "--months", "6", "--replications", "2", "--jobs", "1", *SMALLEST]
    assert main([*compare_, "--all-indicators", "--out", str(tmp_path / "c")]) == 0
    run_out, compare_out = capsys.readouterr().out.split("Indicators over", 2)[1:]
    rows = [line for line in run_out.splitlines() if line.split(" ", 1)[0] in {"indicator", *INDICATORS}]
    assert len(rows) == len(INDICATORS) + 1
    end = rows[0].index("mean") + len("mean")  # the column of means is right-aligned: every mean ends there
    assert [line for line in rows if line[end - 1] == " " or line[end] != " "] == []
    rows = [line for line in compare_out.splitlines() if line.startswith("small")]  # small and small-2
    assert len(rows) == 2 * len(INDICATORS) and len({len(line.rstrip()) for line in rows}) == 1
    missing = next(line for line in rows if " leefloon_share_24m " in line)
    assert "NaN" not in compare_out and missing.split()[2:9] == ["share"] + ["–"] * 6


def test_compare_prints_the_headline_indicators_unless_asked_for_all_and_writes_all(tmp_path: Path, capsys):
    small = str(SCENARIOS / "small.toml")
    compare_ = ["compare", small, small, "--months", "6", "--replications", "1", "--jobs", "1", *SMALLEST]
    assert main([*compare_, "--out", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    shown = [line.split()[1] for line in out.splitlines() if line.startswith("small")]
    assert shown == [n for n in INDICATORS if n in HEADLINE] * 2
    assert f"all {len(INDICATORS)} are in comparison.csv (--all-indicators prints them here)" in out
    assert set(pd.read_csv(tmp_path / "c" / "comparison.csv")["indicator"]) == set(INDICATORS)


def test_compare_of_one_scenario_prints_its_indicators_without_a_difference_from_itself(tmp_path: Path, capsys):
    """One scenario has nothing to differ from: the console leaves the paired columns and their footnote
    out (comparison.csv keeps its columns, 0, so that every comparison file reads alike)."""
    small = str(SCENARIOS / "small.toml")
    args = ["compare", small, "--months", "6", "--replications", "2", "--jobs", "1", *SMALLEST, "--out", str(tmp_path / "c")]
    assert main(args) == 0
    out = capsys.readouterr().out
    heading = next(line for line in out.splitlines() if line.startswith("scenario "))
    assert heading.split()[:5] == ["scenario", "indicator", "unit", "mean", "median"] and "diff" not in heading
    assert "paired difference" not in out and f"lde-sim report {tmp_path / 'c'}" in out
    table = pd.read_csv(tmp_path / "c" / "comparison.csv")
    assert ((table["diff"] == 0) | table["mean"].isna()).all()  # an indicator undefined in 6 months has none


def test_sweep_prints_the_headline_indicators_unless_asked_for_all_and_writes_all(tmp_path: Path, capsys):
    sweep_ = ["sweep", str(SCENARIOS / "small.toml"), "--vary", "policy.aftercare_months=3,6", "--months", "6"]
    sweep_ += ["--replications", "1", "--jobs", "1", *SMALLEST]
    assert main([*sweep_, "--out", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("point "))
    assert header.split() == ["point", "policy.aftercare_months", "replications", *(n for n in INDICATORS if n in HEADLINE)]
    assert f"all {len(INDICATORS)} are in sweep.csv (--all-indicators prints them here)" in out
    assert set(INDICATORS) <= set(pd.read_csv(tmp_path / "s" / "sweep.csv").columns)
    assert main([*sweep_, "--all-indicators", "--out", str(tmp_path / "s")]) == 0  # the same --out: nothing runs again
    header = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("point "))
    assert header.split() == ["point", "policy.aftercare_months", "replications", *INDICATORS]
