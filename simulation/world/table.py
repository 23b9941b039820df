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

    The spare rows past ``n`` hold every column's value for a new row, so that :meth:`add`
    writes only the columns it is given (people enter every month with a handful of the
    29 columns given); a subclass that frees rows refills them with :meth:`_clear`.
    """

    columns: ClassVar[dict[str, tuple[Any, Any]]] = {}

    def __init__(self, capacity: int = 0) -> None:
        self.n = 0
        for name, (dtype, default) in self.columns.items():
            setattr(self, name, np.full(max(capacity, 1), default, dtype=dtype))

    def add(self, count: int, **values: Any) -> np.ndarray:
        """Append ``count`` rows with the given attribute values; return their row numbers."""
        unknown = values.keys() - self.columns.keys()
        if unknown:
            raise KeyError(f"unknown attributes {sorted(unknown)} for {type(self).__name__}")
        self._reserve(self.n + count)
        start, stop = self.n, self.n + count
        for name, value in values.items():
            getattr(self, name)[start:stop] = value
        self.n = stop
        return np.arange(start, stop)

    def view(self, name: str) -> np.ndarray:
        """The live part of column ``name`` (rows ``0 .. n-1``); writes go to the table."""
        return getattr(self, name)[: self.n]

    def _clear(self, start: int, stop: int) -> None:
        """Give the freed rows ``start .. stop-1`` (past ``n``) every column's value for a new row again."""
        for name, (_, default) in self.columns.items():
            getattr(self, name)[start:stop] = default

    def _reserve(self, needed: int) -> None:
        capacity = len(getattr(self, next(iter(self.columns))))
        if needed <= capacity:
            return
        new_capacity = max(needed, 2 * capacity)
        for name, (dtype, default) in self.columns.items():
            grown = np.full(new_capacity, default, dtype=dtype)
            grown[: self.n] = getattr(self, name)[: self.n]
            setattr(self, name, grown)
