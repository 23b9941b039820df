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
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from . import plots
from .indicators import INDICATORS
from .scenario import Scenario, Section
from .statistics import interval
from .store import FILE, read_experiment


class ReportError(Exception):
    """A folder that holds neither a run nor an experiment."""


@dataclass
class Report:
    """The content of a report, independent of its format."""

    title: str
    what: list[str]
    tables: list[tuple[str, pd.DataFrame]]
    figures: list[tuple[str, Figure, str]]  # (title, figure, how to read it)
    provenance: dict[str, Any] = field(default_factory=dict)


def write_report(folder: str | Path, fmt: str = "html") -> Path:
    """Build the report of the run or experiment in ``folder``; return the file written."""
    folder = Path(folder)
    if (folder / FILE).exists():
        report = experiment_report(folder)
    elif (folder / "run.json").exists() and (folder / "metrics.csv").exists():
        report = run_report(folder)
    else:
        raise ReportError(f"{folder}: no run (run.json, metrics.csv) or experiment ({FILE}) to report on")
    if fmt == "html":
        path = folder / "report.html"
        path.write_text(to_html(report), encoding="utf-8")
    elif fmt == "md":
        path = folder / "report.md"
        path.write_text(to_markdown(report, folder), encoding="utf-8")
    else:
        raise ReportError(f"--format {fmt!r}: choose html or md")
    return path


def run_report(folder: Path) -> Report:
    provenance = json.loads((folder / "run.json").read_text())
    scenario = Scenario.from_dict(tomllib.loads((folder / "scenario.toml").read_text()))
    metrics = pd.read_csv(folder / "metrics.csv")
    summary = pd.read_csv(folder / "summary.csv")
    figures = [
        (
            "People by status",
            plots.stocks(metrics),
            "Lines are medians over replications, bands the 10-90% range. "
            "Watch the regular-job line against the unemployment and social-assistance lines.",
        ),
        (
            "Enterprise viability",
            plots.viability(metrics),
            "Reserves and the share of enterprises still open and "
            "solvent, by size class; service quality falls with vacant slots and with less experienced workers.",
        ),
    ]
    if (folder / "events.csv").exists():
        events = pd.read_csv(folder / "events.csv")
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
    return Report(
        title=f"Run of scenario '{scenario.name}'",
        what=[scenario.description or scenario.name, *differences(scenario, Scenario(), "the defaults (baseline)")],
        tables=[("Indicators (mean over replications, 95% interval)", indicator_summary(summary))],
        figures=figures,
        provenance=provenance,
    )


def experiment_report(folder: Path) -> Report:
    tables = read_experiment(folder, ("meta", "points", "indicators"))
    meta = dict(zip(tables["meta"]["key"], tables["meta"]["value"]))
    kind = meta.get("kind", "experiment")
    scenarios = [Scenario.from_dict(tomllib.loads(text)) for text in tables["points"]["scenario"]]
    labels = list(tables["points"]["label"])
    what = [
        f"A {kind} of {len(scenarios)} scenario(s), {meta.get('replications')} replication(s) each, "
        f"with the same seeds for every scenario (base seed {meta.get('seed')})."
    ]
    for label, scenario in list(zip(labels, scenarios))[1:]:
        changes = differences(scenario, scenarios[0], f"'{labels[0]}'")
        what.append(f"'{label}': " + ("; ".join(changes) if changes else f"the same parameters as '{labels[0]}'"))
    report = Report(
        title=f"{kind.capitalize()} of {len(scenarios)} scenario(s)", what=what, tables=[], figures=[], provenance=meta
    )
    result = next(
        (folder / f"{name}.csv" for name in ("comparison", "sweep", "sensitivity") if (folder / f"{name}.csv").exists()), None
    )
    if kind == "compare" and result is not None:
        comparison = pd.read_csv(result)
        report.tables.append(
            ("Indicators per scenario (mean and 95% interval; * = differs from the first)", comparison_summary(comparison))
        )
        report.figures += [
            (
                "Indicators and differences",
                plots.comparison(comparison),
                "Left: each scenario's mean with its 95% interval. Right: the paired difference from the first scenario; "
                "an interval that does not cross the vertical line is a significant difference.",
            ),
            (
                "Trade-off",
                plots.tradeoff(comparison),
                "Up is more sustainable transitions, left is less social dumping, "
                "smaller markers cost less per sustainable transition.",
            ),
        ]
    elif kind == "sensitivity" and result is not None:
        indices = pd.read_csv(result)
        report.tables.append(("Sensitivity indices", indices))
        for name in ("sustainable_transition_rate", "transition_rate_annual", "enterprise_solvent_share"):
            if (indices["indicator"] == name).any():
                report.figures.append(
                    (
                        f"Sensitivity of {name}",
                        plots.sensitivity_bars(indices, name),
                        "Longer bars: the indicator depends more on that parameter.",
                    )
                )
    elif result is not None:
        report.tables.append(("Results per design point", pd.read_csv(result)))
    return report


