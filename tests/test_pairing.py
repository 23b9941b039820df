"""Common random numbers, in distribution: how closely a scenario and its variant are paired.

Each person's draws depend only on (seed, stream, month, person id) (:mod:`simulation.world.streams`),
so two scenarios run with the same seed differ only where their rules make them differ, and an
indicator's difference between them varies far less over replications than the indicator itself:
with small.toml, the aftercare option's differences vary about 40 times less (the median over the
indicators of var(difference) / (var(option) + var(base)) is 0.023 over the test's 16 runs, the
twin's 0.57; without pairing it is about 1). Every comparison leans on it: ``lde-sim compare``, the
evaluation against a twin, the calibration's effect targets and policy options. The golden test pins
today's draws exactly; a change of the draws (an event schedule: issue 22) regenerates it, and then
this test is what says the pairing held.

``golden/small_pairing.csv`` holds each comparison's paired differences (variant less small.toml, the
same seed) over ``REFERENCE_REPLICATIONS`` runs of seed ``REFERENCE_SEED``; the test makes
``REPLICATIONS`` of another seed and asks, indicator by indicator, whether the differences now vary
more than in the reference beyond chance (the Brown-Forsythe test of spread, one-sided, Bonferroni
over the indicators at a family-wise level of ``LEVEL``). It passes when the pairing is as strong as
before, or stronger. Regenerate the reference only when a comparison's variant changes, or the
model's behaviour (when ``test_distribution``'s reference is regenerated too), with the reason in
the commit message:

    .venv/bin/python -m tests.test_pairing

With 40 and 16 runs an indicator's differences are seen when their variance is 9 times the
reference's half the time, 25 times nine times in ten (normal differences, 4,000 trials). Without
pairing (small.toml's runs of another seed), 56 of the 85 indicators of the aftercare comparison are
seen, and 4 of the twin's: the twin differs from small.toml in everything that follows a placement,
so pairing narrows fewer of its differences.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation import INDICATORS

from .conftest import ROOT
from .test_distribution import indicators

REFERENCE = ROOT / "tests" / "golden" / "small_pairing.csv"
#: Each comparison's variant of small.toml: the evaluation's twin (nobody placed in LDE: every
#: process after a placement differs), and a policy option (aftercare for hires from LDE).
COMPARISONS = {
    "twin": {"policy.lde_placements": False},
    "aftercare": {"policy.aftercare_months": 12},
}
REFERENCE_SEED, REFERENCE_REPLICATIONS = 101, 40
SEED, REPLICATIONS = 202, 16
#: The chance that a model paired as the reference's fails the test (per comparison, all indicators together).
LEVEL = 0.001


def scenario_runs(seed: int, replications: int) -> dict[str, pd.DataFrame]:
    """The indicators of small.toml (``base``) and of each comparison's variant, ``replications`` of ``seed``."""
    return {"base": indicators(seed, replications)} | {name: indicators(seed, replications, o) for name, o in COMPARISONS.items()}


def differences(runs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each comparison's differences (variant less small.toml, replication by replication), with the
    comparison's name in the column ``comparison``."""
    frames = [(runs[name] - runs["base"]).assign(comparison=name) for name in COMPARISONS]
    return pd.concat(frames, ignore_index=True)[["comparison", *INDICATORS]]


def loosened(reference: pd.DataFrame, sample: pd.DataFrame, level: float = LEVEL) -> dict[str, str]:
    """The indicators whose paired differences spread more in ``sample`` than in ``reference`` beyond
    chance (each frame: one comparison's differences, one row per replication), with by how much.

    The spread is compared by the Brown-Forsythe test (Levene's, centred on the medians), one-sided:
    many differences are exactly 0 in most runs and not in a few, far from the normal shape an
    F-test of the variances needs. Runs where an indicator is undefined are left out; one defined
    in fewer than five runs on either side is not judged.
    """
    judged = [name for name in INDICATORS if min(reference[name].count(), sample[name].count()) >= 5]
    found = {}
    for name in judged:
        a, b = (frame[name].dropna().to_numpy(float) for frame in (reference, sample))
        before, now = (np.abs(x - np.median(x)).mean() for x in (a, b))
        if now <= before:
            continue
        p = stats.levene(a, b, center="median").pvalue / 2
        if p < level / len(judged):
            found[name] = f"mean distance from the median {before:.3g} in the reference, {now:.3g} now (p = {p:.2g})"
    return found


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    stored = pd.read_csv(REFERENCE)
    assert list(stored.columns) == ["comparison", *INDICATORS], (
        "the indicators changed: regenerate the reference (module docstring)"
    )
    assert set(stored["comparison"]) == set(COMPARISONS), "the comparisons changed: regenerate the reference (module docstring)"
    return stored


@pytest.fixture(scope="module")
def runs() -> dict[str, pd.DataFrame]:
    return scenario_runs(SEED, REPLICATIONS)


@pytest.mark.parametrize("comparison", COMPARISONS)
def test_a_scenario_and_its_variant_are_paired_as_in_the_reference(reference: pd.DataFrame, runs, comparison):
    weaker = loosened(reference[reference["comparison"] == comparison], runs[comparison] - runs["base"])
    assert not weaker, f"{comparison}: common random numbers pair the runs less closely than before: {weaker}"


def test_runs_without_common_random_numbers_fail_the_comparison(reference: pd.DataFrame, runs):
    """The test above can fail: each variant's runs against small.toml's runs of another seed (as if
    every run drew numbers of its own) are seen, the aftercare option's in many indicators."""
    other = indicators(SEED + 1, REPLICATIONS)
    seen = {name: loosened(reference[reference["comparison"] == name], runs[name] - other) for name in COMPARISONS}
    assert len(seen["aftercare"]) >= 20, f"only {len(seen['aftercare'])} indicators seen without pairing: {seen['aftercare']}"
    assert seen["twin"], "the twin's runs without pairing went unseen"


def test_paired_runs_of_other_seeds_pass_the_comparison(reference: pd.DataFrame):
    """What the test accepts is chance alone: two halves of the reference (its even and odd
    replications, each with seeds of its own) agree, both ways round."""
    for comparison in COMPARISONS:
        pairs = reference[reference["comparison"] == comparison]
        assert not loosened(pairs.iloc[::2], pairs.iloc[1::2]), comparison
        assert not loosened(pairs.iloc[1::2], pairs.iloc[::2]), comparison


if __name__ == "__main__":
    differences(scenario_runs(REFERENCE_SEED, REFERENCE_REPLICATIONS)).to_csv(REFERENCE, index=False)
    print(f"wrote {REFERENCE}")
