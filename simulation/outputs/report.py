"""One readable report of a run or an experiment: ``lde-sim report DIR``.

``report.html`` is self-contained (figures embedded as PNG data, no scripts, no network)
so it can be opened anywhere and mailed; ``--format md`` writes ``report.md`` with the
figures as PNG files beside it. A report says in plain words what was compared (the
parameters that differ from the baseline, described by the scenario schema), gives
the indicators with their intervals, the figures with how to read them, and the
provenance (versions, seeds, command).
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..errors import LDEError
from ..experiments.branching import trunk_key
from ..experiments.discovery import PROVENANCE as DISCOVERY
from ..experiments.output import RUN_TABLES, OutputError, read_table, write_file
from ..experiments.statistics import interval
from ..experiments.store import FILE, read_experiment, read_result, verify_experiment
from ..rules.scenario import Scenario, Section
from ..rules.scenario_files import leaves
from ..rules.timeline import Timeline
from ..submodels.follow_up import STATE_HORIZONS, STATES
from ..submodels.public_finances import LEVEL_NAMES, LEVELS
from ..world.indicators import (
    INDICATOR_INFO,
    INDICATORS,
    ROUTE_INDICATORS,
    Indicator,
    measured_months,
    unsigned_zero,
    window_span,
)
from . import plots
from .console import HEADLINE, indicator_summary, readable_number, window_line
from .route_report import benefit_limit_reading, benefit_limit_table, lever_reasons


class ReportError(LDEError):
    """A folder that holds neither a run nor an experiment."""


@dataclass
class Report:
    """The content of a report, independent of its format."""

    title: str
    what: list[str]
    tables: list[tuple[str, pd.DataFrame]]
    figures: list[tuple[str, Figure, str]]  # (title, figure, how to read it)
    provenance: dict[str, Any] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (what, a path relative to the report)


def write_report(folder: str | Path, fmt: str = "html", partial: bool = False) -> Path:
    """Build the report of the run or experiment in ``folder``; return the file written.

    Damaged or changed results are refused, and so is an unfinished run or experiment
    unless ``partial`` (its report then says so first). The file is written whole or not
    at all (a temporary file renamed).
    """
    folder = Path(folder)
    from .search_report import is_search, search_report

    if is_search(folder):
        report = search_report(folder)
    elif (folder / FILE).exists():
        report = experiment_report(folder, partial)
    elif (folder / "run.json").exists():
        report = run_report(folder, partial)
    elif all((folder / name).exists() for name in CALIBRATION):
        report = calibration_report(folder)
    else:
        raise ReportError(
            f"{folder}: no run (run.json, metrics.csv), experiment ({FILE}) or calibration (fit.csv, ...) to report on"
        )
    if fmt not in ("html", "md"):
        raise ReportError(f"--format {fmt!r}: choose html or md")
    path = folder / f"report.{fmt}"
    text = to_html(report) if fmt == "html" else to_markdown(report, folder)
    try:
        write_file(path, text.encode("utf-8"))
    except OSError as err:
        raise ReportError(f"cannot write {path}: {err.strerror}; free some space or make the folder writable") from None
    return path


#: The tables of a calibration folder (lde-sim calibrate); its waves are experiments of their own.
CALIBRATION = ("fit.csv", "parameters.csv", "runs.csv", "identification.csv", "waves.csv")
#: A calibration's provenance (simulation.calibration.history_matching.PROVENANCE; calibration is a layer above).
CALIBRATION_PROVENANCE = "calibration.json"
#: Tables a calibration writes when its targets file asks for them (checks, answers, observables).
CALIBRATION_EXTRAS = (
    (
        "out_of_sample.csv",
        "Out-of-sample checks (2020 and later) and the other checks, never fitted: observed against the plausible runs",
    ),
    ("discrimination.csv", "Can each target fail? The first wave's runs against each target's uncertainty"),
    ("headline.csv", "Headline answers over the plausible sets: mean, param_sd (the sets) and stoch_sd (one run's noise)"),
    ("value_of_information.csv", "What to measure next: where each answer's spread comes from, and what would narrow it"),
    ("missing_observations.csv", "For each free parameter: the observation whose plausible spread it explains most"),
    (
        "option_headline.csv",
        "Policy options over a sample of the plausible sets: each effect's mean, param_sd (the sets), stoch_sd (one run's noise)",
    ),
    (
        "option_value_of_information.csv",
        "What to measure next for each option's effect: where its spread comes from, what would narrow it (above chance only)",
    ),
)


def calibration_report(folder: Path) -> Report:
    """A calibration: how each target is met, what the targets identify, the waves, the diagnostics."""
    fit, parameters, runs, identification, waves = (pd.read_csv(folder / name) for name in CALIBRATION)
    plausible = int(runs["plausible"].sum())
    identified = list(parameters.loc[parameters["identified"], "parameter"])
    findings = [
        f"{plausible} of {len(runs)} runs match every target within the cut-off; the ensemble (plausible.csv) "
        "resamples them by weight.",
        "Identified by the targets (plausible sd at most half the prior's): "
        + (", ".join(identified) if identified else "none")
        + f"; not identified: {len(parameters) - len(identified)} of {len(parameters)}, whose spread every "
        "conclusion across the ensemble carries (param_sd).",
    ]
    tables = [
        ("Targets: observed, the most likely set and the plausible range", rounded(fit)),
        ("Parameters: prior, plausible mean and spread, identification", rounded(parameters)),
        ("Waves", rounded(waves)),
    ]
    for name, title in CALIBRATION_EXTRAS:  # absent from calibrations made before they existed
        if (folder / name).exists():
            tables.append((title, rounded(pd.read_csv(folder / name))))
    if (folder / "value_of_information.csv").exists():
        findings.append(
            "What to measure next: for each headline answer, the table 'What to measure next' names the free "
            "parameters its spread comes from and the observation that would narrow it most."
        )
    provenance = calibration_provenance(folder)
    if provenance.get("status", "complete") != "complete":
        findings.insert(
            0,
            f"The last calibration command in this folder ended {provenance['status']} (calibration.json): these tables "
            "are from the last one that got as far as writing them.",
        )
    return Report(
        title=f"Calibration by history matching over {len(waves)} waves",
        what=["Each wave is an experiment in wave<k>/ (lde-sim report on it shows its runs); docs/calibration.md explains."],
        tables=tables,
        figures=[
            (
                "Diagnostics",
                plots.calibration_diagnostics(parameters, fit, runs, identification),
                "Top: how far each parameter moves each target across its prior range, in target uncertainties. "
                "Middle: each parameter's plausible distribution (blue) against its prior range. Bottom: each "
                "target, observed with 2 uncertainties (band), against every run.",
            )
        ],
        findings=findings,
        provenance=provenance,
    )


def calibration_provenance(folder: Path) -> dict[str, Any]:
    """A calibration's provenance (calibration.json: targets file and SHA-256, seed, versions,
    command), or a line saying it was not recorded (a calibration made before it was)."""
    try:
        return json.loads((folder / CALIBRATION_PROVENANCE).read_text())
    except FileNotFoundError:
        return {
            "not recorded": f"this calibration was made before lde-sim calibrate wrote {CALIBRATION_PROVENANCE} (targets "
            "file and its SHA-256, seed, versions); the next calibration records it"
        }
    except (OSError, ValueError) as err:
        raise ReportError(f"{folder / CALIBRATION_PROVENANCE}: cannot be read ({err}); run the calibration again") from None


def run_report(folder: Path, partial: bool = False) -> Report:
    provenance, scenario, tables_read = read_run(folder, partial)
    metrics, summary = tables_read["metrics.csv"], tables_read["summary.csv"]
    ties, events, decisions = (tables_read.get(name) for name in ("network.csv", "events.csv", "enterprise_events.csv"))
    figures = [
        (
            "People by status",
            plots.stocks(metrics),
            "One panel per status, each on its own scale. Lines are medians over replications, bands the "
            "10-90% range. Watch the regular-job panel against the unemployment and social-assistance panels.",
        ),
        (
            "Enterprise viability",
            plots.viability(metrics),
            "Reserves and the share of enterprises still open and "
            "solvent, by size class; service quality falls with vacant slots and with less experienced workers. "
            + ENTERPRISE_CAVEAT,
        ),
    ]
    if "enterprises_under_pressure" in metrics:
        figures.append(
            (
                "What the enterprises decided",
                plots.decisions(metrics),
                "Enterprises expecting to fall below their aspiration act: they cut overhead and coaches, raise "
                "prices, leave slots empty, ask for local support or convert; comfortable ones undo their cuts. "
                "Push is the extra job search they give their workers. Solid lines: small neighbourhood services; "
                "dashed: large proximity services.",
            )
        )
    if ties is not None and ties.size:
        figures.append(
            (
                "The employer network",
                plots.network(ties),
                "Ties between LDE enterprises and regular employers at the end of the run: covenants create them, "
                "traineeships form them, lasting hires strengthen them and failures weaken them. A candidate from "
                "a tied enterprise meets a lower hiring bar and, once hired, stays longer.",
            )
        )
    tables = [
        (f"Indicators, {window_span(scenario)} (mean over replications, 95% interval)", indicator_summary(summary, scenario))
    ]
    tables += route_tables(metrics, summary, scenario)
    tables.append(("What the indicators mean (docs/indicators.md defines each)", glossary()))
    if decisions is not None:
        tables.append(("Enterprise decisions (count over all replications)", decision_counts(decisions)))
    if events is not None:
        figures += [
            (
                "Time to a regular job",
                plots.survival({scenario.name: events}, _limit(scenario)),
                "The share of LDE spells that reached a regular job by each month in LDE; the dashed line is the time limit.",
            ),
            (
                "Where LDE leavers go",
                plots.pathways(events),
                "Each column shows where people who left LDE are; bands show who moved where in between.",
            ),
        ]
    replications = len(summary)
    unfinished = [] if provenance.get("status") == "complete" else [UNFINISHED.format(status=provenance.get("status"))]
    return Report(
        findings=[
            *unfinished,
            *closure_findings(metrics, summary, decisions, scenario),
            *benefit_limit_reading(metrics, scenario),
        ],
        title=f"Run of scenario '{scenario.name}'" + (" (unfinished)" if unfinished else ""),
        what=[
            scenario.description or scenario.name,
            setting(scenario, replications, provenance.get("seed")),
            window_line(scenario) + "; per calendar year in yearly.csv.",
            *(
                [f"A branch of its history from {scenario.branch}; what it changes:", *branch_changes(scenario)]
                if scenario.branch is not None and branch_changes(scenario)
                else [f"A branch of its history from {scenario.branch} that changes nothing: the history's rules go on."]
                if scenario.branch is not None
                else differences(scenario, Scenario(), "the defaults (baseline)")
            ),
        ],
        tables=tables,
        figures=figures,
        provenance=provenance,
    )


def route_tables(metrics: pd.DataFrame, summary: pd.DataFrame, scenario: Scenario) -> list[tuple[str, pd.DataFrame]]:
    """The run's routes beside their capacities, where leavers are after exit, the referral demand (all
    over the indicators' window, so they agree with the indicators), and the benefit limit by month."""
    first, last = measured_months(scenario)
    window = metrics[(metrics["month"] >= first) & (metrics["month"] <= last)]
    span = window_span(scenario)
    means = window.drop(columns=["date"]).groupby("month").mean()
    policy = scenario.policy
    routes = pd.DataFrame(
        [
            (words, f"{means[column].mean():,.1f}", f"{means[column].max():,.1f}", "–" if capacity is None else f"{capacity:,}")
            for words, column, capacity in (
                ("work-care places held", "route_work_care", policy.work_care_places),
                ("waiting for a work-care place", "route_work_care_waiting", None),
                ("in collective maatwerk", "maatwerk", policy.maatwerk_places),
                ("waiting for a maatwerk place", "route_maatwerk_waiting", None),
                ("trajectories started a month", "trajectories_started", policy.doorstroom_trajectories_month),
                ("waiting for a trajectory", "route_trajectory_waiting", None),
            )
            if column in means
        ],
        columns=["route (persons)", "mean a month", "most in a month", "capacity"],
    )
    states = pd.DataFrame(
        [
            {
                "months after exit": h,
                **{STATE_WORDS[s]: leaver_share(summary, h, s) for s in STATES},
            }
            for h in STATE_HORIZONS
        ]
    )
    years = (last - first + 1) / 12
    per_replication = window.groupby("replication")[list(REFERRAL_WORDS)].sum().mean() / years
    demand = pd.DataFrame([{words: f"{per_replication[name]:,.1f}" for name, words in REFERRAL_WORDS.items()}])
    tables = [
        (f"Routes, {span}: people on each and its capacity (persons a month, mean over replications)", routes),
        (
            f"Where LDE leavers are after exit, {span} (share of the leavers, mean over replications; the "
            "leaver_state indicators above give the intervals)",
            states,
        ),
        (
            f"Referral demand, {span} (requests a year, mean over replications): refused and lapsed requests are "
            "suppressed demand",
            demand,
        ),
    ]
    limit = benefit_limit_table(metrics, scenario)
    if limit is not None:
        tables.append(("The federal benefit limit by month (persons, mean over replications), beside source 4.6.2", limit))
    return tables


