"""Records: the monthly metrics table and the log of every status change.

Flows are counted where they happen (:func:`simulation.world.moves.move` reports each one),
stocks are counted at the end of the month, and submodels add what they measured
(vacancies filled, public spending, ...) with :meth:`Recorder.add`. One row per month
becomes ``metrics.csv``; the event log becomes ``events.csv`` and each person's path.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd

from .people import ENTERED, Population, Reason, Status, read_only

N_STATUS = len(Status)
STATUS_NAMES = [s.name for s in Status]
FLOW_COLUMNS = [f"flow_{a.name}_to_{b.name}" for a in Status for b in Status if a != b]
INFLOW_COLUMNS = [f"inflow_{s.name}" for s in Status]
_OFF_DIAGONAL = ~np.eye(N_STATUS, dtype=bool)
NEW_ENTRANT = -1  # "from" of an event that brings a new person into the model


class Recorder:
    """Collects one row of metrics per month and every status change."""

    def __init__(self) -> None:
        self.rows: list[dict[str, float | str]] = []
        self._event_chunks: list[tuple[np.ndarray, ...]] = []
        self._decisions: list[tuple[int, int, str, float, str]] = []
        self._placements: list[tuple[np.ndarray, ...]] = []
        self.start_month()

    def __deepcopy__(self, memo: dict[int, Any]) -> Recorder:
        """A copy that shares the logs of the months so far: a branch of a shared history
        (:mod:`simulation.experiments.branching`) copies the model, and the logs, only ever
        appended to and holding read-only arrays, were most of that copy's time (about 37 of
        45 ms for the full-scale history at 2026). The rest is copied as usual."""
        twin = Recorder.__new__(Recorder)
        memo[id(self)] = twin
        for name, value in vars(self).items():
            if name in SHARED_LOGS:
                setattr(twin, name, list(value))
            elif name == "rows":  # a month's row is a dict of numbers and text: copied, cheaply
                twin.rows = [dict(row) for row in value]
            else:
                setattr(twin, name, copy.deepcopy(value, memo))
        return twin

    def start_month(self) -> None:
        """Reset the month's flow counters and measurements."""
        self.flows = np.zeros((N_STATUS, N_STATUS), dtype=np.int64)
        self.inflows = np.zeros(N_STATUS, dtype=np.int64)
        self.values: dict[str, float] = {}

    def moved(self, month: int, ids: np.ndarray, origin: np.ndarray, to: int, reason: int, leaving: np.ndarray) -> None:
        """Count and log a status change of ``ids`` from ``origin`` (per person; ``leaving[s]`` of them from ``s``) to ``to``."""
        self.flows[:, to] += leaving
        self._log(month, ids, origin, to, reason)

    def entered(self, month: int, ids: np.ndarray, status: np.ndarray) -> None:
        """Count and log new people entering the model in ``status`` (per person).

        One chunk of the log for all of them, ordered by status (in the order given within a status)."""
        self.inflows += np.bincount(status, minlength=N_STATUS)
        order = np.argsort(status, kind="stable")
        self._log(month, ids[order], np.full(ids.size, NEW_ENTRANT), status[order], ENTERED)

    def decided(self, month: int, enterprise: int, decision: str, value: float, reason: str) -> None:
        """Log an enterprise's decision that changed something (few: plain tuples)."""
        self._decisions.append((month, enterprise, decision, value, reason))

    def placed(self, month: int, people: Population, rows: np.ndarray, large: np.ndarray) -> None:
        """Note who was placed in LDE this month and their profile at entry (for lde-sim evaluate).

        Kept as arrays, one tuple a month: a table is built only when :meth:`placements` is asked.
        """
        profile = (people.ids(rows), people.age[rows], people.education[rows], people.employability[rows])
        columns = (np.full(rows.size, month, dtype=np.int64), *profile, np.array(large))  # fresh arrays: shared by copies
        self._placements.append(tuple(read_only(column) for column in columns))

    def placements(self) -> pd.DataFrame:
        """Every placement in LDE so far: month, person and their age, education, employability and
        enterprise size class (``large``) at entry."""
        columns = ["month", "person", "age", "education", "employability", "large"]
        if not self._placements:
            return pd.DataFrame(columns=columns)
        return pd.DataFrame(dict(zip(columns, (np.concatenate(c) for c in zip(*self._placements)))))

    def enterprise_events(self, enterprise: int | None = None) -> pd.DataFrame:
        """Every decision so far (or one enterprise's): month, enterprise, decision, value, reason."""
        rows = [d for d in self._decisions if enterprise is None or d[1] == enterprise]
        return pd.DataFrame(rows, columns=["month", "enterprise", "decision", "value", "reason"])

    def add(self, name: str, value: float) -> None:
        """Add ``value`` to this month's measurement ``name`` (created at 0)."""
        self.values[name] = self.values.get(name, 0.0) + float(value)

    def end_month(self, month: int, date: str, stocks: np.ndarray, state: dict[str, float]) -> None:
        """Close the month (``date``: its calendar month): one row with stocks, flows, inflows,
        measurements and state."""
        row: dict[str, float | str] = {"month": month, "date": date}
        row.update(zip(STATUS_NAMES, stocks.tolist()))
        row.update(zip(FLOW_COLUMNS, self.flows[_OFF_DIAGONAL].tolist()))
        row.update(zip(INFLOW_COLUMNS, self.inflows.tolist()))
        row.update(state)
        row.update(self.values)
        self.rows.append(row)

    def metrics(self) -> pd.DataFrame:
        """All months so far; measurements a month did not make (month 0 has no flows) are 0.

        A measurement that is NaN stays NaN: only absent ones are filled.
        """
        columns = list(dict.fromkeys(key for row in self.rows for key in row))
        return pd.DataFrame([[row.get(key, 0.0) for key in columns] for row in self.rows], columns=columns)

    def events(self) -> pd.DataFrame:
        """Every status change so far: month, person, from, to, reason (names)."""
        if not self._event_chunks:
            columns = {"month": [], "person": [], "from": [], "to": [], "reason": []}
            return pd.DataFrame(columns)
        month, person, origin, to, reason = (np.concatenate(c) for c in zip(*[self._expand(*c) for c in self._event_chunks]))
        names = np.array(["none", *[s.name for s in Status]])  # index 0 is "new entrant"
        return pd.DataFrame(
            {
                "month": month,
                "person": person,
                "from": names[origin + 1],
                "to": names[to + 1],
                "reason": np.array([r.name for r in Reason])[reason],
            }
        )

    def path(self, person: int) -> pd.DataFrame:
        """The status changes of one person (a filter of :meth:`events`)."""
        events = self.events()
        return events[events["person"] == person].reset_index(drop=True)

    def _log(self, month: int, ids: np.ndarray, origin: np.ndarray, to: int | np.ndarray, reason: int) -> None:
        """Append a chunk of the log: ``ids`` moved from ``origin`` (per person) to ``to`` (one status for
        all, or per person) for ``reason``."""
        to = read_only(to.astype(np.int8)) if isinstance(to, np.ndarray) else int(to)
        logged = (read_only(ids.astype(np.int32)), read_only(origin.astype(np.int8)))  # copies: shared by copies of this
        self._event_chunks.append((month, *logged, to, int(reason)))

    @staticmethod
    def _expand(month: int, ids: np.ndarray, origin: np.ndarray, to: int | np.ndarray, reason: int) -> tuple[np.ndarray, ...]:
        n = ids.size
        return (
            np.full(n, month, dtype=np.int16),
            ids,
            origin,
            np.full(n, to, dtype=np.int8),  # one status for all, or each person's (an array of n)
            np.full(n, reason, dtype=np.int8),
        )


#: The logs a copy of a :class:`Recorder` shares with its original (appended to, never changed).
SHARED_LOGS = ("_event_chunks", "_decisions", "_placements")


def status_at(events: pd.DataFrame, people: pd.DataFrame, month_column: str) -> pd.Series:
    """Each row's status at the end of its ``month_column`` (the latest event at or before it), from an
    event log that holds everyone's entry (``events.csv`` or :meth:`Recorder.events`)."""
    keys = ["replication", "person"] if "replication" in events else ["person"]
    timeline = events[[*keys, "month", "to"]].sort_values("month", kind="stable")  # log order within a month
    asked = people[[*keys, month_column]].reset_index().sort_values(month_column, kind="stable")
    found = pd.merge_asof(asked, timeline, left_on=month_column, right_on="month", by=keys, direction="backward")
    return found.set_index("index")["to"].reindex(people.index)
