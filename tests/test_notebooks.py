"""The student notebooks run top to bottom, are stored without outputs, and say only what is true.

A notebook's text may quote a figure or describe what its output shows. The quick tests below
hold the figures a notebook quotes from elsewhere (the calibration's tables, the scenarios'
defaults, the search file, the model's schedule) against their source; the slow ones run each
notebook with a probe cell appended and hold what its text says about its own output against
what it computed. When a test here fails after a change of the model, correct the notebook's
text (and the pattern here), not the tolerance.
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from simulation import Scenario
from simulation.experiments.search_file import load_search

from .conftest import ROOT, SCENARIOS

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CALIBRATION = ROOT / "calibration"


def notebook(stem: str) -> Path:
    return ROOT / "notebooks" / f"{stem}.ipynb"


def text_of(path: Path) -> str:
    """The notebook's markdown, with every run of white space one space (a quote may wrap)."""
    cells = nbformat.read(path, as_version=4).cells
    return " ".join(" ".join(cell.source.split()) for cell in cells if cell.cell_type == "markdown")


def quoted(path: Path, pattern: str) -> tuple[str, ...]:
    """The groups of the one place the notebook's text matches ``pattern``."""
    found = re.findall(pattern, text_of(path))
    assert len(found) == 1, f"{path.name}: expected one passage matching {pattern!r}, found {len(found)}"
    return found[0] if isinstance(found[0], tuple) else (found[0],)


def default(scenario: Scenario, key: str) -> Any:
    section, name = key.split(".")
    return getattr(getattr(scenario, section), name)


def test_the_four_notebooks_ship():
    assert [p.stem for p in NOTEBOOKS] == [
        "01_getting_started",
        "02_comparing_policies",
        "03_sensitivity",
        "04_finding_a_robust_policy",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path):
    notebook = nbformat.read(path, as_version=4)
    assert all(
        not cell.get("outputs") and cell.get("execution_count") is None for cell in notebook.cells if cell.cell_type == "code"
    )
    stored = json.loads(path.read_text(encoding="utf-8"))["cells"]  # as stored: nbformat adds missing ids when reading
    assert all("id" in cell for cell in stored), "a cell without an id (nbformat will refuse it): give it one"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_says_where_the_model_cannot_be_trusted(path: Path):
    text = text_of(path)
    assert "docs/validation.md" in text, f"{path.name}: point the student to docs/validation.md (what was checked)"


def test_the_figures_notebook_1_quotes_are_the_calibrations_and_the_defaults():
    path = notebook("01_getting_started")
    fit = pd.read_csv(CALIBRATION / "fit.csv").set_index("target")
    headline = pd.read_csv(CALIBRATION / "headline.csv").set_index("answer")
    early, late = quoted(path, r"moves (\d+\.\d)% of LDE workers a year in May 2015 - April 2018 .*? and (\d+\.\d)% in 2021-2026")
    assert float(early) == round(100 * fit.loc["LDE transition rate May 2015 - April 2018", "plausible_mean"], 1)
    assert float(late) == round(100 * headline.loc["LDE transition rate 2021-2026", "mean"], 1)
    (learning,) = quoted(path, r"`people.learning_rate_lde` (\d\.\d+) a month by default")
    small, baseline = Scenario.load(SCENARIOS / "small.toml"), Scenario.load(SCENARIOS / "baseline.toml")
    assert float(learning) == round(small.people.learning_rate_lde, len(learning) - 2)
    parameters = pd.read_csv(CALIBRATION / "parameters.csv")
    (pinned,) = quoted(path, r"the observed figures pin down only `(\w+)`")
    assert parameters.loc[parameters["identified"], "parameter"].tolist() == [f"people.{pinned}"]
    quoted(path, r"a tenth of the baseline's LDE workers but a twentieth of its job seekers")
    assert (baseline.world.lde_workers, baseline.world.pool_size) == (10 * small.world.lde_workers, 20 * small.world.pool_size)


