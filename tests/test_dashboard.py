"""The dashboard end to end in a real browser: headless Chromium driven by Playwright.

CI installs Debian's Chromium (see .ci/run); elsewhere the browser test is skipped when
Chromium is not installed, never in CI.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulation import Scenario

from .conftest import ROOT, SCENARIOS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_dashboard_starts_from_the_baseline_rules_of_the_small_world():
    pytest.importorskip("solara")
    from simulation.outputs.dashboard import DashboardModel

    assert DashboardModel().scenario.digest() == Scenario.load(SCENARIOS / "small.toml").digest()  # no hidden SINE phase-out


def test_dashboard_model_follows_its_levers():
    pytest.importorskip("solara")
    from simulation.outputs.dashboard import SINE_PHASEOUT_MONTH, DashboardModel

    model = DashboardModel(time_limit="no limit", aftercare_months=9, referral_capacity=20, sine_phaseout=True, seed=3)
    policy = model.scenario.policy
    assert policy.max_lde_months == "unlimited" and policy.aftercare_months == 9 and policy.referral_capacity == 20
    assert policy.sine_phaseout_start_month == SINE_PHASEOUT_MONTH
    for _ in range(3):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 4 and frame["LDE"].iloc[-1] == model.people.counts()[2]


#: How many times in a row a change followed at once by RESET must build the model shown.
RESETS = 10


@contextlib.contextmanager
def cpu_bound_process() -> Iterator[None]:
    """A busy process beside the test (bounded to two minutes, stopped on leaving)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 120\nwhile time.time() < end: pass"])
    try:
        yield
    finally:
        proc.kill()
        proc.wait(timeout=30)


@pytest.fixture
def server():
    pytest.importorskip("solara")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulation", "dashboard", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_dashboard_in_a_real_browser(server: str):
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install Chromium (apt-get install chromium) for the browser test")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    from simulation.outputs.dashboard import SINE_PHASEOUT_MONTH, TITLE

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server, timeout=120_000)
        page.get_by_role("button", name="STEP").wait_for(timeout=120_000)
        assert page.title() == TITLE and not page.get_by_text("Page 0").is_visible()
        page.get_by_text("Time limit: 60 months (the 2013 decree)").wait_for(timeout=30_000)  # the rules in words
        charts = page.locator("img")
        charts.first.wait_for(timeout=60_000)
        assert charts.count() >= 4
        before = charts.first.get_attribute("src")

        slider = page.get_by_role("slider").nth(2)  # after the two control sliders: aftercare
        aftercare = int(slider.get_attribute("aria-valuenow"))
        with cpu_bound_process():  # a loaded machine: the server answers slowly
            for _ in range(RESETS):  # a change, then RESET at once
                slider.focus()
                for _ in range(2):
                    slider.press("ArrowRight")
                aftercare += 2
                assert slider.get_attribute("aria-valuenow") == str(aftercare)
                page.get_by_role("button", name="RESET").click()
                page.get_by_text(f"Aftercare: {aftercare} months").wait_for(timeout=30_000)
            page.get_by_text(f"Phase out SINE from month {SINE_PHASEOUT_MONTH}").click()  # a checkbox the same way
            page.get_by_role("button", name="RESET").click()
            page.get_by_text(f"SINE subsidy: phased out from month {SINE_PHASEOUT_MONTH}").wait_for(timeout=30_000)

        for _ in range(3):
            page.get_by_role("button", name="STEP").click()
            page.wait_for_timeout(700)
        page.get_by_text("Month: 3").wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        assert charts.first.get_attribute("src") != before
        browser.close()


@pytest.mark.slow
def test_the_server_refuses_requests_that_do_not_name_it(server: str):
    """DNS rebinding: a page elsewhere cannot reach the dashboard through a name that points here."""
    request = urllib.request.Request(server, headers={"Host": "attacker.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    assert urllib.request.urlopen(server, timeout=10).status == 200
