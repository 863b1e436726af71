"""Every cell x profile of a saturate run, each with a fresh gateway and simulator.

::

    results = await run_grid(config, jobs=2, say=print)   # one dict per cell x profile

On virtual time each (cell, profile) is a job for a pool of worker processes (``jobs`` of
them, default one per CPU): the job builds an in-process simulator on a ``VirtualLoop`` of its
own (``bench.virtual``), so a job's figures depend only on the cell, the profile and the seed,
whatever ran beside it. Workers are spawned, not forked (the parent has threads), and keep
the catalog they built for the next job. On the real clock the jobs run one after another
in this process against simulator subprocesses (and a throwaway Redis for several
instances), time compressed by ``config.time_scale``.

A job makes tens of thousands of short-lived tasks and futures while its gateway's queue of
abandoned ids grows, and with CPython's default collection thresholds the cyclic garbage
collector then took over half a job's CPU (a 600/min hour: 48 s, 16 s with the workers'
first generation collected every 50,000 allocations instead of 700 and the catalog frozen out
of the collector's view: ``bench.collector``). Nothing in a job depends on when garbage goes.

Results come back in the order of ``config.cells()`` then ``config.profiles``; progress (cell
i/n, profile, wall seconds) goes to ``say`` as each job ends, and every 30 wall seconds.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import structlog

from moodmix.bench.collector import calm_collector
from moodmix.bench.inprocess import InProcessSimulator
from moodmix.bench.lookups.workers import available_cpus
from moodmix.bench.profiles import BenchProfile
from moodmix.bench.redisproc import RedisProcess
from moodmix.bench.saturate.cell import catalog_tracks, run_cell
from moodmix.bench.saturate.config import Cell, SaturateConfig
from moodmix.bench.scaling import TimeScale
from moodmix.bench.simulators import SimulatorProcess
from moodmix.bench.virtual import virtual_runner
from moodmix.clock import loop_time
from moodmix.simulator.catalog import Catalog, CatalogSpec
from moodmix.simulator.config import SimulatorConfig

__all__ = ["Job", "run_grid", "run_job"]

Say = Callable[[str], None]
_HEARTBEAT_S = 30.0


@dataclass(frozen=True)
class Job:
    index: int
    """1-based position in the run, for progress."""
    cell: Cell
    profile: BenchProfile


def jobs_of(config: SaturateConfig) -> list[Job]:
    pairs = [(c, p) for c in config.cells() for p in config.profiles]
    return [Job(n, c, p) for n, (c, p) in enumerate(pairs, start=1)]


def _spec(config: SaturateConfig) -> CatalogSpec:
    tracks = catalog_tracks(config)
    return CatalogSpec(seed=config.seed, tracks=tracks, artists=min(5_000, max(1, tracks // 10)))


_catalogs: dict[CatalogSpec, tuple[Catalog, list[str]]] = {}


def _catalog(spec: CatalogSpec) -> tuple[Catalog, list[str]]:
    """The catalog and its track ids in a seeded order, built once per process."""
    if spec not in _catalogs:
        catalog = Catalog.build(spec)
        ids = list(catalog.track_ids())
        random.Random(f"saturate-ids-{spec.seed}").shuffle(ids)
        _catalogs[spec] = (catalog, ids)
    return _catalogs[spec]


def run_job(config: SaturateConfig, job: Job) -> dict[str, Any]:
    """One job on virtual time, in this process (a worker's entry point)."""
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    spec = _spec(config)
    fresh = spec not in _catalogs
    catalog, ids = _catalog(spec)
    if fresh:
        calm_collector()

    async def one() -> dict[str, Any]:
        settings = SimulatorConfig(
            rate_per_min=job.cell.rate_per_min,
            burst=job.cell.burst,
            seed=config.seed,
            tracks=spec.tracks,
            artists=spec.artists,
            latency_ms=config.latency_ms,
        )
        sim = InProcessSimulator(catalog, settings, clock=loop_time)
        try:
            return await run_cell(job.cell, job.profile, config, ids, sim, scale=TimeScale(1.0))
        finally:
            await sim.stop()

    with virtual_runner() as runner:
        return runner.run(one())


def _done_line(job: Job, total: int, result: dict[str, Any], elapsed: float) -> str:
    return (
        f"[{job.index}/{total}] {job.cell.label}, {job.profile}: "
        f"429 {result['rate_429']:.2%}, utilisation {result['quota_utilisation']:.1%}, "
        f"to 90% {_seconds(result['seconds_to_90pct'])}; cell {result['wall_s']:.1f} s, "
        f"elapsed {elapsed:,.0f} s"
    )


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:,.0f} s"


async def run_grid(
    config: SaturateConfig, *, jobs: int | None = None, say: Say | None = None
) -> list[dict[str, Any]]:
    """Every job of ``config``; see the module docstring."""
    tell: Say = say or (lambda _: None)
    if config.clock == "real":
        return await _run_real(config, tell)
    work = jobs_of(config)
    count = max(1, min(jobs or available_cpus(), len(work)))
    started = time.perf_counter()
    results: dict[int, dict[str, Any]] = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(count, mp_context=context) as pool:
        futures = {asyncio.wrap_future(pool.submit(run_job, config, job)): job for job in work}
        pending = set(futures)
        try:
            while pending:
                done, pending = await asyncio.wait(
                    pending, timeout=_HEARTBEAT_S, return_when=asyncio.FIRST_COMPLETED
                )
                elapsed = time.perf_counter() - started
                for future in done:
                    job = futures[future]
                    results[job.index] = future.result()
                    tell(_done_line(job, len(work), results[job.index], elapsed))
                if not done:
                    tell(
                        f"{len(results)}/{len(work)} done, {min(count, len(pending))} running, "
                        f"elapsed {elapsed:,.0f} s"
                    )
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return [results[job.index] for job in work]


async def _run_real(config: SaturateConfig, say: Say) -> list[dict[str, Any]]:
    spec = _spec(config)
    _, ids = _catalog(spec)
    scale = TimeScale(config.time_scale)
    work = jobs_of(config)
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    redis = await RedisProcess.start() if config.instances > 1 else None
    try:
        for job in work:
            say(f"[{job.index}/{len(work)}] {job.cell.label}, {job.profile}: starting")
            async with await SimulatorProcess.start(
                seed=config.seed, tracks=spec.tracks, latency_ms=config.latency_ms
            ) as sim:
                result = await run_cell(
                    job.cell,
                    job.profile,
                    config,
                    ids,
                    sim,
                    scale=scale,
                    redis_url=redis.url if redis is not None else None,
                    on_progress=_prefixed(say, f"  [{job.index}] "),
                )
            results.append(result)
            say(_done_line(job, len(work), result, time.perf_counter() - started))
    finally:
        if redis is not None:
            await redis.stop()
    return results


def _prefixed(say: Say, prefix: str) -> Say:
    return lambda line: say(prefix + line)


def by_cell(results: Sequence[dict[str, Any]]) -> dict[tuple[float, int], list[dict[str, Any]]]:
    """Results grouped by (limit, burst), in order."""
    grouped: dict[tuple[float, int], list[dict[str, Any]]] = {}
    for r in results:
        grouped.setdefault((r["upstream_rate_per_min"], r["upstream_burst"]), []).append(r)
    return grouped
