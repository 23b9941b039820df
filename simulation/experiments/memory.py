"""Memory that runs leave behind, given back, so that a process can run any number of runs.

Two things made a long experiment grow without bound, 4.4 MB a run of ``small.toml``:

- Mesa 3.3.1 numbers each model's agents from a class-level ``Agent._ids``: a
  ``defaultdict`` keyed by the model itself, never emptied, so every model that ever
  made an agent stays alive with all its tables. Later Mesa releases keep the counter on
  the model; until the release used here does, :func:`release_models` (applied when the
  package is imported) keeps each model's counter on the model, so a finished model can
  be freed. Agents are numbered exactly as before (from 1 per model).
  ``tests/test_memory.py`` fails once the installed Mesa no longer needs this, so that
  the workaround is then removed.
- A finished model is a web of references (agents and model refer to each other), freed
  only by Python's cycle collector, and the C heap keeps what is freed: on purpose within
  a run (:mod:`simulation.world.allocator` keeps up to 512 MB for reuse, for speed), but between
  runs it only piles up (58 MB over 1,000 runs of ``small.toml --months 12``). After a
  run :func:`release_memory` collects and returns the free heap to the system
  (``malloc_trim``, glibc), taking at most a tenth of the time (measured: no slower).
"""

from __future__ import annotations

import ctypes
import gc
import itertools
import sys
import time
from collections.abc import Iterator
from typing import Any

import mesa

#: Releasing memory takes at most this share of the time between releases.
RELEASE_SHARE = 0.1


#: The attribute of a model that holds its agent number counter.
COUNTER = "_lde_agent_ids"


class AgentCounters:
    """Stands in for Mesa's ``Agent._ids``: each model's agent number counter (from 1), kept on the
    model itself, so that it goes with the model. No weak references: a callback of one, run while
    the collector frees a model, would swallow a Ctrl-C that arrives meanwhile."""

    def __getitem__(self, model: Any) -> Iterator[int]:
        counter = model.__dict__.get(COUNTER)
        if counter is None:
            counter = model.__dict__[COUNTER] = itertools.count(1)
        return counter


def release_models() -> None:
    """Replace Mesa's strong ``Agent._ids`` by :class:`AgentCounters` (counters already made carried over)."""
    ids = mesa.Agent.__dict__.get("_ids")
    if ids is None or isinstance(ids, AgentCounters):
        return
    for model, counter in ids.items():
        model.__dict__[COUNTER] = counter
    mesa.Agent._ids = AgentCounters()


def _malloc_trim() -> Any:
    """glibc's ``malloc_trim`` (gives free heap pages back to the system), or None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # another C library (musl)
        return None


_TRIM = _malloc_trim()
_last = {"end": 0.0, "cost": 0.0}


def release_memory() -> None:
    """Free finished models and give the free heap back, unless that would take more than
    :data:`RELEASE_SHARE` of the time since the last release (cheap runs release less often)."""
    start = time.perf_counter()
    if start - _last["end"] < _last["cost"] / RELEASE_SHARE:
        return
    gc.collect()
    if _TRIM is not None:
        _TRIM(0)
    end = time.perf_counter()
    _last.update(end=end, cost=end - start)


release_models()
