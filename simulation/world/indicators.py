"""Headline indicators of a run, computed from its monthly metrics (see docs/indicators.md)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ..submodels.end_of_trajectory import OUTCOMES as EVALUATION_OUTCOMES
from ..submodels.follow_up import EXIT_GROUPS, FALLBACK_STATES, LEAVER_GROUPS, STATE_HORIZONS, STATES
from ..submodels.public_finances import LEVEL_NAMES, LEVELS
from .people import Status

if TYPE_CHECKING:
    from ..rules.scenario import Scenario

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
    "spending_operating_subsidy",
    "spending_doorstroom",
    "spending_covenant",
]


#: Groups for which ``dumping_share`` is also given: a small or a large enterprise, and age at the exit.
DUMPING_GROUPS = LEAVER_GROUPS


def unsigned_zero(value: float, decimals: int) -> float:
    """``value`` rounded to ``decimals``, with a negative zero made positive, so that a figure that
    reads as zero is printed "0", never "-0" (as ``f"{-0.3:.0f}"`` would)."""
    return round(value, decimals) + 0.0


@dataclass(frozen=True)
class Indicator:
    """What an indicator means, its unit, which direction is better, and its possible range.

    ``better`` is ``"higher"``, ``"lower"`` or ``""`` (neither: a size or a price, read
    beside the others). ``high`` may name a scenario field (``"world.enterprises"``) when
    the bound depends on the scenario. Intervals are kept inside the range
    (:func:`simulation.experiments.statistics.interval`).
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

    def format(self, value: float, *alongside: float) -> str:
        """``value`` for people: shares as percentages, euros and counts with separators, "–" for none.

        Euros are in M EUR from 10 M on, judged on ``value`` and the values shown ``alongside`` it (a
        mean and its interval), so that one cell never reads "18.9 M EUR" beside "9,681,131 EUR".
        """
        if value != value:
            return "–"
        if self.unit == "share":
            return f"{unsigned_zero(100 * value, 1):.1f}%"
        if self.unit == "EUR":
            millions = any(abs(v) >= 1e7 for v in (value, *alongside) if v == v)
            return f"{unsigned_zero(value / 1e6, 1):,.1f} M EUR" if millions else f"{unsigned_zero(value, 0):,.0f} EUR"
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"

    def format_all(self, *values: float) -> list[str]:
        """``values`` shown together (a mean and its interval), each by :meth:`format` on one scale."""
        return [self.format(v, *values) for v in values]


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
        "share of the enterprises open at the window's start or entered in it that are open with a non-negative reserve "
        "at its end",
        "share",
        "higher",
        0,
        1,
    ),
    "enterprise_closures": Indicator("enterprises closed in the window", "enterprises", "lower", 0, "world.enterprises"),
    "enterprise_conversions": Indicator(
        "enterprises converted to collective maatwerk and still operating at the end (not closures)",
        "enterprises",
        "",
        0,
        "world.enterprises",
    ),
    "maatwerk_workforce_mean": Indicator("mean number of people in collective maatwerk over the window", "persons", ""),
    "service_quality": Indicator(
        "mean service quality index of open enterprises over the window (0-1)", "index 0-1", "higher", 0, 1
    ),
    "cost_per_sustainable_transition": Indicator(
        "gross public spending on LDE instruments per sustainable transition (EUR; benefits saved not netted out)",
        "EUR",
        "lower",
    ),
    "target_gap": Indicator("distance to the 100% transition target: 1 - exit_to_job_share", "share", "lower", 0, 1),
    "lde_workforce_mean": Indicator("mean number of LDE workers over the window", "persons", ""),
    **{
        f"fiscal_cost_{level}": Indicator(
            f"the {LEVEL_NAMES[level]} government's net cost over the window (spending less revenue, EUR; see the ledger)",
            "EUR",
            "",
            -math.inf,
        )
        for level in LEVELS
    },
    "fiscal_cost_net": Indicator(
        "all governments' net cost over the window: LDE and related spending, benefits and leefloon, less taxes and "
        "contributions on the pool's wages (EUR)",
        "EUR",
        "lower",
        -math.inf,
    ),
    "pool_income": Indicator("net income (wages and benefits) of the people of the pool over the window (EUR)", "EUR", "higher"),
    "enterprise_margin": Indicator("the open enterprises' income less costs over the window (EUR)", "EUR", "higher", -math.inf),
    "public_spending_lde": Indicator("gross public spending on LDE instruments over the window (EUR)", "EUR", ""),
    "traineeships_started": Indicator("traineeships started at regular employers, a year", "persons per year", ""),
    "extensions_granted": Indicator("extensions of an LDE trajectory (a sixth year) granted, a year", "persons per year", ""),
}
#: What the use indicators count, per month, in the metrics.
USE = {
    "traineeships_started": "traineeships_started",
    "extensions_granted": "extensions_granted",
}
#: The parts of the dumping measures and the routes behind them (issue 21): where a change comes from.
STATE_WORDS = {
    "nec": "in a regular job",
    "unemployed": "on unemployment benefit",
    "social_assistance": "on social assistance (leefloon)",
    "work_care": "holding a work-care place",
    "maatwerk": "in collective maatwerk",
    "lde": "back in LDE",
    "inactive": "inactive",
}
ROUTE_INDICATORS: dict[str, Indicator] = {
    **{
        f"dumping_share_{state}": Indicator(
            f"the part of dumping_share {STATE_WORDS[state]} 12 months after the exit (the parts add up to dumping_share)",
            "share",
            "lower",
            0,
            1,
        )
        for state in FALLBACK_STATES
    },
    **{
        f"dumping_count_{state}": Indicator(
            f"the part of dumping_count {STATE_WORDS[state]} (persons per year)", "persons per year", "lower"
        )
        for state in FALLBACK_STATES
    },
    **{
        f"dumping_risk_{state}": Indicator(
            f"the part of dumping_risk {STATE_WORDS[state]} 12 months after the exit at the limit", "share", "lower", 0, 1
        )
        for state in FALLBACK_STATES
    },
    **{
        f"dumping_share_exit_{group}": Indicator(
            f"share of the leavers by route '{group}' (their exit's reason) on a benefit 12 months later", "share", "lower", 0, 1
        )
        for group in EXIT_GROUPS
    },
    **{
        f"dumping_count_exit_{group}": Indicator(
            f"leavers a year by route '{group}' on a benefit 12 months later (the parts add up to dumping_count)",
            "persons per year",
            "lower",
        )
        for group in EXIT_GROUPS
    },
    **{
        f"leaver_state_{h}m_{state}": Indicator(
            f"share of LDE leavers (other than to retirement or inactivity) {STATE_WORDS[state]} {h} months after the exit",
            "share",
            "higher" if state == "nec" else "",
            0,
            1,
        )
        for h in STATE_HORIZONS
        for state in STATES
    },
    **{
        f"route_share_{outcome}": Indicator(
            f"share of the evaluations before the limit that advised {outcome.replace('_', ' ')}", "share", "", 0, 1
        )
        for outcome in EVALUATION_OUTCOMES
    },
    "trajectories_per_year": Indicator("doorstroom trajectories started a year", "trajectories per year", "higher"),
    "traineeship_hires_per_year": Indicator("hires after a doorstroom traineeship a year", "persons per year", "higher"),
    "trajectory_waiting_mean": Indicator("mean LDE workers waiting for a doorstroom trajectory place", "persons", ""),
    "work_care_mean": Indicator("mean people holding a work-care place", "persons", ""),
    "work_care_waiting_mean": Indicator("mean people advised work-care and waiting for a place", "persons", ""),
    "maatwerk_waiting_mean": Indicator("mean people with a collective maatwerk advice waiting for a place", "persons", ""),
    "returns_per_year": Indicator(
        "people a year a review finds ready to leave work-care (back to search and referral) or collective maatwerk "
        "(kept on a regular contract or on to a doorstroom trajectory)",
        "persons per year",
        "",
    ),
    "referral_requests_refused_per_year": Indicator(
        "referral requests a year refused at intake (suppressed demand)", "requests per year", "lower"
    ),
    "referral_requests_lapsed_per_year": Indicator(
        "referral requests a year that lapsed undecided (suppressed demand)", "requests per year", "lower"
    ),
}
INDICATOR_INFO.update(ROUTE_INDICATORS)
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
    attributed = attributed_totals(metrics, first, last, total)
    years = len(months) / 12
    lde_mean = float(months["lde"].mean())
    to_job = float(total["flow_lde_to_nec"])
    exits = float(sum(total[f"flow_lde_to_{s.name}"] for s in Status if s.name != "lde"))
    exit_to_job = ratio(to_job, exits)
    f12 = f24 = attributed
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
        "enterprise_solvent_share": ratio(
            last_row["enterprises_solvent"], before["enterprises_open"] + total.get("enterprises_entered", 0.0)
        ),
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
        **route_indicators(months, attributed, years),
    }


