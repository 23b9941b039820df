"""Scenario discovery (``lde-sim discover``): where in the uncertainty space does a policy fail?

Over an experiment store (a sweep or Latin hypercube over uncertainties), each run is a
case: its design values are the inputs, and a stated condition on its indicators (for
example ``"dumping_share > 0.5"``) says whether it fails. PRIM (the patient rule
induction method, Friedman and Fisher 1999, as the EMA workbench implements it) peels
the input space down to a box where failures are dense. The box chosen is the one with
the largest coverage (share of all failures inside it) among those with a density
(share of failures among the cases inside) of at least ``threshold``. Feature scores
(extra trees, the EMA workbench) rank the inputs beside it.

Writes ``discovery.csv`` (per parameter: the box's limits, the full range, whether it is
restricted and PRIM's quasi-p-value; with the box's coverage, density and mass),
``feature_scores.csv``, ``discovery_tradeoff.png``, ``discovery_box.png`` and
``discovery.md`` (in plain words), with ``discovery.json`` (:data:`PROVENANCE`: the experiment,
the condition, the threshold, the command and the versions, the EMA workbench's among them).
The condition is parsed, never evaluated as code. Needs the ``ema`` extra.
"""

from __future__ import annotations

import json
import operator
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import LDEError
from ..rules.scenario import parameter_role
from ..world.indicators import INDICATORS
from .output import make_folder, now, package_versions, write_file
from .store import read_experiment, verify_experiment

#: The discovery's provenance, beside its outputs.
PROVENANCE = "discovery.json"
COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
CLAUSE = re.compile(r"^\s*([a-z_0-9]+)\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|median|p(?:100|\d{1,2}))\s*$")


class DiscoveryError(LDEError):
    """A condition or an experiment that scenario discovery cannot work with."""


@dataclass(frozen=True)
class Discovery:
    """What :func:`discover` found: the box table, the feature scores, the words, and the folder."""

    box: pd.DataFrame
    scores: pd.DataFrame
    words: str
    folder: Path


def failing(indicators: pd.DataFrame, condition: str) -> np.ndarray:
    """Whether each run fails ``condition``: clauses ``indicator < | <= | > | >= level`` joined by
    ``and`` or ``or`` (evaluated left to right). A level is a number, or ``median`` or ``p<NN>``
    (the NN-th percentile of the indicator over the experiment's runs), for conditions that should
    not depend on the model's level (a threshold above every run finds nothing). A run whose
    indicator is empty does not fail."""
    parts = re.split(r"\s+(and|or)\s+", condition.strip())
    result, joiner = None, None
    for i, part in enumerate(parts):
        if i % 2:
            joiner = part
            continue
        match = CLAUSE.match(part)
        if match is None or match.group(1) not in INDICATORS:
            raise DiscoveryError(
                f"--fails {condition!r}: '{part}' is not 'indicator < level' (or <=, >, >=; a level is a number, median or "
                f"p<NN>, a percentile over the runs) with an indicator of "
                f"docs/indicators.md; clauses may be joined by 'and' or 'or'"
            )
        name, sign, level = match.groups()
        values = indicators[name].to_numpy(float)
        clause = COMPARE[sign](values, threshold(values, level))
        result = clause if result is None else (result & clause if joiner == "and" else result | clause)
    return np.asarray(result, dtype=bool)


def threshold(values: np.ndarray, level: str) -> float:
    """A clause's level as a number: given, or a percentile of ``values`` (``median`` is ``p50``)."""
    if level == "median" or level.startswith("p"):
        percentile = 50 if level == "median" else int(level[1:])
        return float(np.nanpercentile(values, percentile)) if np.isfinite(values).any() else np.nan
    return float(level)


