"""The tables of results in the README and docs/validation.md, made from the files the commands behind
them wrote.

The README answers its users' questions with tables: the history across the calibrated ensemble
(from ``calibration/``, which ``make calibration`` writes); the default point's 15-year scenarios, the
2026-2036 outlook across the ensemble, the history's routes and leavers, the 2026 options that add
places, two 2018 branches and the enterprises year by year (from ``results/``, which ``make results``
writes by running the commands the README shows, :data:`RESULTS`). docs/validation.md sets the
calibration's out-of-sample checks and the history's figures against published ones in two more
(:data:`VALIDATION_TABLES`). Typed by hand, they went stale whenever the model's draws changed; now
each sits between markers, as docs/calibration.md's tables do (:mod:`.calibration_page`), and ``make
docs`` writes it again. Tests fail when a page and the files disagree, and when the files were made
before the model's exact results last changed: ``make results`` and ``make calibration`` record in
``made_with.json`` the SHA-256 of the golden file (``tests/golden/small_seed1.json``, regenerated
whenever the draws change) and of the ensemble the outlook ran (:data:`INPUTS`). The words around
the tables are written by hand.

    python -m simulation.outputs.result_tables            # make docs: the pages' tables from the files
    python -m simulation.outputs.result_tables results    # make results: run the commands, then the tables
    python -m simulation.outputs.result_tables record calibration   # after make calibration (docs/figures: validation)
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ..experiments.output import now, package_versions
from ..experiments.store import read_experiment
from ..rules.scenario import Scenario
from .calibration_page import PageError, effect_and_range, figure, markdown, refresh, share

#: The 15-year scenarios of the default point's table, compared with the baseline (the first).
DEFAULT_POINT_SCENARIOS = [
    f"scenarios/{name}.toml"
    for name in (
        "baseline aftercare benefit_limit_2026 doorstroom_trajectories flanking_package guidance_training imw_2023 "
        "maatwerk_places no_evaluation no_extension outcome_bonus pre_reform sector_covenants sine_phaseout "
        "sine_phaseout_compensated"
    ).split()
]
#: The commands behind the tables of ``results/`` (``lde-sim`` arguments; each writes ``<name>.csv``),
#: exactly as the README shows them (a test holds the README to these).
RESULTS: dict[str, list[str]] = {
    "default_point": ["compare", *DEFAULT_POINT_SCENARIOS, "--replications", "10"],
    "outlook_2026": [
        "compare",
        "scenarios/from_2026/today.toml",
        "scenarios/from_2026/outcome_bonus.toml",
        "--ensemble",
        "calibration/plausible.csv",
        "--replications",
        "10",
    ],
    "history": ["compare", "scenarios/history.toml", "--replications", "10"],
    "options_2026": [
        "compare",
        "scenarios/from_2026/today.toml",
        "scenarios/from_2026/doorstroom_trajectories.toml",
        "scenarios/from_2026/maatwerk_places.toml",
        "--replications",
        "10",
    ],
    "branches_2018": [
        "compare",
        "scenarios/history.toml",
        "scenarios/from_2018/guidance_training.toml",
        "scenarios/from_2018/flanking_package.toml",
        "--replications",
        "10",
    ],
}
#: The model's exact results at small scale: regenerated whenever a change alters the draws.
GOLDEN = "tests/golden/small_seed1.json"
#: The files each folder's results were made from, recorded by their SHA-256: the golden file for every
#: folder (the model's exact results), and for ``results/`` the ensemble its outlook ran. ``docs/figures``
#: holds the figures and ``facts.csv`` of ``make validation``.
INPUTS = {"calibration": [GOLDEN], "results": [GOLDEN, "calibration/plausible.csv"], "docs/figures": [GOLDEN]}
#: The record of what made a folder's result files.
MADE_WITH = "made_with.json"


def percent(value: float) -> str:
    """A share as a percentage with one decimal."""
    return f"{value * 100:.1f}%"


def points(value: float) -> str:
    """A spread of a share, in percentage points with one decimal."""
    return f"{value * 100:.1f} points"


def count(value: float) -> str:
    """A count (people, enterprises) or euros: whole, with separators."""
    return f"{value:,.0f}"


def month_name(month: str) -> str:
    """``2021-01`` as ``January 2021``."""
    return datetime.strptime(month, "%Y-%m").strftime("%B %Y")


def window(measure: str) -> str:
    """The calendar months of a measure (``transition_rate 2021-01 to 2026-12``), for reading."""
    first, last = measure.split()[1::2]
    return month_name(first) if first == last else f"{month_name(first)} to {month_name(last)}"


#: How each series of the ensemble's headline reads: its mean, its spreads.
SERIES_FORMATS: dict[str, tuple[Callable[[float], str], Callable[[float], str]]] = {
    "transition_rate": (percent, points),
    "dumping_share": (percent, points),
    "enterprise_closures": (count, count),
    "lde_workforce": (count, count),
}


def ensemble_headline(root: Path) -> str:
    """The history across the plausible sets: the calibration's transition-rate target (the plausible
    runs' weighted mean and sd, which includes their noise, and their range, from ``runs.csv``), then
    every answer of ``headline.csv`` with its two spreads and the sets' 5-95%."""
    folder = root / "calibration"
    fit = pd.read_csv(folder / "fit.csv")
    runs = pd.read_csv(folder / "runs.csv")
    plausible = runs[runs["plausible"].astype(bool)]
    rows = []
    for r in fit[fit["measure"].str.startswith("transition_rate ")].itertuples():
        values, weights = plausible[r.target].to_numpy(float), plausible["weight"].to_numpy(float)
        mean = float(np.average(values, weights=weights))
        sd = float(np.sqrt(np.average((values - mean) ** 2, weights=weights)))
        answer = (
            f"LDE workers moving to a regular job a year, {window(r.measure)} "
            f"(a calibration target: {percent(r.observed)} ± {points(r.uncertainty)})"
        )
        rows.append(
            [
                answer,
                percent(mean),
                f"{points(sd)} (with noise)",
                "-",
                f"{percent(values.min())} - {percent(values.max())} (range)",
            ]
        )
    for r in pd.read_csv(folder / "headline.csv").itertuples():
        series = r.measure.split()[0]
        if series not in SERIES_FORMATS:
            raise PageError(
                f"headline.csv answers with {series!r}, which the README's table cannot show yet: add it to SERIES_FORMATS"
            )
        shown, spread = SERIES_FORMATS[series]
        rows.append([r.meaning, shown(r.mean), spread(r.param_sd), spread(r.stoch_sd), f"{shown(r.q05)} - {shown(r.q95)}"])
    return markdown(["answer (its window)", "mean", "param_sd", "stoch_sd", "5-95% over the sets"], rows)


