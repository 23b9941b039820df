"""Robust search over the levers (lde-sim search): the optimiser on known fronts, the robustness
statistics, common random numbers, the cache, resuming after kill -9, the search file's errors,
the price of every lever, and the report in a browser."""

from __future__ import annotations

import importlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import Scenario, parameters, run
from simulation.experiments.branching import branch_groups
from simulation.experiments.search_file import Measure, SearchFileError, load_search
from simulation.outputs.report import write_report
from simulation.rules.parameter_docs import LEVER_PRICES, UNPRICED
from simulation.submodels.public_finances import LEDGER

from .conftest import ROOT, SCENARIOS, chromium

search_module = importlib.import_module("simulation.policy_search.search")
pytest.importorskip("pymoo")


def zdt1(x: np.ndarray) -> np.ndarray:
    """ZDT1 (Zitzler, Deb and Thiele 2000): its Pareto front is f2 = 1 - sqrt(f1), f1 in [0, 1]."""
    g = 1 + 9 * x[:, 1:].mean(axis=1)
    return np.column_stack([x[:, 0], g * (1 - np.sqrt(x[:, 0] / g))])


def dtlz2(x: np.ndarray) -> np.ndarray:
    """DTLZ2 with three objectives (Deb et al. 2002): its front is the unit sphere's positive octant."""
    g = ((x[:, 2:] - 0.5) ** 2).sum(axis=1)
    a, b = x[:, 0] * np.pi / 2, x[:, 1] * np.pi / 2
    return (1 + g)[:, None] * np.column_stack([np.cos(a) * np.cos(b), np.cos(a) * np.sin(b), np.sin(a)])


def found(function, variables: int, objectives: int, algorithm: str, generations: int, population: int) -> np.ndarray:
    """The non-dominated set of what ``optimise`` evaluated in its last ten generations."""
    seen = []

    def evaluate(x: np.ndarray, generation: int):
        seen.append(function(x))
        return seen[-1], np.zeros((len(x), 0))

    search_module.optimise(variables, objectives, 0, evaluate, algorithm, generations, population, seed=1)
    last = np.vstack(seen[-10:])
    return last[search_module.non_dominated(last)]


def test_nsga2_finds_the_known_pareto_front_of_zdt1():
    front = found(zdt1, 3, 2, "nsga2", generations=80, population=40)
    # Tolerance: every point within 0.02 of the true front (f2 = 1 - sqrt(f1)), and the front covered
    # from end to end with no gap wider than 0.1 in f1 (40 points spread by crowding distance).
    assert np.abs(front[:, 1] - (1 - np.sqrt(front[:, 0]))).max() < 0.02
    spread = np.sort(front[:, 0])
    assert spread[0] < 0.02 and spread[-1] > 0.98 and np.diff(spread).max() < 0.1


def test_nsga3_finds_the_known_pareto_front_of_dtlz2_with_three_objectives():
    front = found(dtlz2, 5, 3, "nsga3", generations=80, population=28)
    # Tolerance: every point within 0.05 of the unit sphere; each objective reaches near 0 and near 1.
    assert np.abs(np.linalg.norm(front, axis=1) - 1).max() < 0.05
    assert (front.min(axis=0) < 0.05).all() and (front.max(axis=0) > 0.95).all()


def test_the_optimiser_replays_exactly_with_the_same_seed_and_constraint_ties():
    """Ties in constraint violation are drawn from the seeded generator (a resumed search must ask for
    the same candidates); pymoo 0.6.2's own NSGA-III tournament draws them unseeded."""

    def asked() -> list[np.ndarray]:
        xs = []

        def evaluate(x: np.ndarray, generation: int):
            xs.append(x.copy())
            return dtlz2(x), np.ones((len(x), 1))  # every candidate violates equally

        search_module.optimise(4, 3, 1, evaluate, "nsga3", 4, 8, seed=3)
        return xs

    first, second = asked(), asked()
    assert all(np.array_equal(a, b) for a, b in zip(first, second)) and len(first) == 4


def measure(**fields) -> Measure:
    return Measure(**{"name": "sustainable_transition_rate", **fields})


