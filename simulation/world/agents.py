"""LDE enterprises and regular (NEC) employers: Mesa agents backed by arrays.

Each enterprise and employer is a ``mesa.Agent`` in ``model.agents`` (so Mesa's tools,
``model.agents_by_type`` and a dashboard see them), and each attribute reads and
writes one row of a :class:`~simulation.world.table.Table`. The monthly processes update the
tables for all firms at once; the agents are the readable face of those rows:
``enterprise.reserve`` is ``model.enterprise_table.reserve[enterprise.row]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mesa
import numpy as np

from .table import Table

#: Activities of LDE enterprises (source 2.2). Descriptive: they do not change behaviour.
ACTIVITIES = (
    "home_care_support",
    "cleaning_ironing",
    "green_maintenance",
    "childcare",
    "social_restaurant",
    "bicycle_point",
    "home_repairs",
    "neighbourhood_work",
)
SIZE_CLASSES = ("small_neighbourhood_service", "large_proximity_service")


class FirmTable(Table):
    """A table of firms whose rows are Mesa agents (:class:`TableAgent`)."""

    def __init__(self, capacity: int = 0) -> None:
        super().__init__(capacity)
        #: The agent of each row: the monthly processes find the few agents that act by row here,
        #: rather than by iterating Mesa's (weakly held) set of all agents.
        self.agents: dict[int, TableAgent] = {}


class EnterpriseTable(FirmTable):
    """State of all LDE enterprises. Money in euro, flows per month."""

    columns = {
        "large": (np.bool_, False),  # large proximity service (else small neighbourhood service)
        "activity": (np.int8, 0),  # index into ACTIVITIES
        "slots": (np.int32, 0),  # target-group positions
        "workers": (np.int32, 0),  # target-group workers employed (end of month)
        "coaches": (np.float64, 0.0),  # coaching staff, FTE
        "productivity": (np.float64, 0.0),  # mean output per worker, units per month
        "quality": (np.float64, 1.0),  # service quality index, 0..1
        "reserve": (np.float64, 0.0),  # cash reserve, EUR
        "income": (np.float64, 0.0),  # last month's income, EUR
        "costs": (np.float64, 0.0),  # last month's costs, EUR
        "bonus_due": (np.float64, 0.0),  # outcome bonuses earned this month, EUR
        "insolvent_months": (np.int16, 0),  # consecutive months with a negative reserve
        "is_open": (np.bool_, True),
        "closed_month": (np.int16, -1),
        # Decisions (see LDEEnterprise.step): the state an enterprise chooses.
        "price": (np.float64, 1.0),  # price index of its services (1 at the start)
        "fill_target": (np.int32, 0),  # slots it fills (below slots: hiring frozen)
        "aspiration": (np.float64, 2.0),  # reserve it aspires to, months of costs
        "mission_driven": (np.bool_, False),  # protects coaching under pressure
        "margin": (np.float64, 0.0),  # expected monthly margin (EUR): smoothed income - costs
        "last_support": (np.int16, -1000),  # month of its latest request for local support
        "push": (np.float64, 0.0),  # extra job search it gives its workers (0 = none)
        "converted": (np.bool_, False),  # converted to collective maatwerk (still operating)
        "overhead_share": (np.float64, 1.0),  # share of the standard overhead it still carries
        "selection": (np.float64, 0.0),  # how strongly it preferred employable candidates when it last hired
        "training": (np.float64, 0.0),  # share of its workers' time spent in training (no output)
        "quality_start": (np.float64, 1.0),  # service quality at month 0: its clients' reference
        "market_share": (np.float64, 0.0),  # share of its output sold to paying clients (its client mix)
        "sine_reference": (np.float64, 0.0),  # SINE income in 2019, EUR: a key of the 2023 operating subsidy
        "occupancy_reference": (np.float64, 0.0),  # worker-months in Q4 2022: the other key (source 1.33)
        # Its expectations (simulation.submodels.decisions.expect_values), what its decisions weigh.
        "transition_rate": (np.float64, 0.0),  # moves of its workers to regular jobs per worker-month (smoothed)
        "hire_value": (np.float64, 0.0),  # EUR a month one more worker is expected to bring in, net of his wage
        "push_value": (np.float64, 0.0),  # EUR a month a unit of push is expected to gain, net of the output lost
        "small_months": (np.int16, 0),  # consecutive months below the minimum size of a recognition
        "entered_month": (np.int16, 0),  # month it entered (0: there at the start)
    }
    # One array per column, declared for type checkers and editors.
    large: np.ndarray
    activity: np.ndarray
    slots: np.ndarray
    workers: np.ndarray
    coaches: np.ndarray
    productivity: np.ndarray
    quality: np.ndarray
    reserve: np.ndarray
    income: np.ndarray
    costs: np.ndarray
    bonus_due: np.ndarray
    insolvent_months: np.ndarray
    is_open: np.ndarray
    closed_month: np.ndarray
    price: np.ndarray
    fill_target: np.ndarray
    aspiration: np.ndarray
    mission_driven: np.ndarray
    margin: np.ndarray
    last_support: np.ndarray
    push: np.ndarray
    converted: np.ndarray
    overhead_share: np.ndarray
    selection: np.ndarray
    training: np.ndarray
    quality_start: np.ndarray
    market_share: np.ndarray
    sine_reference: np.ndarray
    occupancy_reference: np.ndarray
    transition_rate: np.ndarray
    hire_value: np.ndarray
    push_value: np.ndarray
    small_months: np.ndarray
    entered_month: np.ndarray


class EmployerTable(FirmTable):
    """State of all regular employers. Vacancies are counts of open positions."""

    columns = {
        "sector": (np.int8, 0),  # index into the scenario's sectors
        "covenant": (np.bool_, False),  # signed a sector covenant
        "vacancies": (np.int64, 0),  # open vacancies accessible to the pool
        "vacancy_inflow": (np.float64, 0.0),  # mean new vacancies per month at month 0
        "hiring_bar": (np.float64, 0.0),  # employability asked of applicants now
        "base_bar": (np.float64, 0.0),  # hiring bar when the market is balanced
        "job_quality": (np.float64, 1.0),  # multiplier on separation risk
        "hires": (np.int64, 0),  # hires from the pool last month
        "traineeship_places": (np.int64, 0),  # places offered for doorstroom traineeships, not yet taken
    }
    # One array per column, declared for type checkers and editors.
    sector: np.ndarray
    covenant: np.ndarray
    vacancies: np.ndarray
    vacancy_inflow: np.ndarray
    hiring_bar: np.ndarray
    base_bar: np.ndarray
    job_quality: np.ndarray
    hires: np.ndarray
    traineeship_places: np.ndarray


class Column:
    """An agent attribute stored in its table at the agent's row."""

    def __init__(self, column: str | None = None) -> None:
        self.name = column

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = self.name or name

    def __get__(self, agent: Any, owner: type | None = None) -> Any:
        if agent is None:
            return self
        return getattr(agent.table, self.name).item(agent.row)

    def __set__(self, agent: Any, value: Any) -> None:
        getattr(agent.table, self.name)[agent.row] = value