def ensemble_options(root: Path, since: int = 2018) -> str:
    """The policy options branching in ``since`` across the plausible sets, one row each: on each measure
    the effect's weighted mean, the sets' 5-95% and the share of sets where it is above 0
    (``calibration/option_headline.csv``; docs/calibration.md shows more of each)."""
    headline = pd.read_csv(root / "calibration" / "option_headline.csv")
    own = headline[headline["option"].str.endswith(f" from {since}")]
    measures = list(dict.fromkeys(own["measure"]))
    cells = {}
    for r in own.itertuples():
        effect, sets = effect_and_range(r)
        cells[(r.option, r.measure)] = f"{effect} ({sets}; above 0 in {share(r.positive_share)})"
    rows = [[option, *(cells[(option, measure)] for measure in measures)] for option in dict.fromkeys(own["option"])]
    return markdown(["option, less the history", *measures], rows)


def decimals(places: int) -> Callable[[float], str]:
    """A figure with ``places`` decimals."""
    return lambda value: f"{value:.{places}f}"


#: The default point's table: (indicator, heading, how it reads).
DEFAULT_POINT_COLUMNS: list[tuple[str, str, Callable[[float], str]]] = [
    ("transition_rate_annual", "transition / year", decimals(3)),
    ("sustainable_transition_rate", "sustainable", decimals(2)),
    ("dumping_share", "dumping share", decimals(3)),
    ("dumping_count", "fallen back / yr", count),
    ("leefloon_share_24m", "leefloon 24 m", decimals(3)),
    ("enterprise_solvent_share", "solvent", decimals(2)),
    ("enterprise_closures", "closures", count),
    ("enterprise_conversions", "conversions", count),
    ("service_quality", "quality", decimals(2)),
    ("cost_per_sustainable_transition", "EUR per sust. transition (gross)", count),
]


