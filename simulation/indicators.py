"""Headline indicators of a run, computed from its monthly metrics (see docs/indicators.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from .people import Status
from .submodels.follow_up import LEAVER_GROUPS
from .submodels.public_finances import LEVEL_NAMES, LEVELS

if TYPE_CHECKING:
    from .scenario import Scenario

#: Public spending on LDE instruments (excludes benefits, social assistance and collective
#: maatwerk, a programme of its own: its premiums are ``spending_maatwerk``).
LDE_SPENDING = [
    "spending_wage_subsidy",
    "spending_guidance_subsidy",
    "spending_sine",
    "spending_sine_compensation",
    "spending_local_government",
    "spending_outcome_bonus",
    "spending_aftercare",
    "spending_local_support",
    "spending_sitting_allowance",
    "spending_doorstroom",
]


#: Groups for which ``dumping_share`` is also given: a small or a large enterprise, and age at the exit.
DUMPING_GROUPS = LEAVER_GROUPS


@dataclass(frozen=True)
class Indicator:
    """What an indicator means, its unit, which direction is better, and its possible range.

    ``better`` is ``"higher"``, ``"lower"`` or ``""`` (neither: a size or a price, read
    beside the others). ``high`` may name a scenario field (``"world.enterprises"``) when
    the bound depends on the scenario. Intervals are kept inside the range
    (:func:`simulation.statistics.interval`).
    """

    meaning: str
    unit: str
    better: str
    low: float = 0.0
    high: float | str = math.inf

    def range(self, scenario: Scenario | None = None) -> tuple[float, float]:
        """(low, high) for ``scenario``; a scenario-dependent bound without a scenario is infinite."""
        if isinstance(self.high, str):
            if scenario is None:
                return self.low, math.inf
            value: object = scenario
            for part in self.high.split("."):
                value = getattr(value, part)
            return self.low, float(value)  # type: ignore[arg-type]
        return self.low, self.high

    def format(self, value: float) -> str:
        """``value`` for people: shares as percentages, euros and counts with separators, "–" for none."""
        if value != value:
            return "–"
        if self.unit == "share":
            return f"{100 * value:.1f}%"
        if self.unit == "EUR":
            return f"{value / 1e6:,.1f} M EUR" if abs(value) >= 1e7 else f"{value:,.0f} EUR"
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


INDICATOR_INFO: dict[str, Indicator] = {
    "transition_rate_annual": Indicator(
        "LDE -> regular job moves per year over the mean LDE workforce", "moves per worker-year", "higher"
    ),
    "exit_to_job_share": Indicator("share of all LDE exits that go to a regular job", "share", "higher", 0, 1),
    "sustainable_transition_rate": Indicator(
        "share of LDE -> regular job moves still in a regular job 12 months later", "share", "higher", 0, 1
    ),
    "dumping_risk": Indicator(
        "share of time-limit leavers on unemployment benefit or social assistance 12 months later", "share", "lower", 0, 1
    ),
    "dumping_share": Indicator(
        "share of everyone who left LDE (other than to retirement or inactivity) on unemployment benefit or "
        "social assistance 12 months later",
        "share",
        "lower",
        0,
        1,
    ),
    "dumping_count": Indicator(
        "people a year who left LDE (other than to retirement or inactivity) and are on a benefit 12 months later",
        "persons per year",
        "lower",
    ),
    "leefloon_share_24m": Indicator(
        "share of everyone who left LDE (other than to retirement or inactivity) on social assistance 24 months later",
        "share",
        "lower",
        0,
        1,
    ),
    **{
        f"dumping_share_{group}": Indicator(f"dumping_share among those who left {words}", "share", "lower", 0, 1)
        for group, words in DUMPING_GROUPS.items()
    },
    "social_assistance_24m_share": Indicator(
        "share of former LDE workers on social assistance 24 months after leaving (the older name of leefloon_share_24m)",
        "share",
        "lower",
        0,
        1,
    ),
    "enterprise_solvent_share": Indicator(
        "share of the initial enterprises open with a non-negative reserve at the end", "share", "higher", 0, 1
    ),
    "enterprise_closures": Indicator("enterprises closed during the run", "enterprises", "lower", 0, "world.enterprises"),
    "enterprise_conversions": Indicator(
        "enterprises converted to collective maatwerk and still operating at the end (not closures)",
        "enterprises",
        "",
        0,
        "world.enterprises",
    ),
    "maatwerk_workforce_mean": Indicator("mean number of people in collective maatwerk over the run", "persons", ""),
    "service_quality": Indicator(
        "mean service quality index of open enterprises over the run (0-1)", "index 0-1", "higher", 0, 1
    ),
    "cost_per_sustainable_transition": Indicator(
        "gross public spending on LDE instruments per sustainable transition (EUR; benefits saved not netted out)",
        "EUR",
        "lower",
    ),
    "target_gap": Indicator("distance to the 100% transition target: 1 - exit_to_job_share", "share", "lower", 0, 1),
    "lde_workforce_mean": Indicator("mean number of LDE workers over the run", "persons", ""),
    **{
        f"fiscal_cost_{level}": Indicator(
            f"the {LEVEL_NAMES[level]} government's net cost over the run (spending less revenue, EUR; see the ledger)",
            "EUR",
            "",
            -math.inf,
        )
        for level in LEVELS
    },
    "fiscal_cost_net": Indicator(
        "all governments' net cost over the run: LDE and related spending, benefits and leefloon, less taxes and "
        "contributions on the pool's wages (EUR)",
        "EUR",
        "lower",
        -math.inf,
    ),
    "pool_income": Indicator("net income (wages and benefits) of the people of the pool over the run (EUR)", "EUR", "higher"),
    "enterprise_margin": Indicator("the open enterprises' income less costs over the run (EUR)", "EUR", "higher", -math.inf),
    "public_spending_lde": Indicator("gross public spending on LDE instruments over the run (EUR)", "EUR", ""),
    "trajectories_started": Indicator(
        "workers sent to a doorstroom trajectory by their evaluation, a year", "persons per year", ""
    ),
    "traineeships_started": Indicator("traineeships started at regular employers, a year", "persons per year", ""),
    "extensions_granted": Indicator("extensions of an LDE trajectory (a sixth year) granted, a year", "persons per year", ""),
}
#: What the use indicators count, per month, in the metrics.
USE = {
    "trajectories_started": "evaluated_trajectory",
    "traineeships_started": "traineeships_started",
    "extensions_granted": "extensions_granted",
}
#: Indicator name -> meaning, in the order of every output table.
INDICATORS = {name: info.meaning for name, info in INDICATOR_INFO.items()}


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, or NaN when there is nothing to divide by."""
    return numerator / denominator if denominator > 0 else math.nan


