"""A live dashboard: Mesa's SolaraViz page with sliders for the main policy levers.

    lde-sim dashboard            # or: solara run simulation/dashboard.py

Serves on http://127.0.0.1:8765 by default (localhost only). The page has Mesa's
play, step and reset controls, sliders for the levers below, and live charts of the
stocks of people, the month's flows out of LDE, and the enterprises' finances. It runs
the small world (``scenarios/small.toml``): big enough to show the dynamics, quick
enough to watch. Needs the ``dashboard`` extra (``pip install 'lde-doorstroom[dashboard]'``).
"""

from __future__ import annotations

from pathlib import Path

import mesa

from .model import LabourMarketModel
from .scenario import Scenario

SMALL = Path(__file__).resolve().parent.parent / "scenarios" / "small.toml"

#: Dashboard slider -> scenario field. Months 121 on the limit slider means "no limit".
LEVERS = {
    "max_lde_months": "policy.max_lde_months",
    "aftercare_months": "policy.aftercare_months",
    "coaching_ratio": "policy.coaching_ratio",
    "covenant_coverage": "policy.covenant_coverage",
    "referral_capacity": "policy.referral_capacity",
    "sine_compensation_share": "policy.sine_compensation_share",
}
NO_LIMIT = 121


class DashboardModel(LabourMarketModel):
    """The small world with the dashboard's levers as keyword arguments, and a Mesa DataCollector."""

    def __init__(
        self,
        max_lde_months: int = 60,
        aftercare_months: int = 3,
        coaching_ratio: float = 12.0,
        covenant_coverage: float = 0.0,
        referral_capacity: int = 10,
        sine_compensation_share: float = 0.0,
        seed: int = 1,
    ) -> None:
        values = {
            "max_lde_months": "unlimited" if max_lde_months >= NO_LIMIT else int(max_lde_months),
            "aftercare_months": int(aftercare_months),
            "coaching_ratio": float(coaching_ratio),
            "covenant_coverage": float(covenant_coverage),
            "referral_capacity": int(referral_capacity),
            "sine_compensation_share": float(sine_compensation_share),
        }
        overrides = {LEVERS[name]: value for name, value in values.items()}
        overrides["policy.sine_phaseout_start_month"] = 12  # the SINE leaf goes; the slider sets the compensation
        super().__init__(Scenario.load(SMALL, overrides), seed=int(seed))
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
        self.datacollector.collect(self)

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)

    def latest(self, column: str) -> float:
        """This month's value of a metrics column."""
        return float(self.recorder.rows[-1].get(column, 0.0))


MODEL_PARAMS = {
    "max_lde_months": {
        "type": "SliderInt",
        "value": 60,
        "label": "Time limit (months; 121 = none)",
        "min": 24,
        "max": NO_LIMIT,
        "step": 1,
    },
    "aftercare_months": {"type": "SliderInt", "value": 3, "label": "Aftercare (months)", "min": 0, "max": 24, "step": 1},
    "coaching_ratio": {"type": "SliderFloat", "value": 12.0, "label": "Workers per coach", "min": 4.0, "max": 20.0, "step": 1.0},
    "covenant_coverage": {
        "type": "SliderFloat",
        "value": 0.0,
        "label": "Sector covenant coverage",
        "min": 0.0,
        "max": 1.0,
        "step": 0.1,
    },
    "referral_capacity": {"type": "SliderInt", "value": 10, "label": "Referrals per month", "min": 0, "max": 40, "step": 1},
    "sine_compensation_share": {
        "type": "SliderFloat",
        "value": 0.0,
        "label": "SINE compensation (share)",
        "min": 0.0,
        "max": 1.0,
        "step": 0.1,
    },
}


def make_page() -> object:
    """The SolaraViz page (imported lazily: the visualisation stack is an optional extra)."""
    from mesa.visualization import SolaraViz, make_plot_component

    components = [
        make_plot_component(
            {"unemployed": "#e69f00", "social assistance": "#d55e00", "LDE": "#0072b2", "regular job": "#009e73"}
        ),
        make_plot_component({"LDE -> regular job": "#009e73", "LDE -> benefits": "#d55e00"}),
        make_plot_component({"reserves (million EUR)": "#0072b2"}),
        make_plot_component({"enterprises solvent": "#56b4e9"}),
    ]
    return SolaraViz(
        DashboardModel(),
        components=components,
        model_params=MODEL_PARAMS,
        name="lde-doorstroom: transitions out of the local services economy",
    )


page = make_page()  # what `solara run` serves
