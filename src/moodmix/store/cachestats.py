"""What the cache counts: lookups per kind and tier (``CacheStats``), and the lookups made
inside one block of code (``tally_lookups``), whatever cache answered them.

    stats = cache.stats()
    stats.hit_rate, stats.kinds["track"].l2.hits, stats.l2_available
    with tally_lookups() as tally:      # lookups in this block and the tasks it starts
        await cache.get_many("track", ids)
    tally.answered, tally.missed
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class LookupTally:
    """Lookups made inside a ``tally_lookups`` block: answered (fresh or stale) and missed."""

    answered: int = 0
    missed: int = 0


_tally: ContextVar[LookupTally | None] = ContextVar("moodmix_lookup_tally", default=None)


@contextlib.contextmanager
def tally_lookups() -> Iterator[LookupTally]:
    """Count the cache lookups made in the block, and in tasks it starts, whatever cache."""
    tally = LookupTally()
    token = _tally.set(tally)
    try:
        yield tally
    finally:
        _tally.reset(token)


def tallied(answered: int, missed: int) -> None:
    """Count lookups against the block being tallied, if any."""
    tally = _tally.get()
    if tally is not None:
        tally.answered += answered
        tally.missed += missed


@dataclass(slots=True)
class TierStats:
    """Lookups a tier answered fresh (``hits``) or stale (``stale``), and those it could not
    answer fresh (``misses``: they went on to the next tier or came back stale or empty)."""

    hits: int = 0
    stale: int = 0
    misses: int = 0


@dataclass(slots=True)
class KindStats:
    """Counters of one kind. ``misses`` are lookups no tier could answer."""

    l1: TierStats = field(default_factory=TierStats)
    l2: TierStats = field(default_factory=TierStats)
    misses: int = 0
    served_on_error: int = 0

    @property
    def lookups(self) -> int:
        return self.l1.hits + self.l1.misses

    @property
    def hit_rate(self) -> float:
        """Fresh answers from either tier per lookup (0.0 before the first lookup)."""
        lookups = self.lookups
        return (self.l1.hits + self.l2.hits) / lookups if lookups else 0.0


@dataclass(frozen=True, slots=True)
class CacheStats:
    """A snapshot of the cache's counters."""

    kinds: dict[str, KindStats]
    l1_entries: int
    l1_max_entries: int
    l1_evictions: int
    l2_errors: int
    l2_decode_errors: int
    l2_available: bool

    @property
    def hit_rate(self) -> float:
        """Fresh answers per lookup over all kinds."""
        lookups = sum(k.lookups for k in self.kinds.values())
        hits = sum(k.l1.hits + k.l2.hits for k in self.kinds.values())
        return hits / lookups if lookups else 0.0