def test_the_schedule_notebook_1_gives_is_the_models_step():
    """Every process of LabourMarketModel.step, in its order; a new process fails this until the notebook names it."""
    words = {
        "demography": "demography",
        "referral": "referral to LDE",
        "development": "learning",
        "labour_demand": "labour demand",
        "employer_decisions": "the employers' traineeship offers",
        "job_search_and_matching": "job search and matching",
        "retention": "retention",
        "time_limit": "the time limit",
        "doorstroom": "doorstroom trajectories",
        "maatwerk": "collective maatwerk",
        "work_care": "work-care",
        "benefits": "benefits",
        "follow_up": "follow-up",
        "enterprise_finances": "the enterprises' finances",
        "enterprise_decisions": "and decisions",
        "new_initiatives": "new initiatives",
        "public_finances": "the public ledger",
    }
    source = (ROOT / "simulation" / "world" / "model.py").read_text(encoding="utf-8")
    model = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ClassDef) and n.name == "LabourMarketModel")
    step = next(n for n in model.body if isinstance(n, ast.FunctionDef) and n.name == "step")
    calls = [
        n.value.func.id for n in step.body if isinstance(n, ast.Expr) and isinstance(getattr(n.value, "func", None), ast.Name)
    ]
    assert calls == list(words), "the model's monthly processes changed: update notebook 1's schedule and this list"
    (schedule,) = quoted(
        notebook("01_getting_started"), r"in the order of the ODD schedule \(`docs/ODD.md`, section 3\): (.*?)\."
    )
    positions = [schedule.find(words[call]) for call in calls]
    assert -1 not in positions, f"notebook 1's schedule misses {[c for c, p in zip(calls, positions) if p < 0]}"
    assert positions == sorted(positions), "notebook 1 gives the processes in another order than the model's step"


def test_the_figures_notebooks_2_to_4_quote_are_the_scenarios_and_the_search_files():
    small, baseline = Scenario.load(SCENARIOS / "small.toml"), Scenario.load(SCENARIOS / "baseline.toml")
    (effect,) = quoted(notebook("02_comparing_policies"), r"by an assumed (\d+)% \(`policy.aftercare_effect`")
    assert float(effect) / 100 == small.policy.aftercare_effect
    quoted(notebook("02_comparing_policies"), r"the baseline's world is twenty times larger")
    assert baseline.world.pool_size == 20 * small.world.pool_size
    path = notebook("04_finding_a_robust_policy")
    (months,) = quoted(path, r"we shorten the runs to (\d+) months")
    spec = load_search(ROOT / "searches" / "small.toml", small.with_overrides({"months": int(months)}))
    members, replications = quoted(path, r"the \*\*futures\*\* \((\d+) members of the ensemble, (\d+) replications each\)")
    assert (int(members), int(replications)) == (spec.futures.members, spec.futures.replications)
    solvent = next(c for c in spec.constraints if c.name == "enterprise_solvent_share")
    share, _ = quoted(path, r"at least (\d+)% of the enterprises solvent at the end in at least (half) the futures")
    assert (float(share) / 100, solvent.at_least) == (solvent.threshold, 0.5)
    assert f'{{"months": {months}}}' in "".join(c.source for c in nbformat.read(path, as_version=4).cells)


#: Code appended to each notebook in the slow tests: it prints what the checks below compare with the text.
PROBES = {
    "01_getting_started": """
        {"rate": float(result.summary["transition_rate_annual"].mean()),
         "peak": int(by_year.idxmax()), "low": int(by_year.idxmin()),
         "first_limit_exit": int(result.metrics.loc[result.metrics["exits_time_limit"] > 0, "month"].min()),
         "limit_exits_first_24": float(model.recorder.metrics()["exits_time_limit"].sum()),
         "change": {k: float(without.summary[k].mean() - result.summary[k].mean())
                    for k in ("transition_rate_annual", "exit_to_job_share")}}
    """,
    "02_comparing_policies": """
        {"paired": float((y - x).std()), "unpaired": float(np.sqrt(x.var() + y.var())),
         "aftercare": table.set_index(["scenario", "indicator"]).loc[("aftercare", "sustainable_transition_rate"),
                                                                     ["diff_ci_low", "diff_ci_high"]].tolist()}
    """,
    "03_sensitivity": """
        {"ranges": ranges,
         "defaults": {r.split("=")[0]: getattr(getattr(base, r.split(".")[0]), r.split("=")[0].split(".")[1])
                      for r in ranges},
         "aftercare": indices[indices["parameter"] == "policy.aftercare_months"].set_index("indicator")
                      [["mu_star", "mu_star_conf"]].loc[["transition_rate_annual", "sustainable_transition_rate"]]
                      .values.tolist()}
    """,
    "04_finding_a_robust_policy": """
        {"costs": result.candidates["constraint_fiscal_cost_net_mean"].tolist(),
         "last_columns": result.candidates.columns[-3:].tolist(),
         "budget": next(c.at_most for c in spec.constraints if c.name == "fiscal_cost_net"),
         "limit_exits": float(__import__("simulation").run(scenario, seed=1).metrics["exits_time_limit"].sum())}
    """,
}