def comparison(root: Path, name: str) -> pd.DataFrame:
    """``results/<name>.csv``, a command's ``comparison.csv``, indexed by scenario and indicator."""
    return pd.read_csv(root / "results" / f"{name}.csv").set_index(["scenario", "indicator"])


def default_point(root: Path) -> str:
    """Each scenario's mean over its replications at the default point, a star where the 95% interval
    of its paired difference from the baseline excludes 0 (``results/default_point.csv``)."""
    table = comparison(root, "default_point")
    rows = []
    for scenario in table.index.unique("scenario"):
        cells = [scenario]
        for indicator, _, shown in DEFAULT_POINT_COLUMNS:
            r = table.loc[(scenario, indicator)]
            cells.append(shown(r["mean"]) + (" *" if r["significant"] else ""))
        rows.append(cells)
    return markdown(["scenario", *(heading for _, heading, _ in DEFAULT_POINT_COLUMNS)], rows)


#: The outlook's rows: (indicator, what it is, how it reads: its mean, its spreads).
OUTLOOK_ROWS: list[tuple[str, str, Callable[[float], str], Callable[[float], str]]] = [
    ("enterprise_closures", "enterprises closed in these years (of about 220 open at the start of 2026)", count, count),
    ("enterprise_conversions", "enterprises converted to collective maatwerk, still operating at the end", count, count),
    ("enterprise_solvent_share", "enterprises open and solvent at the end (of those open at the end of 2025)", percent, percent),
    ("dumping_count", "people a year who left LDE and are on a benefit 12 months later (fallen back)", count, count),
    ("dumping_share", "the same as a share of all LDE leavers (dumping share)", percent, percent),
    ("leefloon_share_24m", "LDE leavers on social assistance (leefloon) 24 months later", percent, percent),
    ("transition_rate_annual", "LDE workers moving to a regular job a year", percent, percent),
    ("lde_workforce_mean", "mean LDE workforce", count, count),
]


def paired_difference(row: pd.Series, shown: Callable[[float], str]) -> str:
    """A scenario's paired difference from the reference and its 95% interval (a row of a ``comparison.csv``)."""
    return f"{shown(row['diff'])} ({shown(row['diff_ci_low'])} to {shown(row['diff_ci_high'])})"


def outlook(root: Path, reference: str = "today", option: str = "outcome_bonus") -> str:
    """The 2026-2036 outlook under today's rules across the ensemble: each indicator's weighted mean
    over the sets, the spread across them, the replications' noise and the median set's mean; then the
    option's paired difference from today's rules with its 95% interval, shares in points
    (``results/outlook_2026.csv``)."""
    table = comparison(root, "outlook_2026")
    rows = []
    for indicator, meaning, shown, spread in OUTLOOK_ROWS:
        r, o = table.loc[(reference, indicator)], table.loc[(option, indicator)]
        difference = in_points if shown is percent else signed(1)
        rows.append(
            [
                meaning,
                shown(r["mean"]),
                spread(r["param_sd"]),
                spread(r["stoch_sd"]),
                shown(r["median"]),
                paired_difference(o, difference),
            ]
        )
    header = ["2026-2036, today's rules", "mean", "param_sd", "stoch_sd", "median set"]
    return markdown([*header, f"{option} less today (95% interval; shares in points)"], rows)


def signed(places: int) -> Callable[[float], str]:
    """A difference with its sign and ``places`` decimals: a bound of an interval just below 0 reads
    ``-0.0``, which says on which side of 0 it lies."""
    return lambda value: f"{value:+.{places}f}"


