"""The figures and the report of a search folder (``lde-sim search``, then ``lde-sim report``).

The report says the front in words, the compromise candidate and how it was chosen, what
the front's candidates have in common, the trade-offs in the units a ministry reads (euros
of net public cost per extra lasting transition, people falling back per year), the front's
re-evaluation on fresh futures beside the search's own figures, and links the stress test.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..experiments.search_file import CANDIDATES, CONVERGENCE, FRONT, MINISTRY, PROVENANCE, REEVALUATION, Lever, SearchSpec
from .report import Report, rounded

FIGURES = {
    "front_parallel.png": "parallel coordinates of the front",
    "objectives_scatter.png": "scatter matrix of the objectives",
    "convergence.png": "hypervolume per generation",
}


def save_figures(folder: Path, spec: SearchSpec, table: pd.DataFrame, front: pd.DataFrame, history: pd.DataFrame) -> None:
    """Write the three figures of a search as PNG files in ``folder``."""
    for name, figure in zip(FIGURES, figures(spec, table, front, history)):
        figure.savefig(folder / name, dpi=90, bbox_inches="tight")


def figures(spec: SearchSpec, table: pd.DataFrame, front: pd.DataFrame, history: pd.DataFrame) -> list[Figure]:
    return [parallel(spec, table, front), scatter_matrix(spec, table, front), hypervolume(history)]


def _position(lever: Lever, values: pd.Series) -> np.ndarray:
    """Lever values on [0, 1]: over the search range, or a choice's place among the choices."""
    if lever.choices is not None:
        index = {str(c): i for i, c in enumerate(lever.choices)}
        return np.array([index[str(v)] / (len(lever.choices) - 1) for v in values])
    return (values.to_numpy(float) - float(lever.low)) / (float(lever.high) - float(lever.low))  # type: ignore[arg-type]


def parallel(spec: SearchSpec, table: pd.DataFrame, front: pd.DataFrame) -> Figure:
    """One line per front candidate across its levers (scaled over their ranges) and objectives
    (scaled over every candidate scored, 1 = best); the compromise in red."""
    columns = [lv.key for lv in spec.levers] + [m.column for m in spec.objectives]
    scaled = []
    for lever in spec.levers:
        scaled.append(_position(lever, front[lever.key]))
    for m in spec.objectives:
        low, high = table[m.column].min(), table[m.column].max()
        share = (front[m.column].to_numpy(float) - low) / (high - low if high > low else 1.0)
        scaled.append(share if m.maximised else 1 - share)
    lines = np.column_stack(scaled)
    figure = Figure(figsize=(max(6, 1.6 * len(columns)), 4))
    axes = figure.subplots()
    for row, chosen in zip(lines, front["compromise"]):
        axes.plot(range(len(columns)), row, color="tab:red" if chosen else "tab:blue", lw=3 if chosen else 1, alpha=0.9)
    axes.set_xticks(range(len(columns)), [c.replace("policy.", "").replace("_", " ") for c in columns], rotation=30, ha="right")
    axes.axvline(len(spec.levers) - 0.5, color="grey", ls=":")
    axes.set_ylabel("lever: its range (0-1)\nobjective: worst (0) to best (1)", fontsize=8)
    axes.set_ylim(-0.05, 1.05)
    figure.tight_layout()
    return figure


def scatter_matrix(spec: SearchSpec, table: pd.DataFrame, front: pd.DataFrame) -> Figure:
    """Each pair of objectives: every candidate (grey, hollow if it breaks a constraint), the front
    (blue) and the compromise (red star)."""
    names = [m.column for m in spec.objectives]
    n = len(names)
    figure = Figure(figsize=(3 * n, 3 * n))
    grid = figure.subplots(n, n, squeeze=False)
    chosen = front[front["compromise"]]
    for i, y in enumerate(names):
        for j, x in enumerate(names):
            axes = grid[i][j]
            if i == j:
                bins = np.histogram_bin_edges(table[x].dropna(), bins=15)
                axes.hist(table[x].dropna(), bins=bins, color="lightgrey")
                axes.hist(front[x].dropna(), bins=bins, color="tab:blue")
            else:
                ok = table["feasible"]
                axes.scatter(table.loc[ok, x], table.loc[ok, y], s=10, color="grey")
                axes.scatter(table.loc[~ok, x], table.loc[~ok, y], s=10, facecolors="none", edgecolors="grey")
                axes.scatter(front[x], front[y], s=16, color="tab:blue")
                axes.scatter(chosen[x], chosen[y], s=120, marker="*", color="tab:red")
            if i == n - 1:
                axes.set_xlabel(x, fontsize=8)
            if j == 0:
                axes.set_ylabel(y, fontsize=8)
            axes.tick_params(labelsize=7)
    figure.tight_layout()
    return figure