def check_01_getting_started(path: Path, probe: dict[str, Any]) -> None:
    (heading,) = quoted(path, r"Why about (\d+)% a year here")
    (whole,) = quoted(path, r"about (\d+)% over the whole run")
    assert int(heading) == int(whole) == round(100 * probe["rate"]), f"the run's rate is {probe['rate']:.3%}"
    (peak,) = quoted(path, r"highest in (\d{4})")
    first, last = quoted(path, r"lowest in (\d{4})-(\d{4})")
    assert probe["peak"] == int(peak) and int(first) <= probe["low"] <= int(last), probe
    quoted(path, r"nobody reaches the 5-year limit before month 60")
    assert probe["first_limit_exit"] == 60 and probe["limit_exits_first_24"] == 0
    quoted(path, r"Why does the share of exits to a job change more than the rate\?")
    change = probe["change"]
    assert abs(change["exit_to_job_share"]) > abs(change["transition_rate_annual"]), change


def check_02_comparing_policies(path: Path, probe: dict[str, Any]) -> None:
    quoted(path, r"makes them far more precise")
    assert probe["paired"] < probe["unpaired"], probe
    quoted(path, r"so it raises `sustainable_transition_rate` by construction")
    assert probe["aftercare"][0] > 0, f"aftercare's paired difference in sustainable transitions: {probe['aftercare']}"


def check_03_sensitivity(path: Path, probe: dict[str, Any]) -> None:
    quoted(path, r"A range should hold the values the evidence leaves plausible, and the default")
    for varied in probe["ranges"]:
        key, span = varied.split("=")
        low, high = (float(v) for v in span.split(":"))
        assert low <= probe["defaults"][key] <= high, f"{varied} leaves out the default {probe['defaults'][key]}"
    quoted(path, r"Why is `aftercare_months` important for `sustainable_transition_rate` but not for `transition_rate_annual`\?")
    (transition, transition_conf), (sustainable, sustainable_conf) = probe["aftercare"]
    assert sustainable - sustainable_conf > transition + transition_conf, probe["aftercare"]


def check_04_finding_a_robust_policy(path: Path, probe: dict[str, Any]) -> None:
    quoted(path, r"so here it does not bind")
    assert max(probe["costs"]) < probe["budget"], f"the budget binds: {max(probe['costs']):,.0f} > {probe['budget']:,.0f}"
    quoted(path, r"The last three columns are what a ministry reads: the net public cost a year, lasting transitions a year")
    assert probe["last_columns"] == ["cost_per_year", "lasting_transitions_per_year", "falling_back_per_year"]
    quoted(path, r"in 24 months nobody reaches the 5-year limit")
    assert probe["limit_exits"] == 0


CHECKS = {
    "01_getting_started": check_01_getting_started,
    "02_comparing_policies": check_02_comparing_policies,
    "03_sensitivity": check_03_sensitivity,
    "04_finding_a_robust_policy": check_04_finding_a_robust_policy,
}


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=lambda p: p.stem)
def executed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, dict[str, Any]]:
    """Each notebook run top to bottom in a copy of the repository's layout, with its probe cell last."""
    path = request.param
    notebook = nbformat.read(path, as_version=4)
    probe = "import json as _json\nprint('PROBE', _json.dumps(" + textwrap.dedent(PROBES[path.stem]).strip() + "))"
    notebook.cells.append(nbformat.v4.new_code_cell(probe))
    root = tmp_path_factory.mktemp(path.stem)
    workdir = root / "notebooks"
    workdir.mkdir()
    for folder in ("scenarios", "searches", "calibration"):  # notebooks read ../scenarios (...), and write runs/ here
        (root / folder).symlink_to(ROOT / folder)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    printed = "".join(out.get("text", "") for out in notebook.cells[-1].outputs)
    return path, notebook, json.loads(printed.split("PROBE", 1)[1])


@pytest.mark.slow  # each notebook starts a kernel
def test_notebook_runs_top_to_bottom(executed):
    _, notebook, _ = executed
    images = sum("image/png" in out.get("data", {}) for cell in notebook.cells for out in cell.get("outputs", []))
    assert images >= 2


@pytest.mark.slow
def test_what_the_text_says_is_what_the_notebook_computes(executed):
    path, _, probe = executed
    CHECKS[path.stem](path, probe)
