"""The package as pip installs it: typed, with its scenarios and calibration as package data,
clear about missing extras, and clear when another distribution claims the name ``simulation``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import simulation
from simulation.errors import LDEError, MissingExtra, require
from simulation.rules.scenario import Scenario, ScenarioError

from .conftest import ROOT, SCENARIOS


def test_shipped_scenarios_are_found_by_name_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    assert Scenario.load("small").digest() == Scenario.load(SCENARIOS / "small.toml").digest()
    assert Scenario.load("from_2018/aftercare").branch == "2018-01"
    with pytest.raises(ScenarioError, match="nothing shipped by that name; shipped in scenarios/: .*baseline.*small"):
        Scenario.load("no_such_scenario")


def test_a_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(
        MissingExtra, match=r"simulation.experiments.ema needs no_such_module.*'ema' extra: pip install 'lde-doorstroom\[ema\]'"
    ):
        require("no_such_module", "ema", "simulation.experiments.ema")
    assert issubclass(MissingExtra, ImportError) and issubclass(MissingExtra, LDEError)
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # as if the extra were not installed
    from simulation.experiments.ema import ema_model

    with pytest.raises(MissingExtra, match=r"pip install 'lde-doorstroom\[ema\]'"):
        ema_model(Scenario.load("small"))


def foreign_distribution(folder: Path) -> None:
    """What ``pip install simulation`` leaves in site-packages: a distribution named simulation."""
    info = folder / "simulation-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: simulation\nVersion: 0.1\n")
    (info / "top_level.txt").write_text("simulation\n")


def test_a_foreign_simulation_package_is_named_at_import_and_by_version(tmp_path: Path):
    foreign_distribution(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    version = subprocess.run(
        [sys.executable, "-m", "simulation", "--version"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert version.returncode == 0 and f"lde-sim {simulation.__version__}" in version.stdout
    assert "warning: simulation also install(s) files into the 'simulation' package" in version.stdout
    overwritten = tmp_path / "site" / "simulation"
    shutil.copytree(Path(simulation.__file__).parent, overwritten, ignore=shutil.ignore_patterns("__pycache__"))
    (overwritten / "__init__.py").write_text('"""An unrelated package that happens to be called simulation."""\n')
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "site"), str(tmp_path)])
    broken = subprocess.run(
        [sys.executable, "-c", "import simulation.cli"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert broken.returncode == 1
    assert "__init__.py is not lde-doorstroom's: the distribution simulation installed a 'simulation' package" in broken.stderr
    assert "pip uninstall simulation && pip install --force-reinstall lde-doorstroom" in broken.stderr


@pytest.mark.slow
def test_the_wheel_runs_the_small_scenario_by_name_from_any_folder(tmp_path: Path):
    """What `pip install .` gives: the wheel's own files (not this source tree) run `lde-sim run small`."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path / "wheel"), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"simulation/py.typed", "simulation/data/scenarios/small.toml", "simulation/data/calibration/plausible.csv"} <= set(
        names
    )
    assert "simulation/data/scenarios/from_2018/aftercare.toml" in names
    assert {"simulation/data/calibration/timing.json", "simulation/data/calibration/calibration.json"} <= set(names)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(tmp_path / "site"), str(wheel)],
        check=True,
    )
    anywhere = tmp_path / "elsewhere"
    anywhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    where = subprocess.run(
        [sys.executable, "-c", "import simulation; print(simulation.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=anywhere,
    )
    assert where.stdout.strip().startswith(str(tmp_path / "site"))
    done = subprocess.run(
        [sys.executable, "-m", "simulation", "run", "small", "--months", "12", "--out", "r"],
        capture_output=True,
        text=True,
        env=env,
        cwd=anywhere,
    )
    assert done.returncode == 0, done.stderr
    assert "small: 1 replication of 12 months, seed 1" in done.stdout and (anywhere / "r" / "summary.csv").is_file()
