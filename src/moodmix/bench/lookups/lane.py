"""One profile in one scenario: its gateway, its simulator, its sessions and its figures.

::

    lane = Lane.open("adaptive", scenario, sim, scale, cache_dir=tmp)   # virtual=True: loop time
    lane.spawn(session)                 # for every arrival, at its time
    lane.mark_warm()                    # once, when the cache should be warm
    result = await lane.finish(deadline, started_at=t0, context=context)

``finish`` waits for the sessions until ``deadline`` (loop time), reads the simulator's counts
and the gateway's stats at that moment, cancels what is left (their calls count as timeouts),
and closes the gateway. A finished trace whose accepted requests come out under the bound of
what was done, without errors, is a bug in the bound: ``BoundViolated``.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moodmix.bench.bound import BoundTTLs, lower_bound
from moodmix.bench.config import Scenario
from moodmix.bench.profiles import BenchProfile, open_gateway, paced_by_gateway
from moodmix.bench.replay import Replay
from moodmix.bench.results import ProfileResult, percentiles, summarise
from moodmix.bench.scaling import TimeScale
from moodmix.bench.simulators import Simulator
from moodmix.bench.workload import Session
from moodmix.reccobeats import GatewayStats, ReccoBeats

_CLOSE_TIMEOUT_S = 10.0
BEHIND_S = 1.0
"""An unfinished session is behind when its own think time would have ended this much earlier."""


def _nominal_end(session: Session) -> float:
    return session.start_s + sum(stage.think_s for stage in session.stages)


class BoundViolated(RuntimeError):
    """A finished trace was served with fewer requests than its lower bound."""


@dataclass(frozen=True)
class LaneContext:
    """What every lane of a scenario shares."""

    sessions: int
    upstream_burst: int
    duration_s: float
    trace_bound: int
    bound_ttls: BoundTTLs


def _hits(stats: GatewayStats) -> tuple[float, int]:
    return stats.cache_hit_rate * stats.cache_lookups, stats.cache_lookups


class Lane:
    """A profile's gateway and the sessions it runs."""

    def __init__(
        self,
        profile: BenchProfile,
        scenario: Scenario,
        sim: Simulator,
        gateway: ReccoBeats,
        scale: TimeScale,
    ) -> None:
        self.profile = profile
        self.scenario = scenario
        self.sim = sim
        self.gateway = gateway
        self.scale = scale
        self.replay = Replay(gateway, scale)
        self._tasks: set[asyncio.Task[None]] = set()
        self._unfinished: set[asyncio.Task[None]] = set()
        self._sessions: dict[asyncio.Task[None], Session] = {}
        self._last_done = 0.0
        self._warm: tuple[float, int] = (0.0, 0)

    @classmethod
    def open(
        cls,
        profile: BenchProfile,
        scenario: Scenario,
        sim: Simulator,
        scale: TimeScale,
        *,
        cache_dir: Path,
        virtual: bool = False,
        seed: int = 0,
    ) -> Lane:
        """On ``virtual`` time the gateway reads the loop's clock, keeps its L2 in memory (no
        storage thread) and draws retry jitter from an rng seeded with ``seed``."""
        on_loop: dict[str, Any] = {}
        if virtual:
            now = asyncio.get_running_loop().time  # the loop's clock, as ``loop_time`` reads it
            on_loop = {
                "clock": now,
                "wall_clock": now,
                "rng": random.Random(f"{seed}-{profile}"),
            }
        gateway = open_gateway(
            profile,
            scale,
            url=sim.url,
            cache_path=cache_dir / f"{profile}.sqlite3",
            cache_backend="memory" if virtual else "sqlite",
            transport=sim.transport,
            **on_loop,
        )
        return cls(profile, scenario, sim, gateway, scale)

    def spawn(self, session: Session) -> None:
        task = asyncio.get_running_loop().create_task(
            self.replay.session(session), name=f"{self.profile}-session-{session.index}"
        )
        self._tasks.add(task)
        self._unfinished.add(task)
        self._sessions[task] = session
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._unfinished.discard(task)
        self._last_done = asyncio.get_running_loop().time()

    def mark_warm(self) -> None:
        self._warm = _hits(self.gateway.stats())

    async def _close(self) -> None:
        if not await _close_gateway(self.gateway):
            self.replay.errors["gateway_close_timeout"] += 1

    async def release(self) -> None:
        """Close the gateway's storage again: tasks it left running may have reopened it."""
        await self.gateway.close_storage()

    async def finish(
        self, deadline: float, *, started_at: float, context: LaneContext
    ) -> ProfileResult:
        loop = asyncio.get_running_loop()
        if self._unfinished:
            await asyncio.wait(set(self._unfinished), timeout=max(0.0, deadline - loop.time()))
        unfinished = len(self._unfinished)
        ended = loop.time() if unfinished else max(self._last_done, started_at)
        behind = sum(
            started_at + self.scale.wall(_nominal_end(self._sessions[task])) < ended - BEHIND_S
            for task in self._unfinished
        )
        counts = await self.sim.stats()
        stats = self.gateway.stats()
        scheduler = self.gateway.quota()
        stopped = set(self._unfinished)
        for task in stopped:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for task in self._tasks - stopped:
            if task.exception() is not None:
                raise RuntimeError(f"a {self.profile} session failed") from task.exception()
        await self._close()

        calls = self.replay.calls
        own_ttls = BoundTTLs.from_settings(self.gateway.settings).scaled(self.scale.factor)
        hits, lookups = _hits(stats)
        warm_hits, warm_lookups = self._warm
        warm = (
            (hits - warm_hits) / (lookups - warm_lookups)
            if lookups > warm_lookups
            else stats.cache_hit_rate
        )
        replay = self.replay
        result = ProfileResult(
            profile=self.profile,
            scenario=self.scenario.name,
            upstream_rate_per_min=self.scenario.rate_per_min,
            upstream_burst=context.upstream_burst,
            time_scale=self.scale.factor,
            arrivals_s=context.duration_s,
            run_s=ended - started_at,
            sessions=context.sessions,
            sessions_unfinished=unfinished,
            sessions_behind=behind,
            operations=len(replay.latencies_ms),
            logical_lookups=replay.lookups,
            upstream_requests=counts.requests,
            upstream_429=counts.rate_limited,
            retries=stats.retries,
            cache_hit_rate=stats.cache_hit_rate,
            cache_hit_rate_warm=warm,
            cache_hit_rate_cold=warm_hits / warm_lookups if warm_lookups else stats.cache_hit_rate,
            dedup_joins=stats.dedup_joins,
            coalesced_items=stats.coalesced_items,
            batches=stats.batches,
            batched_items=_batched_items(self.gateway),
            registry_efficiency=stats.registry_efficiency,
            learned_rate_per_min=(
                stats.rate_per_min / self.scale.factor if paced_by_gateway(self.profile) else None
            ),
            requests_wanted=scheduler.granted + sum(scheduler.queued.values()),
            mean_token_wait_ms=scheduler.mean_wait * 1_000,
            lower_bound_requests=context.trace_bound,
            lower_bound_issued=lower_bound(replay.issued, context.bound_ttls).requests,
            latency_ms=percentiles(replay.latencies_ms),
            l1_entries=stats.l1_entries,
            l1_max_entries=self.gateway.settings.l1_max_entries,
            errors=dict(replay.errors),
            upstream_by_endpoint=counts.by_endpoint,
            trace_mismatches=replay.mismatches,
            lower_bound_completed=lower_bound(replay.completed, own_ttls).requests,
            response_ms={
                "all": summarise([c.ms for c in calls]),
                "hit": summarise([c.ms for c in calls if c.hit]),
                "miss": summarise([c.ms for c in calls if not c.hit]),
            },
            timeouts=sum(c.timeout for c in calls),
            session_wait_ms=summarise([w.ms for w in self.replay.waits]),
            prefetched_items=_prefetched(self.gateway, "prefetch"),
            refreshed_items=_prefetched(self.gateway, "refresh"),
        )
        check_bound(result)
        return result


