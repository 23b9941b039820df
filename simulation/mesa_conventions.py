"""Playing by Mesa's rules: importing Mesa without its side effect, and ``mesa.batch_run``
reporting a run's final month.

Two things in Mesa 3.3 that a user of this package should not notice:

- Importing Mesa (its batch runner) switches :mod:`multiprocessing` to the ``spawn`` start
  method for the whole process. :func:`import_mesa` imports it and puts back the start method
  the process had, so importing this package changes nothing for the user's own code; a
  script without an ``if __name__ == "__main__":`` guard keeps working. ``mesa.batch_run``
  with ``number_processes > 1`` then uses the platform's default (fork on Linux), which runs
  this model the same way.
- Mesa 3.3.1's ``batch_run`` reports the row of month ``steps - 1`` as a run's result, one
  month short: the DataCollector holds month 0 and every month after it, and the batch
  runner reads index ``steps - 1`` (mesa/mesa#2514, fixed upstream by #3109 after the
  release). :func:`install_batch_run_fix` replaces the batch runner's per-run function for
  this package's models only, and only while the installed Mesa has the bug
  (:func:`mesa_misses_last_step` checks by running a three-step model through it); other
  models keep Mesa's own function.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any


def import_mesa() -> None:
    """Import Mesa and undo the start-method switch its batch runner makes at import."""
    before = multiprocessing.get_start_method(allow_none=True)  # None: not chosen yet (the default applies)
    import mesa  # noqa: F401  (its batch runner sets the start method to spawn, with force)

    multiprocessing.set_start_method(before, force=True)  # as it was (None: unchosen, the platform's default)


def mesa_misses_last_step() -> bool:
    """Whether the installed Mesa's batch runner reports the month before a run's last one.

    Runs a model that counts its steps for three steps through Mesa's own per-run function
    (:data:`MESA_RUN`), collecting at step 0 and after each step as this package's model does.
    """
    import mesa

    class Counter(mesa.Model):
        def __init__(self) -> None:
            super().__init__(seed=0)
            self.datacollector = mesa.DataCollector(model_reporters={"count": "steps"})
            self.datacollector.collect(self)

        def step(self) -> None:
            self.datacollector.collect(self)
            self.running = self.steps < 3

    rows = MESA_RUN(Counter, (0, 0, {}), max_steps=3, data_collection_period=-1)
    return rows[-1]["count"] != 3


def run_for_batch(
    model_cls: type, run: tuple[int, int, dict[str, Any]], max_steps: int, data_collection_period: int
) -> list[dict]:
    """Mesa's per-run function of ``batch_run`` with the final month reported, for this package's models.

    The rows are Mesa's (``RunId``, ``iteration``, ``Step``, the parameters, the collected
    values), at every ``data_collection_period`` months and at the last month (``-1``: the
    last month only). Each value is the one collected, as Mesa's own function gives it: not a
    row of the collector's table, whose mixed columns become floats (a seed of 19 digits would
    lose its last ones and no longer reproduce the run). Other model classes go to Mesa's own
    function.
    """
    from .world.model import LabourMarketModel

    if not issubclass(model_cls, LabourMarketModel):
        return MESA_RUN(model_cls, run, max_steps=max_steps, data_collection_period=data_collection_period)
    run_id, iteration, kwargs = run
    model = model_cls(**kwargs)
    while model.running and model.steps < max_steps:
        model.step()
    collected = model.datacollector.model_vars  # name -> values, value m: month m (month 0 included)
    months = list(range(0, model.steps + 1, data_collection_period)) if data_collection_period > 0 else []
    if not months or months[-1] != model.steps:
        months.append(model.steps)
    return [
        {"RunId": run_id, "iteration": iteration, "Step": m, **kwargs, **{k: v[m] for k, v in collected.items()}} for m in months
    ]


#: Mesa's own per-run function of ``batch_run``, as the installed Mesa has it.
MESA_RUN: Callable[..., list[dict]]


def install_batch_run_fix() -> None:
    """Use :func:`run_for_batch` in ``mesa.batch_run`` while the installed Mesa misses the last month."""
    import mesa.batchrunner

    global MESA_RUN
    MESA_RUN = mesa.batchrunner._model_run_func
    if MESA_RUN is not run_for_batch and mesa_misses_last_step():
        mesa.batchrunner._model_run_func = run_for_batch
