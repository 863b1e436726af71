"""When the callers of a saturate cell arrive: a seeded Poisson process at the demand factor
times the limit in force.

::

    for t in arrival_times(Cell(55.0, 1), config):   # real-world seconds from the start
        ...

The rng is seeded by the seed, limit and burst, never the profile or the instance, so every
profile of a cell, and every way of spreading the callers over instances, sees the same
arrivals.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from moodmix.bench.saturate.config import Cell, SaturateConfig

__all__ = ["arrival_times"]


def arrival_times(cell: Cell, config: SaturateConfig) -> Iterator[float]:
    """Each caller's arrival, in real-world seconds from the start, until the run's end."""
    rng = random.Random(f"saturate-{config.seed}-{cell.rate_per_min:g}-{cell.burst}")
    t = 0.0
    while True:
        t += rng.expovariate(config.demand_factor * cell.limit_at(t) / 60)
        if t >= config.duration_s:
            return
        yield t