class TableAgent(mesa.Agent):
    """A Mesa agent whose state is one row of a table."""

    def __init__(self, model: mesa.Model, table: FirmTable, row: int) -> None:
        super().__init__(model)
        self.table = table
        self.row = int(row)
        table.agents[self.row] = self

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.table.columns)
        return f"{type(self).__name__}(row={self.row}, {fields})"


class LDEEnterprise(TableAgent):
    """A local-services enterprise employing target-group workers with subsidies."""

    large = Column()
    activity_code = Column("activity")
    slots = Column()
    workers = Column()
    coaches = Column()
    productivity = Column()
    quality = Column()
    reserve = Column()
    income = Column()
    costs = Column()
    bonus_due = Column()
    insolvent_months = Column()
    is_open = Column()
    closed_month = Column()
    price = Column()
    fill_target = Column()
    aspiration = Column()
    mission_driven = Column()
    margin = Column()
    last_support = Column()
    push = Column()
    converted = Column()
    overhead_share = Column()
    selection = Column()
    training = Column()
    quality_start = Column()
    market_share = Column()
    sine_reference = Column()
    occupancy_reference = Column()
    transition_rate = Column()
    hire_value = Column()
    push_value = Column()
    small_months = Column()
    entered_month = Column()

    @property
    def size_class(self) -> str:
        return SIZE_CLASSES[int(self.large)]

    @property
    def activity(self) -> str:
        return ACTIVITIES[self.table.activity[self.row]]

    # Decisions. Satisficing with an aspiration level on the reserve (the behavioural
    # theory of the firm: Simon 1955, Cyert and March 1963): an enterprise that expects
    # to fall below its aspiration within a year searches for a remedy, trying the
    # options in its own order, one change a month, most acceptable first; one that is
    # comfortably above it undoes the cuts, one step a month. No foresight beyond the
    # smoothed margin of the past months. Two choices weigh values every month, pressed or
    # not: how hard to push transitions, and whether to fill a vacant slot (the expected
    # values in ``push_value`` and ``hire_value``). See docs/ODD.md, section 7.11.

    def step(self) -> None:
        """This month's decisions: how hard to push transitions and whether to hire; then a remedy
        under pressure, a recovery when comfortable, else nothing."""
        if not self.is_open:
            return
        self.set_push()
        if self.set_hiring():
            return
        if self.under_pressure():
            for option in self.remedies():
                if option():
                    return
        elif self.comfortable():
            for option in (self.restore_coaches, self.restore_training, self.lower_price):
                if option():
                    return

    def set_push(self) -> bool:
        """The sector's dilemma as a choice: push as far as it can when a unit of push is expected to gain
        more than the output it costs (``push_value`` > 0), else not at all.

        The gain is the transitions a unit of push adds (its own transition rate x its workers)
        times what a transition is worth to it: the outcome bonus times its chance of being paid,
        discounted under pressure (paid a year later), plus its mission value. The cost is the
        output its workers do not make while searching (``push_output_cost``). An enterprise that
        would lose money by pushing does not push.
        """
        target = push_target(self.model.scenario, self.push_value)
        if abs(target - self.push) < PUSH_TOLERANCE:
            return False
        reason = "a transition is worth more than the output it costs" if target > 0 else "the output lost is worth more"
        return self.decide("push", target, reason)

    def set_hiring(self) -> bool:
        """Leave vacant slots empty while one more worker is expected to bring in less than his wage
        (``hire_value`` < 0); fill them again when he brings in more. It still fills the minimum a
        recognition needs (source 1.6: below it for a year, it stops)."""
        slots, target, value = self.slots, self.fill_target, self.hire_value
        keep = min(slots, max(self.workers, self.model.scenario.world.min_slots))
        if value < 0 and target > keep:
            return self.decide("fill_target", keep, "a hire would cost more than he brings in")
        if value >= 0 and target < slots:
            return self.decide("fill_target", slots, "a hire brings in more than he costs")
        return False

    def under_pressure(self) -> bool:
        """Whether the reserve is expected to be below the aspiration within 12 months (see :func:`pressed`)."""
        return bool(expects_shortfall(*self.books()))

    def comfortable(self) -> bool:
        """Whether the reserve is above twice the aspiration and the margin is not negative (see :func:`at_ease`)."""
        return bool(has_slack(*self.books()))

    def books(self) -> tuple[float, ...]:
        """Its reserve, margin, aspiration and costs: what it judges its position by (:data:`BOOKS`)."""
        return tuple(getattr(self, name) for name in BOOKS)

    def remedies(self) -> list[Callable[[], bool]]:
        """The options in this enterprise's order: mission-driven ones cut coaching last."""
        if self.mission_driven:
            return [
                self.cut_overhead,
                self.raise_price,
                self.give_back_slots,
                self.ask_local_support,
                self.cut_training,
                self.cut_coaches,
                self.serve_paying_clients,
                self.convert,
            ]
        return [
            self.cut_overhead,
            self.cut_training,
            self.cut_coaches,
            self.raise_price,
            self.serve_paying_clients,
            self.give_back_slots,
            self.ask_local_support,
            self.convert,
        ]

    def serve_paying_clients(self) -> bool:
        """Shift the client mix towards paying clients: more revenue per unit, less of the local social
        service the enterprise exists for (mission-driven ones do this last)."""
        ent = self.model.scenario.enterprises
        if self.market_share >= ent.market_share_max - 1e-9:
            return False
        return self.decide("market_share", min(ent.market_share_max, self.market_share + MARKET_STEP), "financial pressure")

    def cut_training(self) -> bool:
        """Less training time: more output and revenue now, less employability later (one step a month)."""
        if self.training <= 1e-9:
            return False
        return self.decide("training", max(0.0, self.training - TRAINING_STEP), "financial pressure")

    def restore_training(self) -> bool:
        target = self.model.scenario.policy.training_effort
        if self.training >= target - 1e-9:
            return False
        return self.decide("training", min(target, self.training + TRAINING_STEP), "recovered")

    def cut_coaches(self) -> bool:
        ent = self.model.scenario.enterprises
        floor = self.slots / ent.max_coaching_ratio
        if self.coaches <= floor + 1e-9:
            return False
        return self.decide("coaches", max(floor, self.coaches * (1 - ent.coach_cut_step)), "financial pressure")

    def cut_overhead(self) -> bool:
        floor = self.model.scenario.enterprises.overhead_floor
        if self.overhead_share <= floor + 1e-9:
            return False
        return self.decide("overhead_share", max(floor, self.overhead_share - OVERHEAD_CUT), "financial pressure")

    def raise_price(self) -> bool:
        ent = self.model.scenario.enterprises
        if self.price >= ent.price_cap - 1e-9:
            return False
        return self.decide("price", min(ent.price_cap, self.price * (1 + ent.price_step)), "financial pressure")

    def give_back_slots(self) -> bool:
        """Give back the recognised slots it leaves empty (down to the minimum of a recognition, source 1.6),
        and the coaches they needed: a frozen slot still costs its share of coaching."""
        floor = max(self.workers, self.model.scenario.world.min_slots)
        if self.fill_target >= self.slots or self.slots <= floor:
            return False
        self.coaches = min(self.coaches, floor / self.model.scenario.policy.coaching_ratio)
        self.fill_target = min(self.fill_target, floor)
        return self.decide("slots", floor, "financial pressure: gives back slots it leaves empty")

    def ask_local_support(self) -> bool:
        ent, month = self.model.scenario.enterprises, self.model.month
        if month - self.last_support < ent.local_support_interval or self.margin >= 0:
            return False
        self.last_support = month
        granted = self.lottery_draw() < ent.local_support_probability
        amount = -self.margin * ent.local_support_months if granted else 0.0
        if granted:
            self.reserve += amount
            self.model.recorder.add("spending_local_support", amount)
        self.model.recorder.decided(month, self.row, "local_support", amount, "granted" if granted else "refused")
        return True

    def lottery_draw(self) -> float:
        """Its draw (uniform in [0, 1)) in this month's lottery for local support. The draws of every
        enterprise come from one stream, drawn when the month's first enterprise asks: most months none does."""
        model = self.model
        if model.enterprise_draws is None:
            model.enterprise_draws = model.streams.uniform("enterprise.decisions", np.arange(self.table.n))
        return model.enterprise_draws[self.row]

    def convert(self) -> bool:
        """The last remedy, where the rules offer it: become a collective maatwerk enterprise (source 1.31)."""
        if self.converted or not self.model.scenario.policy.cmw_conversion:
            return False
        return self.decide("converted", True, "financial pressure: converts to collective maatwerk")

    def restore_coaches(self) -> bool:
        target = self.slots / self.model.scenario.policy.coaching_ratio
        if self.coaches >= target - 1e-9:
            return False
        step = self.model.scenario.enterprises.coach_cut_step
        return self.decide("coaches", min(target, self.coaches * (1 + step)), "recovered")

    def lower_price(self) -> bool:
        if self.price <= 1.0 + 1e-9:
            return False
        return self.decide("price", max(1.0, self.price / (1 + self.model.scenario.enterprises.price_step)), "recovered")

    def decide(self, column: str, value: float, reason: str) -> bool:
        """Set ``column`` to ``value`` and log the decision; always True (a change was made)."""
        setattr(self, column, value)
        self.model.recorder.decided(self.model.month, self.row, column, float(value), reason)
        return True