def hypervolume(history: pd.DataFrame) -> Figure:
    figure = Figure(figsize=(6, 3))
    axes = figure.subplots()
    axes.plot(history["generation"], history["hypervolume"], marker="o")
    axes.set_xticks(history["generation"])
    axes.set_xlabel("generation")
    axes.set_ylabel("hypervolume of the front")
    figure.tight_layout()
    return figure


def is_search(folder: Path) -> bool:
    return (folder / PROVENANCE).exists() and (folder / FRONT).exists()


def search_report(folder: Path) -> Report:
    """The report of a search folder (see the module)."""
    info = json.loads((folder / PROVENANCE).read_text(encoding="utf-8"))
    spec = SearchSpec.model_validate(info["spec"])
    table, front = pd.read_csv(folder / CANDIDATES), pd.read_csv(folder / FRONT)
    history, again = pd.read_csv(folder / CONVERGENCE), pd.read_csv(folder / REEVALUATION)
    chosen = front[front["compromise"]].iloc[0]
    months = tomllib.loads(info["scenario_toml"])["months"]
    findings = [
        front_in_words(spec, table, front, history, info),
        compromise_in_words(spec, chosen),
        *in_common(spec, front),
        tradeoffs(front, chosen),
        reevaluation_in_words(spec, again, info),
    ]
    stress = folder / "stress" / "discovery.md"
    links = []
    if stress.exists():
        words = stress.read_text(encoding="utf-8").split("\n", 2)[-1].strip()
        again_with = f'lde-sim discover {folder / "stress"} --fails "{spec.stress.fails if spec.stress else ""}"'
        findings.append(
            f"Stress test of the compromise over every member of the ensemble (stress/discovery.md; again with "
            f"{again_with} --threshold ...): {words}"
        )
        links.append(("Stress test of the compromise (scenario discovery)", "stress/discovery.md"))
        if (folder / "stress" / "discovery_box.png").exists():
            links.append(("The stress test's box (PRIM)", "stress/discovery_box.png"))
    links += [(f"{name}: {what}", name) for name, what in FIGURES.items()]
    shown = ["candidate", *[lv.key for lv in spec.levers], *[m.column for m in spec.objectives], *MINISTRY, "compromise"]
    return Report(
        title=f"Robust search: {spec.name}",
        what=[
            f"Scenario {info['scenario']} ({months} months); levers searched: "
            + ", ".join(_range(lv) for lv in spec.levers)
            + ".",
            "Objectives (statistic over the futures): " + ", ".join(_objective(m) for m in spec.objectives) + ".",
            "Constraints: " + (", ".join(_constraint(c) for c in spec.constraints) or "none") + ".",
            f"Futures: members {info['futures']} of {spec.futures.ensemble}, {spec.futures.replications} replication(s) "
            f"each, seed {spec.futures.seed}; every candidate on the same futures and seeds.",
            f"Algorithm: {info['algorithm'].upper()} (pymoo), {spec.generations} generations of {spec.population}.",
        ],
        tables=[
            ("The front (non-dominated feasible candidates; compromise marked)", rounded(front[shown])),
            ("Re-evaluation of the front on fresh futures, beside the search's figures", rounded(again)),
            ("Convergence", rounded(history)),
        ],
        figures=[
            (
                "The front across levers and objectives",
                parallel(spec, table, front),
                "One line per front candidate; left of the dotted line its levers (bottom: the low end of the range), "
                "right its objectives (top: the best value any candidate reached). The red line is the compromise.",
            ),
            (
                "The objectives against each other",
                scatter_matrix(spec, table, front),
                "Each panel pairs two objectives: grey every candidate scored (hollow: breaks a constraint), blue the "
                "front, the red star the compromise. The diagonal shows each objective's spread.",
            ),
            (
                "Convergence",
                hypervolume(history),
                "The hypervolume of the front found by each generation (objectives scaled over every candidate): "
                "a curve that flattens says more generations would add little.",
            ),
        ],
        provenance={
            "command": " ".join(info.get("command", [])),
            "search_sha256": info["search_sha256"],
            "scenario": info["scenario"],
            "seed": spec.seed,
            **info.get("versions", {}),
        },
        findings=findings,
        links=links,
    )


def _range(lever: Lever) -> str:
    return f"{lever.key} in {lever.choices}" if lever.choices is not None else f"{lever.key} {lever.low:g}-{lever.high:g}"


def _objective(m: Any) -> str:
    if m.statistic == "percentile":
        how = f"the value {m.percentile:g}% of futures are worse than"
    elif m.statistic == "satisficing":
        how = f"share of futures at {m.threshold:g} or {'above' if m.better == 'higher' else 'below'}"
    else:
        how = {"mean": "mean", "regret": "largest regret against the best candidate in each future"}[m.statistic]
    return f"{m.name} ({how}; {m.better} is better)"