def leaver_share(summary: pd.DataFrame, horizon: int, state: str) -> str:
    """The share of LDE leavers in ``state`` ``horizon`` months after exit (indicator leaver_state_<h>m_<state>,
    mean over replications), as a percentage."""
    name = f"leaver_state_{horizon}m_{state}"
    return INDICATOR_INFO[name].format(float(summary[name].mean()))


#: The states of :data:`STATES` as the report names them.
STATE_WORDS = {
    "nec": "regular job",
    "unemployed": "unemployment benefit",
    "social_assistance": "social assistance (leefloon)",
    "work_care": "work-care",
    "maatwerk": "collective maatwerk",
    "lde": "back in LDE",
    "inactive": "inactive",
}
#: The referral counts of metrics.csv as the report names them.
REFERRAL_WORDS = {
    "referral_requests": "requests",
    "referral_requests_refused": "refused (intake stopped)",
    "referral_requests_lapsed": "lapsed (waited too long)",
    "referrals_decided": "decided",
}


def closure_findings(metrics: pd.DataFrame, summary: pd.DataFrame, events: pd.DataFrame | None, scenario: Scenario) -> list[str]:
    """When fewer than half the enterprises are open and solvent at the end: of how many, how many closed
    (over the indicators' window, and over the whole run when that is longer), which decisions they tried,
    the margin per worker that beat them, and how far the model's enterprises can be trusted."""
    solvent = float(summary["enterprise_solvent_share"].mean())
    if solvent >= 0.5 or "enterprise_income" not in metrics:
        return []
    first, last = measured_months(scenario)
    window = metrics[(metrics["month"] >= first) & (metrics["month"] <= last) & (metrics["lde"] > 0)]
    income = float(window["enterprise_income"].sum() / window["lde"].sum())
    costs = float(window["enterprise_costs"].sum() / window["lde"].sum())
    by_month = metrics.groupby("month").mean(numeric_only=True)
    entries = by_month["enterprises_entered"] if "enterprises_entered" in by_month else pd.Series(0.0, index=by_month.index)
    closed = float(summary["enterprise_closures"].mean())
    measured = by_month.loc[first - 1, "enterprises_open"] + entries.loc[first:last].sum()
    lines = [
        f"Fewer than half the enterprises are open and solvent at the end: {100 * solvent:.0f}% "
        f"(enterprise_solvent_share) of the {count_text(measured)} "
        f"open at {scenario.date(first)} or entered since (means over replications); {count_text(closed)} of them closed by "
        f"{scenario.date(last)} (enterprise_closures), the others are open with a negative reserve or converted."
        + (
            f" Before that, from {scenario.date(1)}, {count_text(by_month.loc[first - 1, 'enterprises_closed'])} had closed, "
            f"of the {count_text(by_month.loc[0, 'enterprises_open'])} of the start and "
            f"{count_text(entries.loc[1 : first - 1].sum())} entered."
            if first > 1
            else ""
        )
        + f" Over {window_span(scenario)} the open enterprises took in EUR {income:,.0f} a worker-month and spent "
        f"EUR {costs:,.0f} ({income - costs:+,.0f} a worker-month, overhead included). " + ENTERPRISE_CAVEAT
    ]
    if events is not None:
        tried = events["decision"].value_counts()
        lines.append(
            "What they tried (all replications): "
            + ", ".join(f"{DECISION_WORDS.get(name, name)} {count:,} times" for name, count in tried.items())
            + ". See the decisions table and figure below."
        )
    else:
        lines.append("Run with --events to see which decisions the enterprises tried (enterprise_events.csv).")
    return lines


