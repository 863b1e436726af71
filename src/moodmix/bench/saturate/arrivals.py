"""When the callers of a saturate cell arrive: a seeded Poisson process at the demand factor
times the limit in force.

::

    for t in arrival_times(Cell(55.0, 1), config):   # real-world seconds from the start
        ...
    await arrive(cell, config, ids, scale, started, spawn)            # every caller, on time
    await arrive(cell, config, ids, scale, started, spawn, share=1)   # instance 1's share

The rng is seeded by the seed, limit and burst, never the profile or the instance, so every
profile of a cell, and every way of spreading the callers over instances, sees the same
arrivals.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterator, Sequence

from moodmix.bench.saturate.config import Cell, SaturateConfig
from moodmix.bench.scaling import TimeScale

__all__ = ["arrival_times", "arrive"]


def arrival_times(cell: Cell, config: SaturateConfig) -> Iterator[float]:
    """Each caller's arrival, in real-world seconds from the start, until the run's end."""
    rng = random.Random(f"saturate-{config.seed}-{cell.rate_per_min:g}-{cell.burst}")
    t = 0.0
    while True:
        t += rng.expovariate(config.demand_factor * cell.limit_at(t) / 60)
        if t >= config.duration_s:
            return
        yield t


async def arrive(
    cell: Cell,
    config: SaturateConfig,
    track_ids: Sequence[str],
    scale: TimeScale,
    started: float,
    spawn: Callable[[int, str], None],
    *,
    share: int | None = None,
) -> None:
    """``spawn(n, track_ids[n])`` at each arrival ``n``, on this loop's clock from
    ``started`` (time 0); with ``share``, only the arrivals ``n % config.instances ==
    share`` (one instance's). Then wait for the run's end."""
    loop = asyncio.get_running_loop()
    for n, t in enumerate(arrival_times(cell, config)):
        if share is not None and n % config.instances != share:
            continue
        if n >= len(track_ids):
            raise RuntimeError(f"the catalog has too few tracks ({len(track_ids):,}) for {n:,}")
        delay = started + scale.wall(t) - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        spawn(n, track_ids[n])
    await asyncio.sleep(max(0.0, started + scale.wall(config.duration_s) - loop.time()))