def in_points(value: float) -> str:
    """A difference of shares in percentage points, signed, one decimal."""
    return f"{value * 100:+.1f}"


#: The columns of the options' tables: (indicator, heading, how a difference reads, how a mean reads).
Column = tuple[str, str, Callable[[float], str], Callable[[float], str]]
OPTION_COLUMNS: dict[str, list[Column]] = {
    "default_point": [
        ("transition_rate_annual", "transitions / year (points)", in_points, percent),
        ("sustainable_transition_rate", "sustainable (points)", in_points, percent),
        ("dumping_share", "dumping share (points)", in_points, percent),
        ("dumping_count", "fallen back / year", signed(0), count),
        ("leefloon_share_24m", "leefloon 24 m (points)", in_points, percent),
        ("enterprise_closures", "closures", signed(1), decimals(1)),
    ],
    "options_2026": [
        ("transition_rate_annual", "transitions / year (points)", in_points, percent),
        ("trajectories_per_year", "trajectories started / year", signed(1), decimals(1)),
        ("traineeship_hires_per_year", "hired after a traineeship / year", signed(1), decimals(1)),
        ("maatwerk_workforce_mean", "maatwerk workers", signed(0), count),
        ("dumping_share", "dumping share (points)", in_points, percent),
        ("enterprise_closures", "closures", signed(1), decimals(1)),
        ("lde_workforce_mean", "LDE workers", signed(0), count),
    ],
    "branches_2018": [
        ("transition_rate_annual", "transitions / year (points)", in_points, percent),
        ("dumping_share", "dumping share (points)", in_points, percent),
        ("enterprise_solvent_share", "solvent at the end (points)", in_points, percent),
        ("enterprise_closures", "closures", signed(1), decimals(1)),
        ("lde_workforce_mean", "LDE workers", signed(0), count),
    ],
}


def options(root: Path, name: str) -> str:
    """A comparison's reference (its first scenario) by its means, then each option by its paired difference
    from it and that difference's 95% interval over the replications (``results/<name>.csv``)."""
    table = comparison(root, name)
    scenarios = list(table.index.unique("scenario"))
    columns = OPTION_COLUMNS[name]
    rows = [[f"{scenarios[0]} (means)", *(mean(table.loc[(scenarios[0], i), "mean"]) for i, _, _, mean in columns)]]
    for scenario in scenarios[1:]:
        cells = [scenario]
        for indicator, _, diff, _ in columns:
            r = table.loc[(scenario, indicator)]
            cells.append(paired_difference(r, diff))
        rows.append(cells)
    return markdown(["scenario", *(heading for _, heading, _, _ in columns)], rows)


