"""Common random numbers: one stream per random process, month and person.

Each random process of the model (retirement, job search, acceptance, separation, ...)
has a named stream. A person's draw in a stream depends only on the run's seed, the
stream's name, the month and the person's id, never on who else drew, how many drew
or what other processes did. So a policy change does not reshuffle the draws of
processes it does not touch, and two scenarios that differ only from month 24 on are
identical up to month 24. This is the approach of Starsim's ``ss.Dist`` with slots,
done here with a counter-based generator: a person's draw is number ``id`` of the
SplitMix64 sequence whose seed mixes (seed, stream, month), computed directly, so drawing
for a few people costs only those few.

Processes that touch most people (job search, referral requests) use
:meth:`RandomStreams.uniform_steps`, which hands person ``i`` the ``i``-th number of a
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
        self._stream_seeds: dict[str, int] = {}  # the month-free part of each stream's key, by name

    def start_month(self, month: int) -> None:
        """Move the streams to ``month``; every stream may then be drawn once more."""
        self.month = month
        self._used.clear()

    def uniform(self, stream: str, ids: np.ndarray) -> np.ndarray:
        """Uniform numbers in [0, 1) for the persons ``ids`` (float64, same order)."""
        return _mix(ids, self._key(stream))

    def lifetime(self, stream: str, ids: np.ndarray) -> np.ndarray:
        """Uniform numbers fixed for each person's whole life (drawn once, at entry).

        For events whose timing can be scheduled in advance, such as leaving the labour
        force at a constant hazard: they do not depend on the month, only on the person.
        """
        return _mix(ids, self._stream_key(stream, month=-1))

    def uniform_steps(self, stream: str, ids: np.ndarray) -> np.ndarray:
        """Uniform numbers in [0, 1) for the persons ``ids`` (ascending), as whole numbers of
        :data:`DENSE_STEP` (uint32 in [0, 2**24)): cheaper per person than :meth:`uniform` when
        most people draw.

        Person ``i`` gets the top 24 bits of the ``i``-th 32-bit word of the (seed, stream, month)
        PCG64 generator (resolution 6e-8, far below any probability in the model), so the draw
        of a person still does not depend on anyone else. The draws stay counts of steps: a
        test ``draw < p`` is ``steps < dense_threshold(p)``, with no conversion of every
        person's draw to a float (two passes over every row less). A stream is drawn either
        with this method or with :meth:`uniform`, never both.
        """
        count = int(ids[-1]) + 1 if ids.size else 0
        words = np.random.PCG64(int(self._key(stream))).random_raw((count + 1) // 2).view(np.uint32)
        steps = words.take(ids)  # the same words as words[ids], a quarter cheaper for 140,000 ids
        steps >>= np.uint32(8)
        return steps

    def generator(self, stream: str) -> np.random.Generator:
        """A NumPy generator for a process of the few (employers, enterprises) this month."""
        return np.random.Generator(np.random.PCG64(int(self._key(stream))))

    def _key(self, stream: str) -> np.uint64:
        if stream in self._used:
            raise RuntimeError(
                f"random stream {stream!r} drawn twice in month {self.month}: give each random process its own stream name"
            )
        self._used.add(stream)
        return self._stream_key(stream, self.month)

    def _stream_key(self, stream: str, month: int) -> np.uint64:
        """A 64-bit key mixing seed, stream name and month (SplitMix64 finaliser, chained)."""
        stream_seed = self._stream_seeds.get(stream)
        if stream_seed is None:
            stream_seed = self._stream_seeds[stream] = _fmix(_fmix(self.seed) ^ zlib.crc32(stream.encode()))
        return np.uint64(_fmix(stream_seed ^ (month + 1)))


_MASK = (1 << 64) - 1


def _fmix(x: int) -> int:
    """SplitMix64 step on a Python integer: a bijective 64-bit mixer."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


#: The resolution of :meth:`RandomStreams.uniform_steps`: its draws are whole numbers of this step.
DENSE_STEP = 2.0**-24


def dense_threshold(probability: float) -> np.uint32:
    """The count ``k`` of :data:`DENSE_STEP` with ``steps < k`` exactly when ``steps x DENSE_STEP <
    probability`` compared in float64, for every draw of :meth:`RandomStreams.uniform_steps`:
    how many of the possible draws (0, 1, 2, ... steps) lie below ``probability`` (0 to 2**24)."""
    return np.uint32(min(max(np.ceil(probability / DENSE_STEP), 0.0), 1 / DENSE_STEP))


def _mix(ids: np.ndarray, key: np.uint64) -> np.ndarray:
    """SplitMix64 output number ``id`` of the sequence seeded by ``key``, as a float in [0, 1)."""
    z = ids.astype(np.uint64)
    z *= _GOLDEN
    z += key
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    z >>= _S11
    return z * _TO_UNIT


def replication_seed(seed: int, replication: int) -> int:
    """The model seed of replication ``replication`` of base ``seed``.

    Derived with NumPy's SeedSequence, so replications are independent streams, and the
    same (seed, replication) gives the same seed in every scenario: common random numbers
    across the scenarios of a comparison. The model class, :func:`simulation.run`, the
    command line and experiments all derive it the same way, so ``seed`` means one thing.
    """
    return int(np.random.SeedSequence([seed, replication]).generate_state(1, np.uint64)[0] >> np.uint64(1))
