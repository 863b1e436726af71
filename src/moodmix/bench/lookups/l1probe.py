"""How many lookups per second an L1 hit through the whole gateway serves, on this one core.

::

    rate = await l1_lookups_per_s(sim.url, track_ids[:20], batch=1)    # get_track(id) calls
    rate = await l1_lookups_per_s(sim.url, track_ids[:20], batch=20)   # get_tracks(20 ids)

The ids are fetched once (one upstream request), then asked for again and again for
``seconds``; every call after the first is answered from L1. ``transport`` reaches an
in-process simulator (``bench.inprocess``); the rate is always in wall seconds.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence

import httpx

from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.settings import Settings


async def l1_lookups_per_s(
    url: str,
    ids: Sequence[str],
    *,
    batch: int = 1,
    seconds: float = 1.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> float:
    settings = Settings(profile="adaptive", reccobeats_url=url, cache_backend="memory")
    async with ReccoBeats.from_settings(settings, transport=transport) as gateway:
        await gateway.get_tracks(list(ids))
        chunks = [list(ids[i : i + batch]) for i in range(0, len(ids), batch)]
        chunks = [chunk for chunk in chunks if len(chunk) == batch] or [list(ids)]
        lookups = 0
        started = time.perf_counter()
        deadline = started + seconds
        for chunk in itertools.cycle(chunks):
            for _ in range(100):
                await gateway.get_tracks(chunk)
            lookups += 100 * len(chunk)
            if time.perf_counter() >= deadline:
                break
        return lookups / (time.perf_counter() - started)
