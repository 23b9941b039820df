"""A live dashboard: Mesa's SolaraViz page with controls for the main policy levers.

    lde-sim dashboard            # served by simulation/outputs/dashboard_server.py (checks the Host header)

Serves on http://127.0.0.1:8765 by default (localhost only). The page has Mesa's
play, step and reset controls, controls for the levers below, and live charts of the
stocks of people, the month's flows out of LDE, and the enterprises' finances. It runs
the small world (``scenarios/small.toml``): big enough to show the dynamics, quick
enough to watch. Every control starts at the small world's own value, that is the
baseline rules; the SINE phase-out is an explicit option, off by default. Needs the
``dashboard`` extra (``pip install 'lde-doorstroom[dashboard]'``): import this module
only when that is installed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import mesa
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..errors import require

solara = require("solara", "dashboard", "the dashboard (simulation.outputs.dashboard)")
require("mesa.visualization", "dashboard", "the dashboard (simulation.outputs.dashboard)")
from mesa.visualization import SolaraViz, solara_viz  # noqa: E402

from ..rules.scenario import UNLIMITED, Scenario  # noqa: E402
from ..world.model import LabourMarketModel  # noqa: E402

RULES = Scenario.load("small")  # the shipped small world, found wherever the package is installed

#: Time-limit choices in words -> the scenario value.
LIMITS = {"48 months": 48, "60 months (the 2013 decree)": 60, "72 months": 72, "no limit": UNLIMITED}
#: When the SINE leaf is phased out, if asked: from month 12, over the scenario's phase-out months.
SINE_PHASEOUT_MONTH = 12


def limit_in_words(months: int | str) -> str:
    """The time-limit choice that stands for ``months`` (or a plain description of it)."""
    return next((words for words, value in LIMITS.items() if value == months), f"{months} months")


class DashboardModel(LabourMarketModel):
    """The small world with the dashboard's levers as keyword arguments, and a Mesa DataCollector
    of its charts (built on :class:`LabourMarketModel`, which works with ``mesa.batch_run`` itself).

    Percentages are whole numbers (0-100) because that is how the page shows them.
    """

    def __init__(
        self,
        time_limit: str = limit_in_words(RULES.policy.max_lde_months),
        aftercare_months: int = RULES.policy.aftercare_months,
        coaching_ratio: float = RULES.policy.coaching_ratio,
        covenant_coverage_percent: int = round(100 * RULES.policy.covenant_coverage),
        referral_capacity: int = RULES.policy.referral_capacity,
        sine_phaseout: bool = False,
        sine_compensation_percent: int = round(100 * RULES.policy.sine_compensation_share),
        seed: int = 1,
    ) -> None:
        overrides: dict[str, Any] = {
            "policy.max_lde_months": LIMITS[time_limit],
            "policy.aftercare_months": int(aftercare_months),
            "policy.coaching_ratio": float(coaching_ratio),
            "policy.covenant_coverage": covenant_coverage_percent / 100,
            "policy.referral_capacity": int(referral_capacity),
            "policy.sine_compensation_share": sine_compensation_percent / 100,
        }
        if sine_phaseout:
            overrides["policy.sine_phaseout_start_month"] = SINE_PHASEOUT_MONTH
        super().__init__(RULES.with_overrides(overrides), seed=int(seed))
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "unemployed": lambda m: m.latest("unemployed"),
                "social assistance": lambda m: m.latest("social_assistance"),
                "LDE": lambda m: m.latest("lde"),
                "regular job": lambda m: m.latest("nec"),
                "LDE -> regular job": lambda m: m.latest("flow_lde_to_nec"),
                "LDE -> benefits": lambda m: m.latest("flow_lde_to_unemployed") + m.latest("flow_lde_to_social_assistance"),
                "reserves (million EUR)": lambda m: m.latest("reserves_total") / 1e6,
                "enterprises solvent": lambda m: m.latest("enterprises_solvent"),
            }
        )
        self.datacollector.collect(self)  # the base model's step collects every month after this


MODEL_PARAMS = {
    "time_limit": {
        "type": "Select",
        "value": limit_in_words(RULES.policy.max_lde_months),
        "values": list(LIMITS),
        "label": "Time limit on LDE",
    },
    "aftercare_months": {
        "type": "SliderInt",
        "value": RULES.policy.aftercare_months,
        "label": "Aftercare (months)",
        "min": 0,
        "max": 24,
        "step": 1,
    },
    "coaching_ratio": {
        "type": "SliderInt",
        "value": round(RULES.policy.coaching_ratio),
        "label": "Workers per coach",
        "min": 4,
        "max": 20,
        "step": 1,
    },
    "covenant_coverage_percent": {
        "type": "SliderInt",
        "value": round(100 * RULES.policy.covenant_coverage),
        "label": "Covenant coverage (%)",
        "min": 0,
        "max": 100,
        "step": 10,
    },
    "referral_capacity": {
        "type": "SliderInt",
        "value": RULES.policy.referral_capacity,
        "label": "Referrals a month",
        "min": 0,
        "max": 40,
        "step": 1,
    },
    "sine_phaseout": {"type": "Checkbox", "value": False, "label": f"Phase out SINE from month {SINE_PHASEOUT_MONTH}"},
    "sine_compensation_percent": {
        "type": "SliderInt",
        "value": round(100 * RULES.policy.sine_compensation_share),
        "label": "SINE compensation (%)",
        "min": 0,
        "max": 100,
        "step": 10,
    },
}

#: Each chart: its series with colours, its title and the unit of its y-axis.
CHARTS = [
    (
        {"unemployed": "#e69f00", "social assistance": "#d55e00", "LDE": "#0072b2", "regular job": "#009e73"},
        "People by status",
        "persons",
    ),
    ({"LDE -> regular job": "#009e73", "LDE -> benefits": "#d55e00"}, "Moves out of LDE this month", "persons per month"),
    ({"reserves (million EUR)": "#0072b2"}, "Cash reserves of the LDE enterprises", "million EUR"),
    ({"enterprises solvent": "#56b4e9"}, "LDE enterprises open and solvent", "enterprises"),
]
TITLE = "lde-doorstroom: transitions out of the local services economy"
#: Mesa draws a tab bar ("PAGE 0") even for a single page of charts; this page has one.
CSS = ".v-tabs { display: none; }"


def settings_in_words(model: DashboardModel) -> list[str]:
    """The levers of the running model in words (Mesa's sliders show no values)."""
    policy = model.scenario.policy
    sine = (
        f"phased out from month {policy.sine_phaseout_start_month}, {100 * policy.sine_compensation_share:.0f}% compensated"
        if policy.sine_phaseout_start_month != "never"
        else "kept (no phase-out)"
    )
    return [
        f"Time limit: {limit_in_words(policy.max_lde_months)}",
        f"Aftercare: {policy.aftercare_months} months",
        f"Coaching: one coach per {policy.coaching_ratio:g} LDE workers",
        f"Sector covenants: {100 * policy.covenant_coverage:.0f}% of employers in covenant sectors",
        f"Referral: {policy.referral_capacity} decisions a month",
        f"SINE subsidy: {sine}",
    ]


#: Mesa's input types -> the kinds of :func:`Input`.
KINDS = {"SliderInt": "slider", "Select": "select", "Checkbox": "checkbox"}


@solara.component_vue("dashboard_input.vue")
def Input(
    kind: str,
    label: str,
    value: Any,
    min: float = 0,
    max: float = 1,
    step: float = 1,
    items: list[str] | None = None,
    event_changed: Callable[[Any], None] | None = None,
) -> None:
    """One control (``kind``: slider, select or checkbox) whose changes reach the server as events."""


@solara.component
def UserInputs(user_params: dict[str, dict[str, Any]], on_change: Callable[[str, Any], None]) -> None:
    """The controls of :data:`MODEL_PARAMS`, in place of Mesa's.

    Mesa's sliders send their value as widget state, which the browser throttles: while the
    server is busy with one change, later ones wait in the browser, but a click on RESET goes
    out at once, so under load the model was rebuilt with an older value than the slider showed.
    These controls send every change as an event, which travels in order with the click: RESET
    always builds the model with the values on screen. The server never sends a value back
    (that echo would move a control the user is still moving).
    """
    for name, options in user_params.items():
        Input(
            kind=KINDS[options["type"]],
            label=options["label"],
            value=options["value"],  # the starting value only: the browser keeps what is on screen
            min=options.get("min", 0),
            max=options.get("max", 1),
            step=options.get("step", 1),
            items=options.get("values"),
            event_changed=functools.partial(on_change, name),
        )


@solara.component
def ShowMonth(model: mesa.Model) -> Any:
    """Mesa's "Step: N", for a model whose steps are months."""
    solara_viz.update_counter.get()
    return solara.Text(f"Month: {model.steps}")


@solara.component
def Settings(model: DashboardModel) -> Any:
    """The rules of the running model, in words."""
    solara_viz.update_counter.get()
    lines = "\n".join(f"- {line}" for line in settings_in_words(model))
    return solara.Markdown(f"**Rules of this run** (new settings apply after RESET)\n\n{lines}")


@solara.component
def Chart(model: DashboardModel, series: dict[str, str], title: str, unit: str) -> Any:
    """One chart of collected series against the month, with its title and unit."""
    solara_viz.update_counter.get()
    data = model.datacollector.get_model_vars_dataframe()
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    for name, color in series.items():
        ax.plot(data.index, data[name], color=color, label=name)
    ax.set(title=title, xlabel="month", ylabel=unit, ylim=(0, None))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(frameon=False, fontsize=8)
    ax.grid(alpha=0.3)
    return solara.FigureMatplotlib(fig)


@solara.component
def Page() -> None:
    """The page served: Mesa's SolaraViz with this model's charts and controls.

    Mesa's sidebar counts "Step: N" and its charts label the x-axis "Step"; this model's
    steps are months, so the page draws its own charts and shows "Month: N" instead
    (Mesa 3.3 has no option for the label, so its ``ShowSteps`` is replaced). Its controls
    are replaced too, by :func:`UserInputs`, so that RESET never races a change.
    """
    solara_viz.ShowSteps = ShowMonth
    solara_viz.UserInputs = UserInputs
    solara.Title(TITLE)
    solara.Style(CSS)
    model = solara.use_memo(DashboardModel, [])
    charts = [functools.partial(Chart, series=series, title=title, unit=unit) for series, title, unit in CHARTS]
    SolaraViz(model, components=[Settings, *charts], model_params=MODEL_PARAMS, name=TITLE)