def attributed_totals(metrics: pd.DataFrame, first: int, last: int, total: pd.Series) -> pd.Series:
    """``total`` with every follow-up column (``followup<k>_...``) replaced by its sum over the rows that
    follow up the moves and exits of months first to last (:func:`followed_up`)."""
    out = total.copy()
    horizons = {int(m.group(1)) for column in total.index if (m := re.match(r"followup(\d+)_", str(column)))}
    for k in sorted(horizons):
        columns = [c for c in total.index if str(c).startswith(f"followup{k}_")]
        out[columns] = followed_up(metrics, first, last, k)[columns]
    return out


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


def route_indicators(months: pd.DataFrame, total: pd.Series, years: float) -> dict[str, float]:
    """The parts of the dumping measures, leavers' states, the routes' use and the referral's suppressed
    demand (:data:`ROUTE_INDICATORS`); columns a run did not record count as 0."""

    def sum_of(column: str) -> float:
        return float(total.get(column, 0.0))

    def mean_of(column: str) -> float:
        return float(months[column].mean()) if column in months else 0.0

    evaluated = sum(sum_of(f"evaluated_{o}") for o in EVALUATION_OUTCOMES)
    result: dict[str, float] = {}
    for state in FALLBACK_STATES:
        on = sum_of(f"followup12_leavers_on_{state}")
        result[f"dumping_share_{state}"] = ratio(on, sum_of("followup12_leavers"))
        result[f"dumping_count_{state}"] = on / years
        result[f"dumping_risk_{state}"] = ratio(sum_of(f"followup12_limit_on_{state}"), sum_of("followup12_limit_leavers"))
    for group in EXIT_GROUPS:
        on = sum_of(f"followup12_exit_{group}_on_benefits")
        result[f"dumping_share_exit_{group}"] = ratio(on, sum_of(f"followup12_exit_{group}"))
        result[f"dumping_count_exit_{group}"] = on / years
    for h in STATE_HORIZONS:
        for state in STATES:
            result[f"leaver_state_{h}m_{state}"] = ratio(sum_of(f"followup{h}_state_{state}"), sum_of(f"followup{h}_cohort"))
    for outcome in EVALUATION_OUTCOMES:
        result[f"route_share_{outcome}"] = ratio(sum_of(f"evaluated_{outcome}"), evaluated)
    result.update(
        {
            "trajectories_per_year": sum_of("trajectories_started") / years,
            "traineeship_hires_per_year": sum_of("traineeships_hired") / years,
            "trajectory_waiting_mean": mean_of("route_trajectory_waiting"),
            "work_care_mean": mean_of("route_work_care"),
            "work_care_waiting_mean": mean_of("route_work_care_waiting"),
            "maatwerk_waiting_mean": mean_of("route_maatwerk_waiting"),
            "returns_per_year": (sum_of("work_care_returned") + sum_of("maatwerk_returned")) / years,
            "referral_requests_refused_per_year": sum_of("referral_requests_refused") / years,
            "referral_requests_lapsed_per_year": sum_of("referral_requests_lapsed") / years,
        }
    )
    return result