def cases(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per finished run: the design values of its point (the uncertainties it varies, as
    numbers) and its indicators. Levers are left out: discovery asks where, in the uncertain
    world, a policy fails (docs/parameters.md gives each parameter's role)."""
    tables = read_experiment(folder, ("indicators", "design"))
    design = tables["design"].pivot(index="point", columns="key", values="value")
    design = design.apply(pd.to_numeric, errors="coerce").dropna(axis=1)
    uncertain = np.array([parameter_role(key) in ("context", "behaviour") for key in design.columns], dtype=bool)
    design = design.loc[:, (design.nunique() > 1).to_numpy() & uncertain]
    if design.empty:
        raise DiscoveryError(
            f"{folder}: the experiment varies no uncertainty (a context or behaviour parameter) as a number; "
            "run a sweep over uncertainties, e.g. --sample lhs"
        )
    indicators = tables["indicators"]
    return design.reindex(indicators["point"]).reset_index(drop=True), indicators.reset_index(drop=True)


def discover(
    folder: str | Path, fails: str, out: str | Path | None = None, threshold: float = 0.8, partial: bool = False
) -> Discovery:
    """Find the box of inputs where ``fails`` holds densely (see the module); write the outputs to ``out``.

    A damaged experiment is refused, and so is an unfinished one unless ``partial``."""
    if not 0 < threshold <= 1:
        raise DiscoveryError(f"--threshold {threshold}: must be a density above 0 and at most 1")
    try:
        with warnings.catch_warnings():  # the workbench warns at import about optional parts it lacks
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import feature_scoring, prim
    except ImportError:
        raise DiscoveryError("discover needs the EMA workbench: pip install 'lde-doorstroom[ema]'") from None
    folder = Path(folder)
    verify_experiment(folder, partial)
    out = Path(out) if out is not None else folder
    make_folder(out)
    x, indicators = cases(folder)
    y = failing(indicators, fails)
    if y.all() or not y.any():
        raise DiscoveryError(
            f"--fails {fails!r}: {'every' if y.any() else 'no'} run fails; PRIM needs both kinds "
            "(a level taken from the runs, such as median or p25, always splits them)"
        )
    box = prim.Prim(x, y, threshold=threshold).find_box()
    trajectory = box.peeling_trajectory
    dense = trajectory[trajectory["density"] >= threshold]
    chosen = int(dense["coverage"].idxmax()) if not dense.empty else int(trajectory.index[-1])
    box.select(chosen)
    stats, limits = box.inspect(chosen, style="data")[0]
    table = box_table(x, limits, stats)
    table.to_csv(out / "discovery.csv", index=False)
    scores = feature_scoring.get_feature_scores_all(x, {"fails": y.astype(int)}).reset_index()
    scores.columns = ["parameter", "score"]
    scores.sort_values("score", ascending=False).to_csv(out / "feature_scores.csv", index=False)
    _save(box.show_tradeoff(), out / "discovery_tradeoff.png")
    _save(box.inspect(chosen, style="graph")[0], out / "discovery_box.png")
    words = in_words(fails, y, table)
    (out / "discovery.md").write_text(f"# Scenario discovery\n\n{words}\n", encoding="utf-8")
    provenance = {
        "experiment": str(folder),
        "fails": fails,
        "threshold": threshold,
        "partial": partial,
        "command": sys.argv,
        "written": now(),
        "versions": package_versions("ema-workbench"),
    }
    write_file(out / PROVENANCE, json.dumps(provenance, indent=2).encode())
    return Discovery(table, scores, words, out)


def box_table(x: pd.DataFrame, limits: pd.DataFrame, stats: pd.Series) -> pd.DataFrame:
    """Per parameter: the box's limits, the full range, whether the box restricts it, its quasi-p-value."""
    rows = []
    for parameter in x.columns:
        low, high = x[parameter].min(), x[parameter].max()
        inside = parameter in limits.index
        box_low = float(limits.loc[parameter].iloc[0]) if inside else low
        box_high = float(limits.loc[parameter].iloc[1]) if inside else high
        qp = limits.loc[parameter].iloc[2:].dropna() if inside else pd.Series(dtype=float)
        rows.append(
            {
                "parameter": parameter,
                "box_low": box_low,
                "box_high": box_high,
                "full_low": float(low),
                "full_high": float(high),
                "restricted": bool(inside and (box_low > low or box_high < high)),
                "quasi_p": float(qp.min()) if len(qp) else np.nan,
                "coverage": float(stats["coverage"]),
                "density": float(stats["density"]),
                "mass": float(stats["mass"]),
            }
        )
    return pd.DataFrame(rows)


def in_words(fails: str, y: np.ndarray, table: pd.DataFrame) -> str:
    """The box in plain words: how often the condition holds, and where it holds densely."""
    restricted = table[table["restricted"]]
    where = " and ".join(
        f"{row.parameter} is between {row.box_low:.4g} and {row.box_high:.4g} (of {row.full_low:.4g} to {row.full_high:.4g})"
        for row in restricted.itertuples()
    )
    first = table.iloc[0]
    return (
        f"The condition '{fails}' holds in {100 * y.mean():.0f}% of the {y.size} runs. It holds in "
        f"{100 * first.density:.0f}% of the runs when {where or 'anywhere (no restriction found)'}; that box holds "
        f"{100 * first.coverage:.0f}% of all the runs where it holds and {100 * first.mass:.0f}% of all runs. "
        "A quasi-p-value below 0.05 says a restriction is unlikely to be chance."
    )


def _save(figure: object, path: Path) -> None:
    figure.savefig(path, dpi=90, bbox_inches="tight")  # type: ignore[attr-defined]
    import matplotlib.pyplot as plt

    plt.close(figure)  # type: ignore[arg-type]
