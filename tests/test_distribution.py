"""Distribution regression: the indicators of small.toml over many replications, in distribution.

The golden test (``test_golden.py``) checks one seed exactly, so any change of the draws breaks it,
and it is then regenerated: after that, nothing it checks says the model still behaves as before.
This test is what stays. ``golden/small_distribution.csv`` holds every indicator of
``REFERENCE_REPLICATIONS`` runs of seed ``REFERENCE_SEED``; the test runs ``REPLICATIONS`` of
another seed and compares each indicator's mean with the reference's by Welch's t-test, and how
often it is undefined (NaN) by Fisher's exact test, at a family-wise level of ``LEVEL`` (Bonferroni
over the tests). A change that keeps the model's behaviour but changes its draws (an event schedule,
another generator: issue 22) must pass it with the reference unchanged; a change of behaviour fails
it, and then, and only then, the reference is regenerated, with the reason in the commit message:

    .venv/bin/python -m tests.test_distribution

The same holds for the model as it was before enterprises decided (``test_golden.BEFORE``):
``golden/small_fixed_enterprises_distribution.csv`` was made once, on 6 December 2026, with the model
that still gives that configuration's exact file, and like that file it is never regenerated. When a
change of the draws breaks that exact test, this one is what says the old model is still inside the
new one:

    .venv/bin/python -m tests.test_distribution fixed_enterprises   # only with a reason to remake it

With 40 and 16 runs, and 85 indicators, the test sees a shift of an indicator's mean by 1.6 of its
runs' standard deviations half the time, by 2.2 nineteen times in twenty: it guards against a changed
behaviour, not a subtle one, which the golden test catches as long as the draws stay the same.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation import INDICATORS, Scenario, run

from .conftest import ROOT, SCENARIOS
from .test_golden import BEFORE

REFERENCE = ROOT / "tests" / "golden" / "small_distribution.csv"
#: Each configuration's overrides of small.toml and its reference runs.
CONFIGURATIONS = {
    "small": ({}, REFERENCE),
    "fixed_enterprises": (BEFORE, ROOT / "tests" / "golden" / "small_fixed_enterprises_distribution.csv"),
}
REFERENCE_SEED, REFERENCE_REPLICATIONS = 101, 40
SEED, REPLICATIONS = 202, 16
#: The chance that a model behaving as the reference's fails the test (all indicators together).
LEVEL = 0.001


def indicators(seed: int, replications: int, overrides: dict | None = None) -> pd.DataFrame:
    """Every indicator of small.toml, one row per replication of ``seed``."""
    scenario = Scenario.load(SCENARIOS / "small.toml", overrides)
    return run(scenario, seed=seed, replications=replications).summary[list(INDICATORS)]


def shifted(reference: pd.DataFrame, sample: pd.DataFrame, level: float = LEVEL) -> dict[str, str]:
    """The indicators whose mean in ``sample`` differs from the one in ``reference`` beyond chance, each
    with what differs. An indicator constant in both must be the same constant; one undefined (NaN)
    in every run of one side must be so in the other, and one undefined in some runs must not be so
    more often on one side than chance allows (Fisher's exact test: few closures leave the share of
    dumping by closure undefined, and a change that closes fewer enterprises shows there first)."""
    undefined = {name: (int(reference[name].isna().sum()), int(sample[name].isna().sum())) for name in reference.columns}
    runs = len(reference) + len(sample)
    sometimes = {name for name, (before, now) in undefined.items() if 0 < before + now < runs}  # where Fisher's test can tell
    tests = reference.shape[1] + len(sometimes)
    found = {}
    for name in reference.columns:
        a, b = (frame[name].dropna().to_numpy(float) for frame in (reference, sample))
        if (a.size == 0) != (b.size == 0):
            found[name] = f"defined in {a.size} reference runs and {b.size} runs now"
            continue
        if name in sometimes:
            before, now = undefined[name]
            p = stats.fisher_exact([[a.size, before], [b.size, now]]).pvalue
            if p < level / tests:
                found[name] = (
                    f"undefined in {before} of {len(reference)} reference runs, {now} of {len(sample)} now (Fisher p = {p:.2g})"
                )
                continue
        if a.size and np.ptp(a) == 0 and np.ptp(b) == 0:
            if a[0] != b[0]:
                found[name] = f"always {a[0]:g} in the reference, always {b[0]:g} now"
        elif a.size:
            p = stats.ttest_ind(a, b, equal_var=False).pvalue
            if p < level / tests:
                found[name] = f"mean {a.mean():.6g} in the reference, {b.mean():.6g} now (Welch p = {p:.2g})"
    return found


@pytest.mark.parametrize("configuration", CONFIGURATIONS)
def test_the_model_behaves_in_distribution_as_the_reference_runs(configuration):
    overrides, path = CONFIGURATIONS[configuration]
    reference = pd.read_csv(path)
    assert list(reference.columns) == list(INDICATORS), "the indicators changed: regenerate the reference (module docstring)"
    changed = shifted(reference, indicators(SEED, REPLICATIONS, overrides))
    assert not changed, f"the model no longer behaves as the reference runs: {changed} (deliberate? see this module's docstring)"


def test_a_change_of_behaviour_fails_the_comparison():
    """The test above can fail: jobless people who search half as often are seen at once."""
    reference = pd.read_csv(REFERENCE)
    rate = Scenario.load(SCENARIOS / "small.toml").people.search_rate_unemployed
    slower = indicators(SEED, 8, {"people.search_rate_unemployed": 0.5 * rate})
    assert shifted(reference, slower), "halving the job search of the unemployed went unseen"


def test_an_indicator_undefined_more_often_fails_the_comparison():
    """How often an indicator is undefined is compared too: the same values, undefined in 2 of 40
    reference runs and in 12 of 16 runs now, are seen (Fisher p = 2.5e-7), though their mean is the same."""
    reference = pd.read_csv(REFERENCE)
    name = reference.columns[0]
    reference[name] = 1.0 + np.arange(len(reference)) % 2
    sample = reference.iloc[:16].copy()
    reference.loc[reference.index[:2], name] = np.nan
    sample.loc[sample.index[:12], name] = np.nan
    assert "undefined in 2 of 40" in shifted(reference, sample).get(name, ""), shifted(reference, sample)


def test_runs_of_one_model_with_other_seeds_pass_the_comparison():
    """What the test accepts is chance alone: two halves of the reference (its even and odd replications,
    each with seeds of its own) agree."""
    reference = pd.read_csv(REFERENCE)
    assert not shifted(reference.iloc[::2], reference.iloc[1::2])


if __name__ == "__main__":
    chosen = sys.argv[1] if len(sys.argv) > 1 else "small"
    overrides, path = CONFIGURATIONS[chosen]
    indicators(REFERENCE_SEED, REFERENCE_REPLICATIONS, overrides).to_csv(path, index=False)
    print(f"wrote {path}")
