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

from . import memory, plots  # noqa: F401 - memory: Mesa frees finished models
from .experiment import compare, evaluate, sweep
from .indicators import INDICATORS
from .model import LabourMarketModel
from .parameter_docs import parameters
from .people import Reason, Status
from .runner import RunResult, run, run_one
from .scenario import Scenario, ScenarioError
from .search import search
from .sensitivity import sensitivity
from .store import read_experiment

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
