"""Figures for people: each function takes the frames the API returns and draws one figure.

- :func:`stocks`: people by status over time, a panel per status, median and 10-90% band over replications;
- :func:`survival`: Kaplan-Meier curves of months in LDE until a regular job, limit marked;
- :func:`pathways`: where LDE leavers are when they leave, 12 and 24 months later (alluvial);
- :func:`viability`: enterprise reserves and solvent share by size class, service quality;
- :func:`decisions`: what the enterprises chose over time (pressure, coaches, prices, push);
- :func:`comparison`: indicators per scenario with 95% intervals, and differences from the first;
- :func:`tradeoff`: sustainable transitions against dumping risk, sized by public cost, with solvency;
- :func:`sweep`: indicators against each varied parameter of a sweep;
- :func:`sensitivity_bars`: Morris mu* (with sigma) or Sobol S1 and ST per parameter.

Colours are fixed per status (:data:`STATUS_COLORS`) and per scenario (in the order the
scenarios are given), the same in every figure. Every function returns the Figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from ..rules.scenario import Scenario
from ..world.indicators import INDICATOR_INFO
from ..world.people import Status
from ..world.records import status_at

STATUS_COLORS = {
    "unemployed": "#e69f00",
    "social_assistance": "#d55e00",
    "lde": "#0072b2",
    "maatwerk": "#cc79a7",
    "nec": "#009e73",
    "inactive": "#999999",
}
STATUS_LABELS = {
    "unemployed": "unemployment benefit",
    "social_assistance": "social assistance",
    "lde": "LDE job",
    "maatwerk": "collective maatwerk",
    "nec": "regular job",
    "inactive": "out of the labour force",
}
SCENARIO_COLORS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#f0e442", "#000000"]


def plain(label: str) -> str:
    """A user's name as literal text in a figure (Matplotlib would read ``$...$`` as mathematics)."""
    return label.replace("$", r"\$")


def scenario_colors(labels: list[str]) -> dict[str, str]:
    """The colour of each scenario, by its position in ``labels``."""
    return {label: SCENARIO_COLORS[i % len(SCENARIO_COLORS)] for i, label in enumerate(labels)}


