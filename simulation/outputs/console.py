"""Tables and headings for a terminal: what the command line prints for people to read.

One helper for every command's table (:func:`console_table`), so that every table lines
up whatever the length of its names and shows a missing value the same way ("–"), and the
heading that says which calendar months the indicators cover and why (:func:`window_line`).
No Matplotlib here: the commands that do not draw start quickly.
"""

from __future__ import annotations

import numbers
from collections.abc import Collection, Sequence

import pandas as pd

from ..experiments.statistics import interval
from ..rules.scenario import Scenario
from ..world.indicators import INDICATOR_INFO, window_span

#: A missing value (an indicator without cases, an interval of one replication) in every table for people.
MISSING = "–"

#: The indicators the findings and the console speak about (every indicator is in the tables written).
HEADLINE = [
    "transition_rate_annual",
    "sustainable_transition_rate",
    "dumping_share",
    "dumping_count",
    "dumping_risk",
    "leefloon_share_24m",
    "enterprise_solvent_share",
    "cost_per_sustainable_transition",
]


def readable_number(value: float) -> str:
    """A number for reading, never in scientific notation: counts and euros with separators from 1,000,
    others to four significant digits, very small ones as plain decimals; a missing one as "–"."""
    if value != value:
        return MISSING
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if value == 0 or abs(value) >= 0.001:
        return f"{value:.4g}"
    return f"{value:.7f}".rstrip("0").rstrip(".")


def cell(value: object) -> str:
    """One value of a table as text: numbers by :func:`readable_number`, a missing value as "–"."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return MISSING
    if is_number(value):
        return readable_number(float(value))  # type: ignore[arg-type]
    return str(value)


def is_number(value: object) -> bool:
    """A real number (a bool is not one here: it reads as True or False)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def console_table(frame: pd.DataFrame, numeric: Collection[str] = ()) -> str:
    """``frame`` as aligned text: each column as wide as its longest cell or heading, two spaces
    between columns, numbers (and the columns named in ``numeric``, numbers already written as
    text) right-aligned, other text left-aligned, a missing value as "–"."""
    columns = []
    for name in frame.columns:
        values = list(frame[name])
        cells = [cell(v) for v in values]
        right = name in numeric or all(is_number(v) for v in values)
        width = max([len(str(name)), *map(len, cells)])
        columns.append([f"{text:>{width}}" if right else f"{text:<{width}}" for text in [str(name), *cells]])
    return "\n".join("  ".join(row).rstrip() for row in zip(*columns))


def window_line(measured: Scenario, given: Sequence[Scenario] = (), option: str | None = None) -> str:
    """Which calendar months ``measured``'s indicators cover, and why, naming --window only when it was given.

    ``given`` are the scenarios as the user gave them (before a comparison shared a window between
    them) and ``option`` the --window given, if any: a window a comparison takes from its
    branches is their own years, and one that a scenario sets is that scenario's.
    """
    span = window_span(measured)
    if measured.window == "all" or (measured.window is None and measured.branch is None):
        return f"Indicators over the whole run, {span}"
    if measured.window is None:
        return branch_years(measured, span)
    if option is not None:
        return f"Indicators over the window {span} (--window)"
    source = next((s for s in given if s.window is not None or s.branch is not None), None)
    if source is None:
        return f"Indicators over the window {span}"
    if source.window is None:  # a comparison measured over its branch's own years
        return branch_years(source, span)
    return f"Indicators over the window {span} (the window scenario '{source.name}' sets)"


def branch_years(branch: Scenario, span: str) -> str:
    """The heading of a branch measured over its own years ``span``, and how to see the whole run."""
    return (
        f"Indicators over {span}: the branch's own years, from its branch date {branch.branch} "
        f"(--window all for the whole run from {branch.date(1)})"
    )


def indicator_summary(summary: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """A run's indicators for people (its ``summary``, one row per replication): the mean and its 95%
    interval (none for one replication) on one scale, kept inside the indicator's range, with the
    unit and which way is better."""
    rows = []
    for name, info in INDICATOR_INFO.items():
        mean, low, high = interval(summary[name].to_numpy(dtype=float), bounds=info.range(scenario))
        shown, low_text, high_text = info.format_all(mean, low, high)
        span = MISSING if low != low else f"{low_text} to {high_text}"
        rows.append({"indicator": name, "mean": shown, "95% interval": span, "unit": info.unit, "better": info.better or MISSING})
    table = pd.DataFrame(rows)
    return table.drop(columns=["95% interval"]) if len(summary) < 2 else table
