"""Validation: stylised facts the model should show without being told, and out-of-sample checks.

Each function takes a run's frames (``run(..., events=True)``) and returns a small table;
:func:`figures` draws them. ``make validation`` writes the figures used in
``docs/validation.md``; ``tests/test_validation.py`` holds the patterns as tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..outputs.plots import spells

if TYPE_CHECKING:
    from ..rules.scenario import Scenario
    from ..world.model import LabourMarketModel

JOBLESS = ("unemployed", "social_assistance")


BURN_IN = 12  # months: the first year still carries the initial state


def beveridge(metrics: pd.DataFrame) -> pd.DataFrame:
    """Open vacancies against jobless people, month by month after the first year (mean over replications)."""
    vacancies = metrics[[c for c in metrics.columns if c.startswith("vacancies_open_")]].sum(axis=1)
    frame = pd.DataFrame(
        {"month": metrics["month"], "jobless": metrics["unemployed"] + metrics["social_assistance"], "vacancies": vacancies}
    )
    return frame[frame["month"] > BURN_IN].groupby("month").mean().reset_index()


def hazard_by_band(found: pd.DataFrame, width: int, horizon: int) -> pd.DataFrame:
    """Monthly probability that a spell ends in a regular job, by bands of ``width`` months of duration,
    with the moves to a job and the months at risk it comes from."""
    rows = []
    for low in range(0, horizon, width):
        at_risk = found[found["months"] > low]
        exposure = np.minimum(at_risk["months"] - low, width).sum()
        jobs = (at_risk["ended_in_job"] & (at_risk["months"] <= low + width)).sum()
        rows.append(
            {
                "months": f"{low + 1}-{low + width}",
                "from_month": low,
                "spells": len(at_risk),
                "jobs": int(jobs),
                "exposure": int(exposure),
                "hazard": jobs / exposure if exposure else np.nan,
            }
        )
    return pd.DataFrame(rows)


def jobless_exit_hazard(events: pd.DataFrame, width: int = 6, horizon: int = 48) -> pd.DataFrame:
    """Monthly hazard of moving from joblessness to a regular job, by months since the spell began.

    Spells are those that begin during the run (a new entrant, or a fall-back from a job), so
    their duration is known; people leave the risk set when they find any job or leave the
    labour force.
    """
    return hazard_by_band(spells(events, JOBLESS), width, horizon)


def transition_by_lde_month(events: pd.DataFrame, limit: int, width: int = 6) -> pd.DataFrame:
    """Monthly hazard of moving from LDE to a regular job, by months in LDE, up to the limit."""
    return hazard_by_band(spells(events, ("lde",)), width, limit)


def pooled_hazard(bands: pd.DataFrame) -> float:
    """The monthly hazard of some bands of :func:`hazard_by_band` together: their moves over their months at risk."""
    return float(bands["jobs"].sum() / bands["exposure"].sum())


def before_the_limit(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The bands of a 60-month limit's table (:func:`transition_by_lde_month`): the last year, and years 3-4."""
    return table[table["from_month"] >= 48], table[table["from_month"].between(24, 47)]


def bunching(table: pd.DataFrame) -> tuple[float, float]:
    """How much more often LDE workers move to a regular job in the last year before a 60-month limit
    than in years 3-4 (a table of :func:`transition_by_lde_month`): the ratio of the two monthly
    hazards and its standard error, Poisson in the moves counted."""
    last, middle = before_the_limit(table)
    ratio = pooled_hazard(last) / pooled_hazard(middle)
    return ratio, float(ratio * np.sqrt(1 / last["jobs"].sum() + 1 / middle["jobs"].sum()))


def jobless_at_start(model) -> pd.DataFrame:
    """The jobless people of a model that has not stepped yet: person id, age, status."""
    p = model.people
    jobless = p.jobless_mask()
    return pd.DataFrame(
        {
            "person": p.view("id")[jobless],
            "age": p.view("age")[jobless],
            "status": np.where(p.view("status")[jobless] == 0, "unemployed", "social_assistance"),
        }
    )


def at_work_after(events: pd.DataFrame, start: pd.DataFrame, months: int = 9) -> pd.DataFrame:
    """Share of the jobless at month 0 (``start``: person, age) in a regular job ``months`` later, by age group."""
    keys = ["replication", "person"] if "replication" in events else ["person"]
    timeline = events[events["month"] <= months].sort_values("month").groupby(keys)["to"].last()
    people = start.set_index(keys)
    status = timeline.reindex(people.index).fillna(people["status"])
    people = people.assign(at_work=status == "nec", group=np.where(people["age"] >= 50, "50+", "under 50"))
    table = people.groupby("group")["at_work"].agg(["mean", "size"]).reset_index()
    overall = pd.DataFrame([{"group": "all", "mean": people["at_work"].mean(), "size": len(people)}])
    return pd.concat([overall, table], ignore_index=True).rename(columns={"mean": "share_at_work", "size": "people"})


