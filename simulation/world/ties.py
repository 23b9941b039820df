"""Ties between LDE enterprises and regular employers: the network doorstroom runs through.

A tie has a strength between 0 (none) and 1. It forms through a sector covenant (an
employer that signs one starts with a tie of strength 1 to every enterprise) and
through traineeships, strengthens with hires through it that last 12 months and weakens with
failures: a traineeship that ends without a hire, or a hire from LDE that ends within
12 months. Each event moves the strength a share ``employers.tie_step`` of the way to
1 (or to 0). An employer sets its hiring bar lower for candidates from an enterprise it
is tied to (``policy.covenant_bar_reduction`` x strength: current workers and recent
leavers alike), and a hire through a tie lasts longer (``employers.tie_retention_effect``
x strength off the separation risk). The reasoning: employers trust referrals from
intermediaries they know (a tie lowers the uncertainty about a candidate); covenants
act by creating such ties. Strengths and step are assumptions (docs/ODD.md, 7.12).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


class Ties:
    """Tie strength of every (enterprise row, employer row) pair, a dense matrix (few firms)."""

    def __init__(self, enterprises: int, employers: int) -> None:
        self.strength = np.zeros((enterprises, employers))
        self.events = np.zeros((enterprises, employers), dtype=np.int32)

    def sign_covenants(self, covenant: np.ndarray) -> None:
        """Employers with a covenant start with a tie of strength 1 to every enterprise."""
        self.strength[:, covenant] = 1.0

    def add_enterprises(self, count: int, covenant: np.ndarray) -> None:
        """Rows for ``count`` new enterprises: tied to the employers with a covenant, to no one else."""
        fresh = np.zeros((count, self.strength.shape[1]))
        fresh[:, covenant] = 1.0
        self.strength = np.vstack([self.strength, fresh])
        self.events = np.vstack([self.events, np.zeros(fresh.shape, dtype=self.events.dtype)])

    def of(self, enterprise: np.ndarray, employer: np.ndarray) -> np.ndarray:
        """Strength of each (enterprise, employer) pair; 0 where the enterprise is unknown (-1)."""
        known = enterprise >= 0
        out = np.zeros(enterprise.size)
        out[known] = self.strength[enterprise[known], employer[known]]
        return out

    def strengthen(self, enterprise: np.ndarray, employer: np.ndarray, step: float) -> None:
        """Move each pair's strength ``step`` of the way to 1 (pairs may repeat: one move each)."""
        self._move(enterprise, employer, step, 1.0)

    def reinforce(self, enterprise: np.ndarray, employer: np.ndarray, step: float) -> None:
        """Strengthen the pairs that already have a tie (a lasting hire does not form one by itself)."""
        if enterprise.size == 0:  # most months: no hire to follow up
            return
        known = (enterprise >= 0) & (employer >= 0)
        enterprise, employer = enterprise[known], employer[known]
        tied = self.strength[enterprise, employer] > 0
        self._move(enterprise[tied], employer[tied], step, 1.0)

    def weaken(self, enterprise: np.ndarray, employer: np.ndarray, step: float) -> None:
        """Move each pair's strength ``step`` of the way to 0."""
        self._move(enterprise, employer, step, 0.0)

    def _move(self, enterprise: np.ndarray, employer: np.ndarray, step: float, goal: float) -> None:
        if enterprise.size == 0:
            return
        known = (enterprise >= 0) & (employer >= 0)
        for e, j in zip(enterprise[known].tolist(), employer[known].tolist()):
            self.strength[e, j] += step * (goal - self.strength[e, j])
            self.events[e, j] += 1

    def table(self) -> pd.DataFrame:
        """The network: one row per pair with a tie (strength above 0.001 or any event)."""
        e, j = np.nonzero((self.strength > 1e-3) | (self.events > 0))
        return pd.DataFrame({"enterprise": e, "employer": j, "strength": self.strength[e, j], "events": self.events[e, j]})