#: Where docs/validation.md (section 7) and docs/calibration.md (sections 4-5) say the enterprises'
#: figures cannot be trusted as forecasts; said beside every enterprise finding and figure.
ENTERPRISE_CAVEAT = (
    "Read the enterprises' survival as a what-if, not a forecast: their decisions are assumed rather than fitted "
    "(docs/validation.md, section 7), and their revenue, overhead and local support are free parameters no "
    "target identifies (docs/calibration.md, sections 4-5)."
)


DECISION_WORDS = {
    "overhead_share": "cut overhead",
    "coaches": "changed coaching",
    "price": "changed prices",
    "fill_target": "froze or resumed hiring",
    "push": "changed their push",
    "local_support": "asked for local support",
    "converted": "converted to collective maatwerk",
    "takeover": "took over workers",
    "close": "closed",
}


def decision_counts(events: pd.DataFrame) -> pd.DataFrame:
    """How often each decision was taken, and why (from enterprise_events.csv)."""
    if events.empty:
        return pd.DataFrame({"decision": ["none"], "reason": ["no enterprise changed anything"], "times": [0]})
    return events.groupby(["decision", "reason"]).size().rename("times").reset_index()


#: The first finding of a report on an experiment or run that did not finish (``--partial``).
UNFINISHED = "UNFINISHED: this {status} experiment or run is reported on its finished runs only; numbers will change."


def read_run(folder: Path, partial: bool = False) -> tuple[dict[str, Any], Scenario, dict[str, pd.DataFrame]]:
    """A run folder's provenance, scenario and tables (by file name), checked to be whole and unchanged.

    Each table is read as far as ``run.json`` records whole replications and checked
    against its SHA-256 there (:func:`simulation.experiments.output.read_table`): a file cut short or
    edited by hand is an error, not a report on other data. A run that did not complete
    is refused unless ``partial`` (then the report says it is unfinished).
    """
    try:
        provenance = json.loads((folder / "run.json").read_text())
        scenario = Scenario.from_dict(tomllib.loads((folder / "scenario.toml").read_text()), str(folder / "scenario.toml"))
    except (OSError, ValueError, tomllib.TOMLDecodeError) as err:
        raise ReportError(f"{folder}: the run's files cannot be read ({type(err).__name__}: {err})") from None
    done, status = provenance.get("replications_done"), provenance.get("status")
    if status != "complete" and not partial:
        raise ReportError(
            f"{folder}: the run is {status} ({done} of {provenance.get('replications')} replications); "
            "--partial reports on the finished ones, marked as unfinished"
        )
    if not done:
        raise ReportError(f"{folder}: the run holds no finished replication; run the scenario again")
    tables = run_tables(folder, provenance)
    metrics, summary = tables["metrics.csv"], tables["summary.csv"]
    if len(summary) != done or len(metrics) != done * (scenario.months + 1) or not set(INDICATORS) <= set(summary.columns):
        raise ReportError(
            f"{folder}: metrics.csv or summary.csv does not hold the {done} finished replication(s) that run.json "
            "records; run the scenario again"
        )
    return provenance, scenario, tables


