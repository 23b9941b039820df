"""What LDE changes for the people placed in it: each participant against himself without it.

``lde-sim evaluate`` runs a scenario and its counterfactual twin with the same seeds.
Every random draw depends only on (seed, stream, month, person id), and people enter
the model with the same ids in both worlds, so the twin holds the same people with the
same luck: a participant's twin is himself, in a world that differs only by what the
twin changes. The default twin (:func:`twin_of`) places nobody in LDE during the run
(``policy.lde_placements = false``); whoever is in LDE at month 0 stays until he leaves,
as in the scenario, so both worlds are identical at month 0 and the first difference is
the first placement (tested). Those people are not participants: they entered before
the run.

**Participants** are the people placed in LDE during the run (their first placement).
For each, at ``h`` months after his entry (and after his first exit from LDE), his
status in both worlds gives the outcomes: in a regular job, on unemployment benefit, on
social assistance, and monthly income (net wage in any job, else the benefit). Months
in which he has left the labour force (the same months in both worlds) are left out.
The effect is treated minus counterfactual, averaged per replication; its interval is
the Student-t interval over replications (:func:`simulation.experiments.statistics.interval`).

The headline indicators (:data:`EFFECTS`) add what an evaluator reports beside the
effect on participants: deadweight, displacement, the net employment effect and the
net fiscal cost per net transition (docs/indicators.md gives the definitions).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import LDEError
from ..rules.scenario import Scenario
from ..rules.scenario_files import changed_fields, leaves
from ..submodels.follow_up import AGE_BANDS, STATE_HORIZONS, STATES
from ..submodels.public_finances import LEVEL_NAMES, LEVELS
from ..world.people import EDUCATION, Status
from ..world.records import status_at
from .runner import run_model
from .statistics import interval

if TYPE_CHECKING:
    from ..world.model import LabourMarketModel

#: Months after entry (and after exit) at which outcomes are compared: every quarter to 8 years
#: (past the 5 or 6 years of a trajectory, to see what is left after it).
HORIZONS = tuple(range(0, 97, 3))
#: The horizons an evaluation reports first (all are in evaluation.csv).
HEADLINE_HORIZONS = (6, 12, 24, 36, 60, 84)
OUTCOMES = ("in_regular_job", "on_unemployment_benefit", "on_social_assistance", "in_maatwerk", "in_lde", "income")
SINCE = ("entry", "exit")
#: Employability at entry: band name -> (from, to).
EMPLOYABILITY_BANDS = {"below_0.3": (-1.0, 0.3), "0.3_to_0.45": (0.3, 0.45), "0.45_plus": (0.45, 2.0)}
#: The headline indicators of an evaluation and what they mean (docs/indicators.md).
EFFECTS = {
    "net_effect_regular_job_24m": "effect on being in a regular job 24 months after entry (percentage points)",
    "lock_in_12m": "effect on being in a regular job 12 months after entry (percentage points; below 0: lock-in)",
    "deadweight_share": "of participants in a regular job 24 months after entry, the share in one without LDE too",
    "displacement_share": "regular-job hires lost by non-participants, per net hire gained by participants",
    "net_employment_effect": "extra people of the pool in a regular job, mean over the run (persons)",
    "net_fiscal_cost": "all governments' net cost, scenario minus twin, over the run (EUR)",
    **{
        f"net_fiscal_cost_{level}": f"the {LEVEL_NAMES[level]} government's net cost, scenario minus twin, over the run (EUR)"
        for level in LEVELS
    },
    "net_sustainable_transitions": "participants in a regular job 24 months after entry, scenario minus twin (persons)",
    "net_fiscal_cost_per_net_transition": "net_fiscal_cost / net_sustainable_transitions (EUR)",
}


#: The range a headline indicator can take by its definition (:data:`EFFECTS`; any value where not listed).
EFFECT_RANGES = {
    "net_effect_regular_job_24m": (-100.0, 100.0),  # a difference of two shares, in percentage points
    "lock_in_12m": (-100.0, 100.0),
    "deadweight_share": (0.0, 1.0),  # participants in a job in both worlds, of those in one with LDE
    "displacement_share": (0.0, math.inf),  # hires lost (never below 0) per net hire gained
}


def effect_range(name: str) -> tuple[float, float]:
    """The range headline indicator ``name`` can take: its interval is kept inside it
    (:func:`~simulation.experiments.statistics.interval`), as every indicator's is."""
    return EFFECT_RANGES.get(name, (-math.inf, math.inf))


#: The fields that decide who the people are: everything in ``[world]`` (the people at month 0),
#: the calendar, and what sets who enters later (inflow and the cycle that moves it). Not the
#: horizon: a run's months do not depend on how long it goes on after them.
PEOPLE_FIELDS = ("world.", "start", "context.inflow_rate", "context.cycle_amplitude", "context.cycle_period_months")
#: A twin's fields that must equal its scenario's: its people, followed as long (:data:`HORIZONS`).
TWIN_FIELDS = (*PEOPLE_FIELDS, "months")


