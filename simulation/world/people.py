"""Job seekers and workers, stored as NumPy arrays (struct-of-arrays).

There are hundreds of thousands of people, so each attribute is one array and each
person one *row* of them ("slot" is kept for an enterprise's positions). Monthly
processes work on whole arrays at once. Every person also has a permanent ``id``
(0, 1, 2, ... in order of entry), which is what the event log and the random streams
use: people who leave the labour force for good are moved to an archive now and then,
so rows shift, ids never do. A student who wants one person as an object asks the
model for ``model.person(id)``: a :class:`Person` snapshot with their attributes and
their path (every status change so far).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from .table import Table


class Status(IntEnum):
    """Labour-market status. The names are the column names of every output table.

    The order matters: the jobless come first, then LDE, so that "jobless" and "job
    seekers" are one comparison each (see :meth:`Population.jobless_mask`); the three jobs
    follow each other, so that "in a job" is a range (:func:`simulation.world.moves.in_job`).
    """

    unemployed = 0  # on unemployment benefit
    social_assistance = 1  # leefloon
    lde = 2  # target-group worker in an LDE enterprise
    maatwerk = 3  # collective maatwerk: sheltered work in a maatwerkbedrijf (limited places)
    nec = 4  # regular job
    inactive = 5  # retired or out of the labour force (absorbing)


#: The statuses as plain ``int`` constants, for the monthly processes. Array code must
#: compare and index with these, never with the ``Status`` members themselves: NumPy
#: treats an ``IntEnum`` as a foreign object and looks up protocol attributes on it,
#: which is about 13 times slower and, on Python 3.11, clears a Ctrl-C that arrives
#: during the look-up (the interrupt is then lost).
UNEMPLOYED, SOCIAL_ASSISTANCE, LDE, MAATWERK, NEC, INACTIVE = (int(s) for s in Status)
STATUSES = tuple(int(s) for s in Status)


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
    internal_doorstroom = 10  # the LDE enterprise keeps the worker on a regular contract at the end
    hired_after_traineeship = 11  # hired by the employer of the doorstroom trajectory's traineeship
    maatwerk_advice = 12  # placed in collective maatwerk on the employment service's advice
    work_care = 13  # at the limit onto the work-care route: benefit kept, not job-seeking


#: Reasons as plain ``int`` constants for array code (see the note on the statuses).
(
    ENTERED,
    HIRED_LDE,
    FOUND_JOB,
    TIME_LIMIT,
    ENTERPRISE_CLOSED,
    DISMISSED,
    JOB_LOST,
    BENEFIT_EXHAUSTED,
    RETIRED,
    LEFT_LABOUR_FORCE,
    INTERNAL_DOORSTROOM,
    HIRED_AFTER_TRAINEESHIP,
    MAATWERK_ADVICE,
    WORK_CARE,
) = (int(r) for r in Reason)

#: The route the employment service's evaluation before the end of a trajectory chose
#: (``route`` column): none yet, collective maatwerk advice (waiting or placed), the
#: doorstroom trajectory (started), the work-care route (holding one of its places: not
#: job-seeking), ready for a trajectory and waiting for a place, or advised work-care and
#: waiting for a place (job-seeking meanwhile). See :mod:`simulation.submodels.end_of_trajectory`.
NO_ROUTE, ROUTE_MAATWERK, ROUTE_TRAJECTORY, ROUTE_WORK_CARE, ROUTE_TRAJECTORY_WAITING, ROUTE_WORK_CARE_WAITING = range(6)
#: Route names for the metrics (``route_<name>``, ``evaluated_<name>``), by route number.
ROUTE_NAMES = ("none", "maatwerk", "trajectory", "work_care", "trajectory_waiting", "work_care_waiting")
#: Phases of the doorstroom trajectory (``phase`` column; source 1.21); aftercare after a
#: hire is the regular-job aftercare of every move from LDE.
NO_PHASE, PREPARATION, MATCHING, TRAINEESHIP = range(4)


NO_ONE = -1
#: Columns of :class:`Population`: name -> (dtype, value for a new person).
COLUMNS: dict[str, tuple[type, float]] = {
    "id": (np.int64, 0),  # permanent person id, in order of entry
    "status": (np.int8, UNEMPLOYED),
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
    "job_quality": (np.float32, 1.0),  # separation-risk multiplier of the current regular job
    "aftercare_left": (np.int16, 0),  # months of aftercare left
    "lde_exit_month": (np.int16, NO_ONE),  # month of the latest LDE exit
    "lde_exit_reason": (np.int8, NO_ONE),
    "nec_move_month": (np.int16, NO_ONE),  # month of the latest move from LDE to a regular job
    "inactivity_month": (np.int32, 0),  # month the person will leave the labour force (scheduled at entry)
    "route": (np.int8, NO_ROUTE),  # end-of-trajectory route chosen by the evaluation
    "phase": (np.int8, NO_PHASE),  # phase of the doorstroom trajectory
    "phase_since": (np.int16, NO_ONE),  # month the route or phase began (the maatwerk waiting list's order)
    "trainee_employer": (np.int32, NO_ONE),  # employer row of the traineeship
    "entry_employability": (np.float32, -1.0),  # employability at the latest LDE placement (the POP's starting point; -1 unknown)
}


class Population(Table):
    """Everyone in the model: one array per attribute over the rows ``0 .. n-1``, plus an
    archive of people who left the labour force (inactive is absorbing)."""

    columns = COLUMNS
    # One array per column (declared for type checkers and editors; see COLUMNS for meanings).
    id: np.ndarray
    status: np.ndarray
    age: np.ndarray
    education: np.ndarray
    employability: np.ndarray
    experience: np.ndarray
    months_in_status: np.ndarray
    jobless_months: np.ndarray
    lde_months: np.ndarray
    benefit_left: np.ndarray
    enterprise: np.ndarray
    employer: np.ndarray
    last_enterprise: np.ndarray
    extended: np.ndarray
    queued_since: np.ndarray
    ticket_since: np.ndarray
    from_lde: np.ndarray
    covenant_hire: np.ndarray
    job_quality: np.ndarray
    aftercare_left: np.ndarray
    lde_exit_month: np.ndarray
    lde_exit_reason: np.ndarray
    nec_move_month: np.ndarray
    inactivity_month: np.ndarray
    route: np.ndarray
    phase: np.ndarray
    phase_since: np.ndarray
    trainee_employer: np.ndarray
    entry_employability: np.ndarray

    def __init__(self, capacity: int = 0) -> None:
        super().__init__(capacity)
        self._members: dict[int, np.ndarray] = {}
        self._counts = np.zeros(len(STATUSES), dtype=np.int64)  # people in each status among the rows
        self.next_id = 0
        self.archived = 0
        self._archive: list[dict[str, np.ndarray]] = []

    @property
    def total(self) -> int:
        """Everyone who ever entered: the rows plus the archive."""
        return self.n + self.archived

    def ids(self, rows: np.ndarray) -> np.ndarray:
        """Permanent ids of the people in rows ``rows``."""
        return self.id[rows]

    def archive_inactive(self) -> np.ndarray:
        """Move inactive people out of the working arrays; return the old-row -> new-row map (-1: archived).

        Inactive is absorbing and nothing happens to inactive people, so this changes no
        result; it keeps the monthly work proportional to the labour force.
        """
        inactive = self.view("status") == INACTIVE
        gone, keep = np.flatnonzero(inactive), np.flatnonzero(~inactive)  # row lists: one scan of the mask
        self._archive.append({name: self.view(name)[gone] for name in self.columns})
        self.archived += gone.size
        self._counts[INACTIVE] -= gone.size
        mapping = np.full(self.n, NO_ONE, dtype=np.intp)
        mapping[keep] = np.arange(keep.size)
        for name in self.columns:
            column = getattr(self, name)
            column[: keep.size] = column.take(keep)  # take: the same rows, a third cheaper than column[keep]
        self._clear(keep.size, self.n)
        self.n = keep.size
        self._members.clear()
        return mapping

    def record(self, person: int) -> dict[str, object]:
        """All attributes of person ``person`` (by id), whether in the rows or the archive."""
        row = int(np.searchsorted(self.view("id"), person))
        if row < self.n and self.id[row] == person:
            return {name: getattr(self, name)[row].item() for name in self.columns}
        for part in self._archive:
            hit = np.flatnonzero(part["id"] == person)
            if hit.size:
                return {name: values[hit[0]].item() for name, values in part.items()}
        raise IndexError(f"no person {person}: people are numbered 0 to {self.next_id - 1}")

    def in_status(self, status: int) -> np.ndarray:
        """Rows of the people currently in ``status``, ascending (read-only).

        Found by a scan over every row, then kept until the status changes: a short list
        (at most ``UPDATE_SHARE`` of the rows: LDE, maatwerk) is updated by :meth:`set_status`,
        which costs less than a new scan of some 140,000 rows at full scale; a long one is
        dropped and found again when asked.
        """
        members = self._members.get(status)
        if members is None:
            members = self._members[status] = read_only(np.flatnonzero(self.view("status") == status))
        return members

    def set_status(self, rows: np.ndarray, origin: np.ndarray, to: int, leaving: np.ndarray) -> None:
        """Move ``rows`` (now in statuses ``origin``, ``leaving[s]`` of them in ``s``) to ``to``;
        the only writer of ``status`` after ``add``. Rows must not repeat.

        A kept list gains its arrivals by a stable sort of the two joined: NumPy's stable sort of
        integers (timsort) merges the sorted list with the few arrivals in one pass, four times
        cheaper than ``np.insert`` for a few rows and no dearer for thousands."""
        counts = leaving.tolist()
        for status, count in enumerate(counts):
            members = self._short_list(status) if count and status != to else None
            if members is not None:
                self._members[status] = read_only(without(members, rows_from(rows, origin, status, counts)))
        members = self._short_list(to)
        if members is not None:
            arriving = rows[origin != to] if counts[to] else rows
            self._members[to] = read_only(np.sort(np.concatenate((members, arriving)), kind="stable"))
        self._counts -= leaving
        self._counts[to] += rows.size
        self.status[rows] = to

    def add(self, count: int, **values: np.ndarray) -> np.ndarray:
        """Append ``count`` people with new ids (see :meth:`Table.add`); return their rows."""
        values["id"] = np.arange(self.next_id, self.next_id + count)
        self.next_id += count
        rows = super().add(count, **values)
        entering = np.bincount(self.status[rows], minlength=len(STATUSES))
        self._counts += entering
        for status, count in enumerate(entering.tolist()):
            if count:
                self._members.pop(status, None)  # the lists of the other statuses gain no row
        return rows

    def _short_list(self, status: int) -> np.ndarray | None:
        """The kept row list of ``status`` if it is short enough to update; a long one is dropped."""
        members = self._members.get(status)
        if members is not None and members.size > UPDATE_SHARE * self.n:
            del self._members[status]
            return None
        return members

    def jobless_mask(self) -> np.ndarray:
        """Who is unemployed or on social assistance (the statuses numbered below ``lde``)."""
        return self.view("status") < LDE

    def counts(self) -> np.ndarray:
        """Number of people in each status, indexed by :class:`Status` (the archive is inactive).

        Kept by :meth:`add`, :meth:`set_status` and the archive as people enter and move, not
        counted over every row each time it is asked."""
        counts = self._counts.copy()
        counts[INACTIVE] += self.archived
        return counts


#: Share of the rows up to which a status's row list is updated on a status change rather than
#: found again by a scan (measured: deleting or inserting a few hundred rows in a list of
#: 45,000 costs 40-60 microseconds, a scan of 140,000 rows about 65).
UPDATE_SHARE = 0.1


def rows_from(rows: np.ndarray, origin: np.ndarray, status: int, counts: list[int]) -> np.ndarray:
    """Those of ``rows`` whose status ``origin`` is ``status`` (``counts[s]`` of them are in ``s``), in
    order: ``rows`` itself when all are, as in most status changes (no mask to build)."""
    return rows if counts[status] == rows.size else rows[origin == status]


def without(members: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The ascending row list ``members`` without ``rows`` (some of its members), by a mask: the
    same rows as ``np.delete`` without its checks (3 against 4.5 microseconds for a few rows)."""
    keep = np.ones(members.size, dtype=bool)
    keep[np.searchsorted(members, rows)] = False
    return members[keep]


def read_only(array: np.ndarray) -> np.ndarray:
    """``array``, marked read-only: it is shared, so nobody may write to it (a status's row list by
    everyone who asks for it, a logged array by the copies of a :class:`~simulation.world.records.Recorder`)."""
    array.flags.writeable = False
    return array


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
        lines = [
            f"Person {self.id}: {self.status}, age {self.age:.1f}, {self.education} education, "
            f"employability {self.employability:.2f}, {self.lde_months_used} LDE months used"
        ]
        lines += [f"  month {s.month:>3}: {s.origin} -> {s.to} ({s.reason})" for s in self.path]
        return "\n".join(lines)


EDUCATION = ("low", "medium", "high")