def run_tables(folder: Path, provenance: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The tables run.json records (metrics and summary always), each checked by :func:`read_table`."""
    names = [name for name in RUN_TABLES if name in provenance.get("files", {}) or name in ("metrics.csv", "summary.csv")]
    try:
        return {name: pd.read_csv(io.BytesIO(read_table(folder, name, provenance))) for name in names}
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise ReportError(f"{folder}: the run's tables cannot be read ({type(err).__name__}: {err})") from None
    except OutputError as err:
        raise ReportError(str(err)) from None


def setting(scenario: Scenario, replications: int, seed: Any) -> str:
    """Horizon, world size, replications and seed in one sentence."""
    world = scenario.world
    years = scenario.months / 12
    return (
        f"Horizon {scenario.months} months ({years:.3g} years, {scenario.date(1)} to {scenario.date(scenario.months)}); "
        f"a world of {world.pool_size:,} structurally unemployed "
        f"job seekers and {world.lde_workers:,} LDE workers in {world.enterprises:,} enterprises at the start; "
        f"{replications} replication{'' if replications == 1 else 's'}, base seed {seed}."
        + (" One replication has no interval." if replications < 2 else "")
    )


def experiment_report(folder: Path, partial: bool = False) -> Report:
    complete = verify_experiment(folder, partial)
    tables = read_experiment(folder, ("meta", "points", "indicators"))
    meta = dict(zip(tables["meta"]["key"], tables["meta"]["value"]))
    kind = meta.get("kind", "experiment")
    scenarios = [Scenario.from_dict(tomllib.loads(text)) for text in tables["points"]["scenario"]]
    labels = list(tables["points"]["label"])
    replications = int(meta.get("replications", 0))
    what = [
        setting(scenarios[0], replications, meta.get("seed")),
        window_line(scenarios[0]) + ".",
        f"Every {'scenario' if kind == 'compare' else 'design point'} runs with the same seeds (common random "
        "numbers), so differences between them are paired.",
    ]
    title = TITLES.get(kind, "Experiment of {n} scenarios").format(n=len(scenarios))
    if not complete:
        title += " (unfinished)"
    report = Report(title=title, what=what, tables=[], figures=[], provenance=shown_provenance(meta, folder))
    result = next(
        (folder / f"{name}.csv" for name in ("comparison", "sweep", "sensitivity") if (folder / f"{name}.csv").exists()), None
    )
    if kind == "compare" and result is not None:
        comparison_section(folder, report, read_result(folder, result.name), dict(zip(labels, scenarios)), tables["indicators"])
    elif kind == "evaluate" and (folder / "evaluation.csv").exists():
        effect_section(folder, report, labels[0], meta)
    elif kind == "sensitivity" and result is not None:
        indices = read_result(folder, result.name)
        report.tables.append(("Sensitivity indices", rounded(indices)))
        for name in ("sustainable_transition_rate", "transition_rate_annual", "enterprise_solvent_share"):
            if (indices["indicator"] == name).any():
                report.figures.append(
                    (
                        f"Sensitivity of {name}",
                        plots.sensitivity_bars(indices, name),
                        "Longer bars: the indicator depends more on that parameter.",
                    )
                )
    elif kind == "sweep" and result is not None and "robust" in (table := read_result(folder, result.name)):
        shown = table[table["indicator"].isin(HEADLINE)].drop(columns=["median", "significant"])
        what.append("Every design point ran with every plausible parameter set (an ensemble).")
        title = "Headline indicators per design point over the ensemble"
        report.tables.append((f"{title} (difference from the first point; robust: same sign for every set)", rounded(shown)))
    elif kind == "sweep" and result is not None:
        parameters = [c for c in table.columns if c not in ("point", "replications", *INDICATORS)]
        what.append("Parameters varied: " + "; ".join(f"{_describe(p)} ({p})" for p in parameters) + ".")
        title = (
            f"Headline indicators per design point, {window_span(scenarios[0])} (mean over replications, 95% interval; "
            "every indicator is in sweep.csv)"
        )
        report.tables.append(
            (title, sweep_summary(table, parameters, tables["indicators"], dict(zip(tables["points"]["point"], scenarios))))
        )
        report.figures.append(
            (
                "Indicators across the design",
                plots.sweep(table, parameters),
                "Each dot is a design point (mean over its replications); each column is one varied parameter, "
                "so a clear slope says the indicator follows that parameter.",
            )
        )
    elif result is not None:
        report.tables.append(("Results per design point", rounded(read_result(folder, result.name))))
    if (folder / "discovery.csv").exists():
        words = (folder / "discovery.md").read_text(encoding="utf-8").split("\n", 2)[-1].strip()
        report.findings.append(f"Scenario discovery: {words}")
        box = pd.read_csv(folder / "discovery.csv")
        report.tables.append(("Scenario discovery: the PRIM box (discovery_box.png, discovery_tradeoff.png)", rounded(box)))
        if (folder / DISCOVERY).exists():  # absent from discoveries made before it was written
            report.provenance["discovery"] = json.loads((folder / DISCOVERY).read_text())
    if not complete:
        report.findings.insert(0, UNFINISHED.format(status="unfinished"))
    return report


TITLES = {
    "evaluate": "Evaluation of LDE: the people placed in it against themselves without it",
    "sweep": "Sweep over {n} design points",
    "sensitivity": "Sensitivity analysis over {n} design points",
    "calibrate": "Calibration over {n} candidate runs",
}


def comparison_section(
    folder: Path, report: Report, comparison: pd.DataFrame, by_label: dict[str, Scenario], indicators: pd.DataFrame
) -> None:
    """A comparison: one column per option (an ensemble's members are its uncertainty, not options),
    what each option changes in words, a summary for decision makers, findings and figures."""
    options = list(dict.fromkeys(comparison["scenario"]))
    scenarios = {label: by_label.get(label) or by_label[f"{label}|m0"] for label in options}
    reference = options[0]
    members = int(comparison["members"].max()) if "members" in comparison else 0
    unfinished = " (unfinished)" if report.title.endswith(" (unfinished)") else ""
    names = ", ".join(f"'{o}'" for o in options)
    report.title = f"Comparison of {len(options)} option{'s' if len(options) != 1 else ''}: {names}"
    report.title += (f", over {members} plausible parameter sets" if members else "") + unfinished
    if members:
        report.what.append(
            f"Every option ran with each of the {members} plausible parameter sets of the ensemble; the intervals "
            "combine the spread across the sets (param_sd) and the replications' noise (stoch_sd)."
        )
    histories = [o for o in options if is_history_of(scenarios[o], [scenarios[x] for x in options if x != o])]
    for label in options:
        scenario = scenarios[label]
        if label == reference:
            changes = branch_changes(scenario)
            intro = f"'{label}' (the reference)"
            if scenario.branch is not None:
                intro += f", a branch of the history from {scenario.branch}"
            report.what.append(intro + (": " + "; ".join(changes) if changes else "."))
            continue
        changes = differences(scenario, scenarios[reference], f"'{reference}'")
        if label in histories:
            changes = [f"the history the other options branch from; it is not an option of its own ({len(changes)} differences)"]
        report.what.append(f"'{label}': " + ("; ".join(changes) if changes else f"the same parameters as '{reference}'"))
    idle = never_acted(indicators, options)
    changed = {label: changed_keys(scenarios[label], scenarios[reference]) for label in options[1:]}
    report.findings = findings(comparison, report_replications(report), histories, idle, changed)
    report.findings[1:1] = [idle_words(label, reference, comparison, scenarios) for label in idle]
    summary = decision_summary(comparison, scenarios, histories)
    report.tables += [
        (
            f"Summary for decision makers, {window_span(scenarios[reference])} (ranked by extra lasting transitions a "
            "year; * = clearly differs from the reference; the intervals are in the next table)",
            summary,
        ),
        (indicator_title(members), comparison_summary(comparison, MAIN_INDICATORS)),
        ("What the indicators mean", glossary(MAIN_INDICATORS)),
    ]
    report.figures += [
        (
            "Indicators and differences",
            plots.comparison(comparison),
            "Left: each option's mean with its 95% interval. Right: the paired difference from the reference; "
            "an interval that does not cross the vertical line is a significant difference.",
        ),
        (
            "Trade-off",
            plots.tradeoff(comparison),
            "Up is more sustainable transitions (per 100 LDE worker-years, from 0: they have no interval here, the "
            "indicators table gives those of their two parts); left is fewer of all LDE leavers falling back on a "
            "benefit (the dumping share); the bars are its 95% intervals. Marker area is the gross public cost per sustainable "
            "transition (see the size key); the number beside each name is the share of enterprises still open "
            "and solvent at the end.",
        ),
    ]
    first = scenarios[reference]
    start, _ = measured_months(first)
    if start > 1 and (folder / FILE).exists():
        monthly = read_experiment(folder, ("monthly",))["monthly"]
        report.figures.append(
            (
                "Before and after the branch date",
                plots.around_branch(monthly, options, first, start),
                f"Each option's median over its runs, month by month; the dashed line is {first.date(start)}, from "
                "which the indicators are measured (the shaded years). Before it every option shares the history.",
            )
        )


def shown_provenance(meta: dict[str, str], folder: Path) -> dict[str, Any]:
    """An experiment's provenance for reading: an ensemble's parameter sets are named by their file
    and count (every value is in the store's ``meta`` table and in the file), not listed in full."""
    shown: dict[str, Any] = dict(meta)
    details = json.loads(meta.get("details", "{}") or "{}")
    ensemble = details.get("ensemble")
    if isinstance(ensemble, dict) and "members" in ensemble:
        details["ensemble"] = (
            f"{len(ensemble['members'])} parameter sets from {ensemble.get('file')} (with their weights: "
            f"{folder / FILE}, table meta, key details)"
        )
        shown["details"] = details
    return shown


def report_replications(report: Report) -> int:
    """The replications per scenario an experiment's provenance records."""
    return int(report.provenance.get("replications", 0))


def indicator_title(members: int) -> str:
    over = f"weighted mean over {members} plausible parameter sets" if members else "mean over replications"
    return (
        f"Indicators per option ({over}, 95% interval; * = the 95% interval of the paired difference from the first "
        "excludes 0; the routes' details are in comparison.csv)"
    )


def is_history_of(scenario: Scenario, others: list[Scenario]) -> bool:
    """Whether ``scenario`` is the history some of ``others`` branch from: not a branch itself (or of an
    earlier date), the same up to their branch date."""
    for other in others:
        if other.branch is None or (scenario.branch is not None and scenario.branch >= other.branch):
            continue
        month = other.month_of(other.branch)
        if trunk_key(scenario, month) == trunk_key(other, month):
            return True
    return False


def never_acted(indicators: pd.DataFrame, options: list[str]) -> list[str]:
    """The options whose every indicator equals the reference's in every run (same seed, same parameter set)."""
    parts = indicators["label"].str.partition("|")
    frame = indicators.assign(option=parts[0], member=parts[2])
    keyed = {o: part.set_index(["member", "replication"])[list(INDICATORS)].sort_index() for o, part in frame.groupby("option")}
    reference = keyed.get(options[0])
    idle = []
    for label in options[1:]:
        mine = keyed.get(label)
        if reference is None or mine is None or not mine.index.equals(reference.index) or mine.empty:
            continue
        if mine.equals(reference):
            idle.append(label)
    return idle


#: Levers whose use an indicator counts, and the cap a lever puts on it (a monthly cap x 12 a year).
LEVER_USE = {
    "policy.doorstroom_trajectories_month": ("trajectories_per_year", 12),
    "employers.traineeship_share": ("traineeships_started", None),
    "policy.extension_probability": ("extensions_granted", None),
    "policy.extension_min_employability": ("extensions_granted", None),
}


def idle_words(label: str, reference: str, comparison: pd.DataFrame, scenarios: dict[str, Scenario]) -> str:
    """Why an option never acted, with the counts of what its levers would change."""
    rows = comparison.set_index(["scenario", "indicator"])
    changes = changed_keys(scenarios[label], scenarios[reference])
    counts = []
    for key in changes:
        if key not in LEVER_USE:
            continue
        name, per_year = LEVER_USE[key]
        used = rows.loc[(reference, name), "mean"]
        text = f"{INDICATOR_INFO[name].meaning}: {_fmt(used)} in '{reference}'"
        if per_year is not None:
            before, after = (value_at(scenarios[x], key, measured_months(scenarios[x])[0]) for x in (reference, label))
            text += f", against a cap of {_fmt(per_year * before)} a year there and {_fmt(per_year * after)} in '{label}'"
        counts.append(text)
    why = ("The counts: " + "; ".join(counts) + ".") if counts else "No count in the outputs measures the use of its levers."
    return (
        f"'{label}' never acted: in every run every indicator equals '{reference}''s to the last digit (the same "
        f"seeds), so nothing it changes ({', '.join(changes) or 'nothing'}) was ever used or binding. {why}"
    )


def changed_keys(scenario: Scenario, reference: Scenario) -> list[str]:
    """The dotted keys ``scenario`` sets differently from ``reference`` (parameters and dated changes)."""
    theirs = {(c.date, c.key, json.dumps(c.value)) for c in reference.timeline}
    keys = [c.key for c in scenario.timeline if (c.date, c.key, json.dumps(c.value)) not in theirs]
    mine, other = dict(leaves(scenario.model_dump(mode="json"))), dict(leaves(reference.model_dump(mode="json")))
    keys += [k for k, v in mine.items() if k not in ("name", "description", "timeline", "window") and other.get(k) != v]
    return list(dict.fromkeys(keys))


def decision_summary(comparison: pd.DataFrame, scenarios: dict[str, Scenario], histories: list[str]) -> pd.DataFrame:
    """One row per option, ranked by extra lasting transitions a year: plain names, percentages, people,
    closures, the net budget effect beside the gross cost, and the net cost per extra lasting transition."""
    rows = comparison.set_index(["scenario", "indicator"])
    labels = list(dict.fromkeys(comparison["scenario"]))
    reference = labels[0]  # the differences and their marks are from the first, even when it is the history
    options = [reference, *(o for o in labels[1:] if o not in histories)]
    first, last = measured_months(scenarios[reference])
    years = (last - first + 1) / 12

    def mean(label: str, name: str) -> float:
        return float(rows.loc[(label, name), "mean"])

    def lasting(label: str) -> float:
        return (
            mean(label, "transition_rate_annual") * mean(label, "lde_workforce_mean") * mean(label, "sustainable_transition_rate")
        )

    def marked(label: str, name: str, text: str) -> str:
        return text + (" *" if label != reference and bool(rows.loc[(label, name), "significant"]) else "")

    table = []
    for label in options:
        extra = lasting(label) - lasting(reference)
        net = mean(label, "fiscal_cost_net") - mean(reference, "fiscal_cost_net")
        gross = mean(label, "public_spending_lde") - mean(reference, "public_spending_lde")
        # a cost per extra lasting transition only for an option that adds at least one over the window: a
        # saving divided by fewer transitions would read as a positive cost
        per = net / (extra * years) if label != reference and extra * years >= 1 else math.nan
        table.append(
            {
                "option": label.replace("_", " ") + (" (reference)" if label == reference else ""),
                "LDE workers moving to a regular job a year": marked(
                    label, "transition_rate_annual", f"{100 * mean(label, 'transition_rate_annual'):.1f}%"
                ),
                "of whom still in a job a year later": marked(
                    label, "sustainable_transition_rate", f"{100 * mean(label, 'sustainable_transition_rate'):.0f}%"
                ),
                "lasting transitions a year (people)": count_text(lasting(label))
                + ("" if label == reference else f" ({signed_count(extra)})"),
                "people falling back on a benefit a year": marked(
                    label, "dumping_count", count_text(mean(label, "dumping_count"))
                ),
                "enterprises closed": marked(label, "enterprise_closures", count_text(mean(label, "enterprise_closures"))),
                NET_COST: "–" if label == reference else money(net),
                "extra gross LDE spending (- = less)": "–" if label == reference else money(gross),
                PER_EXTRA: "–" if per != per else money(per),
                "_rank": extra if label != reference else math.inf,
            }
        )
    frame = pd.DataFrame(table).sort_values("_rank", ascending=False, kind="stable").drop(columns=["_rank"])
    return frame.reset_index(drop=True)


#: The summary's net budget column: the sign says which way (a difference of fiscal_cost_net over the window).
NET_COST = "extra net public cost, all governments (- = a saving)"
#: The summary's cost-effectiveness column: given only for an option that adds lasting transitions.
PER_EXTRA = "net public cost per extra lasting transition (– when it adds none)"


def count_text(value: float) -> str:
    """A count of people (or enterprises) a year for reading: one decimal below 100, so a small world's
    counts do not all round to the same whole number; never "-0"."""
    if value != value:
        return "–"
    return f"{unsigned_zero(value, 1):,.1f}" if abs(value) < 100 else f"{unsigned_zero(value, 0):,.0f}"


def signed_count(value: float) -> str:
    """A signed difference of counts (:func:`count_text`); zero without a sign."""
    text = count_text(value)
    return text if text.strip("0.,") == "" or value != value else ("+" if value > 0 else "") + text


def money(value: float) -> str:
    """A signed amount of euros for reading: millions as ``+12.3 M EUR``, smaller amounts in full."""
    if value != value:
        return "–"
    return f"{value / 1e6:+,.1f} M EUR" if abs(value) >= 1e6 else f"{value:+,.0f} EUR"


def effect_section(folder: Path, report: Report, label: str, meta: dict[str, str]) -> None:
    """The effect of LDE in plain words, its curve over months since entry and exit, and the ledger by level."""
    evaluation = read_result(folder, "evaluation.csv")
    effects = read_result(folder, "effects.csv").set_index("indicator")
    against = json.loads(meta.get("details", "{}")).get("against", "no LDE")
    report.what.append(f"Counterfactual: '{against}', the same people with the same luck (common random numbers).")
    report.findings = effect_findings(evaluation, effects)
    report.findings[-1:-1] = largest_effects(evaluation)
    if "robust" in effects:  # over an ensemble
        columns, title = ["mean", "ci_low", "ci_high", "param_sd", "stoch_sd", "robust", "members"], "over the ensemble"
    else:
        columns, title = ["mean", "ci_low", "ci_high", "replications"], "mean over replications"
    headline = effects.reset_index()[["indicator", *columns, "meaning"]]
    report.tables.append((f"Headline effects ({title}, 95% interval)", rounded(headline)))
    report.tables.append(
        ("The public-finance ledger, against the counterfactual (EUR over the run)", ledger_table(folder, effects))
    )
    report.figures.append(
        (
            "The effect over time",
            plots.effect_curve(evaluation),
            "The share of participants in a regular job with LDE minus the share of the same people without it, "
            "by months since their entry (left) and since their exit (right); the band is the 95% interval over "
            "replications. Below the line while in LDE is lock-in.",
        )
    )


#: The person-level outcomes of an evaluation in words, and how their effects read.
OUTCOME_WORDS = {
    "in_regular_job": ("in a regular job", "share"),
    "on_unemployment_benefit": ("on unemployment benefit", "share"),
    "on_social_assistance": ("on social assistance (leefloon)", "share"),
    "income": ("net income a month", "EUR"),
}


def largest_effects(evaluation: pd.DataFrame) -> list[str]:
    """For every outcome (benefits, social assistance and income, not only regular jobs), its largest
    effect on the participants at any horizon after entry and after exit, largest first."""
    rows = evaluation[(evaluation["subgroup"] == "all") & (evaluation["n"] > 0) & evaluation["effect"].notna()]
    found = []
    for outcome, (words, unit) in OUTCOME_WORDS.items():
        part = rows[rows["outcome"] == outcome]
        if part.empty:
            continue
        row = part.loc[part["effect"].abs().idxmax()]
        if unit == "share":
            size, shown = (
                100 * abs(row["effect"]),
                (
                    f"{100 * row['effect']:+.1f} points ({100 * row['treated']:.1f}% against {100 * row['counterfactual']:.1f}%; "
                    f"95% interval {100 * row['ci_low']:+.1f} to {100 * row['ci_high']:+.1f})"
                ),
            )
        else:
            size, shown = (
                abs(row["effect"]) / 20,
                (  # 20 EUR a month weighs as one point in the order
                    f"{row['effect']:+,.0f} EUR a month ({row['treated']:,.0f} against {row['counterfactual']:,.0f} EUR; "
                    f"95% interval {row['ci_low']:+,.0f} to {row['ci_high']:+,.0f})"
                ),
            )
        found.append((size, f"{words}: {shown}, {int(row['horizon_months'])} months after {row['since']}"))
    if not found:
        return []
    ordered = "; ".join(text for _, text in sorted(found, key=lambda f: -f[0]))
    return [f"The largest effects on the participants, outcome by outcome (all of them in evaluation.csv): {ordered}."]


def effect_findings(evaluation: pd.DataFrame, effects: pd.DataFrame) -> list[str]:
    """The effect on being in a regular job after entry (lock-in, then years on) and after exit, in plain words."""
    work = evaluation[(evaluation["outcome"] == "in_regular_job") & (evaluation["subgroup"] == "all")]
    lines = []
    for since, horizons in (("entry", (12, 24, 60, 84)), ("exit", (24, 60))):
        rows = work[work["since"] == since].set_index("horizon_months")
        for months in horizons:
            if months not in rows.index or rows.loc[months, "n"] == 0:
                continue
            row = rows.loc[months]
            effect, low, high = (100 * row[c] for c in ("effect", "ci_low", "ci_high"))
            direction = "higher" if effect >= 0 else "lower"
            lines.append(
                f"For the people placed in LDE, the share in a regular job {months} months after {since} is "
                f"{abs(effect):.1f} points {direction} than for the same people without it ({100 * row['treated']:.1f}% "
                f"against {100 * row['counterfactual']:.1f}%; 95% interval {low:+.1f} to {high:+.1f} points; "
                f"{int(row['n']):,} person-observations)." + (robustness(row) if "robust" in row else "")
            )
    deadweight, displacement = effects.loc["deadweight_share", "mean"], effects.loc["displacement_share", "mean"]
    lines.append(
        f"Deadweight: {100 * deadweight:.0f}% of the participants in a regular job after 24 months would have had one "
        f"without LDE. Displacement: for each regular-job hire the participants gained, others of the pool lost "
        f"{displacement:.2f}."
    )
    lines.append(
        "The effect pattern (lock-in, then a small effect after exit that does not keep growing) is a calibration "
        "target (docs/calibration.md, sources 5.1-5.3, 3.4): with parameters from the plausible ensemble the model "
        "reproduces it by construction, so it is not a finding; a large or growing effect means parameters outside "
        "that ensemble."
    )
    return lines


def robustness(row: pd.Series) -> str:
    """Whether an effect over an ensemble holds for every plausible parameter set, in words."""
    if row["robust"]:
        return f" Robust: it has this sign for all {int(row['members'])} plausible parameter sets."
    return f" Not robust: its sign differs across the {int(row['members'])} plausible parameter sets."


def ledger_table(folder: Path, effects: pd.DataFrame) -> pd.DataFrame:
    """Per level of government: the scenario's net cost over the run and its difference from the twin."""
    indicators = read_experiment(folder, ("indicators",))["indicators"]
    rows = []
    for level in (*LEVELS, "net"):
        name = "net_fiscal_cost" if level == "net" else f"net_fiscal_cost_{level}"
        rows.append(
            {
                "level": "all governments" if level == "net" else LEVEL_NAMES[level],
                "net cost with the scenario": f"{indicators[f'fiscal_cost_{level}'].mean():,.0f}",
                "difference from the counterfactual": f"{effects.loc[name, 'mean']:,.0f}",
                "95% interval": f"{effects.loc[name, 'ci_low']:,.0f} to {effects.loc[name, 'ci_high']:,.0f}",
            }
        )
    return pd.DataFrame(rows)


def differences(scenario: Scenario, reference: Scenario, reference_name: str) -> list[str]:
    """Plain-words list, one line per change, of how ``scenario`` differs from ``reference``: its
    parameters with units, and each dated change it makes that ``reference`` does not make."""
    mine, theirs = dict(leaves(scenario.model_dump(mode="json"))), dict(leaves(reference.model_dump(mode="json")))
    lines = []
    for key, value in mine.items():
        if key in ("name", "description", "timeline", "window") or theirs.get(key) == value:
            continue
        unit = _unit(key)
        lines.append(
            f"{_describe(key)} ({key}): {in_words(value, unit)} instead of {in_words(theirs.get(key), unit)} in {reference_name}"
        )
    theirs_changes = {(c.date, c.key, json.dumps(c.value)) for c in reference.timeline}
    own = [c for c in scenario.timeline if (c.date, c.key, json.dumps(c.value)) not in theirs_changes]
    lines += [
        dated_change(c.date, c.key, c.value, value_at(reference, c.key, reference.month_of(c.date)), reference_name) for c in own
    ]
    mine_changes = {(c.date, c.key, json.dumps(c.value)) for c in scenario.timeline}
    lines += [
        f"{reference_name} changes {_describe(c.key).lower()} ({c.key}) to {in_words(c.value, _unit(c.key))} from "
        f"{c.date}; this scenario does not"
        for c in reference.timeline
        if (c.date, c.key, json.dumps(c.value)) not in mine_changes
    ]
    return lines


def branch_changes(scenario: Scenario) -> list[str]:
    """What a branch changes relative to its history, one line per change: the dated changes from
    its branch date on, each against the value in force just before it."""
    if scenario.branch is None:
        return []
    month = scenario.month_of(scenario.branch)
    return [
        dated_change(c.date, c.key, c.value, value_at(scenario, c.key, month - 1), "its history")
        for c in scenario.timeline
        if scenario.month_of(c.date) >= month
    ]


def dated_change(date: str, key: str, value: Any, before: Any, reference_name: str) -> str:
    """One dated change in words: ``From 2026-01: <what> (key): <value with unit> instead of <before> in <reference>``."""
    unit = _unit(key)
    return (
        f"From {date}: {_describe(key)} ({key}): {in_words(value, unit)} instead of {in_words(before, unit)} in {reference_name}"
    )


def value_at(scenario: Scenario, key: str, month: int) -> Any:
    """The value of dotted parameter ``key`` in force in ``scenario`` at model month ``month``."""
    value: Any = Timeline(scenario).in_force(scenario, max(month, 0)).model_dump(mode="json")
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


#: Units that are not said after a number.
UNITLESS = {"rule", "lever", "text", "ratio"}


def in_words(value: Any, unit: str) -> str:
    """A parameter value with its unit: ``[[0, 600.0]]`` in EUR per worker-month reads "600 EUR per worker-month"."""
    if isinstance(value, list) and value and all(isinstance(v, list) and len(v) == 2 for v in value):
        inner = unit.removeprefix("[[from month, ").removesuffix("]]") if unit.startswith("[[from month, ") else unit
        steps = [f"{in_words(v, inner)} from month {int(m)} in LDE" for m, v in value]
        return steps[0].removesuffix(" from month 0 in LDE") if len(steps) == 1 else ", then ".join(steps)
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, int | float):
        number = f"{value:,}" if isinstance(value, int) else plain_number(value)
        if unit.startswith(("share", "probability")):
            rest = unit.split(" ", 1)[1] if " " in unit else ""
            return f"{100 * value:.4g}% {rest}".strip()
        words = unit.split(" or ")[0] if unit else ""
        return number if not words or words.startswith("[") or words in UNITLESS else f"{number} {words}"
    if isinstance(value, list):
        return ", ".join(in_words(v, "") for v in value)
    return str(value)


def plain_number(value: float) -> str:
    """A parameter value to six significant digits with thousands separators, never in scientific
    notation (10396100.0 reads "10,396,100", 0.000125 "0.000125")."""
    if value == 0 or value != value or math.isinf(value):
        return f"{value:g}"
    decimals = max(0, 5 - math.floor(math.log10(abs(value))))
    text = f"{round(value, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def comparison_summary(table: pd.DataFrame, names: list[str] | None = None) -> pd.DataFrame:
    """Indicators (``names``, default all) as rows, scenarios as columns; each cell the mean with its
    interval beneath, * if it differs."""
    cells = table.assign(
        cell=[
            summary_cell(INDICATOR_INFO[i], m, lo, hi, bool(s))
            for i, m, lo, hi, s in zip(table["indicator"], table["mean"], table["ci_low"], table["ci_high"], table["significant"])
        ]
    )
    wide = cells.pivot(index="indicator", columns="scenario", values="cell")
    wide = wide.reindex(index=names or list(INDICATORS), columns=list(dict.fromkeys(table["scenario"]))).reset_index()
    wide.columns.name = None
    wide.insert(1, "better", [INDICATOR_INFO[i].better or "–" for i in wide["indicator"]])
    return wide


def summary_cell(info: Indicator, mean: float, low: float, high: float, significant: bool) -> str:
    """One option's cell: the mean (marked * when it clearly differs from the first), its interval beside it."""
    shown, low_text, high_text = info.format_all(mean, low, high)
    return f"{shown}{' *' if significant else ''}" + (f" ({low_text} to {high_text})" if low == low else "")


def sweep_summary(table: pd.DataFrame, parameters: list[str], runs: pd.DataFrame, scenarios: dict[int, Scenario]) -> pd.DataFrame:
    """The headline indicators per design point, formatted for people (all of them are in sweep.csv):
    each cell the mean over the point's replications (``runs``, the store's indicators table, one row
    per run) with its 95% interval, kept inside the indicator's range for that point's scenario (``scenarios``
    by point); each varied parameter named with its unit."""
    shown = table[["point"]].copy()
    for parameter in parameters:
        unit = _unit(parameter)
        shown[f"{parameter} ({unit})" if unit and unit not in UNITLESS else parameter] = table[parameter]
    by_point = dict(tuple(runs.groupby("point")))
    for name in HEADLINE:
        if not table[name].notna().any():
            continue
        info = INDICATOR_INFO[name]
        cells = []
        for point in table["point"]:
            values = by_point[point][name].to_numpy(dtype=float) if point in by_point else np.array([])
            mean, low, high = interval(values, bounds=info.range(scenarios[point]))
            cells.append(summary_cell(info, mean, low, high, False))
        shown[name.replace("_", " ")] = cells
    return shown


def glossary(names: list[str] | None = None) -> pd.DataFrame:
    """Every indicator (or those of ``names``) with its meaning, unit and which direction is better."""
    return pd.DataFrame(
        [
            {"indicator": name, "meaning": info.meaning, "unit": info.unit, "better": info.better or "neither"}
            for name, info in INDICATOR_INFO.items()
            if names is None or name in names
        ]
    )


#: The indicators a comparison's report tabulates; the routes' details (:data:`ROUTE_INDICATORS`)
#: are in comparison.csv and docs/indicators.md.
MAIN_INDICATORS = [name for name in INDICATORS if name not in ROUTE_INDICATORS]


#: How the indicators the findings speak about (:data:`HEADLINE`) are named in words.
WORDS = {
    "transition_rate_annual": "transitions to a regular job per LDE worker-year",
    "sustainable_transition_rate": "the share of those transitions that last 12 months",
    "dumping_share": "the share of all LDE leavers on a benefit 12 months later",
    "dumping_count": "LDE leavers a year on a benefit 12 months later",
    "dumping_risk": "dumping risk (time-limit leavers on benefits 12 months later)",
    "leefloon_share_24m": "LDE leavers on social assistance after 24 months",
    "enterprise_solvent_share": "the share of enterprises open and solvent at the end",
    "cost_per_sustainable_transition": "gross public cost per sustainable transition",
}


def findings(
    table: pd.DataFrame,
    replications: int,
    histories: list[str] | tuple = (),
    idle: list[str] | tuple = (),
    changed: dict[str, list[str]] | None = None,
) -> list[str]:
    """What a comparison shows, in plain words: per option, what it raises, lowers and costs, with caveats.

    A difference is called a rise or a fall only when its 95% interval excludes 0;
    otherwise it is "no clear difference". Intervals are of the paired difference. The
    ``histories`` of the options' branches are no options, and options that never acted
    (``idle``) are said so elsewhere rather than listed difference by difference. ``changed``
    (the keys each option sets differently) lets a route that did not move be explained only
    for the options that change its lever.
    """
    labels = [label for label in dict.fromkeys(table["scenario"]) if label not in histories or label == table["scenario"].iloc[0]]
    rows = table.set_index(["scenario", "indicator"])
    reference = labels[0]
    lines = []
    if replications < 2:
        lines.append(
            "Only one replication: no interval can be given, so no difference can be called clear. Run more replications."
        )
    better_transitions, lower_dumping, enterprise_risk = [], [], []
    for label in labels[1:]:
        if label in idle:
            continue
        parts = []
        for name in HEADLINE:
            row = rows.loc[(label, name)]
            if row["diff"] != row["diff"]:
                continue
            change = _change(name, row, rows.loc[(reference, name)])
            parts.append(change)
            if row["significant"]:
                up = row["diff"] > 0
                if name == "dumping_share" and not up:
                    lower_dumping.append(label)
                if name == "enterprise_solvent_share" and not up:
                    enterprise_risk.append(label)
        if raises_sustainable_transitions(rows.loc[label]):
            better_transitions.append(label)
        unchanged = all((rows.loc[(label, n), ["diff", "diff_ci_low", "diff_ci_high"]] == 0).all() for n in HEADLINE)
        if unchanged:
            lines.append(
                f"'{label}' against '{reference}': not one of the headline indicators differs, in any run "
                f"({', '.join(WORDS[n] for n in HEADLINE[:3])} and the others: every difference exactly 0)."
            )
            continue
        lines.append(f"'{label}' against '{reference}': " + "; ".join(parts) + ".")
    lines.insert(
        0 if replications >= 2 else 1,
        f"Options that clearly raise sustainable transitions: {_names(better_transitions)}. "
        f"That clearly lower dumping (the share of all LDE leavers on a benefit 12 months later): {_names(lower_dumping)}. "
        f"That put enterprises at risk (clearly fewer open and solvent at the end): {_names(enterprise_risk)}."
        + (f" {ENTERPRISE_CAVEAT}" if enterprise_risk else ""),
    )
    if histories:
        lines.append(
            "Not an option: " + _names([h for h in histories if h != labels[0]] or list(histories)) + ", the history "
            "the options branch from, measured over the same years: it shows the years without the branch's rules."
        )
    for label in labels:
        solvent = rows.loc[(label, "enterprise_solvent_share"), "mean"]
        if solvent == solvent and solvent < 0.5:
            lines.append(
                f"Caution: in '{label}' only {100 * solvent:.0f}% of the enterprises are open and solvent at the end. Its "
                "transition rates and costs describe a shrinking sector: a higher rate there can come from the "
                "enterprises closing, not from better support. " + ENTERPRISE_CAVEAT
            )
        if rows.loc[(label, "dumping_risk"), "mean"] != rows.loc[(label, "dumping_risk"), "mean"]:
            lines.append(
                f"In '{label}' nobody left LDE at a time limit (it has none, or the run is too short), "
                "so its dumping risk is undefined (not zero)."
            )
    if "robust" in table:
        robust = table[table["robust"] & table["indicator"].isin(HEADLINE)]
        said = "; ".join(
            f"'{r.scenario}' {WORDS[r.indicator]} ({_difference(INDICATOR_INFO[r.indicator], r.diff)})"
            for r in robust.itertuples()
            if r.scenario in labels
        )
        members = int(table["members"].max())
        lines.append(
            f"Robust across the {members} plausible parameter sets (the same sign for every one): {said or 'none'}. "
            "Intervals combine the spread across the sets (param_sd) and the replications' noise (stoch_sd)."
        )
    lines += lever_reasons(table, changed)
    lines.append(
        "Higher is better for transitions, their sustainability, enterprise solvency and service quality; lower is "
        "better for dumping, social assistance, closures and cost. Dumping risk counts only those who leave at the "
        "limit: an option that moves people on earlier can raise it while fewer people fall back (dumping share and "
        "count). The cost per sustainable transition is gross: benefits saved are not netted out; the summary "
        "table gives the extra net public cost for all governments beside the gross spending."
    )
    return lines


def raises_sustainable_transitions(rows: pd.DataFrame) -> bool:
    """More transitions and none less lasting, or more lasting and none fewer (clearly: intervals exclude 0).

    Sustainable transitions a year are the transition rate times the share that lasts 12
    months; one clearly up and the other not clearly down raises their product.
    """
    rate, lasting = rows.loc["transition_rate_annual"], rows.loc["sustainable_transition_rate"]

    def clearly(row: pd.Series, up: bool) -> bool:
        return bool(row["significant"]) and (row["diff"] > 0) == up

    return (clearly(rate, True) and not clearly(lasting, False)) or (clearly(lasting, True) and not clearly(rate, False))


def _change(name: str, row: pd.Series, reference: pd.Series) -> str:
    info = INDICATOR_INFO[name]
    shift = _difference(info, row["diff"])
    if row["diff_ci_low"] == row["diff_ci_low"]:
        low, high = _difference(info, row["diff_ci_low"]), _difference(info, row["diff_ci_high"])
        shift += f"; 95% interval {low.removesuffix(DIFFERENCE_UNITS.get(info.unit, (1, 0, ''))[2])} to {high}"
    if not row["significant"]:
        return f"no clear difference in {WORDS[name]} ({shift})"
    verb = "raises" if row["diff"] > 0 else "lowers"
    return f"{verb} {WORDS[name]} from {info.format(reference['mean'])} to {info.format(row['mean'])} ({shift})"


#: Differences with their unit in words, as (factor, decimals, words): shares in percentage points, yearly
#: rates per 100 worker-years (a difference of 0.0005 moves per worker-year reads as +0.05 per 100
#: worker-years), people a year to one decimal (never a bare +0.0606 beside points).
DIFFERENCE_UNITS = {
    "share": (100, 1, " points"),
    "moves per worker-year": (100, 2, " per 100 worker-years"),
    "persons per year": (1, 1, " people a year"),
}


def _difference(info: Indicator, value: float) -> str:
    """A signed difference with its unit (:data:`DIFFERENCE_UNITS`), else in the indicator's own format."""
    if info.unit in DIFFERENCE_UNITS:
        factor, decimals, words = DIFFERENCE_UNITS[info.unit]
        return f"{unsigned_zero(factor * value, decimals):+,.{decimals}f}{words}"
    text = info.format(value)
    return ("+" if value > 0 and any(digit in text for digit in "123456789") else "") + text


def _names(labels: list[str]) -> str:
    return ", ".join(f"'{label}'" for label in labels) if labels else "none"


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """Numbers for reading (:func:`readable_number`: no scientific notation), yes/no for true/false (never
    Python's True and False), empty columns dropped."""
    table = table.dropna(axis="columns", how="all")
    return table.map(lambda v: YES_NO[v] if isinstance(v, bool) else readable_number(v) if isinstance(v, float) else v)


YES_NO = {True: "yes", False: "no"}


def to_html(report: Report) -> str:
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(report.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{html.escape(report.title)}</h1>",
    ]
    if report.findings:
        parts.append("<h2>Findings</h2><ul class='findings'>")
        parts += [f"<li>{html.escape(line)}</li>" for line in report.findings]
        parts.append("</ul>")
    parts.append("<h2>What was run</h2><ul>")
    parts += [f"<li>{html.escape(line)}</li>" for line in report.what]
    parts.append("</ul>")
    if report.links:
        parts.append("<h2>See also</h2><ul>")
        parts += [f"<li><a href='{html.escape(path)}'>{html.escape(what)}</a></li>" for what, path in report.links]
        parts.append("</ul>")
    for title, table in report.tables:
        shown = table.dropna(axis="columns", how="all")
        parts += [
            f"<h2>{html.escape(title)}</h2>",
            f"<div class='table'>{_breakable(shown.to_html(index=False, na_rep='–', escape=True, border=0))}</div>",
        ]
    for title, figure, reading in report.figures:
        data = base64.b64encode(_png(figure)).decode()
        parts += [
            f"<h2>{html.escape(title)}</h2>",
            f"<img alt='{html.escape(title)}' src='data:image/png;base64,{data}'>",
            f"<p class='how'>How to read it: {html.escape(reading)}</p>",
        ]
    parts += ["<h2>Provenance</h2>", "<div class='table'><table>"]
    parts += [
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_show(str(k), v))}</td></tr>" for k, v in report.provenance.items()
    ]
    parts.append("</table></div></body></html>")
    return "\n".join(parts)


