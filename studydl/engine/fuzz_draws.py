"""Anki's fuzz draws for many cards at once: rand's `StdRng::seed_from_u64` over numpy arrays.

A card's fuzz (and its learning-step fuzz) comes from the first words of one ChaCha12
block keyed by its seed (card id + review count, `fuzz.py`). In Python one block
costs ~80 µs, more than the rest of showing a card; over a numpy array of seeds it
costs about a microsecond per seed. The review session primes the seeds of the cards
it is about to show (`prime`), and `fuzz` reads the cached words, computing a block
one at a time only for a seed nobody primed. The arithmetic is the scalar code's
(`fuzz._pcg32_key`, `fuzz._chacha12_block`), on uint64 and uint32 lanes that wrap.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MAX_CACHED = 1 << 18
"""Seeds kept (two words each); the cache is emptied when full (a day's cards fit many times)."""

_words: dict[int, tuple[int, int]] = {}


def cached(seed: int) -> tuple[int, int] | None:
    """The first two u32 draws of this seed's generator, if primed."""
    return _words.get(seed)


def is_primed(seed: int) -> bool:
    return seed in _words


def prime(seeds: Iterable[int]) -> int:
    """Compute the first draws of every seed not yet cached, in one pass; how many were computed."""
    missing = sorted({s & 0xFFFFFFFFFFFFFFFF for s in seeds} - _words.keys())
    if not missing:
        return 0
    if len(_words) + len(missing) > MAX_CACHED:
        _words.clear()
    first, second = first_words(missing)
    _words.update(zip(missing, zip(first.tolist(), second.tolist(), strict=True), strict=True))
    return len(missing)


def _pcg32_keys(np: Any, seeds: Any) -> list[Any]:
    """rand_core's `seed_from_u64` for each seed: eight PCG32 outputs (uint32 arrays)."""
    state = seeds.astype(np.uint64)
    mul, inc = np.uint64(6364136223846793005), np.uint64(11634580027462260723)
    words = []
    for _ in range(8):
        state = state * mul + inc
        xorshifted = (((state >> np.uint64(18)) ^ state) >> np.uint64(27)).astype(np.uint32)
        rot = (state >> np.uint64(59)).astype(np.uint32)
        words.append((xorshifted >> rot) | (xorshifted << ((np.uint32(32) - rot) & np.uint32(31))))
    return words


def first_words(seeds: list[int]) -> tuple[Any, Any]:
    """(first, second) u32 draw of `StdRng::seed_from_u64(seed)` for each seed: block 0, words 0 and 1."""
    import numpy as np

    with np.errstate(over="ignore"):
        key = _pcg32_keys(np, np.array(seeds, dtype=np.uint64))
        n = len(seeds)
        constants = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574)
        start = [np.full(n, c, dtype=np.uint32) for c in constants] + key + [np.zeros(n, dtype=np.uint32) for _ in range(4)]
        x = [w.copy() for w in start]

        def quarter(a: int, b: int, c: int, d: int) -> None:
            for (p, q, r), shift in (((a, b, d), 16), ((c, d, b), 12), ((a, b, d), 8), ((c, d, b), 7)):
                x[p] += x[q]
                x[r] ^= x[p]
                x[r] = (x[r] << np.uint32(shift)) | (x[r] >> np.uint32(32 - shift))

        for _ in range(6):
            quarter(0, 4, 8, 12)
            quarter(1, 5, 9, 13)
            quarter(2, 6, 10, 14)
            quarter(3, 7, 11, 15)
            quarter(0, 5, 10, 15)
            quarter(1, 6, 11, 12)
            quarter(2, 7, 8, 13)
            quarter(3, 4, 9, 14)
        return x[0] + start[0], x[1] + start[1]