def indicators(metrics: pd.DataFrame, window: tuple[int, int] | None = None) -> dict[str, float]:
    """The indicators of one replication from its ``metrics`` rows (month 0 to the end).

    ``window`` = (first, last) model months, both included, measures them over those months
    only (:func:`measured_months` gives a scenario's); None: the whole run (months 1 to the
    end). Flows and spending are summed over the window; closures (which accumulate) count those
    in it, against the month before it, and conversions the converted enterprises still operating
    at its end; a follow-up k
    months after a move or exit belongs to the month of the move, so it is read from the
    rows k months later (moves in a window's last k months of the run are not followed up).
    """
    end = int(metrics["month"].iloc[-1])
    first, last = (1, end) if window is None else window
    months = metrics[(metrics["month"] >= first) & (metrics["month"] <= last)]
    total = months.sum(numeric_only=True)
    followed = {k: followed_up(metrics, first, last, k) for k in (12, 24)}
    years = len(months) / 12
    lde_mean = float(months["lde"].mean())
    to_job = float(total["flow_lde_to_nec"])
    exits = float(sum(total[f"flow_lde_to_{s.name}"] for s in Status if s.name != "lde"))
    exit_to_job = ratio(to_job, exits)
    f12, f24 = followed[12], followed[24]
    sustained = ratio(f12["followup12_in_nec"], f12["followup12_moves"])
    spending = float(sum(total.get(c, 0.0) for c in LDE_SPENDING))
    before, last_row = metrics[metrics["month"] == first - 1].iloc[0], months.iloc[-1]
    return {
        "transition_rate_annual": ratio(to_job, lde_mean * years),
        "exit_to_job_share": exit_to_job,
        "sustainable_transition_rate": sustained,
        "dumping_risk": ratio(f12["followup12_limit_on_benefits"], f12["followup12_limit_leavers"]),
        "dumping_share": ratio(f12["followup12_leavers_on_benefits"], f12["followup12_leavers"]),
        "dumping_count": f12["followup12_leavers_on_benefits"] / years,
        "leefloon_share_24m": ratio(f24["followup24_social_assistance"], f24["followup24_lde_leavers"]),
        **{
            f"dumping_share_{group}": ratio(f12[f"followup12_leavers_{group}_on_benefits"], f12[f"followup12_leavers_{group}"])
            for group in DUMPING_GROUPS
        },
        "social_assistance_24m_share": ratio(f24["followup24_social_assistance"], f24["followup24_lde_leavers"]),
        "enterprise_solvent_share": ratio(last_row["enterprises_solvent"], before["enterprises_open"]),
        "enterprise_closures": float(last_row["enterprises_closed"] - before["enterprises_closed"]),
        "enterprise_conversions": float(last_row["enterprises_converted"]),  # a state: converted and still operating
        "maatwerk_workforce_mean": float(months["maatwerk"].mean()),
        "service_quality": float(months["service_quality"].mean()),
        "cost_per_sustainable_transition": ratio(spending, to_job * sustained) if not math.isnan(sustained) else math.nan,
        "target_gap": 1 - exit_to_job,
        "lde_workforce_mean": lde_mean,
        **{f"fiscal_cost_{level}": float(total[f"ledger_{level}"]) for level in LEVELS},
        "fiscal_cost_net": float(total["ledger_total"]),
        "pool_income": float(total["pool_income"]),
        "enterprise_margin": float(total["enterprise_income"] - total["enterprise_costs"]),
        "public_spending_lde": spending,
        **{name: float(total.get(column, 0.0)) / years for name, column in USE.items()},
    }


