"""A whole benchmark run: replay the trace in every scenario, once per profile.

::

    run = await run_bench(BenchConfig(scenarios=scenarios("matched")), on_progress=print)
    for scenario in run.scenarios:
        for result in scenario.results:
            print(result.profile, result.upstream_requests, result.rate_429)

On the real clock one simulator process per profile starts while the catalog and trace are
built (in a thread); the simulators share the catalog's seed, so the trace's ids and expected
recommendations match what they serve, and every profile of a scenario replays at once on the
bench's loop. On virtual time (``config.clock == "virtual"``) each lane runs alone in a worker
process, on a virtual loop with an ``InProcessSimulator`` of its own (``workers``).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from moodmix.bench.bound import BoundTTLs, LowerBound, lower_bound
from moodmix.bench.config import BenchConfig
from moodmix.bench.inprocess import in_process_simulator
from moodmix.bench.lookups.l1probe import l1_lookups_per_s
from moodmix.bench.lookups.scenario import OnProgress, ScenarioRun, run_scenario
from moodmix.bench.lookups.workers import run_lanes
from moodmix.bench.prepare import machine, prepare
from moodmix.bench.profiles import BenchProfile
from moodmix.bench.simulators import Simulator, SimulatorProcess
from moodmix.bench.trace_stats import TraceStats, trace_stats
from moodmix.bench.workload import Trace
from moodmix.settings import Settings
from moodmix.simulator.catalog import Catalog


@dataclass(frozen=True)
class BenchRun:
    config: BenchConfig
    trace: Trace
    trace_bound: LowerBound
    bound_ttls: BoundTTLs
    scenarios: tuple[ScenarioRun, ...]
    l1_lookups_per_s: dict[str, float] = field(default_factory=dict)
    machine: dict[str, Any] = field(default_factory=dict)
    wall_s: float = 0.0
    trace_stats: TraceStats | None = None


async def _start_simulators(config: BenchConfig) -> dict[BenchProfile, Simulator]:
    """One simulator process per profile; if any fails to start, the others are stopped."""
    started = await asyncio.gather(
        *(
            SimulatorProcess.start(
                seed=config.seed,
                tracks=config.catalog_tracks,
                latency_ms=config.simulator_latency_ms,
            )
            for _ in config.profiles
        ),
        return_exceptions=True,
    )
    sims = [sim for sim in started if isinstance(sim, SimulatorProcess)]
    failures = [error for error in started if isinstance(error, BaseException)]
    if failures:
        await asyncio.gather(*(sim.stop() for sim in sims), return_exceptions=True)
        raise failures[0]
    return dict(zip(config.profiles, sims, strict=True))


async def run_bench(
    config: BenchConfig, *, on_progress: OnProgress | None = None, workers: int | None = None
) -> BenchRun:
    """Run every scenario of ``config``; expects a loop of its own (``asyncio.run``): after each
    real-clock scenario, tasks its gateways left running are cancelled. ``workers``: processes
    for the lanes on virtual time (default: one per CPU)."""
    started = time.perf_counter()
    host = machine()
    ttls = BoundTTLs.from_settings(Settings(profile="adaptive"))
    if config.clock == "virtual":
        catalog, trace = await asyncio.to_thread(prepare, config)
        bound = lower_bound(trace.steps(), ttls)
        runs = await run_lanes(config, trace, bound, ttls, workers=workers, on_progress=on_progress)
        probe: Simulator = in_process_simulator(config, catalog)
        l1 = await _l1(probe, catalog, config)
    else:
        runs, catalog, trace, bound, l1 = await _real_clock(config, ttls, on_progress)
    return BenchRun(
        config,
        trace,
        bound,
        ttls,
        tuple(runs),
        l1,
        host,
        wall_s=time.perf_counter() - started,
        trace_stats=trace_stats(trace),
    )


async def _real_clock(
    config: BenchConfig, ttls: BoundTTLs, on_progress: OnProgress | None
) -> tuple[tuple[ScenarioRun, ...], Catalog, Trace, LowerBound, dict[str, float]]:
    prepared = asyncio.create_task(asyncio.to_thread(prepare, config))
    try:
        sims = await _start_simulators(config)
    except BaseException:
        prepared.cancel()
        raise
    try:
        catalog, trace = await prepared
        bound = lower_bound(trace.steps(), ttls)
        runs = []
        for scenario in config.scenarios:
            runs.append(
                await run_scenario(
                    scenario, trace, bound, sims, config, bound_ttls=ttls, on_progress=on_progress
                )
            )
        l1 = await _l1(next(iter(sims.values())), catalog, config)
    finally:
        await asyncio.gather(*(sim.stop() for sim in sims.values()), return_exceptions=True)
    return tuple(runs), catalog, trace, bound, l1


async def _l1(probe: Simulator, catalog: Catalog, config: BenchConfig) -> dict[str, float]:
    """L1 hits per wall second through a gateway, one id a call and in batches of 20."""
    ids = list(catalog.track_ids()[:40])
    return {
        name: await l1_lookups_per_s(
            probe.url, ids, batch=batch, seconds=config.l1_probe_s, transport=probe.transport
        )
        for name, batch in (("single", 1), ("batch_of_20", 20))
    }
