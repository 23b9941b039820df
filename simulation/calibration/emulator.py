"""Emulators: cheap stand-ins for the model's response, for history matching.

A calibration cannot run the model at every parameter set it wants to judge, so it
runs the model at a few (a wave) and fits, for each output, an *emulator*: a statistical
model of the simulated value as a function of the parameters (scaled to [0, 1]). Ours
follows Vernon, Goldstein and Bower (2010) and Andrianakis et al. (2015): a global trend
(linear in the parameters, least squares with a light ridge penalty; a constant when there
are fewer than two runs per coefficient) plus a Gaussian
process for what the trend misses (scikit-learn's ``GaussianProcessRegressor``: a
squared-exponential kernel with one length scale per parameter, and a ``WhiteKernel``
*nugget*). As in Vernon et al., the process runs on the output's *active* parameters only
(the ``ACTIVE`` that explain most of the residual alone, by a quadratic in each): with
thirty parameters a kernel over all of them costs minutes to fit per output, and what the
inactive ones do beyond the trend goes into the nugget, which makes the emulator cautious
rather than wrong. The nugget is the variance of one run around the emulated mean: the
simulation's own noise, estimated from the runs, so one replication per parameter set
suffices and the replications' budget goes into more sets. The emulator's predictive
variance has two parts, kept apart: what the emulator does not know about the mean at
a new point (large far from the runs), and the noise of one run.

The *implausibility* of a parameter set for a target is the distance between what the
emulator expects and what was observed, in standard deviations of everything that
separates them: ``|E[f(x)] - z| / sqrt(Var_emulator(x) + Var_noise + u^2)``, with ``u`` the
target's uncertainty (observation error and model discrepancy). A set is ruled out when
its largest implausibility over the targets exceeds a cut-off, 3 by default
(Pukelsheim's three-sigma rule: at least 95% of any unimodal distribution lies within 3 sd).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

#: The ridge penalty of the trend, relative to the features' scale: keeps a fit with few runs stable.
RIDGE = 1e-3
#: Random restarts of the kernel's hyperparameter search (each a full optimisation): the
#: likelihood of a many-parameter kernel has local optima, more restarts cost time.
RESTARTS = 0
#: Parameters the residual process of one output runs on, at most.
ACTIVE = 8


@dataclass(frozen=True)
class Emulator:
    """A linear trend plus a Gaussian-process residual for one output in the unit cube.

    ``gp`` is None when the runs are too few for a residual process (fewer than 3 known
    outputs): the trend alone then carries the residual variance as its noise. With no
    known output at all, its noise is NaN, so every prediction's variance is NaN: it judges nothing.
    """

    trend: np.ndarray  # intercept and one slope per parameter
    scale: float  # outputs are divided by it before the process is fitted (their sd)
    noise: float  # variance of one run around the emulated mean (the nugget), in output units
    gp: object | None = None
    active: tuple[int, ...] = ()  # the columns of x the process runs on

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of one run's output at rows ``x`` of the unit cube (emulator
        uncertainty and the run's noise together)."""
        mean, latent = self.predict_mean(x)
        return mean, latent + self.noise

    def predict_mean(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The emulated mean output at rows ``x`` and the emulator's own variance about it
        (without the noise of a run)."""
        x = np.atleast_2d(x)
        base = _design(x) @ self.trend
        if self.gp is None:
            return base, np.zeros(len(x))
        residual, sd = self.gp.predict(x[:, list(self.active)], return_std=True)  # type: ignore[attr-defined]
        # The fitted kernel's WhiteKernel adds the nugget to the diagonal of k(x, x): take it out.
        latent = np.maximum(sd**2 - self.noise / self.scale**2, 0.0)
        return base + self.scale * residual, self.scale**2 * latent


def _design(x: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(len(x)), x])


def fit(x: np.ndarray, y: np.ndarray, seed: int = 0) -> Emulator:
    """Fit an emulator to runs at rows ``x`` (unit cube) with outputs ``y`` (NaN outputs left out)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    known = np.isfinite(y)
    x, y = np.atleast_2d(x)[known], np.asarray(y, float)[known]
    f = _design(x)
    if not len(y):  # no run gave a value: the emulator knows nothing, and says so (NaN), without warnings
        return Emulator(np.zeros(f.shape[1]), 1.0, float("nan"))
    if len(y) >= 2 * f.shape[1]:
        gram = f.T @ f
        trend = np.linalg.solve(gram + RIDGE * np.trace(gram) / len(gram) * np.eye(len(gram)), f.T @ y)
    else:  # too few runs for a slope per parameter: a constant trend, the process does the rest
        trend = np.r_[y.mean(), np.zeros(f.shape[1] - 1)]
    residual = y - f @ trend
    scale = float(residual.std()) or 1.0
    if len(y) < 3 or not residual.any():
        return Emulator(trend, scale, float(residual.var()))
    active = active_parameters(x, residual)
    kernel = ConstantKernel(1.0, (1e-3, 1e2)) * RBF(np.full(len(active), 0.5), (0.05, 1e3)) + WhiteKernel(0.5, (1e-4, 2.0))
    gp = GaussianProcessRegressor(kernel, n_restarts_optimizer=RESTARTS, random_state=seed)
    with warnings.catch_warnings():  # a length scale at its upper bound means "this parameter does nothing": fine
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(x[:, list(active)], residual / scale)
    noise = float(gp.kernel_.k2.noise_level) * scale**2
    return Emulator(trend, scale, noise, gp, active)


def active_parameters(x: np.ndarray, residual: np.ndarray) -> tuple[int, ...]:
    """The ``ACTIVE`` columns of ``x`` that explain most of ``residual`` alone, each by a
    quadratic in it (least squares), in their order in ``x``."""
    if x.shape[1] <= ACTIVE:
        return tuple(range(x.shape[1]))
    explained = []
    for j in range(x.shape[1]):
        f = np.column_stack([np.ones(len(x)), x[:, j], x[:, j] ** 2])
        coefficients = np.linalg.lstsq(f, residual, rcond=None)[0]
        explained.append(float(np.var(f @ coefficients)))
    return tuple(sorted(np.argsort(explained)[::-1][:ACTIVE].tolist()))


def implausibility(emulators: list[Emulator], x: np.ndarray, observed: np.ndarray, uncertainty: np.ndarray) -> np.ndarray:
    """Implausibility of rows ``x`` (unit cube) for each target (columns)."""
    columns = []
    for emulator, z, u in zip(emulators, observed, uncertainty):
        mean, variance = emulator.predict(x)
        columns.append(np.abs(mean - z) / np.sqrt(variance + u**2))
    return np.column_stack(columns)


def main_effects(emulators: list[Emulator], dimensions: int, uncertainty: np.ndarray) -> np.ndarray:
    """How far each parameter moves each target across its range (the largest minus the smallest
    expected value along it, the others at the centre of the cube), in units of the target's
    uncertainty (parameters x targets): the diagnostic of what each target can identify. Above 1,
    the target tells some values of that parameter from others."""
    out = np.empty((dimensions, len(emulators)))
    line = np.linspace(0.0, 1.0, 11)
    for j in range(dimensions):
        x = np.full((len(line), dimensions), 0.5)
        x[:, j] = line
        for i, emulator in enumerate(emulators):
            mean = emulator.predict_mean(x)[0]
            out[j, i] = (mean.max() - mean.min()) / uncertainty[i]
    return out
