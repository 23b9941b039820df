"""Where runs execute: in this process, in local processes, or on a Dask cluster.

Every executor takes the same :class:`Task` objects and yields the same
:class:`~simulation.experiments.store.Outcome` objects, in whatever order runs finish. A run is a
pure function of its task (scenario, seed, replication), so the results are identical
whichever executor ran them. At most a few runs per worker are in flight at once, so a
10,000-run sweep never holds more than that in memory.

- serial: ``jobs=1``, no scheduler;
- processes (the default): ``jobs`` local worker processes, replaced by fresh ones every
  ``TASKS_PER_WORKER`` tasks a worker; a worker that dies breaks the pool, and the runs in
  flight run again on a fresh one (a run that keeps killing its worker fails alone);
- Dask: ``scheduler="tcp://host:port"`` for an existing cluster, or ``"local"`` to start a
  ``LocalCluster`` of ``jobs`` single-threaded workers on this machine (loopback only);
  a worker that dies costs only the runs it held, which Dask runs again. Needs the
  ``cluster`` extra (``pip install 'lde-doorstroom[cluster]'``).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
import time
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import LDEError
from ..rules.scenario import Scenario
from ..world.indicators import indicators, measured_months
from .branching import run_branches
from .evaluation import evaluate_replication
from .memory import release_memory
from .processes import worker_init
from .runner import Replication, simulate
from .store import MONTHLY, Outcome

IN_FLIGHT_PER_WORKER = 2
RETRIES = 2
#: Tasks a worker runs before its pool is replaced by a fresh one (a second guard against memory
#: that runs leave behind; a fresh forked worker costs milliseconds).
TASKS_PER_WORKER = 100
#: Workers fork from this process on Linux: they start at once, with the model already
#: imported (spawning re-imports Mesa, pandas and SciPy: about a second per worker).
#: Elsewhere (macOS, Windows) fork is unsafe or missing, so they spawn.
START_METHOD = "fork" if sys.platform == "linux" else "spawn"


@dataclass(frozen=True)
class Task:
    """One run: the resolved scenario (as data), the base seed and the replication; with a
    ``twin`` (a scenario as data), a paired run of the scenario and its counterfactual twin."""

    run: int
    scenario: dict[str, Any]
    seed: int
    replication: int
    twin: dict[str, Any] | None = None
    #: Branches of one history (run, scenario as data), continued from month ``branch_month`` - 1.
    branches: tuple[tuple[int, dict[str, Any]], ...] = ()
    branch_month: int = 0

    @property
    def runs(self) -> list[int]:
        """The runs this task produces."""
        return [run for run, _ in self.branches] if self.branches else [self.run]


def execute_task(task: Task) -> list[Outcome]:
    """Run one task; a failure of the model becomes outcomes with the error, not an exception.

    The memory the run leaves behind is given back afterwards (:func:`simulation.experiments.memory.release_memory`).
    """
    try:
        return run_task(task)
    finally:
        release_memory()


def run_task(task: Task) -> list[Outcome]:
    start = time.perf_counter()
    try:
        scenario = Scenario.from_dict(task.scenario)
        if task.twin is not None:
            return [evaluation_outcome(task, scenario, start)]
        if task.branches:
            return branch_outcomes(task, start)
        result = simulate(scenario, task.seed, task.replication)
    except Exception as err:  # noqa: BLE001 - one failed run must not stop an experiment
        detail = "".join(traceback.format_exception_only(type(err), err)).strip()
        return [Outcome(run, time.perf_counter() - start, error=detail) for run in task.runs]
    return [outcome_of(task.run, result, time.perf_counter() - start)]


def outcome_of(run: int, result: Replication, seconds: float) -> Outcome:
    indicators = {k: v for k, v in result.summary.items() if k not in ("replication", "seed")}
    return Outcome(run, seconds, indicators, monthly_of(result.metrics))


def monthly_of(metrics: pd.DataFrame) -> pd.DataFrame:
    """The store's monthly columns of a run's metrics; a column a scenario does not record (the
    benefit limit's, in a scenario without it) is left empty."""
    return metrics.reindex(columns=["month", *MONTHLY])


def branch_outcomes(task: Task, start: float) -> list[Outcome]:
    """The branches of one history: the shared months run once (:mod:`simulation.experiments.branching`)."""
    scenarios = [Scenario.from_dict(data) for _, data in task.branches]
    results = run_branches(scenarios, task.seed, task.replication, task.branch_month)
    seconds = (time.perf_counter() - start) / len(results)
    return [outcome_of(run, result, seconds) for (run, _), result in zip(task.branches, results)]


def evaluation_outcome(task: Task, scenario: Scenario, start: float) -> Outcome:
    """A paired run of the scenario and its twin (:func:`simulation.experiments.evaluation.evaluate_replication`)."""
    twin = Scenario.from_dict(task.twin or {})
    model, table, effects = evaluate_replication(scenario, twin, task.seed, task.replication)
    metrics = model.recorder.metrics()
    return Outcome(
        task.run,
        time.perf_counter() - start,
        indicators(metrics, measured_months(scenario)),
        monthly_of(metrics),
        table,
        effects,
    )


class ExecutorError(LDEError):
    """An executor that cannot start (no Dask installed, scheduler unreachable)."""


#: A Dask scheduler address: protocol, host and port.
SCHEDULER = re.compile(r"^(tcp|tls|ws|wss)://[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")


def check_scheduler(scheduler: str | None) -> None:
    """Refuse a --scheduler that is neither ``local`` nor an address like ``tcp://host:8786``."""
    if scheduler is not None and scheduler != "local" and not SCHEDULER.match(scheduler):
        raise ExecutorError(f"--scheduler {scheduler!r}: expected 'local' or an address such as tcp://HOST:8786")


def run_tasks(tasks: Iterable[Task], jobs: int = 1, scheduler: str | None = None) -> Iterator[Outcome]:
    """Run ``tasks`` and yield their outcomes as they finish."""
    if scheduler is not None:
        return _dask(tasks, jobs, scheduler)
    if jobs <= 1:
        return (outcome for task in tasks for outcome in execute_task(task))
    return _processes(tasks, jobs)


def new_pool(jobs: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context(START_METHOD)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=worker_init, initargs=(os.getpid(),))


def _processes(tasks: Iterable[Task], jobs: int) -> Iterator[Outcome]:
    """Run ``tasks`` on ``jobs`` worker processes, with at most ``IN_FLIGHT_PER_WORKER`` each in flight.

    When a worker dies, the pool breaks and every run in flight is lost at once: they are
    handled together, and run again on a fresh pool (:class:`Retries` decides how often).
    The pool is also replaced after ``TASKS_PER_WORKER`` tasks a worker, so that memory a
    run leaves behind in a worker cannot accumulate over a long experiment.
    """
    pending = iter(tasks)
    retries = Retries()
    pool, submitted, alone = new_pool(jobs), 0, False
    running: dict[Future[list[Outcome]], Task] = {}

    def submit(task: Task) -> None:
        nonlocal submitted
        try:
            future = pool.submit(execute_task, task)
        except BrokenProcessPool as err:  # broken since the last wait: the task is lost with the others
            future = Future()
            future.set_exception(err)
        running[future] = task
        submitted += 1

    try:
        while True:
            if not running:
                alone = False
                if submitted >= jobs * TASKS_PER_WORKER:
                    pool.shutdown(wait=True)
                    pool, submitted = new_pool(jobs), 0
            if not alone:
                for task in retries.again():
                    submit(task)
                if (suspect := retries.suspect(nothing_running=not running)) is not None:
                    submit(suspect)
                    alone = True
                elif not retries.waiting() and submitted < jobs * TASKS_PER_WORKER:
                    for task in pending:
                        submit(task)
                        if len(running) >= jobs * IN_FLIGHT_PER_WORKER or submitted >= jobs * TASKS_PER_WORKER:
                            break
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            lost = []
            for future in done:
                task = running.pop(future)
                try:
                    outcomes = future.result()
                except BrokenProcessPool:
                    lost.append(task)
                    continue
                yield from outcomes
            if lost:
                wait(running)  # a broken pool ends every future still in flight: collect them as well
                for future in list(running):
                    task = running.pop(future)
                    if future.exception() is None:
                        yield from future.result()
                    else:
                        lost.append(task)
                yield from retries.lost(lost, alone)
                pool.shutdown(wait=False, cancel_futures=True)
                pool, submitted = new_pool(jobs), 0
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class Retries:
    """Runs lost with a dying worker, to run again.

    A worker can die for reasons outside its run (the out-of-memory killer, a ``kill``),
    so a lost run is first simply run again. A run lost ``RETRIES`` times then runs alone,
    with nothing else in flight, so that a run that kills its worker is found out without
    taking the runs beside it along; lost once more, alone, it fails with a message.
    """

    def __init__(self) -> None:
        self.count: dict[int, int] = {}
        self.plain: list[Task] = []
        self.suspects: list[Task] = []

    def lost(self, tasks: list[Task], alone: bool) -> Iterator[Outcome]:
        """Record ``tasks`` lost to one broken pool (``alone``: a suspect that ran by itself); yield the failures."""
        for task in tasks:
            if alone:
                yield from (Outcome(run, 0.0, error="worker process died repeatedly on this run") for run in task.runs)
                continue
            self.count[task.run] = self.count.get(task.run, 0) + 1
            (self.suspects if self.count[task.run] >= RETRIES else self.plain).append(task)

    def waiting(self) -> bool:
        return bool(self.plain or self.suspects)

    def again(self) -> list[Task]:
        """The lost runs to run again now, beside others."""
        ready, self.plain = self.plain, []
        return ready

    def suspect(self, nothing_running: bool) -> Task | None:
        """A run lost ``RETRIES`` times, to run alone: only when ``nothing_running``."""
        return self.suspects.pop(0) if self.suspects and nothing_running else None


def _dask(tasks: Iterable[Task], jobs: int, scheduler: str) -> Iterator[Outcome]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ExecutorError("--scheduler needs Dask: pip install 'lde-doorstroom[cluster]'") from None
    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(
                n_workers=max(jobs, 1), threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
            )
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=10)
    except OSError as err:
        if cluster is not None:
            cluster.close()
        raise ExecutorError(f"--scheduler {scheduler}: cannot connect: {err}") from None
    try:
        yield from _dask_loop(client, as_completed, tasks, max(len(client.scheduler_info()["workers"]), 1))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _dask_loop(client: Any, as_completed: Any, tasks: Iterable[Task], workers: int) -> Iterator[Outcome]:
    pending = iter(tasks)
    queue = as_completed()
    owner: dict[str, Task] = {}

    def submit_next() -> None:
        for task in pending:
            future = client.submit(execute_task, task, key=f"run-{task.run}-{time.time_ns()}", retries=RETRIES, pure=False)
            owner[future.key] = task
            queue.add(future)
            return

    for _ in range(workers * IN_FLIGHT_PER_WORKER):
        submit_next()
    for future in queue:
        try:
            outcomes = future.result()
        except Exception as err:  # noqa: BLE001 - e.g. KilledWorker after repeated worker deaths
            outcomes = [Outcome(run, 0.0, error=f"{type(err).__name__}: {err}") for run in owner[future.key].runs]
        future.release()
        yield from outcomes
        submit_next()