class PeopleError(LDEError):
    """Runs paired person by person (an evaluation and its twin, the scenarios of a comparison) whose people differ."""


def check_same_people(
    scenario: Scenario,
    other: Scenario,
    what: str,
    why: str,
    fields: tuple[str, ...] = PEOPLE_FIELDS,
    in_file: bool = False,
) -> None:
    """Refuse ``other`` (named ``what`` in the message) if its people differ from ``scenario``'s in ``fields``
    (:data:`PEOPLE_FIELDS`): the differences between runs paired with the same seeds would then be differences
    between other people, not what ``other`` changes. ``why`` says what the pairing is for; the message
    says how to make them the same with ``--set``, or (``in_file``) as settings of a file."""
    differ = {
        key: value
        for key, value in changed_fields(other, scenario).items()
        if any(key.startswith(field) if field.endswith(".") else key == field for field in fields)
    }
    if differ:
        mine = dict(leaves(scenario.model_dump(mode="json")))
        shown = "; ".join(f"{key} = {value!r} instead of {mine.get(key)!r}" for key, value in list(differ.items())[:3])
        more = f"; and {len(differ) - 3} more" if len(differ) > 3 else ""
        settings = (f"{key} = {mine.get(key)!r}" if in_file else f"--set {key}={mine.get(key)}" for key in differ)
        same = (", " if in_file else " ").join(settings)
        raise PeopleError(f"{what}: its people differ from {scenario.name}'s ({shown}{more}); {why}; give them the same ({same})")


def check_twin(scenario: Scenario, twin: Scenario) -> None:
    """Refuse a twin whose people differ from the scenario's, or that follows them for another horizon
    (:data:`TWIN_FIELDS`): its "effects" would compare different people, not each participant with himself."""
    check_same_people(
        scenario,
        twin,
        f"--against {twin.name}",
        "an evaluation compares each participant with himself, so the twin may change policy and context but not "
        "who the people are (their world, start, inflow and its cycle) or how long they are followed",
        TWIN_FIELDS,
    )


def twin_of(scenario: Scenario) -> Scenario:
    """The default counterfactual: the same scenario with nobody placed in LDE during the run."""
    return scenario.with_overrides({"policy.lde_placements": False, "name": f"{scenario.name}-no_lde"})


def evaluate_replication(
    scenario: Scenario, twin: Scenario, seed: int, replication: int
) -> tuple[LabourMarketModel, pd.DataFrame, dict[str, float]]:
    """Run replication ``replication`` of ``scenario`` and of ``twin``; return the scenario's model,
    the outcome table (per outcome, since, horizon and subgroup: treated and counterfactual means, n)
    and the headline effects."""
    treated, counter = run_model(scenario, seed, replication), run_model(twin, seed, replication)
    events, twin_events = treated.recorder.events(), counter.recorder.events()
    participants = treated.recorder.placements().drop_duplicates("person").set_index("person")
    panel = outcome_panel(participants, (treated, events), (counter, twin_events), scenario)
    table = pd.concat([outcome_table(panel, participants, scenario), leaver_states(treated, counter)], ignore_index=True)
    return treated, table, headline(panel, participants, treated, counter, events, twin_events)


def leaver_states(treated: LabourMarketModel, counter: LabourMarketModel) -> pd.DataFrame:
    """Rows ``leaver_state_<state>`` (since exit, at 6, 12 and 24 months, subgroup ``lde_leavers``): of
    everyone who left LDE during the run (not for retirement or inactivity), the share in each state,
    work-care and inactive included (the follow-up counts of :mod:`simulation.submodels.follow_up`)."""
    totals = [m.recorder.metrics().sum(numeric_only=True) for m in (treated, counter)]
    rows = []
    for h in STATE_HORIZONS:
        cohorts = [float(t.get(f"followup{h}_cohort", 0.0)) for t in totals]
        for state in STATES:
            shares = [float(t.get(f"followup{h}_state_{state}", 0.0)) / c if c else math.nan for t, c in zip(totals, cohorts)]
            rows.append((f"leaver_state_{state}", "exit", h, "lde_leavers", *shares, int(cohorts[0])))
    return pd.DataFrame(rows, columns=["outcome", "since", "horizon_months", "subgroup", "treated", "counterfactual", "n"])


