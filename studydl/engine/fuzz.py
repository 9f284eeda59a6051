"""Anki's interval fuzz (rslib `scheduler/states/fuzz.rs`), with Anki's own random draw.

Anki seeds fuzz with the card id plus the card's review count
(`answering::get_fuzz_seed`) and draws from Rust's `StdRng::seed_from_u64(seed)`:
ChaCha12 keyed by PCG32 output (rand_core's `seed_from_u64`). `StdRng` below is that
generator, so a card gets the fuzz Anki would give a card with the same id and review
count, and a replay of the log gives the same intervals as the answers did. The
arithmetic is Anki's f32 arithmetic (`_f32` rounds each step to single precision).

Written by hand because no Python package provides rand's StdRng stream; the
differential test against Anki's backend checks it (same ids, same intervals).
"""

from __future__ import annotations

import math
import struct
from functools import lru_cache

from studydl.engine import fuzz_draws

_M32 = 0xFFFFFFFF
_M64 = (1 << 64) - 1

FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, 3.4028234663852886e38, 0.05))
"""(start, end, factor): a fuzzed interval spreads by 1 day plus factor x its days in each range."""


_F32 = struct.Struct("<f")


def _f32(x: float, _pack=_F32.pack, _unpack=_F32.unpack) -> float:  # noqa: ANN001
    """`x` rounded to single precision, as Rust's f32 arithmetic would keep it."""
    return _unpack(_pack(x))[0]


def _round(x: float) -> int:
    """Rust's `f32::round() as u32`: half away from zero, negatives saturate to 0."""
    return max(0, math.floor(x + 0.5))


def _pcg32_key(state: int) -> list[int]:
    """rand_core's `SeedableRng::seed_from_u64`: the 32-byte seed as eight PCG32 outputs."""
    words = []
    for _ in range(8):
        state = (state * 6364136223846793005 + 11634580027462260723) & _M64
        xorshifted = (((state >> 18) ^ state) >> 27) & _M32
        rot = state >> 59
        words.append(((xorshifted >> rot) | (xorshifted << ((32 - rot) & 31))) & _M32)
    return words


def _quarter(a: int, b: int, c: int, d: int) -> tuple[int, int, int, int]:
    """ChaCha's quarter round on four words (rotations by 16, 12, 8, 7)."""
    a = (a + b) & _M32
    d ^= a
    d = ((d << 16) | (d >> 16)) & _M32
    c = (c + d) & _M32
    b ^= c
    b = ((b << 12) | (b >> 20)) & _M32
    a = (a + b) & _M32
    d ^= a
    d = ((d << 8) | (d >> 24)) & _M32
    c = (c + d) & _M32
    b ^= c
    b = ((b << 7) | (b >> 25)) & _M32
    return a, b, c, d


def _chacha12_block(key: list[int], counter: int) -> list[int]:
    """One 64-byte ChaCha block with 12 rounds, nonce 0 (rand_chacha's stream 0).

    The sixteen words are locals, not a list: a draw sits on the answer's path."""
    start = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574, *key, counter & _M32, counter >> 32, 0, 0)
    x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15 = start
    q = _quarter
    for _ in range(6):
        x0, x4, x8, x12 = q(x0, x4, x8, x12)
        x1, x5, x9, x13 = q(x1, x5, x9, x13)
        x2, x6, x10, x14 = q(x2, x6, x10, x14)
        x3, x7, x11, x15 = q(x3, x7, x11, x15)
        x0, x5, x10, x15 = q(x0, x5, x10, x15)
        x1, x6, x11, x12 = q(x1, x6, x11, x12)
        x2, x7, x8, x13 = q(x2, x7, x8, x13)
        x3, x4, x9, x14 = q(x3, x4, x9, x14)
    x = (x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15)
    return [(a + b) & _M32 for a, b in zip(x, start, strict=True)]


@lru_cache(maxsize=1024)
def _first_block(seed: int) -> tuple[int, ...]:
    """The first block of `StdRng::seed_from_u64(seed)`, the first draw last, for a seed
    `fuzz_draws` did not prime (a card's fuzz and its learning-step fuzz share it)."""
    return tuple(_chacha12_block(_pcg32_key(seed & _M64), 0)[::-1])


