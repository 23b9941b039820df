"""Shared fixtures: the shipped scenarios and a tiny world for fast statistical tests."""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from simulation import Scenario
from simulation.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
#: A tiny world for any scenario file (the history and its branches included): overrides of its size.
TINY = {
    "world.pool_size": 2000,
    "world.lde_workers": 150,
    "world.enterprises": 12,
    "world.maatwerk_workers": 10,
    "employers.employers_per_sector": 2,
    "policy.referral_capacity": 6,
    "policy.maatwerk_places": 10,
}
#: Smaller still: for plumbing tests (Mesa's batch runner, the README's examples), not statistics.
PLUMBING = {
    "world.pool_size": 1000,
    "world.lde_workers": 60,
    "world.enterprises": 6,
    "world.maatwerk_workers": 5,
    "employers.employers_per_sector": 1,
    "policy.referral_capacity": 3,
    "policy.maatwerk_places": 5,
}


@pytest.fixture(scope="session")
def small() -> Scenario:
    return Scenario.load(SCENARIOS / "small.toml")


@pytest.fixture(scope="session")
def tiny(small: Scenario) -> Scenario:
    """Smaller than small.toml: for tests that need many replications."""
    return small.with_overrides(
        {
            "world.pool_size": 2000,
            "world.lde_workers": 150,
            "world.enterprises": 12,
            "employers.employers_per_sector": 2,
            "policy.referral_capacity": 6,
            "months": 72,
        }
    )


#: The ten years under today's rules (scenarios/from_2026/): from 2026, with SINE, the operating subsidy
#: and the sitting workers' allowances gone, every worker costs an enterprise more than he brings in
#: (the margin per worker-month far below zero: the README's *Closures after 2023*), and the sector dissolves
#: from 2027 faster than 30% of its enterprises in one year, leaving almost no places to refer to.
#: A consequence of the rules as coded and of unidentified enterprise items, kept visible.
TODAYS_RULES = frozenset(
    f"from_2026/{name}.toml" for name in ("doorstroom_trajectories", "maatwerk_places", "outcome_bonus", "today")
)
DISSOLVES = "under today's rules every worker costs more than he brings in from 2026: the sector dissolves"


#: pytest-xdist's ways of handing out tests that keep each file's tests in one worker, in order.
WHOLE_FILES = ("no", "loadfile")


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to scatter a file's tests over workers: some build on each other (the README's examples
    report on a search run before them), and scattered they would fail by chance, far from the cause."""
    dist = config.getoption("dist", "no")
    if dist not in WHOLE_FILES:
        raise pytest.UsageError(
            f"--dist {dist} scatters a test file over pytest-xdist's workers, but some files' tests build on "
            f"each other: use --dist loadfile (pyproject.toml's default, what make test runs)"
        )


def load_benchmark(script: str) -> ModuleType:
    """A script of benchmarks/ as a module (the folder is not a package), for its functions."""
    spec = importlib.util.spec_from_file_location(script.removesuffix(".py"), ROOT / "benchmarks" / script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def invoke(args: list[str]) -> int:
    """``lde-sim ARGS`` in this process: its exit code, argparse's own errors included."""
    try:
        return main(args)
    except SystemExit as exit_:
        return int(exit_.code or 0)


def shipped(known_failures: frozenset[str] = frozenset(), reason: str = "") -> list:
    """Every shipped scenario file (relative to scenarios/), those in ``known_failures`` marked as
    strict expected failures with ``reason``: known, kept visible, and a fix shows."""
    names = sorted(str(p.relative_to(SCENARIOS)) for p in SCENARIOS.rglob("*.toml"))
    mark = pytest.mark.xfail(strict=True, reason=f"{reason} (docs/validation.md)")
    return [pytest.param(name, marks=mark) if name in known_failures else name for name in names]


def chromium() -> Path:
    """Debian's Chromium for the browser tests: skipped where it is missing, except on CI."""
    path = Path("/usr/bin/chromium")
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install Chromium (apt-get install chromium) for the browser test")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return path


@contextlib.contextmanager
def browser_page(page_file: Path, width: int) -> Iterator:
    """``page_file`` opened in headless Chromium (Playwright) at ``width`` pixels; skipped where
    Chromium is not installed, except on CI, where that is a failure."""
    path = chromium()
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(path), args=["--no-sandbox", "--disable-gpu"], headless=True)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(page_file.resolve().as_uri())
        try:
            yield page
        finally:
            browser.close()
