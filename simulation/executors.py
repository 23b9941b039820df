"""Where runs execute: in this process, in local processes, or on a Dask cluster.

Every executor takes the same :class:`Task` objects and yields the same
:class:`~simulation.store.Outcome` objects, in whatever order runs finish. A run is a
pure function of its task (scenario, seed, replication), so the results are identical
whichever executor ran them. At most a few runs per worker are in flight at once, so a
10,000-run sweep never holds more than that in memory.

- serial: ``jobs=1``, no scheduler;
- processes (the default): ``jobs`` local worker processes; a worker that dies is
  replaced and the runs it held are retried;
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

from .branching import run_branches
from .errors import LDEError
from .evaluation import evaluate_replication
from .indicators import indicators, measured_months
from .processes import worker_init
from .runner import Replication, simulate
from .scenario import Scenario
from .store import MONTHLY, Outcome

IN_FLIGHT_PER_WORKER = 2
RETRIES = 2
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
    """Run one task; a failure of the model becomes outcomes with the error, not an exception."""
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
    return Outcome(run, seconds, indicators, result.metrics[["month", *MONTHLY]])


def branch_outcomes(task: Task, start: float) -> list[Outcome]:
    """The branches of one history: the shared months run once (:mod:`simulation.branching`)."""
    scenarios = [Scenario.from_dict(data) for _, data in task.branches]
    results = run_branches(scenarios, task.seed, task.replication, task.branch_month)
    seconds = (time.perf_counter() - start) / len(results)
    return [outcome_of(run, result, seconds) for (run, _), result in zip(task.branches, results)]


def evaluation_outcome(task: Task, scenario: Scenario, start: float) -> Outcome:
    """A paired run of the scenario and its twin (:func:`simulation.evaluation.evaluate_replication`)."""
    twin = Scenario.from_dict(task.twin or {})
    model, table, effects = evaluate_replication(scenario, twin, task.seed, task.replication)
    metrics = model.recorder.metrics()
    return Outcome(
        task.run,
        time.perf_counter() - start,
        indicators(metrics, measured_months(scenario)),
        metrics[["month", *MONTHLY]],
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
    pending = iter(tasks)
    retries: dict[int, int] = {}
    pool = new_pool(jobs)
    running: dict[Future[Outcome], Task] = {}
    try:
        while True:
            for task in pending:
                running[pool.submit(execute_task, task)] = task
                if len(running) >= jobs * IN_FLIGHT_PER_WORKER:
                    break
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                task = running.pop(future)
                try:
                    yield from future.result()
                except BrokenProcessPool:
                    retries[task.run] = retries.get(task.run, 0) + 1
                    if retries[task.run] > RETRIES:
                        for run in task.runs:
                            yield Outcome(run, 0.0, error="worker process died repeatedly on this run")
                        continue
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = new_pool(jobs)
                    lost = [running.pop(f) for f in list(running)]
                    for again in (task, *lost):
                        running[pool.submit(execute_task, again)] = again
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


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