def enterprise_years(monthly: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The enterprises of ``scenario``'s runs in an experiment's ``monthly`` table, per replication and
    calendar year: open, converted to collective maatwerk (still operating) and LDE workers in the year's
    last month, closures in the year, and the open enterprises' income less costs per LDE worker-month
    (EUR), the calibration's margin target measured year by year (month 0, the starting state, is left out)."""
    own = monthly[(monthly["label"] == scenario.name) & (monthly["month"] > 0)].copy()
    own["year"] = [int(scenario.date(month)[:4]) for month in own["month"]]
    own["margin"] = own["enterprise_income"] - own["enterprise_costs"]
    years = own.groupby(["replication", "year"])
    last = years[["enterprises_open", "enterprises_closed", "enterprises_converted", "lde"]].last()
    closed_before = last["enterprises_closed"].groupby(level="replication").shift(fill_value=0)
    sums = years[["margin", "lde"]].sum()
    return pd.DataFrame(
        {
            "enterprises_open": last["enterprises_open"],
            "closed_in_year": last["enterprises_closed"] - closed_before,
            "enterprises_converted": last["enterprises_converted"],
            "lde_workers": last["lde"],
            "margin_per_worker_month": sums["margin"] / sums["lde"],
        }
    ).reset_index()


#: The years the README's table of the enterprises shows: from the year of the calibration's margin target.
SHOWN_YEARS = range(2019, 2037)


def means_and_range(table: pd.DataFrame, by: str, ranged: str) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Each group's means over the replications, and the lowest and highest of one column."""
    groups = table.groupby(by)
    return groups.mean(), groups[ranged].min(), groups[ranged].max()


def enterprise_years_table(root: Path) -> str:
    """The enterprises year by year under the history and today's rules from 2026: each figure the mean over
    the replications, the closures with their range (``results/enterprise_years.csv``)."""
    table = pd.read_csv(root / "results" / "enterprise_years.csv")
    means, low, high = means_and_range(table[table["year"].isin(SHOWN_YEARS)], "year", "closed_in_year")
    rows = [
        [
            str(year),
            count(r.enterprises_open),
            f"{r.closed_in_year:.1f} ({low[year]:.0f} - {high[year]:.0f})",
            count(r.enterprises_converted),
            count(r.lde_workers),
            f"{r.margin_per_worker_month:+,.0f}",
        ]
        for year, r in means.iterrows()
    ]
    header = ["year", "open in December", "closed in the year (range)", "converted", "LDE workers in December"]
    return markdown([*header, "margin, EUR per worker-month"], rows)


#: The end of a trajectory's evaluation: each outcome's indicator and what it means.
ROUTES = [
    ("route_share_trajectory", "joined the doorstroom trajectory's waiting list"),
    ("route_share_work_care", "advised work-care"),
    ("route_share_maatwerk", "advised collective maatwerk"),
    ("route_share_internal_doorstroom", "kept by their enterprise (internal doorstroom)"),
]
#: Where LDE leavers are: the states of the follow-up (``leaver_state_<h>m_<state>``) and their names.
STATES = [
    ("nec", "a regular job"),
    ("unemployed", "unemployment benefit"),
    ("social_assistance", "social assistance (leefloon)"),
    ("work_care", "work-care"),
    ("maatwerk", "collective maatwerk"),
    ("lde", "back in LDE"),
    ("inactive", "out of the labour force"),
]
HORIZONS = (6, 12, 24)


#: The referral queue's suppressed demand over the history.
REFERRAL = [
    ("referral_requests_refused_per_year", "requests refused at once a year (they could not be decided in time)"),
    ("referral_requests_lapsed_per_year", "requests that lapsed a year"),
]


def with_interval(row: pd.Series, shown: Callable[[float], str] = percent) -> str:
    """An indicator's mean over the replications and its 95% interval."""
    return f"{shown(row['mean'])} ({shown(row['ci_low'])} - {shown(row['ci_high'])})"


def history_rows(root: Path) -> pd.DataFrame:
    """The history's row of each indicator over its whole run (``results/history.csv``), by indicator."""
    table = comparison(root, "history")
    return table.loc[table.index.unique("scenario")[0]]


def history_table(root: Path, heading: str, rows: list[tuple[str, str]], shown: Callable[[float], str]) -> str:
    """Some of the history's indicators, each with its 95% interval over the replications."""
    table = history_rows(root)
    cells = [[meaning, with_interval(table.loc[indicator], shown)] for indicator, meaning in rows]
    return markdown([heading, "mean (95% interval)"], cells)


def history_leavers(root: Path) -> str:
    """Where everyone who left LDE in the history is 6, 12 and 24 months later, with 95% intervals."""
    table = history_rows(root)
    rows = [[meaning, *(with_interval(table.loc[f"leaver_state_{h}m_{state}"]) for h in HORIZONS)] for state, meaning in STATES]
    return markdown(["LDE leavers, 2015-2026, in", *(f"{h} months later" for h in HORIZONS)], rows)


#: The months around the federal benefit limit's first endings (January 2026), as the README shows them.
BENEFIT_LIMIT_MONTHS = ("2025-10", "2026-06")


def benefit_limit_months(monthly: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Per replication and calendar month of :data:`BENEFIT_LIMIT_MONTHS` (``scenario``'s runs in an
    experiment's ``monthly`` table): the people whose unemployment benefit ran out, the moves from a
    benefit to a regular job, and the people on unemployment benefit and on social assistance at the
    month's end."""
    first, last = (scenario.month_of(date) for date in BENEFIT_LIMIT_MONTHS)
    own = monthly[(monthly["label"] == scenario.name) & monthly["month"].between(first, last)]
    columns = ["benefit_lost", "flow_unemployed_to_nec", "unemployed", "social_assistance"]
    table = own[["replication", "month", *columns]].copy()
    table.insert(1, "date", [scenario.date(month) for month in table["month"]])
    return table.drop(columns="month").reset_index(drop=True)


def benefit_limit_table(root: Path) -> str:
    """The months around the benefit limit's first endings: each figure the mean over the replications, the
    endings with their range (``results/benefit_limit.csv``)."""
    means, low, high = means_and_range(pd.read_csv(root / "results" / "benefit_limit.csv"), "date", "benefit_lost")
    rows = [
        [
            date,
            f"{count(r.benefit_lost)} ({count(low[date])} - {count(high[date])})",
            count(r.flow_unemployed_to_nec),
            count(r.unemployed),
            count(r.social_assistance),
        ]
        for date, r in means.iterrows()
    ]
    header = ["month", "benefit ran out (range)", "from a benefit to a regular job", "on unemployment benefit"]
    return markdown([*header, "on social assistance"], rows)


def yearly_mean(column: str, year: int) -> Callable[[pd.DataFrame], float]:
    """A column's mean over the months of a calendar year, in a run indexed by date (``2019-01``)."""
    return lambda run: float(run.loc[run.index.str.startswith(f"{year}-"), column].mean())


def at(column: str, date: str) -> Callable[[pd.DataFrame], float]:
    """A column's value at the end of one month, in a run indexed by date."""
    return lambda run: float(run.at[date, column])


def total(column: str, first: str, last: str) -> Callable[[pd.DataFrame], float]:
    """A column's sum over the months ``first`` to ``last``, in a run indexed by date."""
    return lambda run: float(run.loc[first:last, column].sum())


def change(before: Callable[[pd.DataFrame], float], after: Callable[[pd.DataFrame], float]) -> Callable[[pd.DataFrame], float]:
    """From one figure of a run to another, as a count."""
    return lambda run: after(run) - before(run)


def relative(before: Callable[[pd.DataFrame], float], after: Callable[[pd.DataFrame], float]) -> Callable[[pd.DataFrame], float]:
    """From one figure of a run to another, as a share of the first."""
    return lambda run: after(run) / before(run) - 1


def signed_percent(value: float) -> str:
    """A change as a signed percentage with one decimal."""
    return f"{value * 100:+.1f}%"


#: The history's figures docs/validation.md sets against published ones (section 4, *other checks*):
#: what each is, how a run gives it, how it reads.
HISTORY_CHECKS: list[tuple[str, Callable[[pd.DataFrame], float], Callable[[float], str]]] = [
    *((f"LDE workers, mean of {year}", yearly_mean("lde", year), count) for year in (2019, 2020, 2021, 2022)),
    (
        "change in LDE workers, 2019 to 2020 (yearly means)",
        relative(yearly_mean("lde", 2019), yearly_mean("lde", 2020)),
        signed_percent,
    ),
    *((f"enterprises open, December {year}", at("enterprises_open", f"{year}-12"), count) for year in (2018, 2019, 2020, 2021)),
    ("change in LDE workers, March to April 2021", change(at("lde", "2021-03"), at("lde", "2021-04")), signed(0)),
    ("change in LDE workers, March 2021 to March 2022", change(at("lde", "2021-03"), at("lde", "2022-03")), signed(0)),
    ("unemployment benefits that ran out, January-April 2026", total("benefit_lost", "2026-01", "2026-04"), count),
]


def history_checks(monthly: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Each figure of :data:`HISTORY_CHECKS` for each replication of ``scenario``'s runs in an experiment's
    ``monthly`` table (the history): columns replication, check, value."""
    own = monthly[monthly["label"] == scenario.name]
    rows = []
    for replication, run in own.groupby("replication"):
        by_date = run.set_index(pd.Index([scenario.date(month) for month in run["month"]], name="date"))
        rows += [(replication, check, value(by_date)) for check, value, _ in HISTORY_CHECKS]
    return pd.DataFrame(rows, columns=["replication", "check", "value"])


def history_checks_table(root: Path) -> str:
    """The history's figures of :data:`HISTORY_CHECKS`: each the mean over the replications and their range
    (``results/history_checks.csv``)."""
    table = pd.read_csv(root / "results" / "history_checks.csv")
    means, low, high = means_and_range(table.drop(columns="replication"), "check", "value")
    rows = [
        [check, f"{shown(means.at[check, 'value'])} ({shown(low[check])} to {shown(high[check])})"]
        for check, _, shown in HISTORY_CHECKS
    ]
    return markdown(["the history at the default point", "mean (range over the replications)"], rows)


#: How each kind of figure of ``facts.csv`` reads.
FACT_FORMATS: dict[str, Callable[[float], str]] = {
    "share": lambda value: f"{value * 100:.2f}%",
    "ratio": decimals(2),
    "correlation": signed(2),
}


def stylised_facts(root: Path) -> str:
    """The figures docs/validation.md's section 5 reads from the run of its figures and its knock-outs
    (``docs/figures/facts.csv``, written by ``make validation``)."""
    table = pd.read_csv(root / "docs" / "figures" / "facts.csv")
    rows = [[r.fact, FACT_FORMATS[r.kind](r.value)] for r in table.itertuples()]
    return markdown(["the figures' run (seed 2, 20,000 job seekers, 15 years)", "value"], rows)


def out_of_sample(root: Path) -> str:
    """The calibration's checks (``calibration/out_of_sample.csv``): each observed figure against the
    plausible runs' weighted mean and 5-95% range, and the verdict with its z-score."""
    table = pd.read_csv(root / "calibration" / "out_of_sample.csv")
    rows = [
        [
            r.check,
            r.kind,
            f"{figure(r.observed)} ± {figure(r.uncertainty)}",
            f"{figure(r.ensemble_mean)} ({figure(r.ensemble_q05)} - {figure(r.ensemble_q95)})",
            f"{r.verdict} (z {r.z:+.1f})",
        ]
        for r in table.itertuples()
    ]
    return markdown(["check", "kind", "observed", "plausible runs: mean (5-95%)", "verdict"], rows)


#: The files ``make results`` derives from the runs of one of its commands (the first scenario's):
#: file name, the command, how. ``enterprise_years.csv`` reads today's rules from 2026, which are the
#: history to the end of 2025.
DERIVED: dict[str, tuple[str, Callable[[pd.DataFrame, Scenario], pd.DataFrame]]] = {
    "enterprise_years.csv": ("options_2026", enterprise_years),
    "benefit_limit.csv": ("history", benefit_limit_months),
    "history_checks.csv": ("history", history_checks),
}


#: The README's generated tables, by the name their markers give.
TABLES: dict[str, Callable[[Path], str]] = {
    "ensemble_headline": ensemble_headline,
    "ensemble_options_2018": ensemble_options,
    "default_point": default_point,
    "default_point_differences": lambda root: options(root, "default_point"),
    "outlook_2026": outlook,
    "options_2026": lambda root: options(root, "options_2026"),
    "branches_2018": lambda root: options(root, "branches_2018"),
    "enterprise_years": enterprise_years_table,
    "history_routes": lambda root: history_table(root, "of those evaluated before the limit, 2015-2026", ROUTES, percent),
    "history_leavers": history_leavers,
    "history_referral": lambda root: history_table(root, "the referral queue, 2015-2026", REFERRAL, count),
    "benefit_limit": benefit_limit_table,
}
#: docs/validation.md's generated tables.
VALIDATION_TABLES: dict[str, Callable[[Path], str]] = {
    "out_of_sample": out_of_sample,
    "history_checks": history_checks_table,
    "stylised_facts": stylised_facts,
}
#: The pages with tables of results, and their tables.
PAGES: dict[str, dict[str, Callable[[Path], str]]] = {"README.md": TABLES, "docs/validation.md": VALIDATION_TABLES}


def sha256(path: Path) -> str:
    """A file's SHA-256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record(root: Path, folder: str, commands: dict[str, list[str]] | None = None) -> None:
    """Write ``root/folder/made_with.json``: the SHA-256 of each of its :data:`INPUTS`, the versions, when
    it was recorded and, when given, the ``lde-sim`` commands that wrote the files (the calibration's
    command is in its own ``calibration.json``)."""
    made_with = {
        "inputs": {name: sha256(root / name) for name in INPUTS[folder]},
        "versions": package_versions(),
        "recorded": now(),
    }
    if commands:
        made_with["commands"] = {name: ["lde-sim", *args] for name, args in commands.items()}
    (root / folder / MADE_WITH).write_text(json.dumps(made_with, indent=2) + "\n", encoding="utf-8")


def stale_inputs(root: Path, folder: str) -> list[str]:
    """Which of ``folder``'s :data:`INPUTS` have changed since its files were made (all, if no record)."""
    made_with = root / folder / MADE_WITH
    recorded = json.loads(made_with.read_text(encoding="utf-8"))["inputs"] if made_with.exists() else {}
    return [name for name in INPUTS[folder] if recorded.get(name) != sha256(root / name)]


def derive(root: Path, work: Path) -> dict[str, pd.DataFrame]:
    """The files :data:`DERIVED`, each from the stored runs of its command in ``work/<name>``."""
    derived = {}
    for file, (name, derived_by) in DERIVED.items():
        monthly = read_experiment(work / name, ("monthly",))["monthly"]
        derived[file] = derived_by(monthly, Scenario.load(root / RESULTS[name][1]))
    return derived


def make_results(root: Path) -> None:
    """Run every command of :data:`RESULTS` in a fresh folder under ``runs/results/`` and, once all have
    finished, copy their ``comparison.csv`` into ``results/`` and write the files :data:`DERIVED` from their
    runs (a failed command leaves ``results/`` as it was)."""
    work = root / "runs" / "results"
    shutil.rmtree(work, ignore_errors=True)  # never resume a folder an older model wrote
    for name, args in RESULTS.items():
        command = [sys.executable, "-m", "simulation", *args, "--out", str(work / name)]
        if subprocess.run(command, cwd=root).returncode != 0:
            raise SystemExit(f"make results: `lde-sim {' '.join(args)}` failed; results/ is left as it was")
    derived = derive(root, work)
    target = root / "results"
    target.mkdir(exist_ok=True)
    for name in RESULTS:
        shutil.copyfile(work / name / "comparison.csv", target / f"{name}.csv")
    for file, table in derived.items():
        table.to_csv(target / file, index=False)
    record(root, "results", RESULTS)


def refresh_pages(root: Path) -> None:
    """Write the generated tables of :data:`PAGES` again from ``calibration/`` and ``results/``; every page
    is left as it was when a file is missing or a page's markers do not fit."""
    texts = {}
    for name, tables in PAGES.items():
        page = root / name
        try:
            texts[page] = refresh(page.read_text(encoding="utf-8"), root, tables)
        except (OSError, PageError) as err:
            raise SystemExit(f"{page}: {err}") from None
        except (AttributeError, KeyError) as err:  # a column or a scenario's row missing from a file
            raise SystemExit(f"{page}: the result files lack what a table needs ({err}): run make results again") from None
    for page, text in texts.items():
        page.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> None:
    """``[]``: refresh the tables of :data:`PAGES`; ``["results"]``: run the commands first; ``["record", FOLDER]``:
    record in FOLDER (the calibration's after ``make calibration``, docs/figures after ``make validation``)
    which exact results made its files."""
    root = Path.cwd()
    if len(argv) == 2 and argv[0] == "record" and argv[1] in INPUTS:
        record(root, argv[1])
        return
    if argv == ["results"]:
        make_results(root)
    elif argv:
        raise SystemExit(f"usage: python -m simulation.outputs.result_tables [results | record {'|'.join(INPUTS)}]")
    refresh_pages(root)


if __name__ == "__main__":
    main(sys.argv[1:])
