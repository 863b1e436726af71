"""A whole benchmark run: start a simulator per profile, replay the trace in every scenario.

::

    run = await run_bench(BenchConfig(scenarios=scenarios("matched")), on_progress=print)
    for scenario in run.scenarios:
        for result in scenario.results:
            print(result.profile, result.upstream_requests, result.rate_429)

The catalog and trace are built (in a thread) while the simulators start; the simulators
share the catalog's seed, so the trace's ids and expected recommendations match what they serve.
On virtual time (``config.clock == "virtual"``, run on ``bench.virtual.virtual_runner``) the
simulators are ``InProcessSimulator``s on the bench's own loop, sharing the catalog object.
"""

from __future__ import annotations

import asyncio
import os
import platform
import time
from dataclasses import dataclass, field
from typing import Any

from moodmix.bench.bound import BoundTTLs, LowerBound, lower_bound
from moodmix.bench.config import BenchConfig
from moodmix.bench.inprocess import InProcessSimulator
from moodmix.bench.l1probe import l1_lookups_per_s
from moodmix.bench.profiles import BenchProfile
from moodmix.bench.scenario import OnProgress, ScenarioRun, run_scenario
from moodmix.bench.simulators import Simulator, SimulatorProcess
from moodmix.bench.trace_stats import TraceStats, trace_stats
from moodmix.bench.workload import Trace, build_trace
from moodmix.clock import loop_time
from moodmix.settings import Settings
from moodmix.simulator.catalog import Catalog, CatalogSpec
from moodmix.simulator.config import SimulatorConfig


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


def catalog_spec(config: BenchConfig) -> CatalogSpec:
    """The simulator's catalog for ``config`` (the simulator command's artist count rule)."""
    tracks = config.catalog_tracks
    return CatalogSpec(seed=config.seed, tracks=tracks, artists=min(5_000, max(1, tracks // 10)))


def prepare(config: BenchConfig) -> tuple[Catalog, Trace]:
    catalog = Catalog.build(catalog_spec(config))
    return catalog, build_trace(catalog, config.workload())


def machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_1m_at_start": round(load[0], 2),
    }


async def _start_simulators(
    config: BenchConfig, prepared: asyncio.Task[tuple[Catalog, Trace]]
) -> dict[BenchProfile, Simulator]:
    """One simulator per profile; if any fails to start, the others are stopped again."""
    if config.clock == "virtual":
        catalog, _ = await prepared
        return {profile: in_process_simulator(config, catalog) for profile in config.profiles}
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


def in_process_simulator(config: BenchConfig, catalog: Catalog) -> InProcessSimulator:
    """A simulator on the running loop's clock, serving ``catalog`` (built by ``prepare``)."""
    spec = catalog_spec(config)
    settings = SimulatorConfig(
        rate_per_min=100_000,
        burst=10,
        seed=config.seed,
        tracks=spec.tracks,
        artists=spec.artists,
        latency_ms=config.simulator_latency_ms,
    )
    return InProcessSimulator(catalog, settings, clock=loop_time)


async def run_bench(config: BenchConfig, *, on_progress: OnProgress | None = None) -> BenchRun:
    """Run every scenario of ``config``; expects a loop of its own (``asyncio.run``): after each
    scenario, tasks its gateways left running are cancelled."""
    started = time.perf_counter()
    host = machine()
    prepared = asyncio.create_task(asyncio.to_thread(prepare, config))
    try:
        sims = await _start_simulators(config, prepared)
    except BaseException:
        prepared.cancel()
        raise
    try:
        catalog, trace = await prepared
        ttls = BoundTTLs.from_settings(Settings(profile="adaptive"))
        bound = lower_bound(trace.steps(), ttls)
        runs = []
        for scenario in config.scenarios:
            runs.append(
                await run_scenario(
                    scenario, trace, bound, sims, config, bound_ttls=ttls, on_progress=on_progress
                )
            )
        probe = next(iter(sims.values()))
        ids = list(catalog.track_ids()[:40])
        l1 = {
            name: await l1_lookups_per_s(
                probe.url, ids, batch=batch, seconds=config.l1_probe_s, transport=probe.transport
            )
            for name, batch in (("single", 1), ("batch_of_20", 20))
        }
    finally:
        await asyncio.gather(*(sim.stop() for sim in sims.values()), return_exceptions=True)
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
