"""Layer 7, predictive warming: refresh popular keys before they expire, and prefetch what
will be asked for next, only with spare quota and never ahead of an interactive request.

    warmer = Warmer(cache, scheduler, items={"track": tracks}, requests={...}, interval=30)
    warmer.prefetch("features", [t.id for t in recommended])   # the engine asks for these next
    warmer.start()                                             # the refresh loop, in background

A prefetch asks only for what L2 does not hold fresh either (L1 is the smaller, and forgets
first). Everything it sends goes out at ``Priority.BACKGROUND``, which the scheduler serves only
when no interactive caller waits; a round is skipped while interactive callers queue. Keys
whose L2 entry is newer than L1's (another process sharing the L2 refreshed them) are
taken from L2, not refreshed again.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import structlog

from moodmix.reccobeats._background import BackgroundTasks
from moodmix.reccobeats._lookups import ItemLookup, RequestLookup
from moodmix.reccobeats._metrics import GatewayMetrics
from moodmix.reccobeats.errors import ReccoBeatsError
from moodmix.resilience.scheduler import Priority, Scheduler
from moodmix.store.cache import TieredCache

log = structlog.get_logger("moodmix.gateway")

_TOP = 256
"""How many of the hottest keys a refresh round looks at."""
_MARGIN = 0.2
"""A key is refreshed once less than this share of its lifetime is left."""


class Warmer:
    """Keeps hot entries fresh and fetches likely next lookups in the background."""

    def __init__(
        self,
        cache: TieredCache,
        scheduler: Scheduler,
        *,
        items: Mapping[str, ItemLookup[Any]],
        requests: Mapping[str, RequestLookup[Any]],
        metrics: GatewayMetrics,
        background: BackgroundTasks,
        interval: float = 30.0,
    ) -> None:
        if not interval > 0:
            raise ValueError(f"interval must be a positive number of seconds, got {interval!r}")
        self._cache = cache
        self._scheduler = scheduler
        self._items = items
        self._requests = requests
        self._metrics = metrics
        self._background = background
        self._interval = interval
        self._started = False

    def start(self) -> None:
        """Start the refresh loop (once; needs a running event loop)."""
        if not self._started:
            self._started = True
            self._background.spawn(self._loop(), name="warming")

    def prefetch(self, kind: str, ids: Sequence[str]) -> None:
        """Fetch ``ids`` of ``kind`` in the background, those neither L1 nor L2 holds fresh."""
        wanted = [i for i in dict.fromkeys(ids) if not self._cache.holds_fresh(kind, i)]
        if wanted:
            self._background.spawn(self._prefetch(kind, wanted), name=f"prefetch-{kind}")

    async def _prefetch(self, kind: str, ids: list[str]) -> None:
        """Fetch what neither L1 nor L2 holds fresh; what L2 holds is taken into L1."""
        held = await self._cache.peek_many(kind, ids)
        wanted = [i for i in ids if i not in held]
        if wanted:
            await self._fetch(kind, wanted, "prefetch")

    def _spare(self) -> bool:
        return self._scheduler.stats.queued.get(Priority.INTERACTIVE, 0) == 0

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            if self._spare():
                await self.refresh_due()

    async def refresh_due(self) -> int:
        """One round: refresh the hot keys close to expiry. Returns how many were asked for."""
        due: dict[str, list[str]] = defaultdict(list)
        for kind, key in self._cache.expiring(_TOP, _MARGIN):
            due[kind].append(key)
        asked = 0
        for kind, keys in due.items():
            # With a shared L2, another process may have refreshed some already.
            renewed = await self._cache.pull_newer(kind, keys)
            keys = [key for key in keys if key not in renewed]
            if not keys:
                continue
            if kind in self._items:
                asked += len(keys)
                await self._fetch(kind, keys, "refresh")
            elif kind in self._requests:
                for key in keys:
                    asked += await self._requests[kind].refresh(key)
        return asked

    async def _fetch(self, kind: str, keys: list[str], reason: str) -> None:
        try:
            got = await self._items[kind].refresh(keys)
        except ReccoBeatsError as exc:
            log.info("warming_failed", kind=kind, reason=reason, error=str(exc))
            return
        self._metrics.prefetches.labels(reason=reason).inc(got)
        log.debug("warmed", kind=kind, reason=reason, items=got)