def stocks(metrics: pd.DataFrame, statuses: list[str] | None = None) -> Figure:
    """People by status per month, one panel per status on its own scale: median over
    replications, with the 10-90% band.

    Panels rather than one axis: the stocks differ by two orders of magnitude (LDE
    workers in the thousands, the people who left the labour force in the hundreds of
    thousands), and on a shared axis the largest would flatten the one the model is about.
    """
    statuses = statuses or [s.name for s in Status]
    columns = min(len(statuses), 3)
    rows = -(-len(statuses) // columns)
    fig = Figure(figsize=(4 * columns, 3 * rows), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False, sharex=True).ravel()
    for ax, status in zip(axes, statuses):
        by_month = metrics.groupby("month")[status]
        median, low, high = by_month.median(), by_month.quantile(0.1), by_month.quantile(0.9)
        years = median.index / 12
        ax.plot(years, median, color=STATUS_COLORS[status], linewidth=2)
        ax.fill_between(years, low, high, color=STATUS_COLORS[status], alpha=0.2, linewidth=0)
        ax.set(title=STATUS_LABELS[status], xlabel="years", ylabel="persons", ylim=(0, None))
        ax.grid(alpha=0.3)
    for ax in axes[len(statuses) :]:
        ax.set_visible(False)
    fig.suptitle("People by labour-market status (median, 10-90% band over replications; each panel its own scale)")
    return fig


def spells(events: pd.DataFrame, statuses: tuple[str, ...]) -> pd.DataFrame:
    """Spells in ``statuses`` that begin during the run: start, end (NaN while running), months, ``to``.

    A spell begins when someone enters one of ``statuses`` from outside them (or as a new
    entrant) and ends at that person's next move to a status outside them; ``ended_in_job``
    marks spells that end in a regular job, ``censored`` those still running at the end.
    Events are matched in the order they were logged, not by month, so a spell that
    starts and ends in the same month lasts 0 months rather than running on to a later exit.
    """
    keys = ["replication", "person"] if "replication" in events else ["person"]
    logged = events.assign(order=np.arange(len(events)))
    inside_to, inside_from = logged["to"].isin(statuses), logged["from"].isin(statuses)
    starts = logged[inside_to & ~inside_from][[*keys, "month", "order"]].rename(columns={"month": "start"})
    ends = logged[inside_from & ~inside_to][[*keys, "month", "order", "to"]].rename(
        columns={"month": "end", "order": "end_order"}
    )
    found = pd.merge_asof(
        starts,
        ends,
        left_on="order",
        right_on="end_order",
        by=keys,
        allow_exact_matches=False,
        direction="forward",
    ).drop(columns=["order", "end_order"])
    found["censored"] = found["end"].isna()
    found["months"] = found["end"].fillna(events["month"].max()) - found["start"]
    found["ended_in_job"] = found["to"] == "nec"
    return found


def lde_spells(events: pd.DataFrame) -> pd.DataFrame:
    """LDE spells that start during the run (see :func:`spells`)."""
    return spells(events, ("lde",))


def kaplan_meier(months: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier survival S(t) at each distinct event time (months), starting at (0, 1)."""
    order = np.argsort(months)
    months, event = months[order], event[order]
    times = np.unique(months[event])
    at_risk = np.array([(months >= t).sum() for t in times])
    events_at = np.array([(event & (months == t)).sum() for t in times])
    survival = np.cumprod(1 - events_at / np.maximum(at_risk, 1))
    return np.concatenate([[0], times]), np.concatenate([[1.0], survival])


#: A Kaplan-Meier curve is drawn while at least this many spells are still at risk: past that, one
#: exit moves it by several points (after the time limit only the few with an extension remain, and
#: the curve would jump towards 1 on a handful of them).
MIN_AT_RISK = 20


def at_risk(months: np.ndarray, times: np.ndarray) -> np.ndarray:
    """How many of the spells of lengths ``months`` are still running at each of ``times`` (months)."""
    return months.size - np.searchsorted(np.sort(months), times, side="left")


def survival(events_by_scenario: dict[str, pd.DataFrame], limit: int | None = 60) -> Figure:
    """Share of LDE spells not yet ended in a regular job, by months in LDE (Kaplan-Meier).

    Spells that end otherwise (time limit, dismissal, closure, retirement) or are still
    running at the end are censored. The time limit is marked. Each curve ends where fewer
    than :data:`MIN_AT_RISK` spells remain at risk.
    """
    fig = Figure(figsize=(8, 5), layout="constrained")
    ax = fig.add_subplot()
    colors = scenario_colors(list(events_by_scenario))
    for label, events in events_by_scenario.items():
        spells = lde_spells(events)
        months = spells["months"].to_numpy()
        times, surv = kaplan_meier(months, spells["ended_in_job"].to_numpy(dtype=bool))
        kept = at_risk(months, times) >= MIN_AT_RISK
        kept[0] = True
        shown = f"{plain(label)} ({len(spells):,} spells)"
        ax.step(times[kept], 1 - surv[kept], where="post", color=colors[label], label=shown, linewidth=2)
    if limit is not None:
        ax.axvline(limit, color="black", linestyle="--", linewidth=1)
        ax.annotate("time limit", (limit, 0.02), xytext=(4, 0), textcoords="offset points", fontsize=9)
    ax.set(
        title="Transition to a regular job by months in LDE (Kaplan-Meier)",
        xlabel=f"months in LDE (each curve ends where fewer than {MIN_AT_RISK} spells remain)",
        ylabel="share moved to a regular job",
        ylim=(0, None),
    )
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return fig


def pathways(events: pd.DataFrame, after: tuple[int, ...] = (12, 24)) -> Figure:
    """Where people who left LDE are when they leave and ``after`` months later (alluvial).

    Only exits with the full follow-up inside the run are shown.
    """
    exits = events[events["from"] == "lde"].copy()
    exits = exits[exits["month"] + max(after) <= events["month"].max()].reset_index(drop=True)
    stages = {"at exit": exits["to"]}
    for months in after:
        exits[f"m{months}"] = exits["month"] + months
        stages[f"{months} months later"] = status_at(events, exits, f"m{months}")
    fig = Figure(figsize=(9, 5), layout="constrained")
    ax = fig.add_subplot()
    order = ["nec", "maatwerk", "unemployed", "social_assistance", "lde", "inactive"]
    total = max(len(exits), 1)
    tops: list[dict[str, float]] = []
    for x, statuses in enumerate(stages.values()):
        shares = statuses.value_counts().reindex(order, fill_value=0) / total
        top, positions = 1.0, {}
        for status in order:
            ax.bar(
                x,
                shares[status],
                bottom=top - shares[status],
                width=0.25,
                color=STATUS_COLORS[status],
                label=STATUS_LABELS[status] if x == 0 else None,
            )
            positions[status] = top
            top -= shares[status]
        tops.append(positions)
    _draw_ribbons(ax, list(stages.values()), tops, order, total)
    ax.set_xticks(range(len(stages)), list(stages))
    ax.set(title=f"Where LDE leavers go ({len(exits):,} exits)", ylabel="share of LDE leavers", ylim=(0, 1))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return fig


def _draw_ribbons(ax, stages: list[pd.Series], tops: list[dict[str, float]], order: list[str], total: int) -> None:
    """Bands between consecutive stages, one per (from, to) pair, coloured by origin."""
    for x in range(len(stages) - 1):
        pairs = pd.crosstab(stages[x], stages[x + 1]).reindex(index=order, columns=order, fill_value=0) / total
        left = dict(tops[x])
        right = dict(tops[x + 1])
        for a in order:
            for b in order:
                share = pairs.loc[a, b]
                if share <= 0:
                    continue
                xs = np.linspace(x + 0.125, x + 0.875, 20)
                smooth = (1 - np.cos(np.linspace(0, np.pi, 20))) / 2
                upper = left[a] + (right[b] - left[a]) * smooth
                ax.fill_between(xs, upper - share, upper, color=STATUS_COLORS[a], alpha=0.35, linewidth=0)
                left[a] -= share
                right[b] -= share


def viability(metrics: pd.DataFrame) -> Figure:
    """Enterprise reserves and solvent share by size class, and service quality (medians over replications).

    The solvent share is taken within each replication (solvent now over open at month 0
    in that replication) before the median, so every curve starts at its own start.
    """
    fig = Figure(figsize=(12, 4), layout="constrained")
    reserves, solvent, quality = fig.subplots(1, 3)
    by_month = metrics.groupby("month")
    years = by_month["month"].first() / 12
    replication = metrics["replication"] if "replication" in metrics else pd.Series(0, index=metrics.index)
    for size, color in (("small", "#56b4e9"), ("large", "#0072b2")):
        name = "small neighbourhood services" if size == "small" else "large proximity services"
        reserves.plot(years, by_month[f"reserves_{size}"].median() / 1e6, color=color, label=name, linewidth=2)
        column = metrics[f"enterprises_solvent_{size}"]
        at_start = column.where(metrics["month"] == 0).groupby(replication).transform("max")
        share = (column / at_start.where(at_start > 0)).groupby(metrics["month"]).median()
        solvent.plot(years, share, color=color, label=name, linewidth=2)
    quality.plot(years, by_month["service_quality"].median(), color="#009e73", linewidth=2)
    reserves.set(title="Cash reserves", xlabel="years", ylabel="million EUR")
    solvent.set(title="Enterprises open and solvent", xlabel="years", ylabel="share of those at the start", ylim=(0, 1.05))
    quality.set(title="Service quality", xlabel="years", ylabel="index (0-1)", ylim=(0, 1.05))
    reserves.legend(frameon=False)
    for ax in (reserves, solvent, quality):
        ax.grid(alpha=0.3)
    return fig


#: Line style of each size class in the plots of enterprises.
SIZE_STYLES = {"_small": ("small neighbourhood services", "-"), "_large": ("large proximity services", "--")}


def decisions(metrics: pd.DataFrame) -> Figure:
    """What the enterprises chose over time, by size class (medians over replications): how many
    are open, under pressure, with hiring frozen and converted; coaches per worker; price and push.
    Solid lines are small neighbourhood services, dashed ones large proximity services."""
    fig = Figure(figsize=(12, 4.4), layout="constrained")
    counts, coaching, choices = fig.subplots(1, 3)
    by_month = metrics.groupby("month")
    years = by_month["month"].first() / 12
    panels = (
        (
            counts,
            (
                ("enterprises_open", "open", "#0072b2"),
                ("enterprises_under_pressure", "under pressure", "#d55e00"),
                ("enterprises_hiring_frozen", "hiring frozen", "#e69f00"),
                ("enterprises_converted", "converted to collective maatwerk", "#009e73"),
            ),
        ),
        (coaching, (("coaches_per_worker", "coaches per worker", "#0072b2"),)),
        (choices, (("price_mean", "price index", "#cc79a7"), ("push_mean", "push", "#009e73"))),
    )
    for ax, lines in panels:
        for column, label, color in lines:
            for suffix, (_, style) in SIZE_STYLES.items():
                if column + suffix in metrics:
                    ax.plot(
                        years,
                        by_month[column + suffix].median(),
                        color=color,
                        linestyle=style,
                        linewidth=2,
                        label=label if suffix == "_small" else None,
                    )
    for _, (name, style) in SIZE_STYLES.items():
        counts.plot([], [], color="#555555", linestyle=style, label=name)
    counts.set(title="Enterprises", xlabel="years", ylabel="enterprises", ylim=(0, None))
    coaching.set(title="Coaches per LDE worker", xlabel="years", ylabel="coaches (FTE) per worker", ylim=(0, None))
    choices.set(title="Price and push (means)", xlabel="years", ylabel="index (price 1 = start; push 0 = none)")
    for ax in (counts, choices):
        if ax.get_legend_handles_labels()[0]:
            ax.legend(frameon=False, fontsize=8)
    for ax in (counts, coaching, choices):
        ax.grid(alpha=0.3)
    return fig


def network(ties: pd.DataFrame) -> Figure:
    """The employer network at the end of the run (``network.csv``): for an enterprise with ties,
    the sum of its tie strengths with the employers of each sector, averaged by size class
    (left), and how many employers an enterprise is tied to, by size class (right; strength
    at least 0.1)."""
    fig = Figure(figsize=(11, 3.8), layout="constrained")
    heat, counts = fig.subplots(1, 2, width_ratios=(3, 2))
    per_enterprise = ties.groupby(["size_class", "replication", "enterprise", "sector"])["strength"].sum()
    strength = per_enterprise.unstack(fill_value=0.0).groupby(level="size_class").mean()
    image = heat.imshow(
        strength.to_numpy(), cmap="Greens", vmin=0, vmax=max(float(strength.to_numpy().max()), 1e-9), aspect="auto"
    )
    heat.set_xticks(range(strength.shape[1]), [plain(s) for s in strength.columns], rotation=30, ha="right")
    heat.set_yticks(range(strength.shape[0]), [s.replace("_", " ").replace(" service", "\nservice") for s in strength.index])
    heat.set_title("Tie strength of an enterprise with each sector's employers")
    fig.colorbar(image, ax=heat, label="tie strength (sum over employers)")
    strong = ties[ties["strength"] >= 0.1].groupby(["replication", "size_class", "enterprise"]).size()
    for x, (_, values) in enumerate(strong.groupby("size_class")):
        counts.boxplot(values.to_numpy(), positions=[x], widths=0.5)
    classes = list(strong.groupby("size_class").groups)
    counts.set_xticks(range(len(classes)), [c.replace("_", " ").replace(" service", "\nservice") for c in classes])
    counts.set(title="Employers tied to an enterprise (strength >= 0.1)", ylabel="employers", ylim=(0, None))
    counts.grid(alpha=0.3, axis="y")
    return fig


def effect_curve(evaluation: pd.DataFrame, outcome: str = "in_regular_job", subgroup: str = "all") -> Figure:
    """The effect of LDE on ``outcome`` over the months since entry (left) and since exit (right):
    treated minus counterfactual with its 95% interval over replications (``evaluation.csv``)."""
    fig = Figure(figsize=(11, 3.8), layout="constrained")
    shares = outcome != "income"
    for ax, since in zip(fig.subplots(1, 2, sharey=True), ("entry", "exit")):
        rows = evaluation[
            (evaluation["outcome"] == outcome) & (evaluation["subgroup"] == subgroup) & (evaluation["since"] == since)
        ]
        scale = 100 if shares else 1
        ax.axhline(0, color="#555555", linewidth=1)
        ax.fill_between(
            rows["horizon_months"], scale * rows["ci_low"], scale * rows["ci_high"], color="#0072b2", alpha=0.2, linewidth=0
        )
        ax.plot(
            rows["horizon_months"], scale * rows["effect"], color="#0072b2", linewidth=2, marker="o", markersize=3, label=subgroup
        )
        followed = evaluation[
            (evaluation["outcome"] == outcome) & (evaluation["subgroup"] == "followed_8_years") & (evaluation["since"] == since)
        ]
        if subgroup == "all" and since == "entry" and followed["n"].gt(0).any():
            ax.plot(
                followed["horizon_months"],
                scale * followed["effect"],
                color="#d55e00",
                linewidth=1.5,
                linestyle="--",
                label="followed 8 years (the same people at every horizon)",
            )
            ax.legend(frameon=False, fontsize=8)
        ax.set(title=f"Months since {since} in LDE", xlabel="months", ylabel="percentage points" if shares else "EUR a month")
        ax.grid(alpha=0.3)
    fig.suptitle(f"Effect on {outcome.replace('_', ' ')} ({subgroup}): with LDE minus without, 95% interval")
    return fig


def comparison(table: pd.DataFrame, indicators: list[str] | None = None) -> Figure:
    """Each indicator per scenario with its 95% interval (left) and the paired difference from the first (right)."""
    indicators = indicators or [
        "transition_rate_annual",
        "sustainable_transition_rate",
        "dumping_share",
        "dumping_risk",
        "enterprise_solvent_share",
    ]
    labels = list(dict.fromkeys(table["scenario"]))
    colors = scenario_colors(labels)
    fig = Figure(figsize=(11, 2.2 + 1.1 * len(indicators)), layout="constrained")
    axes = fig.subplots(len(indicators), 2, squeeze=False)
    for row, name in enumerate(indicators):
        part = table[table["indicator"] == name].set_index("scenario").reindex(labels)
        y = np.arange(len(labels))
        for column, (centre, low, high) in enumerate((("mean", "ci_low", "ci_high"), ("diff", "diff_ci_low", "diff_ci_high"))):
            ax = axes[row, column]
            scale, unit = axis_unit(name, difference=column == 1)
            error = scale * np.vstack([part[centre] - part[low], part[high] - part[centre]]).clip(min=0)
            ax.errorbar(scale * part[centre], y, xerr=np.nan_to_num(error), fmt="none", ecolor="grey", capsize=3)
            ax.scatter(scale * part[centre], y, c=[colors[label] for label in labels], zorder=3)
            ax.set_yticks(y, [plain(label) for label in labels] if column == 0 else [""] * len(labels))
            ax.invert_yaxis()
            ax.grid(axis="x", alpha=0.3)
            if column == 1:
                ax.axvline(0, color="black", linewidth=0.8)
            ax.set_title(f"{name}{'' if column == 0 else f' minus {plain(labels[0])}'} ({unit})", fontsize=10)
    fig.suptitle("Indicators per scenario: mean and 95% interval over replications")
    return fig


#: Units drawn per hundred, as the reports write them: a share in % (a difference in points), a yearly
#: rate per 100 worker-years (0.05 moves per worker-year is 5).
PER_HUNDRED = {"share": ("%", "points"), "moves per worker-year": ("per 100 worker-years", "per 100 worker-years")}


def axis_unit(name: str, difference: bool = False) -> tuple[float, str]:
    """The factor an indicator's values are drawn with and the unit the axis then has."""
    unit = INDICATOR_INFO[name].unit
    if unit in PER_HUNDRED:
        return 100.0, PER_HUNDRED[unit][difference]
    return 1.0, unit


def tradeoff(table: pd.DataFrame) -> Figure:
    """Sustainable transitions against the dumping share (of all LDE leavers, on a benefit 12 months
    later), with 95% intervals; marker area = gross cost per sustainable transition (with a size key);
    each name carries its enterprises' solvent share. Sustainable transitions (per 100 worker-years) are
    the product of two means and have no interval, so their axis starts at 0: a narrow range of them
    would magnify differences the noise can explain.

    Every scenario with leavers has a dumping share, with or without a time limit, so all are
    drawn within the axis (kept inside 0-100%); one whose nobody left has none and is named
    below the plot instead of being drawn at 0. The x-axis spans at least 10 percentage
    points, so that differences within the noise do not fill the width; names are moved
    apart until none overlaps another (:func:`separate_labels`).
    """
    labels = list(dict.fromkeys(table["scenario"]))
    wide = {
        c: table.pivot(index="scenario", columns="indicator", values=c).reindex(labels) for c in ("mean", "ci_low", "ci_high")
    }
    colors = scenario_colors(labels)
    mean = wide["mean"]
    sustained = 100 * mean["transition_rate_annual"] * mean["sustainable_transition_rate"]  # per 100 worker-years
    dumping = mean["dumping_share"].clip(0, 1)
    cost = mean["cost_per_sustainable_transition"]
    largest = np.nanmax(cost) if np.isfinite(cost).any() else np.nan
    area = (400 * cost / largest).fillna(60) if np.isfinite(largest) else pd.Series(60.0, index=labels)
    known = dumping.notna() & sustained.notna()
    low, high = (
        wide["ci_low"]["dumping_share"].fillna(dumping).clip(0, 1),
        wide["ci_high"]["dumping_share"].fillna(dumping).clip(0, 1),
    )
    span_low = float(np.nanmin(low[known])) if known.any() else 0.0
    span_high = float(np.nanmax(high[known])) if known.any() else 0.1
    centre, half = (span_low + span_high) / 2, max((span_high - span_low) / 2, 0.05) * 1.15
    left, right = max(centre - half, 0.0), min(centre + half, 1.0)
    if right - left < 0.1:
        left, right = (0.0, 0.1) if left < 0.05 else (0.9, 1.0) if right > 0.95 else (left, right)

    fig = Figure(figsize=(8, 6), layout="constrained")
    ax = fig.add_subplot()
    error = np.vstack([(dumping - low).clip(lower=0), (high - dumping).clip(lower=0)])
    ax.errorbar(
        dumping[known], sustained[known], xerr=np.nan_to_num(error[:, known.to_numpy()]), fmt="none", ecolor="grey", capsize=3
    )
    names = []
    for label in labels:
        if not known[label]:
            continue
        ax.scatter(dumping[label], sustained[label], s=area[label], color=colors[label], alpha=0.8, linewidths=2)
        solvent = mean.loc[label, "enterprise_solvent_share"]
        note = f" ({100 * solvent:.0f}% solvent)" if solvent == solvent else ""
        leftward = dumping[label] > left + 0.6 * (right - left)
        names.append(
            ax.annotate(
                plain(label) + note,
                (dumping[label], sustained[label]),
                xytext=(-8 if leftward else 8, 4),
                textcoords="offset points",
                ha="right" if leftward else "left",
                fontsize=9,
                arrowprops={"arrowstyle": "-", "color": "grey", "linewidth": 0.5, "shrinkA": 0, "shrinkB": 4},
            )
        )
    missing = [plain(label) for label in labels if not known[label]]
    if missing:
        fig.text(0.01, 0.005, "Not drawn (nobody left LDE: no dumping share): " + ", ".join(missing), fontsize=8, color="grey")
    pad = (right - left) * 0.05
    ax.set_xlim(max(left - pad, 0.0), min(right + pad, 1.0))
    ax.xaxis.set_major_formatter(lambda value, _: f"{100 * value:.0f}%")
    if np.isfinite(largest):
        for share in (0.5, 1.0):
            ax.scatter([], [], s=400 * share, facecolors="none", edgecolors="grey", label=f"{share * largest:,.0f} EUR")
        ax.legend(
            title="gross cost per\nsustainable transition",
            frameon=False,
            loc="upper left",
            bbox_to_anchor=(1.01, 1),
            labelspacing=1.5,
            borderpad=1,
        )
    # no interval on this axis: from 0, a difference shows in proportion, not magnified; room above for the names
    top = float(np.nanmax(sustained[known])) if known.any() else 0.0
    ax.set_ylim(0, 1.3 * top if top > 0 else 1.0)
    ax.set(
        title="Trade-off: sustainable transitions, dumping, cost and solvency",
        xlabel="dumping share (all LDE leavers on a benefit 12 months later; bars: 95% interval)",
        ylabel="sustainable transitions per 100 LDE worker-years\n(rate x share lasting; no interval: see the table)",
    )
    ax.grid(alpha=0.3)
    separate_labels(fig, names)
    return fig


def separate_labels(fig: Figure, texts: list, gap: float = 2.0, rounds: int = 5) -> None:
    """Move annotations up (in points of their offset) until no two overlap on the canvas.

    From the lowest up, each name that overlaps one already placed is lifted just above it;
    the figure is drawn again (its layout may move the axes) until nothing overlaps.
    """
    if len(texts) < 2:
        return
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    points = 72 / fig.dpi
    for _ in range(rounds):
        canvas.draw()
        renderer = canvas.get_renderer()
        boxes = {i: Text.get_window_extent(t, renderer) for i, t in enumerate(texts)}  # the name, not its arrow
        placed: list = []
        moved = False
        for i in sorted(boxes, key=lambda i: (boxes[i].y0, i)):
            box = boxes[i]
            lift, clashing = 0.0, True
            while clashing:
                clashing = False
                for other in placed:
                    apart = box.x1 <= other.x0 or other.x1 <= box.x0
                    if not apart and box.y0 + lift < other.y1 + gap and other.y0 < box.y1 + lift + gap:
                        lift, clashing = other.y1 + gap - box.y0, True
            if lift > 0:
                x, y = texts[i].xyann
                texts[i].xyann = (x, y + lift * points + 0.5)
                box = box.translated(0, lift + 0.5 / points)
                moved = True
            placed.append(box)
        if not moved:
            return


def around_branch(monthly: pd.DataFrame, options: list[str], scenario: Scenario, first: int) -> Figure:
    """The main stocks and flows month by month for each option (median over its runs, an ensemble's
    members pooled), with the month the indicators start from marked: before it the options share
    their history."""
    panels = {
        "lde": "LDE workers",
        "flow_lde_to_nec": "moves from LDE to a regular job a month (12-month mean)",
        "enterprises_open": "LDE enterprises open",
        "social_assistance": "people of the pool on social assistance",
    }
    frame = monthly.assign(option=monthly["label"].str.split("|").str[0])
    year0, month0 = map(int, scenario.start.split("-"))
    colors = scenario_colors(options)
    fig = Figure(figsize=(10, 6), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True).ravel()
    for ax, (column, title) in zip(axes, panels.items()):
        for option in options:
            part = frame[frame["option"] == option]
            if part.empty:
                continue
            line = part.groupby("month")[column].median()
            if column.startswith("flow_"):
                line = line.rolling(12, min_periods=1).mean()
            years = year0 + (month0 - 1 + line.index.to_numpy()) / 12
            wide = option == options[0]  # the reference beneath: an option equal to it still shows it
            ax.plot(years, line.to_numpy(), color=colors[option], label=plain(option), linewidth=3 if wide else 1.2)
        branch = year0 + (month0 - 1 + first) / 12
        end = year0 + (month0 - 1 + int(frame["month"].max())) / 12
        ax.axvline(branch, color="black", linestyle="--", linewidth=0.8)
        ax.axvspan(branch, end, color="grey", alpha=0.08)
        ax.set_xlim(year0 + (month0 - 1) / 12, end)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, frameon=False)
    for ax in axes[2:]:
        ax.set_xlabel("year")
    fig.suptitle(f"Before and after {scenario.date(first)}: medians over runs")
    return fig


def sweep(table: pd.DataFrame, parameters: list[str], indicators: list[str] | None = None) -> Figure:
    """Each indicator's mean per design point against each varied parameter (a panel per pair)."""
    indicators = [
        name
        for name in indicators
        or ["transition_rate_annual", "sustainable_transition_rate", "dumping_risk", "enterprise_solvent_share"]
        if name in table and table[name].notna().any()
    ]
    fig = Figure(figsize=(3.2 * len(parameters) + 1, 2.4 * len(indicators) + 0.6), layout="constrained")
    axes = fig.subplots(len(indicators), len(parameters), squeeze=False, sharex="col")
    for row, name in enumerate(indicators):
        for column, parameter in enumerate(parameters):
            ax = axes[row, column]
            values = pd.to_numeric(table[parameter], errors="coerce")
            if values.notna().any():
                ax.scatter(values, table[name], color="#0072b2", s=18)
            else:  # a categorical parameter
                codes = pd.Categorical(table[parameter].astype(str))
                ax.scatter(codes.codes, table[name], color="#0072b2", s=18)
                ax.set_xticks(range(len(codes.categories)), [plain(c) for c in codes.categories])
            ax.grid(alpha=0.3)
            if row == len(indicators) - 1:
                ax.set_xlabel(parameter)
            if column == 0:
                ax.set_ylabel(name.replace("_", " "), fontsize=9)
    fig.suptitle("Indicators across the design (each dot a design point, mean over replications)")
    return fig


def sensitivity_bars(table: pd.DataFrame, indicator: str) -> Figure:
    """Morris mu* and sigma, or Sobol S1 and ST, of each parameter for one indicator, with intervals."""
    part = table[table["indicator"] == indicator]
    morris = "mu_star" in part
    first, second = ("mu_star", "sigma") if morris else ("S1", "ST")
    fig = Figure(figsize=(8, 1.5 + 0.5 * len(part)), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(part))
    ax.barh(
        y - 0.2,
        part[first],
        height=0.4,
        color="#0072b2",
        label="mu* (mean |effect|)" if morris else "S1 (first order)",
        xerr=part["mu_star_conf"] if morris else part["S1_conf"],
        capsize=3,
    )
    ax.barh(
        y + 0.2,
        part[second],
        height=0.4,
        color="#e69f00",
        label="sigma (interactions)" if morris else "ST (total)",
        xerr=None if morris else part["ST_conf"],
        capsize=3,
    )
    ax.set_yticks(y, [plain(p) for p in part["parameter"]])
    ax.invert_yaxis()
    ax.set(
        title=f"Sensitivity of {plain(indicator)} ({'Morris' if morris else 'Sobol'})",
        xlabel="effect (indicator units)" if morris else "share of variance",
    )
    ax.legend(frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return fig


def calibration_diagnostics(
    parameters: pd.DataFrame, targets: pd.DataFrame, runs: pd.DataFrame, identification: pd.DataFrame
) -> Figure:
    """What a calibration identified, in three parts.

    Top: how far each parameter moves each target across its prior range, in target
    uncertainties (the emulators' main effects): a row without a cell above 1 is a parameter
    no target can pin down. Middle: each parameter's prior range (the axis) against the
    plausible sets' weighted distribution (blue) and all runs (grey). Bottom: each target,
    observed with +-2 uncertainties (band), against every run (grey) and the plausible (blue).
    ``parameters`` and ``targets`` are parameters.csv and fit.csv; ``runs`` is runs.csv.
    """
    keys, names = list(parameters["parameter"]), list(targets["target"])
    columns = 4
    rows = -(-len(keys) // columns) + -(-len(names) // columns)
    fig = Figure(figsize=(4.2 * columns, 3.2 * rows + 0.45 * len(keys) + 1.5), layout="constrained")
    top, middle, bottom = fig.subfigures(
        3, 1, height_ratios=[0.45 * len(keys) + 1.5, 3.2 * -(-len(keys) // columns), 3.2 * -(-len(names) // columns)]
    )
    ax = top.subplots()
    matrix = identification.set_index("parameter").loc[keys, names].to_numpy(float)
    image = ax.imshow(np.minimum(matrix, 5), cmap="Blues", vmin=0, vmax=5, aspect="auto")
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=7, color="white" if value > 3 else "black")
    ax.set_xticks(range(len(names)), [plain(n)[:28] for n in names], rotation=30, ha="right", fontsize=7)
    ax.set_yticks(range(len(keys)), keys, fontsize=7)
    top.colorbar(image, ax=ax, label="change across the prior range / target uncertainty")
    ax.set_title("What each target can identify (above 1: it tells the parameter's values apart)")
    plausible = runs["plausible"].to_numpy(bool)
    weights = runs["weight"].to_numpy(float)
    for ax, row in zip(middle.subplots(-(-len(keys) // columns), columns, squeeze=False).flat, parameters.itertuples()):
        x = runs[row.parameter].to_numpy(float)
        bins = np.linspace(row.low, row.high, 16)
        ax.hist(x, bins=bins, density=True, color="#bbbbbb", label="all runs")
        if plausible.any():
            ax.hist(
                x[plausible], bins=bins, weights=weights[plausible], density=True, color="#0072b2", alpha=0.7, label="plausible"
            )
        status = "identified" if row.identified else "not identified"
        ax.set_title(f"{row.parameter}\nsd {row.sd_ratio:.2f} of prior: {status}", fontsize=8)
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
    for ax in middle.axes[len(keys) :]:
        ax.set_visible(False)
    middle.axes[0].legend(frameon=False, fontsize=7)
    for ax, row in zip(bottom.subplots(-(-len(names) // columns), columns, squeeze=False).flat, targets.itertuples()):
        y = runs[row.target].to_numpy(float)
        ax.axhspan(row.observed - 2 * row.uncertainty, row.observed + 2 * row.uncertainty, color="#e69f00", alpha=0.25)
        ax.axhline(row.observed, color="#e69f00", linewidth=2, label="observed +-2 uncertainties")
        order = np.arange(len(y))
        ax.scatter(order[~plausible], y[~plausible], s=6, color="#999999", label="runs")
        ax.scatter(order[plausible], y[plausible], s=10, color="#0072b2", label="plausible")
        ax.set_title(plain(row.target)[:45], fontsize=8)
        ax.set_xlabel("run (waves in order)", fontsize=7)
        ax.tick_params(labelsize=7)
    for ax in bottom.axes[len(names) :]:
        ax.set_visible(False)
    bottom.axes[0].legend(frameon=False, fontsize=7)
    return fig
