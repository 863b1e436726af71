"""One cell (a hidden limit and burst) with one profile: callers that always want more.

::

    result = await run_cell(Cell(80.0, 4), "adaptive", config, track_ids, sim, scale=TimeScale(1))
    result["rate_429"], result["quota_utilisation"], result["seconds_to_90pct"]

**Demand.** Callers arrive as a seeded Poisson process at ``demand_factor`` times the limit in
force (the same arrivals for every profile of a cell: the rng is seeded by the seed, limit and
burst, never the profile). Each asks the gateway for one track (``get_track``) by a
ReccoBeats id no earlier caller asked, in a shuffled order of the simulator's catalog (sized
to hold every caller), so no cache, registry or single-flight can answer it: every caller
needs one upstream request of its own.

**One id per request.** The gateway's late batcher (and the seed's chunker) would pack the
ids of callers waiting together into one batch call; this workload sets the batch size to 1
(``BATCH_OVERRIDES``), so every request carries exactly one caller's id and the upstream's
limit counts callers. Everything else is the profile as configured: coalescing, the
scheduler, the controller.

**Abandonment.** A caller gives up after ``deadline_s`` real-world seconds (its lookup is
cancelled under ``asyncio.timeout``) and counts as abandoned. Cancelling a caller does not
take its id out of the late batcher's queue (the batcher shields its futures so other
callers of the same key keep theirs): the profiles that coalesce still send it, so
``accepted_unserved`` counts the accepted requests whose caller had left. The seed profile's
chunker sends only for callers still waiting.

**Restart.** ``restart_after_s`` cancels the callers in flight (a process that restarts
loses them: ``dropped_at_restart``), closes each gateway and opens a new one exactly as a
new process would: the same settings and the same L2 storage (the same ``MemoryStorage``
object on virtual time, the same SQLite file on the real clock) and the same coordination
budget.

**Checked counts.** The client's own count (``counting.CountingTransport``, below every
layer) is held against the simulator's counters and the gateways' metrics; if they disagree
beyond the requests cancelled in flight, the run fails with ``CountsDisagree``.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from moodmix.bench.inprocess import InProcessSimulator
from moodmix.bench.profiles import BenchProfile, open_gateway, paced_by_gateway
from moodmix.bench.saturate.config import Cell, SaturateConfig, format_schedule
from moodmix.bench.saturate.counting import CountingTransport, Tally
from moodmix.bench.saturate.figures import WINDOW_S, count_within, seconds_to_fraction
from moodmix.bench.scaling import TimeScale
from moodmix.bench.simulators import Simulator, UpstreamCounts
from moodmix.coordination import Budget, MemoryBudget
from moodmix.reccobeats import ReccoBeats
from moodmix.reccobeats.errors import ReccoBeatsError
from moodmix.store import MemoryStorage

__all__ = ["BATCH_OVERRIDES", "CountsDisagree", "catalog_tracks", "run_cell"]

BATCH_OVERRIDES: dict[str, Any] = {"batch_size": 1}
"""One id per upstream request, whichever profile."""
_CLOSE_TIMEOUT_S = 10.0
_MIN_CATALOG = 20_000


class CountsDisagree(RuntimeError):
    """The client's count of requests and the simulator's (or the gateways') differ."""


def catalog_tracks(config: SaturateConfig) -> int:
    """A catalog big enough that every caller of the largest cell gets an id of its own."""
    most = max(
        config.demand_factor * cell.allowed(0.0, config.duration_s) for cell in config.cells()
    )
    return max(_MIN_CATALOG, int(most * 1.2) + 1_000)


@dataclass
class _Callers:
    arrived: int = 0
    served: int = 0
    abandoned: int = 0
    dropped_at_restart: int = 0
    cut_at_end: int = 0
    failed: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        return {
            "callers": self.arrived,
            "served": self.served,
            "abandoned": self.abandoned,
            "failed": sum(self.failed.values()),
            "failed_by_error": dict(self.failed),
            "dropped_at_restart": self.dropped_at_restart,
            "cut_at_end": self.cut_at_end,
        }


class _Instance:
    """One gateway slot: the gateway of the moment (a new one after a restart), its callers,
    its client-side tally and what outlives a restart (storage, budget)."""

    def __init__(
        self,
        index: int,
        profile: BenchProfile,
        config: SaturateConfig,
        sim: Simulator,
        scale: TimeScale,
        tally: Tally,
        budget: Budget | None,
        cache_dir: Path,
        redis: dict[str, Any],
    ) -> None:
        self.index = index
        self.profile = profile
        self.config = config
        self.sim = sim
        self.scale = scale
        self.tally = tally
        self.budget = budget
        self.cache_path = cache_dir / f"{profile}-{index}.sqlite3"
        self.redis = redis
        self.virtual = config.clock == "virtual"
        loop = asyncio.get_running_loop()
        self.storage = MemoryStorage(max_entries=200_000, clock=loop.time) if self.virtual else None
        self.callers = _Callers()
        self.tasks: set[asyncio.Task[None]] = set()
        self.generation = 0
        self.gateway_requests = 0
        self.gateway_429 = 0
        self.closing = 0
        """Requests that may have been mid-answer when a gateway closed (its cap on requests
        in flight, for each close)."""
        self.learned_rate_per_min: float | None = None
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
        inner = self.sim.transport or httpx.AsyncHTTPTransport()
        return open_gateway(
            self.profile,
            self.scale,
            url=self.sim.url,
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
        self.closing += self.gateway.settings.max_concurrency
        self.gateway_requests += stats.upstream_requests
        self.gateway_429 += _answered_429(self.gateway)
        if paced_by_gateway(self.profile):
            self.learned_rate_per_min = stats.rate_per_min / self.scale.factor
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


async def run_cell(
    cell: Cell,
    profile: BenchProfile,
    config: SaturateConfig,
    track_ids: Sequence[str],
    sim: Simulator,
    *,
    scale: TimeScale,
    redis_url: str | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run ``profile`` on ``cell`` against ``sim`` (fresh: configured and reset here) and
    return its figures as JSON-ready values. ``track_ids``: distinct ids the catalog knows,
    at least as many as callers will arrive. ``redis_url``: the real clock's coordination
    for several instances (virtual time shares a ``MemoryBudget`` instead).

    An in-process simulator follows the cell's rate schedule itself
    (``SimulatorConfig.rate_schedule``, its time started here, when the run starts); a
    simulator process, whose schedule would count from its own start, is moved by the bench
    at each change instead (``PATCH /_admin/config``)."""
    loop = asyncio.get_running_loop()
    wall_started = time.perf_counter()
    own_schedule = isinstance(sim, InProcessSimulator)
    if own_schedule:
        assert isinstance(sim, InProcessSimulator)
        sim.follow(cell.schedule)
    await sim.configure(
        rate_per_min=scale.rate(cell.rate_per_min if own_schedule else cell.limit_at(0.0)),
        burst=cell.burst,
        retry_after_resolution=scale.retry_after_resolution(),
    )
    await sim.reset()
    started = loop.time()

    def now() -> float:
        return scale.real(loop.time() - started)

    tallies = [Tally(now) for _ in range(config.instances)]
    shared = config.instances > 1
    budget: Budget | None = (
        MemoryBudget(clock=loop.time) if shared and config.clock == "virtual" else None
    )
    redis: dict[str, Any] = {}
    if shared and config.clock == "real":
        if redis_url is None:
            raise ValueError("several instances on the real clock need a Redis")
        redis = {"redis_url": redis_url, "redis_prefix": f"saturate:{profile}:{time.time_ns()}:"}
    with tempfile.TemporaryDirectory(prefix="moodmix-saturate-") as tmp:
        instances = [
            _Instance(i, profile, config, sim, scale, tallies[i], budget, Path(tmp), redis)
            for i in range(config.instances)
        ]
        helpers = [] if own_schedule else [loop.create_task(_schedule(cell, sim, scale, started))]
        if config.restart_after_s is not None:
            helpers.append(
                loop.create_task(_restart(instances, scale, started, config.restart_after_s))
            )
        if on_progress is not None:
            helpers.append(
                loop.create_task(_report(instances, config, scale, started, on_progress))
            )
        try:
            await _arrive(cell, config, instances, track_ids, scale, started)
            if own_schedule:
                _check_limit(cell, sim, scale, config.duration_s)
        finally:
            for helper in helpers:
                helper.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)
            for instance in instances:
                await instance.finish()
        counts = await sim.stats()
    return _figures(cell, profile, config, instances, counts, time.perf_counter() - wall_started)


async def _arrive(
    cell: Cell,
    config: SaturateConfig,
    instances: list[_Instance],
    track_ids: Sequence[str],
    scale: TimeScale,
    started: float,
) -> None:
    """Seeded Poisson arrivals at the demand factor times the limit in force, spread over the
    instances in turn, until the run's end."""
    loop = asyncio.get_running_loop()
    rng = random.Random(f"saturate-{config.seed}-{cell.rate_per_min:g}-{cell.burst}")
    duration = config.duration_s
    t = 0.0
    n = 0
    while True:
        t += rng.expovariate(config.demand_factor * cell.limit_at(t) / 60)
        if t >= duration:
            break
        delay = started + scale.wall(t) - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if n >= len(track_ids):
            raise RuntimeError(f"the catalog has too few tracks ({len(track_ids):,}) for {n:,}")
        instances[n % len(instances)].spawn(track_ids[n])
        n += 1
    await asyncio.sleep(max(0.0, started + scale.wall(duration) - loop.time()))


async def _schedule(cell: Cell, sim: Simulator, scale: TimeScale, started: float) -> None:
    """Move the simulator's limit at each change of the rate schedule."""
    loop = asyncio.get_running_loop()
    for change in cell.schedule:
        await asyncio.sleep(max(0.0, started + scale.wall(change.at_s) - loop.time()))
        await sim.configure(
            rate_per_min=scale.rate(change.rate_per_min),
            burst=cell.burst,
            retry_after_resolution=scale.retry_after_resolution(),
        )


async def _restart(
    instances: list[_Instance], scale: TimeScale, started: float, after_s: float
) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, started + scale.wall(after_s) - loop.time()))
    for instance in instances:
        await instance.restart()


async def _report(
    instances: list[_Instance],
    config: SaturateConfig,
    scale: TimeScale,
    started: float,
    say: Callable[[str], None],
) -> None:
    loop = asyncio.get_running_loop()
    every = scale.wall(config.duration_s / 10)
    while True:
        await asyncio.sleep(every)
        arrived = sum(i.callers.arrived for i in instances)
        served = sum(i.callers.served for i in instances)
        accepted = sum(i.tally.accepted for i in instances)
        throttled = sum(i.tally.throttled for i in instances)
        say(
            f"{scale.real(loop.time() - started):,.0f} s: {arrived:,} callers, {served:,} served, "
            f"{accepted:,} accepted, {throttled:,} 429"
        )


def _check_limit(cell: Cell, sim: Simulator, scale: TimeScale, at_s: float) -> None:
    """``CountsDisagree`` unless the simulator's limit in force is the cell's at ``at_s``: the
    figures integrate the cell's schedule, so the two must move together."""
    assert isinstance(sim, InProcessSimulator)
    theirs = sim.state.rate_in_force_per_min
    ours = scale.rate(cell.limit_at(at_s))
    if abs(theirs - ours) > 1e-6 * ours:
        raise CountsDisagree(
            f"the simulator's limit {at_s:g} s in is {theirs:g}/min, the schedule says {ours:g}"
        )


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


def _check(
    total: Tally, counts: UpstreamCounts, gateway_requests: int, gateway_429: int, closing: int
) -> None:
    """``CountsDisagree`` unless the client's, the simulator's and the gateways' counts agree:
    the simulator's up to the requests cancelled in flight (which it may not have answered),
    the gateways' metrics also up to ``closing``, the requests that may have been between the
    transport and the metrics (their body being read) when a gateway closed."""
    slack = total.cancelled + total.errors
    problems = []
    if not total.answered <= counts.requests <= total.answered + slack:
        problems.append(
            f"the simulator counted {counts.requests:,} requests, the client {total.answered:,} "
            f"answered (+{slack:,} cancelled or failed in flight)"
        )
    if not total.throttled <= counts.rate_limited <= total.throttled + slack:
        problems.append(
            f"the simulator refused {counts.rate_limited:,} with 429, the client saw "
            f"{total.throttled:,} (+{slack:,} cancelled in flight)"
        )
    if not total.answered - closing <= gateway_requests <= total.answered + slack:
        problems.append(
            f"the gateways' metrics count {gateway_requests:,} requests, the client "
            f"{total.answered:,} answered"
        )
    if not total.throttled - closing <= gateway_429 <= total.throttled + slack:
        problems.append(f"the gateways count {gateway_429:,} 429s, the client {total.throttled:,}")
    if problems:
        raise CountsDisagree("; ".join(problems))


def _figures(
    cell: Cell,
    profile: BenchProfile,
    config: SaturateConfig,
    instances: list[_Instance],
    counts: UpstreamCounts,
    wall_s: float,
) -> dict[str, Any]:
    total = Tally(instances[0].tally.now)
    callers = _Callers()
    for instance in instances:
        total.add(instance.tally)
        c = instance.callers
        callers.arrived += c.arrived
        callers.served += c.served
        callers.abandoned += c.abandoned
        callers.dropped_at_restart += c.dropped_at_restart
        callers.cut_at_end += c.cut_at_end
        callers.failed.update(c.failed)
    _check(
        total,
        counts,
        sum(i.gateway_requests for i in instances),
        sum(i.gateway_429 for i in instances),
        sum(i.closing for i in instances),
    )
    duration = config.duration_s
    accepted_in_run = count_within(total.accepted_at, 0.0, duration + 1e-9)
    allowed = cell.allowed(0.0, duration)
    result: dict[str, Any] = {
        "profile": profile,
        "upstream_rate_per_min": cell.rate_per_min,
        "upstream_burst": cell.burst,
        "rate_schedule": format_schedule(cell.schedule) or None,
        "demand_factor": config.demand_factor,
        "hours": config.hours,
        "instances": config.instances,
        "clock": config.clock,
        "rate_429": round(total.throttled / total.answered, 5) if total.answered else 0.0,
        "quota_utilisation": round(accepted_in_run / allowed, 5),
        "seconds_to_90pct": seconds_to_fraction(total.accepted_at, limit_at=cell.limit_at),
        "sent": total.sent,
        "accepted": total.accepted,
        "throttled": total.throttled,
        "other_answers": {str(k): v for k, v in sorted(total.other.items())},
        "cancelled_in_flight": total.cancelled,
        "no_answer": total.errors,
        "in_flight_at_end": total.sent - total.answered - total.cancelled - total.errors,
        "simulator_requests": counts.requests,
        "simulator_429": counts.rate_limited,
        "gateway_requests": sum(i.gateway_requests for i in instances),
        "allowed": round(allowed, 1),
        "accepted_in_run": accepted_in_run,
        **callers.as_json(),
        "accepted_unserved": max(0, total.accepted - callers.served),
        "learned_rate_per_min": _learned(instances),
        "wall_s": round(wall_s, 2),
    }
    if config.restart_after_s is not None:
        result["restart_after_s"] = config.restart_after_s
        result["seconds_to_90pct_after_restart"] = seconds_to_fraction(
            total.accepted_at, limit_at=cell.limit_at, origin=config.restart_after_s
        )
    if cell.schedule:
        result["changes"] = _changes(cell, total, duration)
    if config.instances > 1:
        result["per_instance"] = [
            {
                "instance": i.index,
                **i.callers.as_json(),
                "sent": i.tally.sent,
                "accepted": i.tally.accepted,
                "throttled": i.tally.throttled,
                "learned_rate_per_min": i.learned_rate_per_min,
            }
            for i in instances
        ]
    return result


def _learned(instances: list[_Instance]) -> float | None:
    rates = [i.learned_rate_per_min for i in instances if i.learned_rate_per_min is not None]
    return round(rates[0], 2) if rates else None


def _changes(cell: Cell, total: Tally, duration: float) -> list[dict[str, Any]]:
    """Per change of the limit: 429s in the minute after a cut, time to 90% of a raise."""
    out: list[dict[str, Any]] = []
    moved = cell.changes()
    for n, change in enumerate(moved):
        before = cell.limit_at(change.at_s - 1e-9) if change.at_s > 0 else cell.rate_per_min
        until = moved[n + 1].at_s if n + 1 < len(moved) else duration
        entry: dict[str, Any] = {
            "at_s": change.at_s,
            "from_per_min": before,
            "to_per_min": change.rate_per_min,
        }
        if change.rate_per_min < before:
            entry["throttled_within_60s"] = count_within(
                total.throttled_at, change.at_s, change.at_s + WINDOW_S
            )
        else:
            entry["seconds_to_90pct"] = seconds_to_fraction(
                total.accepted_at, limit_at=cell.limit_at, origin=change.at_s, until=until
            )
        out.append(entry)
    return out