def test_robustness_statistics_by_hand():
    values = np.array([[0.2, 0.4, 0.9, 0.5], [0.3, 0.3, 0.3, 0.3]])  # candidates x futures
    weights = np.full(4, 0.25)
    statistic = search_module.statistic
    assert statistic(measure(), values, weights) == pytest.approx([0.5, 0.3])
    # higher is better: the 25th worst percentile is the value a quarter of the futures are at or below
    assert statistic(measure(statistic="percentile", percentile=25), values, weights) == pytest.approx([0.2, 0.3])
    assert statistic(measure(statistic="percentile", percentile=50), values, weights) == pytest.approx([0.4, 0.3])
    # lower is better for dumping_share: its worse side is the top
    lower = Measure(name="dumping_share", statistic="percentile", percentile=25)
    assert statistic(lower, values, weights) == pytest.approx([0.9, 0.3])
    # regret: the largest shortfall from the best candidate in each future (best: 0.3, 0.4, 0.9, 0.5)
    assert statistic(measure(statistic="regret"), values, weights) == pytest.approx([0.1, 0.6])
    assert statistic(measure(statistic="satisficing", threshold=0.4), values, weights) == pytest.approx([0.75, 0.0])
    assert statistic(measure(), values, np.array([0.7, 0.1, 0.1, 0.1])) == pytest.approx([0.32, 0.3])


def test_the_search_direction_comes_from_the_indicators_metadata():
    assert measure().maximised and not Measure(name="dumping_count").maximised
    assert not measure(statistic="regret").maximised  # less regret is better whatever the indicator
    assert Measure(name="dumping_count", statistic="satisficing", threshold=3).maximised  # a share of futures met
    with pytest.raises(ValueError, match="neither higher nor lower is better"):
        Measure(name="lde_workforce_mean")


SEARCH = """
name = "tiny"
generations = 3
population = 4
seed = 5
[[levers]]
key = "policy.aftercare_months"
low = 0
high = 3
[[levers]]
key = "policy.extension_rule"
choices = ["none", "evaluation"]
[[objectives]]
name = "sustainable_transition_rate"
[[objectives]]
name = "fiscal_cost_net"
statistic = "regret"
[[constraints]]
name = "enterprise_solvent_share"
statistic = "satisficing"
threshold = 0.5
at_least = 0.5
[futures]
ensemble = "{ensemble}"
members = 2
replications = 2
seed = 7
[fresh]
ensemble = "{ensemble}"
members = 1
replications = 1
seed = 8
"""


LEVERS = ("policy.aftercare_months", "policy.extension_rule")
CHOICES = 'key = "policy.extension_rule"\nchoices = ["none", "evaluation"]'


@pytest.fixture(scope="module")
def tiny_search(tmp_path_factory, tiny: Scenario):
    folder = tmp_path_factory.mktemp("search")
    spec = folder / "tiny.toml"
    spec.write_text(SEARCH.format(ensemble=ROOT / "calibration" / "plausible.csv"))
    scenario = tiny.with_overrides({"months": 24})  # the 12-month follow-up needs more than a year
    result = search_module.search(scenario, spec, folder / "out", jobs=1)
    return scenario, spec, result


def test_candidates_share_futures_and_seeds_and_none_is_run_twice(tiny_search):
    _, _, result = tiny_search
    stores = sorted((result.folder / "generations").glob("gen-*/experiment.sqlite"))
    runs = []
    for store in stores:
        with sqlite3.connect(store) as con:
            runs.append(pd.read_sql("SELECT label, replication, seed, runs.overrides FROM runs JOIN points USING (point)", con))
    runs = pd.concat(runs)
    runs["candidate"] = runs["label"].str.split("|").str[0]
    runs["future"] = runs["label"].str.split("|").str[1]
    levers = runs["overrides"].map(lambda text: json.dumps({k: v for k, v in json.loads(text).items() if k in LEVERS}))
    # common random numbers: the same seed for a replication of a future, whichever the candidate
    assert (runs.groupby(["future", "replication"])["seed"].nunique() == 1).all()
    assert runs.groupby("candidate")[["future", "replication"]].apply(lambda g: len(g.drop_duplicates())).eq(4).all()
    # never twice: one candidate label per lever setting, and each run of it exactly once
    assert levers.groupby(runs["candidate"]).nunique().eq(1).all() and runs.groupby(levers)["candidate"].nunique().eq(1).all()
    assert len(runs) == len(runs.drop_duplicates(["candidate", "future", "replication"])) == 4 * len(result.candidates)
    assert len(result.candidates) <= 4 * 3  # at most the population in each generation, fewer where one repeats