def followed_up(metrics: pd.DataFrame, first: int, last: int, k: int) -> pd.Series:
    """The totals of the rows that follow up, k months later, the moves and exits of months first to last
    (from month 1 when the window starts the run: the rows before month k + 1 can hold nothing else)."""
    rows = metrics[(metrics["month"] >= (1 if first == 1 else first + k)) & (metrics["month"] <= last + k)]
    return rows.sum(numeric_only=True)


def measured_months(scenario: Scenario) -> tuple[int, int]:
    """The model months (first, last) a scenario's indicators cover: its ``window`` when set
    (``"all"``: the whole run), else a branch's own months (from its branch date), else the whole run."""
    if scenario.window == "all" or (scenario.window is None and scenario.branch is None):
        return 1, scenario.months
    if scenario.window is None:
        return scenario.month_of(scenario.branch), scenario.months  # type: ignore[arg-type]
    start, end = scenario.window.split(":")
    return scenario.month_of(start), scenario.month_of(end)


def window_span(scenario: Scenario) -> str:
    """The calendar months a scenario's indicators cover, ``YYYY-MM to YYYY-MM``."""
    first, last = measured_months(scenario)
    return f"{scenario.date(first)} to {scenario.date(last)}"


def window_words(scenario: Scenario) -> str:
    """Which calendar months the indicators cover, and why, in words (for the console and reports)."""
    span = window_span(scenario)
    if scenario.window is None and scenario.branch is not None:
        return (
            f"Indicators over {span}: the branch's own years, from its branch date {scenario.branch} "
            f"(--window all for the whole run from {scenario.date(1)})"
        )
    if scenario.window is None or scenario.window == "all":
        return f"Indicators over the whole run, {span}"
    return f"Indicators over the window {span} (--window)"


def yearly(metrics: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The indicators per calendar year of each replication (a year cut by the run's start or end
    covers its months in the run): one row per replication and year, with its number of months."""
    rows = []
    for replication, own in metrics.groupby("replication") if "replication" in metrics else [(0, metrics)]:
        end = int(own["month"].max())
        years: dict[str, list[int]] = {}
        for month in range(1, end + 1):
            years.setdefault(scenario.date(month)[:4], []).append(month)
        for year, span in years.items():
            rows.append(
                {"replication": replication, "year": int(year), "months": len(span), **indicators(own, (span[0], span[-1]))}
            )
    return pd.DataFrame(rows)
