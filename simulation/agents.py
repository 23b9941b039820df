"""LDE enterprises and regular (NEC) employers: Mesa agents backed by arrays.

Each enterprise and employer is a ``mesa.Agent`` in ``model.agents`` (so Mesa's tools,
``model.agents_by_type`` and a dashboard see them), and each attribute reads and
writes one row of a :class:`~simulation.table.Table`. The monthly processes update the
tables for all firms at once; the agents are the readable face of those rows:
``enterprise.reserve`` is ``model.enterprise_table.reserve[enterprise.row]``.
"""

from __future__ import annotations

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


class EnterpriseTable(Table):
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


class EmployerTable(Table):
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


class Column:
    """An agent attribute stored in its table at the agent's row."""

    def __init__(self, column: str | None = None) -> None:
        self.name = column

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = self.name or name

    def __get__(self, agent: Any, owner: type | None = None) -> Any:
        if agent is None:
            return self
        return getattr(agent.table, self.name)[agent.row].item()

    def __set__(self, agent: Any, value: Any) -> None:
        getattr(agent.table, self.name)[agent.row] = value


class TableAgent(mesa.Agent):
    """A Mesa agent whose state is one row of a table."""

    def __init__(self, model: mesa.Model, table: Table, row: int) -> None:
        super().__init__(model)
        self.table = table
        self.row = int(row)

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

    @property
    def size_class(self) -> str:
        return SIZE_CLASSES[int(self.large)]

    @property
    def activity(self) -> str:
        return ACTIVITIES[self.table.activity[self.row]]


class NECEmployer(TableAgent):
    """A regular employer (standing for a group of firms in one sector)."""

    covenant = Column()
    vacancies = Column()
    vacancy_inflow = Column()
    hiring_bar = Column()
    base_bar = Column()
    job_quality = Column()
    hires = Column()

    @property
    def sector(self) -> str:
        return self.model.sector_names[self.table.sector[self.row]]
