"""The dashboard end to end in a real browser: headless Chromium driven by Playwright.

CI installs Debian's Chromium (see .ci/run); elsewhere the browser test is skipped when
Chromium is not installed, never in CI.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT

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


def test_dashboard_model_follows_its_levers():
    pytest.importorskip("solara")
    from simulation.dashboard import NO_LIMIT, DashboardModel

    model = DashboardModel(max_lde_months=NO_LIMIT, aftercare_months=9, referral_capacity=20, seed=3)
    assert model.scenario.policy.max_lde_months == "unlimited" and model.scenario.policy.aftercare_months == 9
    for _ in range(3):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 4 and frame["LDE"].iloc[-1] == model.people.counts()[2]


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


def test_dashboard_in_a_real_browser(server: str):
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install Chromium (apt-get install chromium) for the browser test")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server, timeout=120_000)
        page.get_by_role("button", name="STEP").wait_for(timeout=120_000)
        charts = page.locator("img")
        charts.first.wait_for(timeout=60_000)
        assert charts.count() >= 4
        before = charts.first.get_attribute("src")

        slider = page.get_by_role("slider").nth(3)  # after the two control sliders: time limit, aftercare, ...
        start = slider.get_attribute("aria-valuenow")
        slider.focus()
        for _ in range(4):
            slider.press("ArrowRight")
        page.wait_for_timeout(1000)
        assert slider.get_attribute("aria-valuenow") != start

        for _ in range(3):
            page.get_by_role("button", name="STEP").click()
            page.wait_for_timeout(700)
        page.get_by_text("Step: 3").wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        assert charts.first.get_attribute("src") != before
        browser.close()
