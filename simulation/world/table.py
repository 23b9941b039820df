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
    """

    columns: ClassVar[dict[str, tuple[Any, Any]]] = {}

    def __init__(self, capacity: int = 0) -> None:
        self.n = 0
        for name, (dtype, _) in self.columns.items():
            setattr(self, name, np.zeros(max(capacity, 1), dtype=dtype))

    def add(self, count: int, **values: Any) -> np.ndarray:
        """Append ``count`` rows with the given attribute values; return their row numbers."""
        unknown = set(values) - set(self.columns)
        if unknown:
            raise KeyError(f"unknown attributes {sorted(unknown)} for {type(self).__name__}")
        self._reserve(self.n + count)
        start, stop = self.n, self.n + count
        for name, (_, default) in self.columns.items():
            getattr(self, name)[start:stop] = values.get(name, default)
        self.n = stop
        return np.arange(start, stop)

    def view(self, name: str) -> np.ndarray:
        """The live part of column ``name`` (rows ``0 .. n-1``); writes go to the table."""
        return getattr(self, name)[: self.n]

    def _reserve(self, needed: int) -> None:
        capacity = len(getattr(self, next(iter(self.columns))))
        if needed <= capacity:
            return
        new_capacity = max(needed, 2 * capacity)
        for name in self.columns:
            old = getattr(self, name)
            grown = np.zeros(new_capacity, dtype=old.dtype)
            grown[: self.n] = old[: self.n]
            setattr(self, name, grown)
