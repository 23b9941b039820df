"""Common random numbers: one stream per random process, month and person.

Each random process of the model (retirement, job search, acceptance, separation, ...)
has a named stream. A person's draw in a stream depends only on the run's seed, the
stream's name, the month and the person's slot, never on who else drew, how many drew
or what other processes did. So a policy change does not reshuffle the draws of
processes it does not touch, and two scenarios that differ only from month 24 on are
identical up to month 24. This is the approach of Starsim's ``ss.Dist`` with slots,
done here with a counter-based generator: each draw hashes (seed, stream, month, slot)
with the SplitMix64 finaliser, so drawing for a few people costs only those few.

Processes that touch most people (leaving the labour force, job search) use
:meth:`RandomStreams.uniform_all`, which hands slot ``i`` the ``i``-th number of a
generator seeded by (seed, stream, month): the same guarantee, cheaper per person.
Processes of the few (vacancies per employer) take that generator itself from
:meth:`RandomStreams.generator`.
"""

from __future__ import annotations

import zlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
_TO_UNIT = 1.0 / (1 << 53)


class RandomStreams:
    """The random numbers of one run. Each (stream, month) may be used once."""

    def __init__(self, seed: int) -> None:
        if not 0 <= int(seed) < 2**63:
            raise ValueError(f"seed must be an integer in [0, 2**63), got {seed}")
        self.seed = int(seed)
        self.month = 0
        self._used: set[str] = set()

    def start_month(self, month: int) -> None:
        """Move the streams to ``month``; every stream may then be drawn once more."""
        self.month = month
        self._used.clear()

    def uniform(self, stream: str, slots: np.ndarray) -> np.ndarray:
        """Uniform numbers in [0, 1) for the persons in ``slots`` (float64, same order)."""
        z = slots.astype(np.uint64)
        z *= _GOLDEN
        z += self._key(stream)
        z ^= z >> _S30
        z *= _M1
        z ^= z >> _S27
        z *= _M2
        z ^= z >> _S31
        z >>= _S11
        return z * _TO_UNIT

    def uniform_all(self, stream: str, n: int) -> np.ndarray:
        """Uniform numbers in [0, 1) for slots ``0 .. n-1``: cheaper per person for processes of the many.

        Slot ``i`` gets the ``i``-th number of the (seed, stream, month) generator, so the
        draw of a person still does not depend on anyone else. A stream is drawn either
        with this method or with :meth:`uniform`, never both.
        """
        return self.generator(stream).random(n)

    def generator(self, stream: str) -> np.random.Generator:
        """A NumPy generator for a process of the few (employers, enterprises) this month."""
        key = int(self._key(stream))
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence([key & 0xFFFFFFFF, key >> 32])))

    def _key(self, stream: str) -> np.uint64:
        if stream in self._used:
            raise RuntimeError(f"random stream {stream!r} drawn twice in month {self.month}: "
                               "give each random process its own stream name")
        self._used.add(stream)
        mixed = np.random.SeedSequence([self.seed, zlib.crc32(stream.encode()), self.month]).generate_state(1, np.uint64)[0]
        return np.uint64(mixed)
