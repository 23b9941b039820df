"""Intervals over replications: means with t-intervals, and paired differences."""

from __future__ import annotations

import math

import numpy as np

LEVEL = 0.95


def interval(
    values: np.ndarray, level: float = LEVEL, bounds: tuple[float, float] = (-math.inf, math.inf)
) -> tuple[float, float, float]:
    """Mean and the Student-t confidence interval of the mean of ``values`` (NaNs ignored),
    kept inside ``bounds``, the range the quantity can take.

    Keeping the interval inside the range cannot lower its coverage (the true mean is
    inside the range, so it is never among the values cut off) and removes impossible
    values such as a negative number of closures or a share above 1, which few
    replications of a quantity near its bound otherwise give. With one value the
    interval is undefined (NaN); with none, everything is NaN.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if x.size < 2:
        return mean, math.nan, math.nan
    from scipy import stats  # imported here: slow to import, and model workers never need it

    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    low, high = bounds
    return mean, max(mean - half, low), min(mean + half, high)


def difference_bounds(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """The range of x - y for x in range ``a`` and y in range ``b``."""
    return a[0] - b[1], a[1] - b[0]