def test_a_finished_search_repeated_runs_nothing_and_gives_the_same_front(tiny_search):
    scenario, spec, result = tiny_search
    before = {p: p.stat().st_mtime_ns for p in (result.folder / "generations").glob("gen-*/experiment.sqlite")}
    again = search_module.search(scenario, spec, result.folder, jobs=1)
    pd.testing.assert_frame_equal(again.front, result.front)
    with sqlite3.connect(next(iter(before))) as con:
        assert con.execute("SELECT COUNT(*) FROM runs WHERE status != 'done'").fetchone()[0] == 0
    assert set(before) == set((result.folder / "generations").glob("gen-*/experiment.sqlite"))


def test_the_outputs_of_a_search(tiny_search):
    _, _, result = tiny_search
    folder = result.folder
    for name in ("candidates.csv", "front.csv", "convergence.csv", "reevaluation.csv", "search.json"):
        assert (folder / name).is_file(), name
    for name in ("front_parallel.png", "objectives_scatter.png", "convergence.png"):
        assert (folder / name).stat().st_size > 1000
    front = pd.read_csv(folder / "front.csv")
    assert front["feasible"].all() and front["compromise"].sum() == 1
    history = pd.read_csv(folder / "convergence.csv")
    assert list(history["generation"]) == [0, 1, 2] and history["hypervolume"].is_monotonic_increasing
    again = pd.read_csv(folder / "reevaluation.csv")
    assert list(again["candidate"]) == list(front["candidate"])
    info = json.loads((folder / "search.json").read_text())
    assert not set(info["fresh"]) & set(info["futures"])  # fresh futures are members the search did not see
    assert info["versions"]["pymoo"]  # the optimiser that proposed the candidates is recorded
    with sqlite3.connect(folder / "fresh" / "experiment.sqlite") as con:
        fresh_seeds = {row[0] for row in con.execute("SELECT DISTINCT seed FROM runs")}
    with sqlite3.connect(folder / "generations" / "gen-000" / "experiment.sqlite") as con:
        assert not fresh_seeds & {row[0] for row in con.execute("SELECT DISTINCT seed FROM runs")}
    for store in ("generations/gen-000", "fresh"):  # the optimiser that proposed the candidates is recorded
        with sqlite3.connect(folder / store / "experiment.sqlite") as con:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        assert json.loads(meta["versions"])["pymoo"] == version("pymoo"), store


def test_the_report_of_a_search_says_the_compromise_the_tradeoffs_and_the_reevaluation(tiny_search):
    _, _, result = tiny_search
    text = write_report(result.folder).read_text()
    chosen = result.front[result.front["compromise"]].iloc[0]
    assert (
        f"Compromise: candidate {int(chosen['candidate'])} (policy.aftercare_months = {chosen['policy.aftercare_months']}" in text
    )
    assert "closest to the ideal point" in text and "people falling back a year" in text
    assert "Re-evaluated on fresh futures" in text and "Re-evaluation of the front on fresh futures" in text
    assert text.count("src='data:image/png;base64,") == 3
    markdown = write_report(result.folder, "md").read_text()
    assert "## See also" in markdown and "(front_parallel.png)" in markdown


def test_an_evaluation_effect_can_be_an_objective(tiny: Scenario, tmp_path: Path):
    """With a headline effect (docs/indicators.md) each run is paired with its twin without LDE."""
    spec = tmp_path / "effects.toml"
    text = SEARCH.format(ensemble=ROOT / "calibration" / "plausible.csv").replace("generations = 3", "generations = 1")
    text = text.replace("members = 2\nreplications = 2", "members = 1\nreplications = 1")
    spec.write_text(text.replace('name = "fiscal_cost_net"', 'name = "net_sustainable_transitions"', 1))
    with pytest.raises(search_module.SearchError, match="sustainable_transition_rate_mean: no value for any candidate"):
        search_module.search(tiny.with_overrides({"months": 12}), spec, tmp_path / "short", jobs=1)  # no 12-month follow-up
    result = search_module.search(tiny.with_overrides({"months": 36}), spec, tmp_path / "out", jobs=1)
    assert result.candidates["net_sustainable_transitions_regret"].notna().all()
    with sqlite3.connect(tmp_path / "out" / "generations" / "gen-000" / "experiment.sqlite") as con:
        effects = con.execute("SELECT COUNT(DISTINCT run) FROM effects").fetchone()[0]
    assert effects == len(result.candidates)