def pressed(table: EnterpriseTable) -> np.ndarray:
    """Which enterprises expect their reserve below their aspiration within 12 months (smoothed margin)."""
    return expects_shortfall(*(table.view(name) for name in BOOKS))


def at_ease(table: EnterpriseTable) -> np.ndarray:
    """Which enterprises are comfortable: a margin not negative and a reserve above twice the aspiration."""
    return has_slack(*(table.view(name) for name in BOOKS))


#: The columns an enterprise judges its position by, in the order :func:`expects_shortfall` takes them.
BOOKS = ("reserve", "margin", "aspiration", "costs")


def expects_shortfall(reserve: Any, margin: Any, aspiration: Any, costs: Any) -> Any:
    """The rule of :func:`pressed` on one enterprise's books (scalars) or on whole columns: the reserve
    plus 12 months of the smoothed margin below the aspiration (months of costs, at least 1 EUR)."""
    return reserve + 12 * margin < aspiration * np.maximum(costs, 1.0)


def has_slack(reserve: Any, margin: Any, aspiration: Any, costs: Any) -> Any:
    """The rule of :func:`at_ease` on one enterprise's books (scalars) or on whole columns."""
    return (margin >= 0) & (reserve > 2 * aspiration * np.maximum(costs, 1.0))


#: Share of the standard overhead cut in one month of pressure (staff functions trimmed or shared).
OVERHEAD_CUT = 0.1
#: Share of output moved to paying clients in one month's decision.
MARKET_STEP = 0.05
#: Training time (share of working time) cut or restored in one month's decision.
TRAINING_STEP = 0.01
#: A change of push smaller than this is not worth a decision.
PUSH_TOLERANCE = 0.005


