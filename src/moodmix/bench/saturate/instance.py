"""One gateway slot of a saturate run: the gateway of the moment, its callers, its counts.

::

    instance = Instance(0, "adaptive", config, upstream, scale, Counted(0, tally), budget, tmp, {})
    instance.spawn(track_id)        # a caller that wants one track, and gives up after a while
    await instance.restart()        # as a restarted process: same storage, same budget
    await instance.finish()         # stop the callers left, count, close
    await restart_at([instance], loop.time() + 60)   # restart each, that loop time

A caller asks ``get_track`` under ``asyncio.timeout(deadline)``: served, abandoned when the
deadline passes (its lookup cancelled), or failed with the gateway's error. A restart or the
end of the run cancels the callers still waiting (``dropped_at_restart``, ``cut_at_end``).
``BATCH_OVERRIDES`` gives every profile a batch size of 1, so one request carries one caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from moodmix.bench.profiles import BenchProfile, open_gateway, paced_by_gateway
from moodmix.bench.saturate.config import SaturateConfig
from moodmix.bench.saturate.counting import CountingTransport
from moodmix.bench.saturate.results import Counted
from moodmix.bench.scaling import TimeScale
from moodmix.coordination import Budget
from moodmix.reccobeats import ReccoBeats
from moodmix.reccobeats.errors import ReccoBeatsError
from moodmix.store import MemoryStorage

__all__ = ["BATCH_OVERRIDES", "Instance", "Upstream", "restart_at"]

BATCH_OVERRIDES: dict[str, Any] = {"batch_size": 1}
"""One id per upstream request, whichever profile."""
_CLOSE_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Upstream:
    """Where an instance's gateway sends: the simulator's address, and the transport that
    reaches it without a socket (an in-process simulator's) or ``None``."""

    url: str
    transport: httpx.AsyncBaseTransport | None = None


class Instance:
    """One gateway slot: the gateway of the moment (a new one after a restart), its callers,
    its client-side tally and what outlives a restart (storage, budget)."""

    def __init__(
        self,
        index: int,
        profile: BenchProfile,
        config: SaturateConfig,
        upstream: Upstream,
        scale: TimeScale,
        counted: Counted,
        budget: Budget | None,
        cache_dir: Path,
        redis: dict[str, Any],
    ) -> None:
        self.index = index
        self.profile = profile
        self.config = config
        self.upstream = upstream
        self.scale = scale
        self.counted = counted
        self.tally = counted.tally
        self.budget = budget
        self.cache_path = cache_dir / f"{profile}-{index}.sqlite3"
        self.redis = redis
        self.virtual = config.clock == "virtual"
        loop = asyncio.get_running_loop()
        self.storage = MemoryStorage(max_entries=200_000, clock=loop.time) if self.virtual else None
        self.callers = counted.callers
        self.tasks: set[asyncio.Task[None]] = set()
        self.generation = 0
        self.gateway = self._open()

    def _open(self) -> ReccoBeats:
        extra: dict[str, Any] = {}
        if self.virtual:
            now = asyncio.get_running_loop().time
            extra = {
                "clock": now,
                "wall_clock": now,
                "rng": random.Random(f"{self.config.seed}-{self.profile}-{self.index}"),
            }
        if self.storage is not None:
            extra["storage"] = self.storage
        if self.budget is not None:
            extra["budget"] = self.budget
        inner = self.upstream.transport or httpx.AsyncHTTPTransport()
        return open_gateway(
            self.profile,
            self.scale,
            url=self.upstream.url,
            cache_path=self.cache_path,
            cache_backend="memory" if self.virtual else "sqlite",
            overrides={**BATCH_OVERRIDES, **self.redis},
            transport=CountingTransport(inner, self.tally),
            **extra,
        )

    def spawn(self, track_id: str) -> None:
        self.callers.arrived += 1
        task = asyncio.get_running_loop().create_task(self._call(self.gateway, track_id))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _call(self, gateway: ReccoBeats, track_id: str) -> None:
        callers = self.callers
        try:
            async with asyncio.timeout(self.scale.wall(self.config.deadline_s)):
                await gateway.get_track(track_id)
        except TimeoutError:
            callers.abandoned += 1
        except ReccoBeatsError as exc:
            callers.failed[type(exc).__name__] += 1
        else:
            callers.served += 1

    async def _stop_callers(self) -> int:
        stopped = [t for t in self.tasks if not t.done()]
        for task in stopped:
            task.cancel()
        await asyncio.gather(*stopped, return_exceptions=True)
        return len(stopped)

    async def close(self) -> None:
        """Count the gateway's metrics, then close it (callers already stopped)."""
        stats = self.gateway.stats()
        counted = self.counted
        counted.closing += self.gateway.settings.max_concurrency
        counted.gateway_requests += stats.upstream_requests
        counted.gateway_429 += _answered_429(self.gateway)
        if paced_by_gateway(self.profile):
            counted.learned_rate_per_min = stats.rate_per_min / self.scale.factor
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.gateway.aclose(), _CLOSE_TIMEOUT_S)

    async def restart(self) -> None:
        self.callers.dropped_at_restart += await self._stop_callers()
        await self.close()
        self.generation += 1
        self.gateway = self._open()

    async def finish(self) -> None:
        self.callers.cut_at_end += await self._stop_callers()
        await self.close()


async def restart_at(instances: Sequence[Instance], at: float) -> None:
    """Restart each of ``instances`` at ``at`` (this loop's time)."""
    await asyncio.sleep(max(0.0, at - asyncio.get_running_loop().time()))
    for instance in instances:
        await instance.restart()


def _answered_429(gateway: ReccoBeats) -> int:
    """Upstream answers with status 429 by the gateway's response metric (which hears every
    attempt, a peer's own retries included; ``stats().upstream_429`` counts only those the
    gateway's retry layer saw)."""
    return int(
        sum(
            sample.value
            for metric in gateway.metrics.upstream_requests.collect()
            for sample in metric.samples
            if sample.name.endswith("_total") and sample.labels.get("status") == "429"
        )
    )
