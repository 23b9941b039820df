"""Emulators: cheap stand-ins for the model's response, for history matching.

A calibration cannot run the model at every parameter set it wants to judge, so it
runs the model at a few (a wave) and fits, for each target, a regression of the
simulated value on the parameters: an *emulator* (Vernon, Goldstein and Bower 2010,
who call the regression part of theirs the global trend). Ours is that trend alone: a
second-order polynomial in the parameters scaled to [0, 1] (a constant, each parameter,
its square and, when there are runs enough, every product of two), fitted by least
squares with a light ridge penalty. Its predictive variance is the residual variance
(emulator error and simulation noise together, so both are allowed for) times one plus
the leverage of the new point: wide where the runs are few.

The *implausibility* of a parameter set for a target is the distance between what the
emulator expects and what was observed, in standard deviations of everything that
separates them: ``|E[f(x)] - z| / sqrt(Var[f(x)] + u^2)``, with ``u`` the target's
uncertainty (observation error and model discrepancy). A set is ruled out when its
largest implausibility over the targets exceeds a cut-off, 3 by default (Pukelsheim's
three-sigma rule: at least 95% of any unimodal distribution lies within 3 sd).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The ridge penalty, relative to the features' scale: keeps a fit with few runs stable.
RIDGE = 1e-3


@dataclass(frozen=True)
class Emulator:
    """A fitted second-order regression of one output on parameters in the unit cube."""

    coefficients: np.ndarray
    inverse: np.ndarray  # (F'F + ridge)^-1, for the leverage of new points
    residual_variance: float
    interactions: bool

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of the output at rows ``x`` of the unit cube."""
        f = features(x, self.interactions)
        leverage = np.einsum("ij,jk,ik->i", f, self.inverse, f)
        return f @ self.coefficients, self.residual_variance * (1 + leverage)


def features(x: np.ndarray, interactions: bool) -> np.ndarray:
    """The regression's columns: 1, x_j, x_j^2 and, with ``interactions``, x_i x_j (i < j)."""
    x = np.atleast_2d(x)
    columns = [np.ones(len(x)), *x.T, *(x**2).T]
    if interactions:
        columns += [x[:, i] * x[:, j] for i in range(x.shape[1]) for j in range(i + 1, x.shape[1])]
    return np.column_stack(columns)


def fit(x: np.ndarray, y: np.ndarray) -> Emulator:
    """Fit an emulator to runs at rows ``x`` (unit cube) with outputs ``y`` (NaN outputs left out).

    Products of parameters join the regression only when there are at least twice as many
    runs as columns; with fewer the fit would follow the noise.
    """
    known = np.isfinite(y)
    x, y = np.atleast_2d(x)[known], y[known]
    dimensions = x.shape[1]
    interactions = len(y) >= 2 * (1 + 2 * dimensions + dimensions * (dimensions - 1) // 2)
    f = features(x, interactions)
    gram = f.T @ f
    inverse = np.linalg.inv(gram + RIDGE * np.trace(gram) / len(gram) * np.eye(len(gram)))
    coefficients = inverse @ f.T @ y
    residuals = y - f @ coefficients
    freedom = max(len(y) - f.shape[1], 1)
    return Emulator(coefficients, inverse, float(residuals @ residuals / freedom), interactions)


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
            mean = emulator.predict(x)[0]
            out[j, i] = (mean.max() - mean.min()) / uncertainty[i]
    return out
