"""Faults and hostile input: clear errors, no traceback, nothing half-written, one writer per folder."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.cli import main
from simulation.rules.scenario import Scenario
from simulation.world.records import Recorder

from .conftest import ROOT, SCENARIOS, invoke

SMALL = str(SCENARIOS / "small.toml")


def error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    return err[0]


def test_out_under_a_file_is_a_clear_error(tmp_path: Path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["run", SMALL, "--months", "2", "--out", str(tmp_path / "file" / "run")]) == 2
    assert "a parent of this path is a file" in error_line(capsys)
    assert main(["compare", SMALL, "--months", "2", "--jobs", "1", "--out", str(tmp_path / "file" / "c")]) == 2
    assert "is a file" in error_line(capsys)


def test_a_scenario_name_cannot_place_the_run_folder_outside_runs(tmp_path: Path, monkeypatch):
    scenario = tmp_path / "evil.toml"
    scenario.write_text(f'extends = "{SCENARIOS / "small.toml"}"\nname = "../../escaped"\nmonths = 2\n')
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(scenario)]) == 0
    made = [p for p in (tmp_path / "runs").iterdir()]
    assert len(made) == 1 and made[0].name.startswith("escaped-") and not (tmp_path.parent / "escaped").exists()


#: fsync calls of `run SMALL --months 12 --replications 3 --events`: scenario.toml, run.json, then per
#: replication metrics, summary, events, enterprise events, network, yearly and run.json, then run.json once more.
PER_REPLICATION = 7
WRITES = 2 + 3 * PER_REPLICATION + 1


@pytest.mark.parametrize("full_from", range(1, WRITES + 1))
def test_a_disk_that_fills_at_any_write_leaves_tables_that_agree_with_run_json(
    tmp_path: Path, monkeypatch, capsys, full_from: int
):
    """Every write from the ``full_from``-th on fails as on a full disk: exit 2 with one line, and every
    table holds exactly the replications run.json counts (none: no folder at all)."""
    from simulation.experiments.output import RUN_TABLES

    real_fsync, calls = os.fsync, []

    def full_fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) >= full_from:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_fsync)
    out = tmp_path / "run"
    assert main(["run", SMALL, "--months", "12", "--replications", "3", "--events", "--out", str(out)]) == 2
    assert "No space left on device" in error_line(capsys)
    if full_from <= 2 + PER_REPLICATION:  # before the first replication is recorded
        assert not out.exists()
        return
    provenance = json.loads((out / "run.json").read_text())
    done = provenance["replications_done"]
    assert done == (full_from - 3) // PER_REPLICATION and provenance["status"] in ("failed", "running", "complete")
    assert sorted(p.name for p in out.iterdir()) == sorted(["run.json", "scenario.toml", ".lock", *RUN_TABLES])
    for name in RUN_TABLES:
        assert (out / name).stat().st_size == provenance["files"][name]["bytes"], name
        table = pd.read_csv(out / name)
        assert set(table["replication"]) <= set(range(done)), name
    assert len(pd.read_csv(out / "metrics.csv")) == done * 13 and len(pd.read_csv(out / "summary.csv")) == done


@pytest.mark.skipif(sys.platform != "linux", reason="mounts a tmpfs")
def test_a_really_full_disk_when_the_machine_allows_a_small_tmpfs(tmp_path: Path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("this machine does not allow mounting a tmpfs (the simulated full disk above still runs)")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "simulation", "run", SMALL, "--replications", "6", "--out", str(disk / "run")],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 2 and "No space left on device" in done.stderr and "Traceback" not in done.stderr
        provenance = json.loads((disk / "run" / "run.json").read_text())
        metrics = pd.read_csv(disk / "run" / "metrics.csv")
        assert provenance["status"] in ("failed", "running") and 1 <= provenance["replications_done"] < 6
        assert len(metrics) == provenance["replications_done"] * 121
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_an_internal_error_is_one_line_exit_1_and_leaves_no_empty_folder(tmp_path: Path, monkeypatch, capsys):
    from simulation.world import model

    def broken(self) -> None:
        raise RuntimeError("a bug in a submodel")

    monkeypatch.setattr(model.LabourMarketModel, "step", broken)
    out = tmp_path / "run"
    assert main(["run", SMALL, "--months", "3", "--out", str(out)]) == 1
    line = error_line(capsys)
    assert line.startswith("lde-sim: internal error: RuntimeError: a bug in a submodel")
    assert not out.exists()


def test_an_experiment_whose_runs_fail_exits_1(tmp_path: Path, monkeypatch, capsys):
    from simulation.experiments import executors

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(executors, "simulate", broken)
    assert main(["compare", SMALL, "--months", "2", "--replications", "2", "--jobs", "1", "--out", str(tmp_path / "c")]) == 1
    assert "2 of 2 runs failed (first: RuntimeError: boom)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", SMALL, "--jobs", "100000"], "--jobs 100000: at most"),
        (["run", SMALL, "--replications", "20000"], "--replications 20000: at most 10,000"),
        (["run", SMALL, "--set", "world.pool_size=19000000", "--set", "months=1200"], "needs about"),
        (["compare", SMALL, "--scheduler", "not an address"], "--scheduler 'not an address': expected"),
        (["sweep", SMALL, "--vary", "policy.aftercare_months=1,2", "--vary", "policy.aftercare_months=3,4"], "more than once"),
        (["sweep", SMALL, "--vary", "policy.aftercare_months=0:1:0.5"], "appear more than once"),
        (["run", SMALL, "--set", "policy.max_lde_months=true"], "expected a number, got true"),
        (["run", SMALL, "--set", "people.search_rate_lde=inf"], "finite number"),
        (["run", SMALL, "--set", 'world.pool_size="5000"'], "expected a number, got the text '5000'"),
        (["compare", SMALL, "--ensemble", "/dev/zero"], "/dev/zero: larger than 16 MB"),
    ],
)
def test_sizes_and_nonsense_are_refused_before_anything_is_written(tmp_path: Path, capsys, args, message):
    out = tmp_path / "out"
    assert invoke([*args, "--out", str(out)]) == 2
    assert message in error_line(capsys)
    assert not out.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('extends = "small\\u0000.toml"\n', "not a usable file name (it contains a NUL byte)"),
        (f'extends = "{"x" * 5000}.toml"\n', "not a usable file name (File name too long)"),
        ("v = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply to read"),
        ("v = 1\n" + "# padding\n" * 200_000, "larger than 1 MB"),
    ],
    ids=["NUL in extends", "over-long extends", "deeply nested", "too large"],
)
def test_unreadable_scenario_files_are_input_errors(tmp_path: Path, capsys, content: str, message: str):
    scenario = tmp_path / "bad.toml"
    scenario.write_text(content)
    assert invoke(["run", str(scenario), "--out", str(tmp_path / "out")]) == 2
    assert message in error_line(capsys)


def test_a_non_finite_option_value_is_an_input_error(tmp_path: Path, capsys):
    assert invoke(["discover", str(tmp_path), "--fails", "dumping_share > 0.5", "--threshold", "nan"]) == 2
    assert "--threshold: expected a finite number, got 'nan'" in error_line(capsys)


def test_errors_of_the_machine_are_exit_2_with_what_to_do(tmp_path: Path, monkeypatch, capsys):
    """A full disk or a full store where no specific handler catches it (here: writing comparison.csv,
    saving a run) is not a bug."""
    import sqlite3

    from simulation.experiments import output, store

    def full(path, data):
        raise OSError(28, "No space left on device", str(path))

    with monkeypatch.context() as patch:
        patch.setattr(output, "write_file", full)
        assert (
            invoke(["compare", SMALL, "--months", "2", "--replications", "1", "--jobs", "1", "--out", str(tmp_path / "a")]) == 2
        )
    assert "comparison.csv: No space left on device; free some space" in error_line(capsys)

    def full_store(self, outcome):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store.ExperimentStore, "save", full_store)
    assert invoke(["compare", SMALL, "--months", "2", "--replications", "1", "--jobs", "1", "--out", str(tmp_path / "b")]) == 2
    assert "database or disk is full; check free space" in error_line(capsys)


def test_a_second_writer_on_an_experiment_folder_is_refused(tmp_path: Path, capsys):
    out = tmp_path / "c"
    first = subprocess.Popen(
        [sys.executable, "-m", "simulation", "compare", SMALL, "--replications", "40", "--jobs", "1", "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (out / "experiment.sqlite").exists():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert main(["compare", SMALL, "--replications", "40", "--jobs", "1", "--out", str(out)]) == 2
        assert "another lde-sim command is writing to this folder" in error_line(capsys)
    finally:
        first.kill()
        first.wait()


def test_a_taken_port_is_a_clear_error_before_the_address_is_printed(capsys):
    pytest.importorskip("solara")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
    captured = capsys.readouterr()
    assert "cannot serve on 127.0.0.1" in captured.err and "Dashboard on" not in captured.out


def test_a_measured_nan_stays_nan_in_the_metrics():
    recorder = Recorder()
    recorder.add("measured", float("nan"))
    recorder.end_month(0, "2015-04", np.zeros(6, dtype=int), {})
    recorder.start_month()
    recorder.end_month(1, "2015-05", np.zeros(6, dtype=int), {"later": 1.0})
    metrics = recorder.metrics()
    assert np.isnan(metrics.loc[0, "measured"]) and metrics.loc[0, "later"] == 0.0


def test_a_store_with_flipped_bytes_is_refused_and_says_how_to_recover(tmp_path: Path, capsys):
    out = tmp_path / "c"
    args = ["compare", SMALL, "--months", "2", "--replications", "3", "--jobs", "1", "--out", str(out)]
    assert main(args) == 0
    capsys.readouterr()
    store = out / "experiment.sqlite"
    data = bytearray(store.read_bytes())
    page = 4096
    for offset in range(page + 3, page + 9):  # the cell count and content area of the second page's header
        data[offset] ^= 0xFF
    store.write_bytes(bytes(data))
    assert main(args) == 2
    line = error_line(capsys)
    assert "experiment.sqlite" in line and ".recover" in line
    assert main(["report", str(out)]) == 2
    line = error_line(capsys)
    assert "cannot be read" in line or "damaged" in line


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("UPDATE monthly SET lde = lde + 1 WHERE run = 2 AND month = 1", "the stored results of 1 run(s) (2) differ"),
        ("DELETE FROM runs WHERE run = 1", "its runs table has 2 of the design's 3 runs"),
    ],
    ids=["changed value", "deleted run row"],
)
def test_a_resume_refuses_a_store_damaged_in_place(tmp_path: Path, capsys, damage: str, message: str):
    """Damage that passes SQLite's integrity check is found by the runs' checksums and the design's run count."""
    import sqlite3

    out = tmp_path / "c"
    args = ["compare", SMALL, "--months", "2", "--replications", "3", "--jobs", "1", "--out", str(out)]
    assert main(args) == 0
    capsys.readouterr()
    with sqlite3.connect(out / "experiment.sqlite") as connection:
        connection.execute(damage)
    for command in (args, ["report", str(out)], ["export", str(out)]):
        assert main(command) == 2
        assert message in error_line(capsys)