def outcome_panel(
    participants: pd.DataFrame,
    world: tuple[LabourMarketModel, pd.DataFrame],
    twin_world: tuple[LabourMarketModel, pd.DataFrame],
    scenario: Scenario,
) -> pd.DataFrame:
    """One row per participant, anchor (entry or exit) and horizon: his status in both worlds then
    (each world a model and its event log)."""
    events = world[1]
    anchors = {"entry": participants["month"]}
    exits = events[(events["from"] == "lde") & events["person"].isin(participants.index)]
    exits = exits[exits["month"] >= participants["month"].reindex(exits["person"]).to_numpy()]
    anchors["exit"] = exits.drop_duplicates("person").set_index("person")["month"]
    frames = []
    for since, months in anchors.items():
        for horizon in HORIZONS:
            frames.append(
                pd.DataFrame({"person": months.index, "since": since, "horizon_months": horizon, "at": months + horizon})
            )
    panel = pd.concat(frames, ignore_index=True)
    panel = panel[panel["at"] <= scenario.months].reset_index(drop=True)
    panel = panel.astype({"person": events["person"].dtype, "at": events["month"].dtype})
    panel["treated"] = status_then(*world, panel)
    panel["counterfactual"] = status_then(*twin_world, panel)
    active = (panel["treated"] != "inactive") & (panel["counterfactual"] != "inactive")
    return panel[active].reset_index(drop=True)


def status_then(model: LabourMarketModel, events: pd.DataFrame, panel: pd.DataFrame) -> np.ndarray:
    """Each panel row's status at its month ``at``: the latest change by then; before a person's
    first change, the status he changed from; without any change, the status he has now (the
    event log holds changes, and entries during the run, but not the population of month 0)."""
    status = status_at(events, panel, "at")
    unknown = status.isna()
    if unknown.any():
        later = events[["person", "month", "from"]].sort_values("month", kind="stable")
        asked = panel.loc[unknown, ["person", "at"]].reset_index().sort_values("at", kind="stable")
        found = pd.merge_asof(asked, later, left_on="at", right_on="month", by="person", direction="forward")
        status[unknown] = found.set_index("index")["from"].reindex(status.index[unknown])
    unknown = status.isna()
    if unknown.any():
        people = model.people
        rows = np.searchsorted(people.view("id"), panel.loc[unknown, "person"].to_numpy())
        status[unknown] = np.array([s.name for s in Status])[people.status[rows]]
    return status.to_numpy()


def outcome_values(status: pd.Series, scenario: Scenario) -> dict[str, np.ndarray]:
    """Each outcome for each status: indicators (0/1) and monthly net income (EUR)."""
    context = scenario.context
    net_wage = context.gross_wage_month * (1 - context.employee_contribution_rate - context.income_tax_rate)
    income = status.map(
        {
            "lde": net_wage,
            "maatwerk": net_wage,
            "nec": net_wage,
            "unemployed": context.unemployment_benefit_month,
            "social_assistance": context.social_assistance_month,
        }
    )
    return {
        "in_regular_job": (status == "nec").to_numpy(float),
        "on_unemployment_benefit": (status == "unemployed").to_numpy(float),
        "on_social_assistance": (status == "social_assistance").to_numpy(float),
        "in_maatwerk": (status == "maatwerk").to_numpy(float),
        "in_lde": (status == "lde").to_numpy(float),
        "income": income.to_numpy(float),
    }


def subgroups(participants: pd.DataFrame, months: int) -> dict[str, pd.Index]:
    """The participants of each subgroup: all; those followed the full 8 years after entry (entered
    at least :data:`HORIZONS`[-1] months before the end of a ``months``-month run: the same people at
    every horizon since entry, so the curve's shape is not a change of who is measured); age band,
    education, employability at entry, size class."""
    groups = {"all": participants.index, "followed_8_years": participants.index[participants["month"] <= months - HORIZONS[-1]]}
    for name, (low, high) in AGE_BANDS.items():
        groups[f"age_{name}"] = participants.index[(participants["age"] >= low) & (participants["age"] < high)]
    for code, name in enumerate(EDUCATION):
        groups[f"education_{name}"] = participants.index[participants["education"] == code]
    for name, (low, high) in EMPLOYABILITY_BANDS.items():
        inside = (participants["employability"] >= low) & (participants["employability"] < high)
        groups[f"employability_{name}"] = participants.index[inside]
    groups["enterprise_small"] = participants.index[~participants["large"].astype(bool)]
    groups["enterprise_large"] = participants.index[participants["large"].astype(bool)]
    return groups


