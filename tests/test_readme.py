"""The README's examples run as written: every ``sh`` command a user is told to run, every
``python``, ``toml`` and ``sql`` block, and the command behind ``make run``, read from the
README and the Makefile at test time, so an edited example is tested as edited.

Small settings (the README says so where it shows them): every size at the full scale (the
baseline's) is shrunk to a tiny world's (:data:`PLUMBING`), a horizon of a scenario without dated
changes to a fifth (15 years: 36 months), an ensemble keeps its first two members, a command's
Latin hypercube or sample at most 12 points and its replications at most 2; what each command does
is otherwise unchanged. Sizes and horizons a scenario sets itself stay apart from the full scale's
(``small.toml``: 5,000 people, as cheap to run as a tiny world, and 24 months), so an example that
compares different people or different years fails here as it fails for a user. The few blocks not
run are listed in :data:`NOT_RUN` with the reason (and the test fails when one of them is no longer
in the README).
"""

from __future__ import annotations

import re
import shlex
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

import simulation.experiments.experiment
from simulation import Scenario
from simulation.experiments.ensemble import load_ensemble
from simulation.rules.scenario_files import leaves

from .conftest import PLUMBING, ROOT, invoke

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = [(m.group(1), m.group(2)) for m in re.finditer(r"```(\w*)\n(.*?)```", README, re.S)]
#: Commands shown but not run here, each with the reason.
NOT_RUN = {
    "make test": "it is this test suite",
    "lde-sim calibrate calibration/targets.toml": "the shipped calibration takes 15 minutes; test_calibration runs calibrate on a small targets file",
    "lde-sim dashboard": "a server that runs until stopped; test_dashboard starts it and drives it in a browser",
    "lde-sim run SCENARIO.toml": "the synopsis of the options, not a command",
}


def commands() -> list[str]:
    """Every shell command of the README's ``sh`` blocks (continued lines joined, comments dropped)."""
    out = []
    for language, text in BLOCKS:
        if language == "sh":
            joined = re.sub(r"\\?\n[ \t]+", " ", text)  # continued lines: after a backslash, or indented
            out += [line.split("  #")[0].strip() for line in joined.splitlines() if line.strip() and not line.startswith("#")]
    return out