def figures(metrics: pd.DataFrame, events: pd.DataFrame, limit: int, folder: Path) -> list[Path]:
    """Draw the three stylised facts into ``folder``; return the files."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    curve = beveridge(metrics)
    fig = Figure(figsize=(6, 5), layout="constrained")
    ax = fig.add_subplot()
    points = ax.scatter(curve["jobless"], curve["vacancies"], c=curve["month"] / 12, cmap="viridis", s=12)
    fig.colorbar(points, ax=ax, label="years")
    ax.set(
        title="Beveridge curve over the business cycle",
        xlabel="jobless people (unemployed + social assistance)",
        ylabel="open vacancies accessible to the pool",
    )
    paths.append(_save(fig, folder / "beveridge.png"))
    for table, column, title, name in (
        (jobless_exit_hazard(events), "months jobless", "Job finding falls with the length of joblessness", "duration.png"),
        (transition_by_lde_month(events, limit), "months in LDE", "Transitions bunch before the time limit", "bunching.png"),
    ):
        fig = Figure(figsize=(8, 4), layout="constrained")
        ax = fig.add_subplot()
        ax.bar(table["months"], table["hazard"], color="#0072b2")
        ax.set(title=title, xlabel=column, ylabel="monthly probability of a regular job")
        ax.tick_params(axis="x", labelrotation=45)
        paths.append(_save(fig, folder / name))
    return paths


#: Dated observations the history run is set against: (series, date, value, source, what it is
#: for the model). An input is given to the model; a set-up check measures how far the runs drift
#: from a figure the world is sized on (an input too, ``kind = "set-up"`` in calibration/targets.toml);
#: a check is neither, and the model may miss it. None of these is a calibration target.
OBSERVED = [
    ("sine_share", "2015-04", 0.85, "S 1.39", "input"),
    ("sine_share", "2017-04", 0.71, "S 1.39", "input"),
    ("sine_share", "2020-12", 0.54, "S 1.39", "input"),
    ("lde", "2020-12", 2559, "S 2.1", "set-up check (the world is sized on 2,500 in 2015)"),
    ("enterprises_open", "2018-06", 204, "S 2.1", "set-up check (the world starts with 200)"),
    ("benefit_losers", "2026-04", 26_700, "S 4.6.2", "check (all of Flanders, January to April 2026)"),
]


def history_figure(metrics: pd.DataFrame, scenario: object, folder: Path) -> Path:
    """The history run against the observed series it is given (inputs), sized on (set-up checks) and
    neither (checks)."""
    observed = pd.DataFrame(OBSERVED, columns=["series", "date", "value", "source", "role"])
    years = metrics["month"] / 12 + 2015.25
    fig = Figure(figsize=(13, 3.8), layout="constrained")
    sine, lde, losers = fig.subplots(1, 3)
    share = [scenario.enterprises.sine_share]  # type: ignore[attr-defined]
    for month in metrics["month"].iloc[1:]:
        changes = [c for c in scenario.timeline if c.key == "enterprises.sine_share" and scenario.month_of(c.date) == month]  # type: ignore[attr-defined]
        share.append(changes[-1].value if changes else share[-1])
    sine.step(years, share, where="post", color="#0072b2", label="model input (timeline)")
    lde.plot(years, metrics["lde"], color="#0072b2", label="LDE workers (model)")
    lde.plot(years, 10 * metrics["enterprises_open"], color="#009e73", label="enterprises open x 10 (model)")
    moved = metrics.set_index("date")["flow_unemployed_to_social_assistance"]
    window = moved.loc["2026-01":"2026-04"].sum() if "2026-04" in moved.index else float("nan")
    losers.bar(["model: the pool", "observed: Flanders"], [window, 26_700], color=["#0072b2", "#d55e00"])
    for ax, series, scale in ((sine, "sine_share", 1), (lde, "lde", 1), (lde, "enterprises_open", 10)):
        rows = observed[observed["series"] == series]
        when = [int(d[:4]) + (int(d[5:]) - 1) / 12 for d in rows["date"]]
        role = rows["role"].iloc[0].split(" ")[0]
        ax.scatter(when, rows["value"] * scale, color="#d55e00", zorder=3, label=f"observed {series.replace('_', ' ')} ({role})")
    sine.set(title="SINE share of LDE workers", xlabel="year", ylabel="share", ylim=(0, 1))
    lde.set(title="LDE workers and enterprises", xlabel="year", ylabel="persons / enterprises x 10", ylim=(0, None))
    losers.set(title="Benefit to leefloon, Jan-Apr 2026 (check)", ylabel="persons")
    for ax in (sine, lde):
        ax.legend(frameon=False, fontsize=8)
        ax.grid(alpha=0.3)
    return _save(fig, folder / "history.png")


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=90)
    return path


#: The mechanisms behind the bunching before the limit, each switched off on the figures' world.
BUNCHING_KNOCK_OUTS = {
    "without the routes (the ramp alone)": {"policy.end_evaluation": False},
    "without the ramp (the routes alone)": {"people.limit_search_multiplier": 1.0},
    "without both": {"policy.end_evaluation": False, "people.limit_search_multiplier": 1.0},
}


def validation_world(
    pool_size: int, seed: int, overrides: dict[str, Any] | None = None
) -> tuple[Scenario, LabourMarketModel, pd.DataFrame]:
    """The baseline without shortage growth (so the cycle shows), run to its end; and its jobless at the start."""
    from ..rules.scenario import Scenario
    from ..world.model import LabourMarketModel

    scenario = Scenario.load(
        "baseline", {"world.pool_size": pool_size, "context.shortage_growth_per_year": 0.0, **(overrides or {})}
    )
    model = LabourMarketModel(scenario, seed=seed)
    start = jobless_at_start(model)
    for _ in range(scenario.months):
        model.step()
    return scenario, model, start


def facts(tables: dict[str, pd.DataFrame], knocked_out: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The figures docs/validation.md (section 5) reads from the figures' run: fact, value and kind
    (``share`` a month or of people, ``ratio``, ``correlation``); ``knocked_out``: the bunching tables of
    the same world with each mechanism of :data:`BUNCHING_KNOCK_OUTS` switched off."""
    duration, transitions = tables["duration"]["hazard"], tables["bunching"]
    last, middle = before_the_limit(transitions)
    at_work = tables["at_work_after_9_months"].set_index("group")["share_at_work"]
    rows = [
        ("job finding of the jobless a month, months 1-6 of joblessness", duration.iloc[0], "share"),
        ("job finding of the jobless a month, months 43-48 of joblessness", duration.iloc[-1], "share"),
        ("LDE to a regular job a month, years 3-4 in LDE", pooled_hazard(middle), "share"),
        ("LDE to a regular job a month, the last year before the limit", pooled_hazard(last), "share"),
        ("LDE to a regular job a month, months 49-54", transitions.set_index("from_month").at[48, "hazard"], "share"),
        ("bunching: the last year against years 3-4", bunching(transitions)[0], "ratio"),
        *((f"bunching {name}", bunching(table)[0], "ratio") for name, table in knocked_out.items()),
        ("open vacancies against the jobless", tables["beveridge_correlation"]["correlation"].iloc[0], "correlation"),
        *((f"at work 9 months later, the jobless at the start: {group}", at_work[group], "share") for group in at_work.index),
    ]
    return pd.DataFrame(rows, columns=["fact", "value", "kind"])