def outcome_table(panel: pd.DataFrame, participants: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Per outcome, anchor, horizon and subgroup: mean outcome treated and counterfactual, and n."""
    treated, counter = outcome_values(panel["treated"], scenario), outcome_values(panel["counterfactual"], scenario)
    rows = []
    for subgroup, members in subgroups(participants, scenario.months).items():
        inside = panel["person"].isin(members).to_numpy()
        keys = panel.loc[inside, ["since", "horizon_months"]]
        for outcome in OUTCOMES:
            frame = keys.assign(treated=treated[outcome][inside], counterfactual=counter[outcome][inside])
            grouped = frame.groupby(["since", "horizon_months"])
            means = grouped[["treated", "counterfactual"]].mean().assign(n=grouped.size())
            for (since, horizon), row in means.iterrows():
                rows.append((outcome, since, int(horizon), subgroup, row["treated"], row["counterfactual"], int(row["n"])))
    columns = ["outcome", "since", "horizon_months", "subgroup", "treated", "counterfactual", "n"]
    return pd.DataFrame(rows, columns=columns)


def headline(
    panel: pd.DataFrame,
    participants: pd.DataFrame,
    treated: LabourMarketModel,
    counter: LabourMarketModel,
    events: pd.DataFrame,
    twin_events: pd.DataFrame,
) -> dict[str, float]:
    """The headline indicators of one replication (see :data:`EFFECTS`)."""
    at = {h: panel[(panel["since"] == "entry") & (panel["horizon_months"] == h)] for h in (12, 24)}
    in_job = {h: ((rows["treated"] == "nec").to_numpy(), (rows["counterfactual"] == "nec").to_numpy()) for h, rows in at.items()}
    t24, c24 = in_job[24]
    metrics, twin_metrics = treated.recorder.metrics(), counter.recorder.metrics()
    months = metrics["month"] > 0
    net_cost = float(metrics.loc[months, "ledger_total"].sum() - twin_metrics.loc[months, "ledger_total"].sum())
    net_transitions = float(t24.sum() - c24.sum())
    by_level = {
        f"net_fiscal_cost_{level}": float(
            metrics.loc[months, f"ledger_{level}"].sum() - twin_metrics.loc[months, f"ledger_{level}"].sum()
        )
        for level in LEVELS
    }
    return {
        **by_level,
        "net_effect_regular_job_24m": 100 * _mean_difference(*in_job[24]),
        "lock_in_12m": 100 * _mean_difference(*in_job[12]),
        "deadweight_share": float((t24 & c24).sum() / t24.sum()) if t24.any() else math.nan,
        "displacement_share": displacement(participants.index, events, twin_events),
        "net_employment_effect": float((metrics.loc[months, "nec"] - twin_metrics.loc[months, "nec"]).mean()),
        "net_fiscal_cost": net_cost,
        "net_sustainable_transitions": net_transitions,
        "net_fiscal_cost_per_net_transition": net_cost / net_transitions if net_transitions > 0 else math.nan,
    }


def displacement(participants: pd.Index, events: pd.DataFrame, twin_events: pd.DataFrame) -> float:
    """Regular-job hires non-participants lost, per net regular-job hire participants gained (NaN if none gained)."""

    def hires(log: pd.DataFrame) -> tuple[int, int]:
        into_jobs = log[(log["to"] == "nec") & (log["from"] != "none")]
        ours = into_jobs["person"].isin(participants)
        return int(ours.sum()), int((~ours).sum())

    (ours, others), (ours_twin, others_twin) = hires(events), hires(twin_events)
    gained = ours - ours_twin
    return max(others_twin - others, 0) / gained if gained > 0 else math.nan


def _mean_difference(treated: np.ndarray, counterfactual: np.ndarray) -> float:
    return float(treated.mean() - counterfactual.mean()) if treated.size else math.nan


def evaluation_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Over replications: per outcome, anchor, horizon and subgroup, the means, the effect with its 95%
    interval over replications, and n (person-observations over all replications)."""
    keys = ["outcome", "since", "horizon_months", "subgroup"]
    out = []
    for key, group in rows.groupby(keys, sort=False):
        effects = (group["treated"] - group["counterfactual"]).to_numpy(float)
        bounds = (-math.inf, math.inf) if key[0] == "income" else (-1.0, 1.0)
        effect, low, high = interval(effects, bounds=bounds)
        out.append(
            {
                **dict(zip(keys, key)),
                "treated": float(group["treated"].mean()),
                "counterfactual": float(group["counterfactual"].mean()),
                "effect": effect,
                "ci_low": low,
                "ci_high": high,
                "n": int(group["n"].sum()),
            }
        )
    return pd.DataFrame(out)


def effects_table(effects: pd.DataFrame) -> pd.DataFrame:
    """Over replications: each headline indicator's mean and 95% interval."""
    rows = []
    for name in EFFECTS:
        values = effects.loc[effects["indicator"] == name, "value"].to_numpy(float)
        mean, low, high = interval(values, bounds=effect_range(name))
        rows.append(
            {
                "indicator": name,
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
                "replications": int(np.isfinite(values).sum()),
                "meaning": EFFECTS[name],
            }
        )
    return pd.DataFrame(rows)