class StdRng:
    """Rust rand 0.9's `StdRng::seed_from_u64(seed)`: the u32 stream Anki's fuzz draws from."""

    def __init__(self, seed: int) -> None:
        self._seed = seed & _M64
        primed = fuzz_draws.cached(self._seed)
        self._block: list[int] = [primed[1], primed[0]] if primed is not None else list(_first_block(self._seed))
        """Draws still to come from the current block, the next one last."""
        self._counter = 0 if primed is not None else 1
        """The next block to compute (0 again after the two primed words: the rest of block 0)."""
        self._skip = 2 if primed is not None else 0

    def next_u32(self) -> int:
        if not self._block:
            block = _chacha12_block(_pcg32_key(self._seed), self._counter)[self._skip :]
            self._block, self._skip = block[::-1], 0
            self._counter += 1
        return self._block.pop()

    def unit_f32(self) -> float:
        """`random_range(0.0..1.0)` for f32: 23 random bits as a fraction."""
        return (self.next_u32() >> 9) / float(1 << 23)

    def below(self, low: int, high: int) -> int:
        """`random_range(low..high)` for u32 (Canon's method, as rand 0.9 samples once)."""
        span = (high - 1 - low + 1) & _M32
        product = self.next_u32() * span
        result, low_order = product >> 32, product & _M32
        if low_order > (-span & _M32) and low_order + ((self.next_u32() * span) >> 32) > _M32:
            result += 1
        return low + result


def fuzz_seed(card_id: int, reps: int) -> int:
    """Anki's seed: the card id plus its review count before this answer."""
    return (card_id + reps) & _M64


@lru_cache(maxsize=256)
def fuzz_factor(card_id: int, reps: int) -> float:
    """The draw in [0, 1) that spreads this answer's review intervals (all four buttons share it)."""
    return StdRng(fuzz_seed(card_id, reps)).unit_f32()


def fuzz_delta(interval: float) -> float:
    """Days an interval may move either way; none below 2.5 days."""
    if interval < 2.5:
        return 0.0
    delta = 1.0
    for start, end, factor in FUZZ_RANGES:
        delta = _f32(delta + _f32(factor * max(_f32(min(interval, end) - start), 0.0)))
    return delta


@lru_cache(maxsize=4096)
def constrained_fuzz_bounds(interval: float, minimum: int, maximum: int) -> tuple[int, int]:
    """The fuzz range of an interval, kept within [minimum, maximum]; at least two days wide where it can be."""
    minimum = min(minimum, maximum)
    interval = min(max(_f32(interval), float(minimum)), float(maximum))
    delta = fuzz_delta(interval)
    lower = min(max(_round(_f32(interval - delta)), minimum), maximum)
    upper = min(max(_round(_f32(interval + delta)), minimum), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1
    return lower, upper


def with_review_fuzz(factor: float | None, interval: float, minimum: int, maximum: int) -> int:
    """Whole days for a review interval: fuzzed with `factor`, or rounded when fuzz is off."""
    if factor is None:
        return min(max(_round(_f32(interval)), minimum), maximum)
    lower, upper = constrained_fuzz_bounds(interval, minimum, maximum)
    return max(0, math.floor(_f32(lower + _f32(factor * (1 + upper - lower)))))


def minimum_review_fuzz_interval(interval: float, previous: int, maximum: int) -> int:
    """The least a passing review may give: more than before when FSRS grew the interval,
    and never less than before when fuzz alone would shrink it."""
    rounded = _round(_f32(interval))
    _, upper = constrained_fuzz_bounds(interval, 1, maximum)
    if rounded > previous:
        return previous + 1
    if previous <= upper:
        return previous
    return 0


@lru_cache(maxsize=256)
def learning_fuzz_secs(card_id: int, reps: int, secs: int) -> int:
    """A learning step's delay plus up to 25 % (at most 5 minutes), Anki's draw.

    (Both draws are cached: the answer reuses the ones its button preview drew.)"""
    upper = secs + math.floor(min(_f32(secs * 0.25), 300.0))
    if secs >= upper:
        return secs
    return StdRng(fuzz_seed(card_id, reps)).below(secs, upper)
