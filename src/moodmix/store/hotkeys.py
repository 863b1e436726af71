"""Approximate request counts for the most requested keys, in bounded memory.

For the predictive-warming layer: which keys are asked for most, so it can refresh them
before they expire. A plain ``Counter`` grows with every distinct key; this one holds at
most ``2 * capacity`` and, when it fills, keeps the top ``capacity`` with halved counts
(those halved to zero go), so memory stays bounded and old popularity fades::

    hot: HotKeys[str] = HotKeys(capacity=100)
    for key in ("a", "b", "a"):
        hot.add(key)
    hot.top(1)    # [('a', 2)]
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable
from operator import itemgetter
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class HotKeys(Generic[K]):
    """Counts per key for the ``capacity`` (approximately) most requested keys."""

    __slots__ = ("_capacity", "_counts", "_limit")

    def __init__(self, capacity: int = 1024) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"capacity must be an integer >= 1, got {capacity!r}")
        self._capacity = capacity
        self._limit = 2 * capacity
        self._counts: dict[K, int] = {}

    def __len__(self) -> int:
        return len(self._counts)

    @property
    def max_size(self) -> int:
        """The most keys ever held at once."""
        return self._limit

    def add(self, key: K) -> None:
        """Count one request for ``key``."""
        counts = self._counts
        counts[key] = counts.get(key, 0) + 1
        if len(counts) > self._limit:
            top = heapq.nlargest(self._capacity, counts.items(), key=itemgetter(1))
            self._counts = {k: c // 2 for k, c in top if c > 1}

    def top(self, n: int | None = None) -> list[tuple[K, int]]:
        """The ``n`` most counted keys (all held when ``None``), most counted first."""
        if n is not None and n < 0:
            raise ValueError(f"n must be >= 0 or None, got {n!r}")
        items = sorted(self._counts.items(), key=itemgetter(1), reverse=True)
        return items if n is None else items[:n]

    def count(self, key: K) -> int:
        """The current (approximate) count for ``key``; 0 if not held."""
        return self._counts.get(key, 0)

    def clear(self) -> None:
        self._counts = {}