def to_markdown(report: Report, folder: Path) -> str:
    figures = folder / "figures"
    figures.mkdir(exist_ok=True)
    lines = [f"# {_md(report.title)}", ""]
    if report.findings:
        lines += ["## Findings", "", *[f"- {_md(line)}" for line in report.findings], ""]
    lines += ["## What was run", "", *[f"- {_md(line)}" for line in report.what], ""]
    if report.links:
        lines += ["## See also", "", *[f"- [{_md(what)}]({path})" for what, path in report.links], ""]
    for title, table in report.tables:
        lines += [f"## {_md(title)}", "", _markdown_table(table.dropna(axis="columns", how="all")), ""]
    for i, (title, figure, reading) in enumerate(report.figures, start=1):
        name = f"figure-{i}.png"
        (figures / name).write_bytes(_png(figure))
        lines += [f"## {_md(title)}", "", f"![{_md(title)}](figures/{name})", "", f"How to read it: {_md(reading)}", ""]
    lines += ["## Provenance", "", "| key | value |", "|---|---|"]
    lines += [f"| {_md(str(k))} | {_md(_show(str(k), v))} |" for k, v in report.provenance.items()]
    return "\n".join(lines) + "\n"


#: Pages and tables fit 800 px: long cells wrap (anywhere, for a long command line) rather than widen the table.
CSS = """body{font-family:system-ui,sans-serif;max-width:800px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.85em;max-width:100%}
td,th{border-bottom:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
.table{overflow-x:auto}
img{max-width:100%}.how{color:#555;font-style:italic}.findings li{margin-bottom:0.4em}"""


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _breakable(table_html: str) -> str:
    """Let long names (``policy.aftercare_months``) wrap after ``_`` and ``.``, so tables fit the page.

    Safe on pandas' table HTML: its tags and attributes hold no ``_`` and no ``.``
    before a letter, and cell text is escaped.
    """
    return re.sub(r"(_|\.(?=[a-z]))", r"\1<wbr>", table_html)