def check_bound(result: ProfileResult) -> None:
    """Raise ``BoundViolated`` if a finished, error-free trace took fewer accepted requests
    than the bound of what was done: then the bound, not the gateway, is wrong."""
    ratio = result.bound_ratio
    if ratio is not None and ratio < 1 and not result.errors:
        raise BoundViolated(
            f"{result.profile} in {result.scenario} finished the trace with "
            f"{result.upstream_accepted:,} accepted requests, under the bound of "
            f"{result.lower_bound_completed:,}: the bound is wrong"
        )


async def _close_gateway(gateway: ReccoBeats) -> bool:
    """Close the gateway; ``False`` if it did not finish closing within the timeout."""
    try:
        await asyncio.wait_for(gateway.aclose(), _CLOSE_TIMEOUT_S)
    except TimeoutError:
        return False
    return True


def _prefetched(gateway: ReccoBeats, reason: str) -> int:
    """Items the warmer fetched for ``reason`` (``prefetch`` or ``refresh``)."""
    return int(
        sum(
            sample.value
            for metric in gateway.metrics.prefetches.collect()
            for sample in metric.samples
            if sample.name.endswith("_total") and sample.labels.get("reason") == reason
        )
    )


def _batched_items(gateway: ReccoBeats) -> int:
    """Ids sent in batch calls, from the gateway's batch-size histogram."""
    return int(
        sum(
            sample.value
            for metric in gateway.metrics.batch_size.collect()
            for sample in metric.samples
            if sample.name.endswith("_sum")
        )
    )