def test_an_empty_store_does_not_silently_start_over(tmp_path: Path, capsys):
    out = tmp_path / "c"
    out.mkdir()
    (out / "experiment.sqlite").write_bytes(b"")
    assert main(["compare", SMALL, "--months", "2", "--jobs", "1", "--out", str(out)]) == 2
    assert "holds no experiment design" in error_line(capsys)


def test_months_beyond_the_bound_are_named_as_the_option(tmp_path: Path, capsys):
    assert invoke(["run", SMALL, "--months", "5000", "--out", str(tmp_path / "r")]) == 2
    assert "--months: at most 1200 months" in capsys.readouterr().err


def test_a_refused_output_folder_is_left_exactly_as_it_was(tmp_path: Path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my own file")
    for command in (["run", SMALL], ["compare", SMALL, "--jobs", "1"]):
        assert main([*command, "--months", "2", "--out", str(mine)]) == 2
        assert "choose a new folder" in error_line(capsys)
        assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def killing_task(task):
    """A task for the process executor: run 1 kills its worker the first time (a marker file remembers),
    or every time with LDE_TEST_KILL=always."""
    from simulation.experiments.store import Outcome

    marker = Path(os.environ["LDE_TEST_MARKER"])
    if task.run == 1 and (not marker.exists() or os.environ.get("LDE_TEST_KILL") == "always"):
        marker.touch()
        time.sleep(0.3)
        os.kill(os.getpid(), 9)
    time.sleep(0.0 if task.run == 0 else 0.5)
    return [Outcome(task.run, 0.0, {"run": task.run})]


@pytest.mark.slow
def test_a_broken_pool_loses_every_run_in_flight_at_once_and_each_runs_again(tmp_path: Path, monkeypatch):
    """The pool breaks while the caller is busy (storing a run), so every future in flight is done at
    once when it looks again, and the next submission meets a broken pool: all are run again, once each."""
    from simulation.experiments import executors

    monkeypatch.setenv("LDE_TEST_MARKER", str(tmp_path / "died"))
    monkeypatch.setattr(executors, "execute_task", killing_task)
    outcomes = []
    for outcome in executors.run_tasks([executors.Task(run, {}, 1, 0) for run in range(8)], jobs=2):
        outcomes.append(outcome)
        time.sleep(1.0 if len(outcomes) == 1 else 0.0)  # a slow store: the worker dies meanwhile
    assert (tmp_path / "died").exists()
    assert sorted(o.run for o in outcomes) == list(range(8))
    assert all(o.error is None and o.indicators == {"run": o.run} for o in outcomes)


@pytest.mark.slow
def test_a_run_that_always_kills_its_worker_fails_alone(tmp_path: Path, monkeypatch):
    """Lost twice beside others, the run then runs by itself; dying once more it fails, and no other run with it."""
    from simulation.experiments import executors

    monkeypatch.setenv("LDE_TEST_MARKER", str(tmp_path / "died"))
    monkeypatch.setenv("LDE_TEST_KILL", "always")
    monkeypatch.setattr(executors, "execute_task", killing_task)
    outcomes = {o.run: o for o in executors.run_tasks([executors.Task(run, {}, 1, 0) for run in range(6)], jobs=2)}
    assert sorted(outcomes) == list(range(6))
    assert outcomes[1].error == "worker process died repeatedly on this run"
    assert all(o.error is None for run, o in outcomes.items() if run != 1)


def test_the_resource_check_counts_the_store_and_the_design(tmp_path: Path, monkeypatch, capsys):
    """A store that would not fit on the disk, or a design too large to hold with its runs, is refused
    before anything is written."""
    import collections

    from simulation.world import resources

    usage = collections.namedtuple("usage", "total used free")
    args = ["sweep", SMALL, "--months", "12", "--vary", "policy.aftercare_months=0:24:1", "--replications", "10", "--jobs", "1"]
    needed = resources.store_size(25, 250, 12)
    monkeypatch.setattr(resources.shutil, "disk_usage", lambda path: usage(10 * needed, 9 * needed, needed - 1))
    assert invoke([*args, "--out", str(tmp_path / "a")]) == 2
    assert "the experiment's store will need about" in error_line(capsys) and not (tmp_path / "a").exists()
    monkeypatch.undo()
    one_run = resources.run_memory(Scenario.load(SMALL).with_overrides({"months": 12}))
    monkeypatch.setattr(resources, "available_memory", lambda: one_run + 24 * resources.DESIGN_BYTES_PER_POINT)
    assert invoke([*args, "--out", str(tmp_path / "b")]) == 2
    assert "use a smaller world or design" in error_line(capsys) and not (tmp_path / "b").exists()


def test_an_experiment_whose_design_cannot_be_stored_can_be_repeated(tmp_path: Path, monkeypatch, capsys):
    """A full disk while the design is recorded: exit 2, no store without a design left behind, and the
    same command then runs."""
    import sqlite3

    from simulation.experiments import store

    real_prepare = store.ExperimentStore.prepare

    def full(self, *args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    args = ["compare", SMALL, "--months", "2", "--replications", "2", "--jobs", "1", "--out", str(tmp_path / "c")]
    monkeypatch.setattr(store.ExperimentStore, "prepare", full)
    assert invoke(args) == 2
    assert "database or disk is full" in error_line(capsys)
    assert not list((tmp_path / "c").glob("experiment.sqlite*"))
    monkeypatch.setattr(store.ExperimentStore, "prepare", real_prepare)
    assert invoke(args) == 0