def _md(text: str) -> str:
    """Text safe inside Markdown (and its math): markup characters escaped, table bars kept out."""
    return MARKDOWN_SPECIAL.sub(r"\\\g<0>", text).replace("\n", " ")


MARKDOWN_SPECIAL = re.compile(r"[\\`*\[\]<|$]")


def _markdown_table(table: pd.DataFrame) -> str:
    header = "| " + " | ".join(_md(str(c)) for c in table.columns) + " |"
    rows = ["| " + " | ".join("–" if pd.isna(v) else _md(str(v)) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, "|" + "---|" * len(table.columns), *rows])


def _field(key: str) -> Any:
    """The schema's field of a dotted parameter (pydantic ``FieldInfo``), or None."""
    model: Any = Scenario
    for part in key.split("."):
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            return None
        field_info = fields[part]
        model = field_info.annotation
        if not (isinstance(model, type) and issubclass(model, Section)):
            return field_info
    return None


def _describe(key: str) -> str:
    """The schema's description of a dotted parameter, or the key itself."""
    found = _field(key)
    return (found.description or key).rstrip(".") if found is not None else key


def _unit(key: str) -> str:
    """The schema's unit of a dotted parameter, or ""."""
    found = _field(key)
    extra = found.json_schema_extra if found is not None else None
    return str(extra.get("unit", "")) if isinstance(extra, dict) else ""


def _limit(scenario: Scenario) -> int | None:
    return None if scenario.policy.max_lde_months == "unlimited" else int(scenario.policy.max_lde_months)


def _fmt(value: float) -> str:
    if value != value:
        return "–"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _show(key: str, value: Any, nested: bool = False) -> str:
    """A provenance value for reading, never a Python or JSON repr: a command as the shell line that
    repeats it, lists joined with commas, mappings (versions, files, details) as "name: value" pairs,
    byte counts with separators (a mapping inside one as "name value, ..."). Experiments store these as
    JSON text; it is read back first."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if key == "command" and isinstance(value, list):
        return shlex.join(str(part) for part in value)
    if isinstance(value, dict):
        if nested:
            return ", ".join(f"{k} {_show(str(k), v, True)}" for k, v in value.items())
        return "; ".join(f"{k}: {_show(str(k), v, True)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_show(key, v, True) for v in value)
    if value is None:
        return "–"
    if key == "bytes" and isinstance(value, int):
        return f"{value:,}"
    return str(value)
