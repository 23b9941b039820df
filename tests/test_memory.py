"""Memory that runs leave behind (simulation.experiments.memory): finished models are freed, and the
workaround for Mesa 3.3.1 is removed as soon as the installed Mesa no longer needs it.

The memory of 1,000 runs in one process is measured in benchmarks/bench_memory.py.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref

import mesa
import pytest

from simulation.experiments.memory import AgentCounters
from simulation.experiments.runner import run_model

MESA_KEEPS_MODELS = """
import gc, weakref
import mesa
model = mesa.Model(seed=1)
mesa.Agent(model)
alive = weakref.ref(model)
del model
gc.collect()
print(alive() is not None)
"""


@pytest.mark.slow
def test_the_installed_mesa_still_keeps_every_model_alive():
    """Without simulation.experiments.memory, Mesa 3.3.1 keeps a model with agents alive forever (Agent._ids).

    When this fails, the installed Mesa has the fix: remove release_models from simulation/experiments/memory.py
    and this test."""
    done = subprocess.run([sys.executable, "-c", MESA_KEEPS_MODELS], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True", (
        f"Mesa {mesa.__version__} no longer keeps models alive: remove the workaround (release_models) in simulation/experiments/memory.py"
    )


def test_a_finished_model_is_freed(small):
    assert isinstance(mesa.Agent._ids, AgentCounters)
    model = run_model(small, seed=1, months=2)
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None, f"a finished model is still referred to by {[type(r).__name__ for r in gc.get_referrers(alive())]}"


def test_agents_are_numbered_from_one_in_each_model(small):
    """The workaround keeps Mesa's numbering: unique_id 1, 2, ... per model."""
    first, second = (run_model(small, seed=seed, months=1) for seed in (1, 2))
    for model in (first, second):
        ids = sorted(agent.unique_id for agent in model.agents)
        assert ids == list(range(1, len(ids) + 1))
