"""Job seekers and workers, stored as NumPy arrays (struct-of-arrays).

There are hundreds of thousands of people, so each attribute is one array indexed by a
person's *slot* (their id: slots are never reused). Monthly processes work on whole
arrays at once. A student who wants one person as an object asks the model for
``model.person(i)``: a :class:`Person` snapshot with their attributes and their path
(every status change so far), read from these arrays and the event log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from .table import Table


class Status(IntEnum):
    """Labour-market status. The names are the column names of every output table.

    The order matters: the jobless come first, then LDE, so that "jobless" and "job
    seekers" are one comparison each (see :meth:`Population.jobless`).
    """

    unemployed = 0  # on unemployment benefit
    social_assistance = 1  # leefloon
    lde = 2  # target-group worker in an LDE enterprise
    nec = 3  # regular job
    inactive = 4  # retired or out of the labour force (absorbing)


class Reason(IntEnum):
    """Why a status changed; written to ``events.csv`` by name."""

    entered = 0  # new structurally unemployed person enters the pool
    hired_lde = 1  # placed in an LDE slot after referral
    found_job = 2  # hired by a regular employer
    time_limit = 3  # LDE months used up, no job: falls back
    enterprise_closed = 4  # LDE enterprise closed: falls back
    dismissed = 5  # LDE worker dismissed or quit
    job_lost = 6  # separated from a regular job
    benefit_exhausted = 7  # unemployment benefit ran out: social assistance
    retired = 8
    left_labour_force = 9  # sickness, invalidity, other


NO_ONE = -1
#: Columns of :class:`Population`: name -> (dtype, value for a new person).
COLUMNS: dict[str, tuple[type, float]] = {
    "status": (np.int8, Status.unemployed),
    "age": (np.float32, 0.0),  # years
    "education": (np.int8, 0),  # 0 low, 1 medium, 2 high
    "employability": (np.float32, 0.0),  # 0 furthest from work .. 1 job-ready
    "experience": (np.int16, 0),  # months worked (LDE and regular)
    "months_in_status": (np.int16, 0),
    "jobless_months": (np.int16, 0),  # months since the last job (LDE or regular)
    "lde_months": (np.int16, 0),  # LDE months used, across spells
    "benefit_left": (np.int32, 0),  # months of unemployment benefit left
    "enterprise": (np.int32, NO_ONE),  # LDE enterprise row while in LDE
    "employer": (np.int32, NO_ONE),  # NEC employer row while in a regular job
    "last_enterprise": (np.int32, NO_ONE),  # enterprise of the latest LDE spell
    "extended": (np.bool_, False),  # has an LDE extension
    "queued_since": (np.int16, NO_ONE),  # month the referral request entered the queue
    "ticket_since": (np.int16, NO_ONE),  # month VDAB issued an LDE referral
    "from_lde": (np.bool_, False),  # current regular job followed an LDE spell
    "covenant_hire": (np.bool_, False),  # current regular job came through a sector covenant
    "aftercare_left": (np.int16, 0),  # months of aftercare left
    "lde_exit_month": (np.int16, NO_ONE),  # month of the latest LDE exit
    "lde_exit_reason": (np.int8, NO_ONE),
    "nec_move_month": (np.int16, NO_ONE),  # month of the latest move from LDE to a regular job
}


class Population(Table):
    """All people ever simulated: one array per attribute, slot ``i`` is person ``i``."""

    columns = COLUMNS

    def in_status(self, status: Status) -> np.ndarray:
        """Slots of the people currently in ``status``."""
        return np.flatnonzero(self.view("status") == status)

    def jobless_mask(self) -> np.ndarray:
        """Who is unemployed or on social assistance (the statuses numbered below ``lde``)."""
        return self.view("status") < Status.lde

    def jobless(self) -> np.ndarray:
        """Slots of the unemployed and those on social assistance."""
        return np.flatnonzero(self.jobless_mask())

    def job_seekers(self) -> np.ndarray:
        """Slots of everyone who searches for a regular job: the jobless and LDE workers."""
        return np.flatnonzero(self.view("status") <= Status.lde)

    def counts(self) -> np.ndarray:
        """Number of people in each status, indexed by :class:`Status`."""
        status = self.view("status")
        return np.array([np.count_nonzero(status == s) for s in Status])


@dataclass(frozen=True)
class Step:
    """One status change in a person's path."""

    month: int
    origin: str
    to: str
    reason: str


@dataclass(frozen=True)
class Person:
    """A snapshot of one person, for reading and teaching (not for simulation)."""

    id: int
    status: str
    age: float
    education: str
    employability: float
    experience_months: int
    months_in_status: int
    lde_months_used: int
    benefit_months_left: int | None
    enterprise: int | None
    employer: int | None
    path: list[Step] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"Person {self.id}: {self.status}, age {self.age:.1f}, {self.education} education, "
                 f"employability {self.employability:.2f}, {self.lde_months_used} LDE months used"]
        lines += [f"  month {s.month:>3}: {s.origin} -> {s.to} ({s.reason})" for s in self.path]
        return "\n".join(lines)


EDUCATION = ("low", "medium", "high")