def differences(scenario: Scenario, reference: Scenario, reference_name: str) -> list[str]:
    """Plain-words list of the parameters in which ``scenario`` differs from ``reference``."""
    mine, theirs = _flat(scenario.model_dump(mode="json")), _flat(reference.model_dump(mode="json"))
    lines = []
    for key, value in mine.items():
        if key in ("name", "description") or theirs.get(key) == value:
            continue
        lines.append(f"{_describe(key)} ({key}): {value} instead of {theirs.get(key)} in {reference_name}")
    return lines


def indicator_summary(summary: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, meaning in INDICATORS.items():
        mean, low, high = interval(summary[name].to_numpy(dtype=float))
        rows.append({"indicator": name, "mean": _fmt(mean), "95% interval": f"{_fmt(low)} to {_fmt(high)}", "meaning": meaning})
    return pd.DataFrame(rows)


def comparison_summary(table: pd.DataFrame) -> pd.DataFrame:
    cells = table.assign(
        cell=[
            f"{_fmt(m)} [{_fmt(lo)}, {_fmt(hi)}]{' *' if s else ''}"
            for m, lo, hi, s in zip(table["mean"], table["ci_low"], table["ci_high"], table["significant"])
        ]
    )
    wide = cells.pivot(index="indicator", columns="scenario", values="cell")
    return wide.reindex(index=list(INDICATORS), columns=list(dict.fromkeys(table["scenario"]))).reset_index()


def to_html(report: Report) -> str:
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(report.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{html.escape(report.title)}</h1>",
        "<h2>What was run</h2><ul>",
    ]
    parts += [f"<li>{html.escape(line)}</li>" for line in report.what]
    parts.append("</ul>")
    for title, table in report.tables:
        parts += [f"<h2>{html.escape(title)}</h2>", table.to_html(index=False, na_rep="–", escape=True, border=0)]
    for title, figure, reading in report.figures:
        data = base64.b64encode(_png(figure)).decode()
        parts += [
            f"<h2>{html.escape(title)}</h2>",
            f"<img alt='{html.escape(title)}' src='data:image/png;base64,{data}'>",
            f"<p class='how'>How to read it: {html.escape(reading)}</p>",
        ]
    parts += ["<h2>Provenance</h2>", "<table>"]
    parts += [f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_show(v))}</td></tr>" for k, v in report.provenance.items()]
    parts.append("</table></body></html>")
    return "\n".join(parts)


def to_markdown(report: Report, folder: Path) -> str:
    figures = folder / "figures"
    figures.mkdir(exist_ok=True)
    lines = [f"# {report.title}", "", "## What was run", "", *[f"- {line}" for line in report.what], ""]
    for title, table in report.tables:
        lines += [f"## {title}", "", _markdown_table(table), ""]
    for i, (title, figure, reading) in enumerate(report.figures, start=1):
        name = f"figure-{i}.png"
        (figures / name).write_bytes(_png(figure))
        lines += [f"## {title}", "", f"![{title}](figures/{name})", "", f"How to read it: {reading}", ""]
    lines += ["## Provenance", "", "| key | value |", "|---|---|"]
    lines += [f"| {k} | {_show(v).replace('|', '/')} |" for k, v in report.provenance.items()]
    return "\n".join(lines) + "\n"


CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}
img{max-width:100%}.how{color:#555;font-style:italic}"""


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _markdown_table(table: pd.DataFrame) -> str:
    header = "| " + " | ".join(map(str, table.columns)) + " |"
    rows = ["| " + " | ".join("–" if pd.isna(v) else str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, "|" + "---|" * len(table.columns), *rows])


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _describe(key: str) -> str:
    """The schema's description of a dotted parameter, or the key itself."""
    model: Any = Scenario
    for part in key.split("."):
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            return key
        field_info = fields[part]
        model = field_info.annotation
        if not (isinstance(model, type) and issubclass(model, Section)):
            return (field_info.description or key).rstrip(".")
    return key


def _limit(scenario: Scenario) -> int | None:
    return None if scenario.policy.max_lde_months == "unlimited" else int(scenario.policy.max_lde_months)


def _fmt(value: float) -> str:
    if value != value:
        return "–"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