def make_run() -> str:
    """The command ``make run`` runs (the Makefile's recipe), with $(BIN) as the README writes it."""
    recipe = re.search(r"^run:.*\n\t(.+)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    return recipe.replace("$(BIN)", ".venv/bin")


def skipped(command: str) -> bool:
    return any(command.removeprefix(".venv/bin/").startswith(prefix) for prefix in NOT_RUN)


def cases() -> list:
    runnable = [make_run() if c.startswith("make run") else c for c in commands() if not skipped(c)]
    blocks = [
        pytest.param(language, text, id=f"{language}-{i}")
        for i, (language, text) in enumerate(BLOCKS)
        if language in ("python", "toml")
    ]
    return [pytest.param("sh", c, id=c[:80]) for c in runnable] + blocks


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder like a clone's top: the scenarios and calibration where the README has them."""
    folder = tmp_path_factory.mktemp("readme")
    for name in ("scenarios", "calibration", "searches"):
        (folder / name).symlink_to(ROOT / name)
    return folder


@pytest.fixture(autouse=True)
def small_settings(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load = Scenario.load.__func__

    full = dict(leaves(Scenario.load(ROOT / "scenarios" / "baseline.toml").model_dump(mode="json")))

    def tiny(cls: type, path: str | Path, overrides: dict | None = None) -> Scenario:
        scenario = load(cls, path, overrides)
        mine = dict(leaves(scenario.model_dump(mode="json")))
        scenario = scenario.with_overrides({key: value for key, value in PLUMBING.items() if mine[key] == full[key]})
        if not scenario.timeline and scenario.branch is None and "months" not in (overrides or {}):
            scenario = scenario.with_overrides({"months": scenario.months // 5})
        return scenario

    def two_members(path: str | Path) -> tuple:
        members, weights = load_ensemble(path)
        return members[:2], weights[:2] / weights[:2].sum()

    monkeypatch.setattr(Scenario, "load", classmethod(tiny))
    monkeypatch.setattr(simulation.experiments.experiment, "load_ensemble", two_members)
    monkeypatch.chdir(workdir)


def fewer_runs(args: list[str]) -> list[str]:
    """At most 12 sample points (Morris: 2 trajectories) and 2 replications, whatever the README asks."""
    out = list(args)
    for i, arg in enumerate(out[:-1]):
        if arg == "--samples":
            out[i + 1] = str(min(int(out[i + 1]), 2 if "morris" in out else 12))
        if arg == "--replications":
            out[i + 1] = str(min(int(out[i + 1]), 2))
    if out[0] in ("compare", "evaluate", "sweep", "sensitivity") and "--replications" not in out:
        out += ["--replications", "2"]
    return out


def placeholders(args: list[str], workdir: Path) -> list[str]:
    """``runs/baseline-...``: the folder an earlier example wrote; ``a.toml ... b.toml``: every shipped scenario between."""
    out = []
    for arg in args:
        if arg == "...":
            shown = {a for a in args if a.endswith(".toml")}
            out += sorted(
                str(p.relative_to(workdir))
                for p in (workdir / "scenarios").glob("*.toml")
                if str(p.relative_to(workdir)) not in shown
            )
        elif arg.endswith("-..."):
            found = sorted(workdir.glob(arg.replace("...", "*")))
            assert found, f"{arg}: no earlier example wrote such a folder"
            out.append(str(found[0]))
        else:
            out.append(arg)
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("language", "text"), cases())
def test_the_readme_example_runs(language: str, text: str, workdir: Path):
    if language == "sh":
        args = placeholders(fewer_runs(shlex.split(text)[1:]), workdir)
        assert shlex.split(text)[0] == ".venv/bin/lde-sim"
        assert invoke(args) == 0, text
    elif language == "python":
        exec(compile(text, "README.md", "exec"), {"__name__": "__main__"})
    else:
        mine = workdir / "mine"  # a user's folder: the file, beside the file it extends or naming a shipped one
        mine.mkdir(exist_ok=True)
        parent = tomllib.loads(text).get("extends")
        if parent is None:  # a part of a file: added to the small scenario
            text = f'extends = "{ROOT / "scenarios" / "small.toml"}"\n{text}'
        elif Path(parent).suffix and not (mine / parent).exists():
            (mine / parent).symlink_to(ROOT / "scenarios" / parent)
        (mine / "example.toml").write_text(text, encoding="utf-8")
        assert Scenario.load(mine / "example.toml").name


@pytest.mark.slow
def test_the_readme_sql_query_runs_on_a_sweep_it_shows(workdir: Path):
    (query,) = [text for language, text in BLOCKS if language == "sql"]
    key = re.search(r"d.key = '([^']+)'", query).group(1)
    sweep = next(c for c in commands() if " sweep " in c and f"--vary {key}=" in c and "--ensemble" not in c)
    args = shlex.split(sweep)[1:] + ["--out", str(workdir / "sql")]
    assert invoke(args) == 0
    with sqlite3.connect(workdir / "sql" / "experiment.sqlite") as connection:
        rows = pd.read_sql_query(query, connection)
    assert len(rows) == len(pd.read_csv(workdir / "sql" / "sweep.csv")) and rows.notna().all().all()


def test_every_block_not_run_is_still_in_the_readme_and_everything_else_is_run():
    shown = [c.removeprefix(".venv/bin/") for c in commands()]
    for prefix in NOT_RUN:
        assert any(c.startswith(prefix) for c in shown), f"NOT_RUN lists {prefix!r}, which the README no longer shows"
    assert any(c.startswith("make run") for c in commands()) and make_run().startswith(".venv/bin/lde-sim run ")
    languages = {language for language, _ in BLOCKS}
    assert languages <= {"", "sh", "python", "toml", "sql"}, "a README block in a language this test does not run"


def test_the_suite_refuses_to_scatter_a_files_tests_over_workers():
    """The examples above build on each other (a report of the search before it). pytest-xdist's
    --dist load would hand them to its workers one by one, and a report would fail now and then on a
    worker that had not run its search: tests/conftest.py refuses that at once, with the way out."""
    command = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "load", "--collect-only", "-q", "tests/test_streams.py"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR and "use --dist loadfile" in done.stderr, done.stdout + done.stderr
