"""One scenario: every profile replays the same trace at the same time, each on its own simulator.

::

    run = await run_scenario(scenario, trace, bound, sims, config, bound_ttls=ttls)
    run.results            # one ProfileResult per profile, in the config's order
    run.loop_lag_ms        # how late the benchmark's own event loop woke up

Arrivals are open-loop: a session starts at its time whether or not earlier ones finished.
After the arrival window, sessions in flight get ``config.grace`` more seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from moodmix.bench.bound import BoundTTLs, LowerBound
from moodmix.bench.config import BenchConfig, Scenario
from moodmix.bench.lookups.lane import Lane, LaneContext
from moodmix.bench.looplag import LoopLag
from moodmix.bench.orphans import Orphans, drain_orphans
from moodmix.bench.profiles import BenchProfile
from moodmix.bench.results import ProfileResult
from moodmix.bench.scaling import TimeScale
from moodmix.bench.simulators import Simulator
from moodmix.bench.workload import Trace


@dataclass(frozen=True)
class LaneProgress:
    profile: str
    requests: int
    rate_limited: int
    finished: int
    queued: int
    """Requests waiting for a token or a concurrency slot."""
    in_flight: int


@dataclass(frozen=True)
class Progress:
    """A progress report, every few seconds while a scenario runs."""

    scenario: str
    elapsed_s: float
    arrived: int
    sessions: int
    lanes: tuple[LaneProgress, ...]


OnProgress = Callable[[Progress], None]


@dataclass(frozen=True)
class ScenarioRun:
    scenario: Scenario
    trace_bound: LowerBound
    allowed_during_arrivals: float
    results: tuple[ProfileResult, ...]
    loop_lag_ms: dict[str, float] = field(default_factory=dict)
    orphans: Orphans = field(default_factory=Orphans)
    """Gateway tasks still running after the gateways closed (cancelled by the benchmark)."""
    lane_wall_s: dict[str, float] = field(default_factory=dict)
    """Wall seconds each lane took, when lanes ran alone (virtual time)."""


def allowance(scenario: Scenario, config: BenchConfig) -> float:
    """Requests the limit allowed during the arrival window: rate x duration + burst."""
    per_s = TimeScale(config.time_scale).rate(scenario.rate_per_min) / 60
    return per_s * config.duration_s + config.upstream_burst


async def run_scenario(
    scenario: Scenario,
    trace: Trace,
    trace_bound: LowerBound,
    sims: Mapping[BenchProfile, Simulator],
    config: BenchConfig,
    *,
    bound_ttls: BoundTTLs,
    on_progress: OnProgress | None = None,
) -> ScenarioRun:
    scale = TimeScale(config.time_scale)
    for sim in sims.values():
        await sim.configure(
            rate_per_min=scale.rate(scenario.rate_per_min),
            burst=config.upstream_burst,
            retry_after_resolution=scale.retry_after_resolution(),
        )
        await sim.reset()
    allowed = allowance(scenario, config)
    context = LaneContext(
        sessions=len(trace.sessions),
        upstream_burst=config.upstream_burst,
        duration_s=config.duration_s,
        trace_bound=trace_bound.requests,
        bound_ttls=bound_ttls,
    )
    with tempfile.TemporaryDirectory(prefix="moodmix-bench-") as tmp:
        lanes = [
            Lane.open(
                profile,
                scenario,
                sims[profile],
                scale,
                cache_dir=Path(tmp),
                virtual=config.clock == "virtual",
                seed=config.seed,
            )
            for profile in config.profiles
        ]
        # On virtual time the loop is never late, and sampling it would wake it 20 times a
        # simulated second: the lag is a real-time figure only.
        async with LoopLag(enabled=config.clock == "real") as lag:
            results = await _drive(lanes, trace, scenario, config, context, on_progress)
        orphans = await drain_orphans()
        for lane in lanes:
            await lane.release()
    return ScenarioRun(scenario, trace_bound, allowed, results, lag.summary(), orphans)


async def _drive(
    lanes: list[Lane],
    trace: Trace,
    scenario: Scenario,
    config: BenchConfig,
    context: LaneContext,
    on_progress: OnProgress | None,
) -> tuple[ProfileResult, ...]:
    loop = asyncio.get_running_loop()
    scale = TimeScale(config.time_scale)
    started = loop.time()
    arrived = 0

    async def report() -> None:
        interval = config.progress_interval_s
        while on_progress is not None:
            await asyncio.sleep(interval)
            on_progress(_progress(lanes, scenario, loop.time() - started, arrived, context))

    async def warm() -> None:
        await asyncio.sleep(config.warm_after_s)
        for lane in lanes:
            lane.mark_warm()

    helpers = [loop.create_task(report()), loop.create_task(warm())]
    try:
        for session in trace.sessions:
            delay = started + scale.wall(session.start_s) - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            for lane in lanes:
                lane.spawn(session)
            arrived += 1
        await asyncio.sleep(max(0.0, started + config.duration_s - loop.time()))
        deadline = started + config.duration_s + config.grace
        results = await asyncio.gather(
            *(lane.finish(deadline, started_at=started, context=context) for lane in lanes)
        )
    finally:
        for helper in helpers:
            helper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await helper
    return tuple(results)


def _progress(
    lanes: list[Lane], scenario: Scenario, elapsed: float, arrived: int, context: LaneContext
) -> Progress:
    def lane_progress(lane: Lane) -> LaneProgress:
        stats = lane.gateway.stats()
        scheduler = lane.gateway.quota()
        return LaneProgress(
            lane.profile,
            stats.upstream_requests,
            stats.upstream_429,
            lane.replay.finished,
            sum(scheduler.queued.values()),
            scheduler.in_flight,
        )

    return Progress(
        scenario.name, elapsed, arrived, context.sessions, tuple(map(lane_progress, lanes))
    )