def test_without_pymoo_the_error_names_the_extra(tiny: Scenario, monkeypatch):
    monkeypatch.setitem(sys.modules, "pymoo", None)  # as if not installed
    with pytest.raises(search_module.SearchError, match=r"pip install 'lde-doorstroom\[search\]'"):
        search_module.search(tiny, ROOT / "searches" / "small.toml")


def test_without_the_workbench_a_stress_test_is_refused_before_any_run(tiny: Scenario, tmp_path: Path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # as if not installed
    spec = tmp_path / "stressed.toml"
    stress = '[stress]\nfails = "dumping_share > 0.65"\nreplications = 1\n'
    spec.write_text(SEARCH.format(ensemble=ROOT / "calibration" / "plausible.csv") + stress)
    with pytest.raises(search_module.SearchError, match=r"the \[stress\] test needs .*pip install 'lde-doorstroom\[ema\]'"):
        search_module.search(tiny, spec, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_another_search_in_the_same_folder_is_refused(tiny_search, tmp_path: Path):
    scenario, spec, result = tiny_search
    other = tmp_path / "other.toml"
    other.write_text(spec.read_text().replace("seed = 5", "seed = 6"))
    with pytest.raises(search_module.OutputError, match="holds a different search"):
        search_module.search(scenario, other, result.folder, jobs=1)


def test_candidates_of_a_branch_scenario_share_their_history():
    """On a branch scenario the levers apply from the branch date, so the candidates of one future
    form one branch group (run once per future and seed, then continued for each candidate)."""
    base = Scenario.load(SCENARIOS / "small.toml", {"months": 24}).with_overrides({"branch": "2016-01"})
    members = [{"people.learning_rate_lde": 0.002}, {"people.learning_rate_lde": 0.004}]
    candidates = [{"policy.aftercare_months": a} for a in (0, 6, 12)]
    scenarios = [
        search_module.candidate_scenario(base, levers, member, f"c{c}|m{m}")
        for c, levers in enumerate(candidates)
        for m, member in enumerate(members)
    ]
    groups = branch_groups(scenarios)
    assert sorted(sorted(g) for _, g in groups) == [[0, 2, 4], [1, 3, 5]]
    assert {month for month, _ in groups} == {base.month_of("2016-01")}
    assert scenarios[2].timeline[-1].model_dump() == {"date": "2016-01", "key": "policy.aftercare_months", "value": 6}
    assert scenarios[2].policy.aftercare_months == base.policy.aftercare_months  # before the branch: the history's


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('key = "policy.aftercare_months"', "levers.0.key = 'people.learning_rate_lde': not a lever (role behaviour)"),
        ("high = 3", "levers.0 (policy.aftercare_months): value 200: Input should be less than or equal to 60"),
        ('name = "sustainable_transition_rate"', "objectives.0: name 'transition_share': not an indicator (docs/indicators.md)"),
        ('statistic = "regret"', "objectives.1.statistic = 'best': Input should be 'mean', 'percentile', 'regret' or"),
        ("at_least = 0.5", "constraints.0: give exactly one of at_most and at_least"),
        ("seed = 8", "fresh.seed = 7: the same as futures.seed"),
        (CHOICES, "levers.1.key = 'policy.work_care_places': not priced: work-care places"),
    ],
)
def test_a_bad_search_file_is_refused_naming_file_field_and_value(tiny: Scenario, tmp_path: Path, change: str, message: str):
    bad = {
        'key = "policy.aftercare_months"': 'key = "people.learning_rate_lde"',
        "high = 3": "high = 200",
        'name = "sustainable_transition_rate"': 'name = "transition_share"',
        'statistic = "regret"': 'statistic = "best"',
        "at_least = 0.5": "at_least = 0.5\nat_most = 0.9",
        "seed = 8": "seed = 7",
        CHOICES: 'key = "policy.work_care_places"\nlow = 0\nhigh = 400',
    }[change]
    path = tmp_path / "bad.toml"
    path.write_text(SEARCH.format(ensemble="x.csv").replace(change, bad, 1))
    with pytest.raises(SearchFileError) as error:
        load_search(path, tiny)
    assert str(path) in str(error.value) and message in str(error.value)
    if "not a lever" in message:
        assert "policy.covenant_coverage" in str(error.value)  # what is allowed


