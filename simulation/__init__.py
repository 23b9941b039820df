"""lde-doorstroom: an agent-based model of transitions out of Flanders' local services economy.

The public API::

    from simulation import Scenario, LabourMarketModel, run

    scenario = Scenario.load("scenarios/small.toml", {"policy.aftercare_months": 12})
    model = LabourMarketModel(scenario, seed=1)
    model.step()
    print(model.person(0))
    result = run(scenario, seed=1, replications=3)
    result.summary
    compare([scenario, other], replications=10)   # experiments: also evaluate, sweep, sensitivity
    search(scenario, "searches/small.toml")        # robust policies: levers across plausible futures
"""

from . import early_signals  # noqa: F401, I001 - first: Ctrl-C while the libraries load ends the command cleanly
from importlib.metadata import PackageNotFoundError, version

__distribution__ = "lde-doorstroom"  # checked by simulation.installation: a foreign simulation/__init__.py lacks it

from .mesa_conventions import import_mesa, install_batch_run_fix

import_mesa()  # before anything else imports Mesa: the process keeps its multiprocessing start method

from .experiments import memory  # noqa: E402, F401 - memory: Mesa frees finished models
from .experiments.experiment import compare, evaluate, sweep  # noqa: E402
from .experiments.runner import RunResult, run, run_one  # noqa: E402
from .experiments.sensitivity import sensitivity  # noqa: E402
from .experiments.store import read_experiment  # noqa: E402
from .policy_search.search import search  # noqa: E402
from .rules.parameter_docs import parameters  # noqa: E402
from .rules.scenario import Scenario, ScenarioError  # noqa: E402
from .world.indicators import INDICATORS  # noqa: E402
from .world.model import LabourMarketModel  # noqa: E402
from .world.people import Reason, Status  # noqa: E402

install_batch_run_fix()  # mesa.batch_run reports the last month (Mesa 3.3.1 misses it)


def __getattr__(name: str) -> object:
    """``simulation.plots`` on first use: Matplotlib costs a third of the start-up of a run that draws nothing."""
    if name == "plots":
        import importlib

        return importlib.import_module(".outputs.plots", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


try:
    __version__ = version("lde-doorstroom")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "INDICATORS",
    "LabourMarketModel",
    "Reason",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Status",
    "__version__",
    "compare",
    "evaluate",
    "plots",
    "parameters",
    "read_experiment",
    "run",
    "run_one",
    "search",
    "sensitivity",
    "sweep",
]
