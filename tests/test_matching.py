"""Job search and matching: the employer an application goes to."""

import numpy as np
import pytest

from simulation.submodels.matching import GUIDE_BINS, inverse_cdf


@pytest.mark.parametrize("seed", range(5))
def test_the_guide_table_picks_exactly_what_a_binary_search_picks(seed):
    rng = np.random.default_rng(seed)
    weights = rng.integers(0, 30, size=50).astype(float)
    weights[rng.random(50) < 0.3] = 0  # employers without vacancies: repeated boundaries
    cumulative = np.cumsum(weights) / weights.sum()
    on_edges = rng.integers(0, GUIDE_BINS, size=20) / GUIDE_BINS  # boundaries exactly on bin edges
    cumulative[:20] = np.sort(on_edges)
    cumulative = np.maximum.accumulate(cumulative)
    u = np.concatenate([rng.random(20_000), cumulative, on_edges, np.nextafter(cumulative, 0)])
    u = u[u < 1]  # uniform draws are in [0, 1)
    assert np.array_equal(inverse_cdf(cumulative, u), np.searchsorted(cumulative, u, side="right"))