def test_every_lever_has_its_price_in_the_ledger():
    levers = set(parameters().query("role == 'lever'")["key"])
    assert set(LEVER_PRICES) == levers
    lines = {line for level in LEDGER.values() for line in level} | {"enterprise_margin", "leefloon"}
    for lever, price in LEVER_PRICES.items():
        assert any(line in price for line in lines) or "enterprise" in price or price.startswith(UNPRICED), lever


def test_covenants_now_cost_the_flemish_government(tiny: Scenario):
    scenario = tiny.with_overrides({"months": 24, "policy.covenant_coverage": 1.0})
    metrics = run(scenario).metrics
    assert metrics["spending_covenant"].sum() > 0
    free = run(scenario.with_overrides({"policy.covenant_cost_month": 0.0})).metrics
    # the same people (the price changes no decision): the ledger differs by exactly the covenant line
    difference = metrics["ledger_flemish"] - free["ledger_flemish"]
    np.testing.assert_allclose(difference, metrics["spending_covenant"], rtol=1e-9)
    assert run(scenario.with_overrides({"policy.covenant_coverage": 0.0})).metrics["spending_covenant"].sum() == 0


@pytest.mark.slow
def test_the_shipped_search_killed_with_sigkill_resumes_to_the_same_front_and_reports_it(tmp_path: Path):
    """`lde-sim search scenarios/small.toml searches/small.toml` (shortened to 24 months): killed in the
    second generation and run again, it gives a front.csv byte for byte that of the same search run
    uninterrupted in this process with one worker (so also: identical across executors); the
    report shows the compromise and its re-evaluation in Chromium."""
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "simulation", "search", str(SCENARIOS / "small.toml"), str(ROOT / "searches" / "small.toml")]
    command += ["--months", "24", "--jobs", "2", "--out", str(out)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = out / "generations" / "gen-001" / "experiment.sqlite"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if store.exists():
            with sqlite3.connect(store) as con:
                try:
                    if con.execute("SELECT COUNT(*) FROM runs WHERE status = 'done'").fetchone()[0] >= 3:
                        break
                except sqlite3.OperationalError:
                    pass
        time.sleep(0.05)
    assert proc.poll() is None, "the search ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "front.csv").exists()
    resumed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr

    scenario = Scenario.load(SCENARIOS / "small.toml", {"months": 24})
    reference = search_module.search(scenario, ROOT / "searches" / "small.toml", tmp_path / "serial", jobs=1)
    assert (out / "front.csv").read_bytes() == (reference.folder / "front.csv").read_bytes()
    assert (out / "stress" / "discovery.md").is_file()

    browser_path = chromium()
    playwright = pytest.importorskip("playwright.sync_api")
    page_file = write_report(out)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(browser_path), args=["--no-sandbox", "--disable-gpu"], headless=True)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(page_file.as_uri())
        text = page.inner_text("body")
        headings = page.eval_on_selector_all("h2", "hs => hs.map(h => h.textContent)")
        links = page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
        browser.close()
    chosen = int(reference.compromise)
    assert f"Compromise: candidate {chosen} (" in text and "closest to the ideal point" in text
    assert "Re-evaluated on fresh futures" in text and "The front's cheapest candidate" in text
    # the trade-off in euros, unless the cheapest candidate is also the compromise and the most lasting
    tradeoff = ("EUR per extra lasting transition", "no extra lasting", "It is also the candidate with the most lasting")
    assert any(words in text for words in tradeoff)
    assert "Re-evaluation of the front on fresh futures, beside the search's figures" in headings
    assert "stress/discovery.md" in links
