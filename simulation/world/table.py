"""A table of entities as NumPy arrays, one array per attribute (struct-of-arrays).

Used for people (many, growing) and for enterprises and employers (few, fixed), so that
every monthly process can work on whole columns at once.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np


class Table:
    """Rows are entities, ``columns`` maps attribute name -> (dtype, value for a new row).

    Subclasses also declare each column as a class annotation (``status: np.ndarray``),
    so that type checkers and editors know them; a test checks the two agree.

    The spare rows past ``n`` hold zeros (fresh memory from ``np.zeros``, which the system
    hands out untouched until written, so spare capacity costs no resident memory), so that
    :meth:`add` writes only the columns it is given and those whose value for a new row is not
    zero (people enter every month with a handful of the 29 columns given, and 12 have a
    non-zero default); a subclass that frees rows zeroes them again with :meth:`_clear`.
    """

    columns: ClassVar[dict[str, tuple[Any, Any]]] = {}

    def __init__(self, capacity: int = 0) -> None:
        self.n = 0
        for name, (dtype, _) in self.columns.items():
            setattr(self, name, np.zeros(max(capacity, 1), dtype=dtype))
        self._nonzero_defaults = {name: default for name, (_, default) in self.columns.items() if default != 0}

    def add(self, count: int, **values: Any) -> np.ndarray:
        """Append ``count`` rows with the given attribute values; return their row numbers."""
        unknown = values.keys() - self.columns.keys()
        if unknown:
            raise KeyError(f"unknown attributes {sorted(unknown)} for {type(self).__name__}")
        self._reserve(self.n + count)
        start, stop = self.n, self.n + count
        for name, value in (self._nonzero_defaults | values).items():
            getattr(self, name)[start:stop] = value
        self.n = stop
        return np.arange(start, stop)

    def view(self, name: str) -> np.ndarray:
        """The live part of column ``name`` (rows ``0 .. n-1``); writes go to the table."""
        return getattr(self, name)[: self.n]

    def _clear(self, start: int, stop: int) -> None:
        """Zero the freed rows ``start .. stop-1`` (past ``n``) again, as spare rows are."""
        for name in self.columns:
            getattr(self, name)[start:stop] = 0

    def _reserve(self, needed: int) -> None:
        capacity = len(getattr(self, next(iter(self.columns))))
        if needed <= capacity:
            return
        new_capacity = max(needed, 2 * capacity)
        for name, (dtype, _) in self.columns.items():
            grown = np.zeros(new_capacity, dtype=dtype)
            grown[: self.n] = getattr(self, name)[: self.n]
            setattr(self, name, grown)
