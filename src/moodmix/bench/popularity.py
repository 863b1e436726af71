"""Zipf popularity: draw ranks with a given exponent, and fit the exponent back from counts.

::

    zipf = Zipf(20_000, 1.05)
    rank = zipf.draw(random.Random(0))             # 0 is the most popular
    fitted_exponent(Counter(zipf.draw(rng) for _ in range(50_000)).values())  # ~1.05
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Iterable


class Zipf:
    """Ranks 0..n-1 drawn with probability proportional to ``1 / (rank + 1) ** skew``."""

    def __init__(self, n: int, skew: float) -> None:
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        if skew < 0:
            raise ValueError(f"the Zipf exponent must be at least 0, got {skew:g}")
        self._cumulative = list(itertools.accumulate((r + 1) ** -skew for r in range(n)))
        self.n = n
        self.skew = skew

    def draw(self, rng: random.Random) -> int:
        total = self._cumulative[-1]
        return min(bisect.bisect_right(self._cumulative, rng.random() * total), self.n - 1)

    def distinct(self, rng: random.Random, k: int) -> list[int]:
        """``k`` different ranks (or all ``n`` if fewer)."""
        picked: dict[int, None] = {}
        while len(picked) < min(k, self.n):
            picked.setdefault(self.draw(rng))
        return list(picked)


def fitted_exponent(counts: Iterable[int], *, top: int = 100, min_count: int = 5) -> float:
    """The Zipf exponent that fits ``counts`` (how often each item came) best: minus the
    least-squares slope of log(count) on log(rank) over the ``top`` most frequent items with
    at least ``min_count`` each (the tail of a sample is too sparse to fit). ``nan`` with
    fewer than 3 such items."""
    ranked = sorted((n for n in counts if n >= min_count), reverse=True)[:top]
    if len(ranked) < 3:
        return math.nan
    xs = [math.log(r + 1) for r in range(len(ranked))]
    ys = [math.log(n) for n in ranked]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return -sxy / sxx
