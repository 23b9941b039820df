"""Intervals over replications: means with t-intervals, and paired differences."""

from __future__ import annotations

import math

import numpy as np

LEVEL = 0.95


def interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and the Student-t confidence interval of the mean of ``values`` (NaNs ignored).

    With one value the interval is undefined (NaN); with none, everything is NaN.
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
    return mean, mean - half, mean + half