def push_target(scenario: Any, push_value: Any) -> Any:
    """The push an enterprise wants (scalar or array): the most it can give when a unit of push is
    expected to gain more than it costs, else none (gain and cost both grow with push: a corner)."""
    return scenario.enterprises.push_max * (push_value > 0)


class NECEmployer(TableAgent):
    """A regular employer (standing for a group of firms in one sector).

    It decides each month how many traineeship places it offers (:meth:`step`, run by
    the model after the month's new vacancies) and, at the end of a traineeship, whether
    to hire the trainee (:func:`simulation.submodels.doorstroom.end_traineeships`: the
    same acceptance rule as for any applicant, with a bar lowered for what it saw of the
    trainee at work and for its tie with the trainee's enterprise).
    """

    covenant = Column()
    vacancies = Column()
    vacancy_inflow = Column()
    hiring_bar = Column()
    base_bar = Column()
    job_quality = Column()
    hires = Column()
    traineeship_places = Column()

    def step(self) -> None:
        """Offer a share of its open vacancies as traineeship places (more under a covenant).

        Source 1.21 puts the traineeship on a real vacancy; an employer with many unfilled
        vacancies has more reason to try a trainee. A place taken reserves its vacancy.
        """
        self.traineeship_places = traineeship_offers(self.model.scenario, self.covenant, self.vacancies)

    @property
    def sector(self) -> str:
        return self.model.sector_names[self.table.sector[self.row]]


def traineeship_offers(scenario: Any, covenant: Any, vacancies: Any) -> Any:
    """The traineeship places employers offer (scalar or array, one per employer): a share of their open
    ``vacancies``, rounded half to even, more under a ``covenant`` (the rule of :meth:`NECEmployer.step`)."""
    employers = scenario.employers
    factor = np.where(covenant, employers.covenant_traineeship_factor, 1.0)
    return np.minimum(vacancies, np.rint(employers.traineeship_share * factor * vacancies)).astype(np.int64)
