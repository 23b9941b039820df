"""Common random numbers: draws depend on (seed, stream, month, person) only."""

import numpy as np
import pytest

from simulation.world.streams import DENSE_STEP, RandomStreams, dense_threshold


def test_a_persons_draw_does_not_depend_on_who_else_draws():
    a, b = RandomStreams(7), RandomStreams(7)
    everyone = a.uniform("x", np.arange(10_000))
    some = b.uniform("x", np.array([3, 500, 9_999]))
    assert np.array_equal(some, everyone[[3, 500, 9_999]])


def test_dense_draws_give_person_i_the_same_number_whoever_else_draws():
    a, b = RandomStreams(7), RandomStreams(7)
    everyone = a.uniform_steps("x", np.arange(5_000))
    some = b.uniform_steps("x", np.array([2, 17, 999]))
    assert np.array_equal(some, everyone[[2, 17, 999]])


def test_streams_months_and_seeds_differ():
    slots = np.arange(1_000)
    s = RandomStreams(1)
    first = s.uniform("x", slots)
    other_stream = s.uniform("y", slots)
    s.start_month(1)
    next_month = s.uniform("x", slots)
    other_seed = RandomStreams(2).uniform("x", slots)
    for other in (other_stream, next_month, other_seed):
        assert not np.array_equal(first, other)


@pytest.mark.parametrize("method, unit", [("uniform", 1.0), ("uniform_steps", DENSE_STEP)])
def test_draws_are_uniform(method, unit):
    n = 200_000
    s = RandomStreams(3)
    u = getattr(s, method)("x", np.arange(n)) * unit
    assert u.min() >= 0 and u.max() < 1
    # mean of U(0,1): sd 1/sqrt(12 n); variance 1/12 with sd ~ sqrt(1/180 / n)
    assert abs(u.mean() - 0.5) < 5 / np.sqrt(12 * n)
    assert abs(u.var() - 1 / 12) < 5 * np.sqrt(1 / 180 / n)
    counts = np.histogram(u, bins=20, range=(0, 1))[0]
    chi2 = ((counts - n / 20) ** 2 / (n / 20)).sum()
    assert chi2 < 45  # chi-square with 19 degrees of freedom: P(> 45) < 0.001
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 5 / np.sqrt(n)


def test_a_stream_drawn_twice_in_a_month_is_an_error():
    s = RandomStreams(1)
    s.uniform("x", np.arange(3))
    with pytest.raises(RuntimeError, match="'x' drawn twice in month 0"):
        s.uniform("x", np.arange(3))


def test_bad_seed_is_rejected():
    with pytest.raises(ValueError, match="seed must be"):
        RandomStreams(-1)


def test_a_dense_threshold_separates_the_dense_draws_as_the_probability_does_in_float64():
    """dense_threshold lets job search compare the draws' step counts with one whole number; the result
    must be the float64 comparison's, also for probabilities on, just above and just below a draw."""
    steps = RandomStreams(5).uniform_steps("x", np.arange(50_000))
    assert steps.dtype == np.uint32 and steps.max() < 2**24
    draws = steps * DENSE_STEP
    on_draws = [float(d) for d in draws[:25]]
    near = [float(np.nextafter(d, 2.0)) for d in on_draws] + [float(np.nextafter(d, -1.0)) for d in on_draws]
    for probability in [0.0, 0.1, 0.12, 1 / 3, 0.999999999, 1.0, 1.7, -0.5, *on_draws, *near]:
        assert np.array_equal(steps < dense_threshold(probability), draws < probability), probability


def test_a_rate_compared_as_float32_keeps_that_comparison():
    """Job search and referral requests compare some rates as float32 numbers, as they did when the
    draws were float32: dense_threshold of the float32 rate must give exactly that comparison, also
    for a rate just above a step, which float32 rounds onto the step."""
    steps = RandomStreams(6).uniform_steps("x", np.arange(50_000))
    draws32 = (steps * DENSE_STEP).astype(np.float32)
    on_step = float(steps[0]) * DENSE_STEP
    for rate in [0.08, 0.008, 0.003, 0.1, on_step, on_step * (1 + 1e-9), float(np.nextafter(on_step, 0.0))]:
        assert np.array_equal(steps < dense_threshold(np.float32(rate)), draws32 < rate), rate
