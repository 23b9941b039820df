"""Report tables of issue 21: the benefit limit month by month beside source 4.6.2, the routes'
capacity and use, and why a route lever changed nothing (from the counts)."""

from __future__ import annotations

import pandas as pd

from ..rules.scenario import NEVER, Scenario

#: Source 4.6.2: about 26,700 people in Flanders (of the first 100,000 in Belgium) lose their
#: unemployment benefit between January and April 2026.
FLANDERS_LOSING_JAN_APR_2026 = 26_700
#: The structurally unemployed pool of the baseline world (world.pool_size), the Flemish pool the
#: sector note counts ("more than 100,000"): a smaller world's counts are scaled to it.
FLEMISH_POOL = 100_000
#: Months shown around the federal limit: from this many before it to this many after.
BEFORE, AFTER = 3, 6


def benefit_limit_table(metrics: pd.DataFrame, scenario: Scenario) -> pd.DataFrame | None:
    """Per month around the federal limit (mean over replications): how many of the pool lose their
    unemployment benefit, find a regular job (from a benefit, from leefloon), move to leefloon and leave
    the labour force; then the first four months' sum, the same scaled to the Flemish pool of the
    baseline world when the run's pool is smaller or larger, and source 4.6.2. Numbers as text for
    reading (one decimal for the monthly means). None without a limit."""
    lost = first_four_months_lost(metrics, scenario)
    if lost is None:
        return None
    start = scenario.policy.benefit_reform_month
    months = metrics[(metrics["month"] >= start - BEFORE) & (metrics["month"] <= start + AFTER)]
    columns = {
        "benefit_lost": "lose unemployment benefit",
        "flow_unemployed_to_social_assistance": "move to leefloon",
        "flow_unemployed_to_nec": "find a regular job (from a benefit)",
        "flow_social_assistance_to_nec": "find a regular job (from leefloon)",
        "flow_unemployed_to_inactive": "leave the labour force (from a benefit)",
    }
    present = [c for c in columns if c in months]
    table = months.groupby(["month", "date"])[present].mean().reset_index().rename(columns=columns)
    table[[columns[c] for c in present]] = table[[columns[c] for c in present]].map(lambda v: f"{v:,.1f}")
    table["month"] = table["month"].map(str)
    rows = [("first 4 months (model)", lost)]
    scale = FLEMISH_POOL / scenario.world.pool_size
    if scale != 1:
        rows.append((f"first 4 months, scaled to a pool of {FLEMISH_POOL:,} (x {scale:,.4g})", lost * scale))
    rows.append(("source 4.6.2 (Flanders, Jan-Apr 2026)", FLANDERS_LOSING_JAN_APR_2026))
    totals = pd.DataFrame([{"month": "", "date": what, columns["benefit_lost"]: f"{value:,.0f}"} for what, value in rows])
    return pd.concat([table, totals], ignore_index=True)


def first_four_months_lost(metrics: pd.DataFrame, scenario: Scenario) -> float | None:
    """How many of the pool lose their unemployment benefit in the federal limit's first four months
    (persons, mean over replications); None when the run has no limit."""
    start = scenario.policy.benefit_reform_month
    if start == NEVER or start > scenario.months:
        return None
    first_four = metrics[(metrics["month"] >= start) & (metrics["month"] < start + 4)]
    if "replication" in first_four:
        return float(first_four.groupby("replication")["benefit_lost"].sum().mean())
    return float(first_four["benefit_lost"].sum())


def benefit_limit_reading(metrics: pd.DataFrame, scenario: Scenario) -> list[str]:
    """The gap between the model's first four months and source 4.6.2 (scaled to the Flemish pool when the
    run's world is smaller or larger), with its known reasons; nothing when the run has no limit."""
    lost = first_four_months_lost(metrics, scenario)
    if lost is None:
        return []
    pool = scenario.world.pool_size
    scaled_words = (
        ""
        if pool == FLEMISH_POOL
        else f" in a pool of {pool:,} job seekers (the baseline's Flemish pool is {FLEMISH_POOL:,}; scaled to it, "
        f"{lost * FLEMISH_POOL / pool:,.0f})"
    )
    return [
        f"In the first four months of the federal limit {lost:,.0f} people of the model's pool lose their benefit"
        f"{scaled_words}, against about {FLANDERS_LOSING_JAN_APR_2026:,} in Flanders (source 4.6.2). Known reasons for "
        "a gap: the pool is the structurally unemployed (more than 100,000, the sector note) with the claim histories "
        "drawn at initialisation, not the 37,000 long-term claimants VDAB counts (source 4.1); the exemption for those "
        "over 55 with a long career uses the months worked the model has seen (experience), so few are exempt; and "
        "the model cannot tell leefloon from no income, so 'move to leefloon' is everyone who loses the benefit."
    ]


def lever_reasons(table: pd.DataFrame, changed: dict[str, list[str]] | None = None) -> list[str]:
    """For each option of a comparison whose route lever changed nothing clearly, why, from the counts:
    nobody waiting for the route means no eligible workers (the places were not what limited it).

    ``changed`` names the keys each option sets differently from the first; with it, only an option
    that changes a route's lever (its places) is explained, since an option that leaves the places
    alone was never meant to change the route. Without it every option is."""
    rows = table.set_index(["scenario", "indicator"])
    labels = list(dict.fromkeys(table["scenario"]))
    lines = []
    checks = (
        (
            "trajectories_per_year",
            "trajectory_waiting_mean",
            "doorstroom trajectories",
            "LDE workers waited for a trajectory place",
            "policy.doorstroom_trajectories_month",
        ),
        (
            "maatwerk_workforce_mean",
            "maatwerk_waiting_mean",
            "collective maatwerk",
            "people waited for a maatwerk place",
            "policy.maatwerk_places",
        ),
    )
    for label in labels[1:]:
        for outcome, waiting, route, who, lever in checks:
            if (label, outcome) not in rows.index or (label, waiting) not in rows.index:
                continue
            if changed is not None and lever not in changed.get(label, []):
                continue
            row = rows.loc[(label, outcome)]
            if row["significant"]:
                continue
            queue = rows.loc[(labels[0], waiting), "mean"]
            if queue < 1:
                why = f"no eligible workers: on average {queue:.1f} {who} under '{labels[0]}', so more places had no one to take"
            elif row["diff"] == 0:
                why = (
                    f"{queue:.1f} {who} under '{labels[0]}' and the same number were served in every replication: "
                    "the route's places, which this option leaves as they were, were the limit"
                )
            else:
                why = f"{queue:.1f} {who} under '{labels[0]}', yet the change is within the noise"
            lines.append(f"'{label}' changes {route} by no clear amount: {why}.")
    return lines