def _constraint(c: Any) -> str:
    bound = f"at most {c.at_most:,.4g}" if c.at_most is not None else f"at least {c.at_least:,.4g}"
    return f"{_objective(c)} {bound}"


def front_in_words(spec: SearchSpec, table: pd.DataFrame, front: pd.DataFrame, history: pd.DataFrame, info: dict) -> str:
    ranges = "; ".join(f"{m.column} from {front[m.column].min():,.4g} to {front[m.column].max():,.4g}" for m in spec.objectives)
    last = history["hypervolume"].iloc[-1]
    before = history["hypervolume"].iloc[-2] if len(history) > 1 else float("nan")
    return (
        f"The search scored {len(table)} distinct candidates over {len(history)} generations; {int(table['feasible'].sum())} "
        f"met every constraint and {len(front)} form the front, on which {ranges}. The hypervolume rose to {last:.3g}"
        + (f" (from {before:.3g} a generation earlier)." if before == before else ".")
    )


def compromise_in_words(spec: SearchSpec, chosen: pd.Series) -> str:
    levers = ", ".join(f"{lv.key} = {chosen[lv.key]}" for lv in spec.levers)
    values = ", ".join(f"{m.column} {chosen[m.column]:,.4g}" for m in spec.objectives)
    return (
        f"Compromise: candidate {int(chosen['candidate'])} ({levers}), chosen as the front candidate closest to the ideal "
        f"point, each objective scaled from the front's best (0) to its worst (1). Its objectives: {values}."
    )


def in_common(spec: SearchSpec, front: pd.DataFrame) -> list[str]:
    """Levers the front agrees on: one choice, or a quarter of the range or less."""
    shared = []
    for lever in spec.levers:
        values = front[lever.key]
        if lever.choices is not None:
            if values.astype(str).nunique() == 1:
                shared.append(f"{lever.key} = {values.iloc[0]}")
        elif values.max() - values.min() <= 0.25 * (float(lever.high) - float(lever.low)):  # type: ignore[arg-type]
            shared.append(f"{lever.key} between {values.min():g} and {values.max():g} (of {lever.low:g}-{lever.high:g})")
    if not shared:
        return ["The front's candidates agree on no lever (each spans more than a quarter of its range): the levers trade off."]
    return [f"Every front candidate has {', '.join(shared)}."]


def tradeoffs(front: pd.DataFrame, chosen: pd.Series) -> str:
    """From the front's cheapest candidate to the compromise and to its most lasting transitions: euros
    a year per extra lasting transition a year, and people falling back per year."""
    cheapest = front.loc[front["cost_per_year"].idxmin()]
    most = front.loc[front["lasting_transitions_per_year"].idxmax()]
    parts = [
        f"The front's cheapest candidate ({int(cheapest['candidate'])}) costs all governments "
        f"{cheapest['cost_per_year']:,.0f} EUR a year net, with {cheapest['lasting_transitions_per_year']:,.1f} lasting "
        f"transitions and {cheapest['falling_back_per_year']:,.1f} people falling back a year."
    ]
    for label, row in (("the compromise", chosen), ("the candidate with the most lasting transitions", most)):
        if int(row["candidate"]) == int(cheapest["candidate"]):
            parts.append(f"It is also {label}.")
            continue
        extra = row["lasting_transitions_per_year"] - cheapest["lasting_transitions_per_year"]
        cost = row["cost_per_year"] - cheapest["cost_per_year"]
        per = f"{cost / extra:,.0f} EUR per extra lasting transition" if extra > 0 else "no extra lasting transitions"
        parts.append(
            f"Moving to {label} ({int(row['candidate'])}) costs {cost:,.0f} EUR a year more for {extra:+,.1f} lasting "
            f"transitions a year ({per}) and {row['falling_back_per_year'] - cheapest['falling_back_per_year']:+,.1f} "
            "people falling back a year."
        )
    return " ".join(parts)


def reevaluation_in_words(spec: SearchSpec, again: pd.DataFrame, info: dict) -> str:
    row = again[again["compromise"]].iloc[0]
    pairs = ", ".join(
        f"{m.column} {row[m.column + '_fresh']:,.4g} (search {row[m.column + '_search']:,.4g})" for m in spec.objectives
    )
    kept = int(again["non_dominated_fresh"].sum())
    feasible = int(again["feasible_fresh"].sum())
    unseen = [m for m in info["fresh"] if m not in info["futures"]]
    which = f"members {unseen}" if len(unseen) == len(info["fresh"]) else f"members {info['fresh']} ({len(unseen)} unseen)"
    return (
        f"Re-evaluated on fresh futures ({which} and seed {spec.fresh.seed}, which the search did not use), the "
        f"compromise has {pairs}; {kept} of {len(again)} front candidates stay non-dominated among the front and "
        f"{feasible} still meet every constraint (a regret there is against the front's best only). Large gaps "
        "between the search's figures and the fresh ones would mean an overfit front."
    )