def write_validation(folder: Path, pool_size: int = 20_000, seed: int = 2) -> dict[str, pd.DataFrame]:
    """Run the baseline (without shortage growth, so the cycle shows) and the history, write the figures,
    and ``facts.csv``: what docs/validation.md reads from them (with the bunching's knock-outs)."""
    from ..rules.scenario import Scenario
    from ..world.model import LabourMarketModel

    scenario, model, start = validation_world(pool_size, seed)
    metrics, events = model.recorder.metrics(), model.recorder.events()
    figures(metrics, events, scenario.policy.max_lde_months, folder)
    history = Scenario.load("history")
    history_model = LabourMarketModel(history, seed=seed)
    for _ in range(history.months):
        history_model.step()
    history_figure(history_model.recorder.metrics(), history, folder)
    curve = beveridge(metrics)
    tables = {
        "beveridge_correlation": pd.DataFrame([{"correlation": curve["jobless"].corr(curve["vacancies"])}]),
        "duration": jobless_exit_hazard(events),
        "bunching": transition_by_lde_month(events, scenario.policy.max_lde_months),
        "at_work_after_9_months": at_work_after(events, start),
    }
    knocked_out = {}
    for name, overrides in BUNCHING_KNOCK_OUTS.items():
        without, run, _ = validation_world(pool_size, seed, overrides)
        knocked_out[name] = transition_by_lde_month(run.recorder.events(), without.policy.max_lde_months)
    tables["facts"] = facts(tables, knocked_out)
    tables["facts"].to_csv(folder / "facts.csv", index=False)
    return tables


if __name__ == "__main__":
    import sys

    for name, table in write_validation(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/figures")).items():
        print(f"\n{name}\n{table.to_string(index=False)}")
