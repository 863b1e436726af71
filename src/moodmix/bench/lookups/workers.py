"""Virtual-time lanes in worker processes, as many at once as the machine has cores.

On virtual time a lane (one profile in one scenario) costs only CPU, and its figures depend
only on the trace, its profile and the seed. So each lane runs alone on a virtual loop of its
own, in a worker process, and the lanes of a run are spread over the cores::

    runs = await run_lanes(config, trace, bound, ttls, on_progress=print)
    runs[0].results              # one ProfileResult per profile of config.scenarios[0]

Running alone also makes a lane independent of the others: on one shared loop, the order of
callbacks due at the same instant depended on which other profiles ran beside it. The trace
is built once, by the caller, and reaches each worker pickled (a day is about 20 MB, against
about 20 s of CPU to build it again). Workers are spawned, not forked: the parent has threads
(the log writer) whose locks a fork would copy mid-use. Progress comes back on a queue.
Once a worker holds the trace and the catalog, its garbage collector is calmed
(``bench.collector``): with CPython's defaults it took a fifth of a lane's CPU.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing.queues import Queue

import structlog

from moodmix.bench.bound import BoundTTLs, LowerBound
from moodmix.bench.collector import calm_collector
from moodmix.bench.config import BenchConfig, Scenario
from moodmix.bench.inprocess import catalog_spec, in_process_simulator
from moodmix.bench.lookups.scenario import OnProgress, Progress, ScenarioRun, run_scenario
from moodmix.bench.orphans import Orphans
from moodmix.bench.profiles import BenchProfile
from moodmix.bench.simulators import Simulator
from moodmix.bench.virtual import virtual_runner
from moodmix.bench.workload import Trace
from moodmix.simulator.catalog import Catalog

__all__ = ["available_cpus", "run_lanes"]

LIGHTEST = ("seed", "seed-bucket")
"""Profiles whose lanes take least CPU (a day: 4.3-5 minutes against 4.9-6.3 for the others,
measured): started last, so the last lane to start is a short one."""


def available_cpus() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass(frozen=True)
class _Job:
    scenario: Scenario
    profile: BenchProfile


def _order(jobs: list[_Job]) -> list[_Job]:
    return sorted(jobs, key=lambda job: job.profile in LIGHTEST)


async def run_lanes(
    config: BenchConfig,
    trace: Trace,
    bound: LowerBound,
    ttls: BoundTTLs,
    *,
    workers: int | None = None,
    on_progress: OnProgress | None = None,
) -> tuple[ScenarioRun, ...]:
    """Every (scenario, profile) lane of ``config`` (on virtual time) in worker processes;
    one ``ScenarioRun`` per scenario, its results in the config's profile order."""
    if config.clock != "virtual":
        raise ValueError("lanes run in worker processes only on virtual time")
    jobs = [_Job(s, p) for s in config.scenarios for p in config.profiles]
    count = max(1, min(workers or available_cpus(), len(jobs)))
    context = multiprocessing.get_context("spawn")
    progress: Queue[Progress | None] = context.Queue()
    with ProcessPoolExecutor(
        count,
        mp_context=context,
        initializer=_start_worker,
        initargs=(config, trace, progress),
    ) as pool:
        futures = {
            job: pool.submit(_run_job, job.scenario, job.profile, bound, ttls)
            for job in _order(jobs)
        }
        try:
            await _relay(progress, list(futures.values()), on_progress)
            done = {job: future.result() for job, future in futures.items()}
        except BaseException:
            for future in futures.values():
                future.cancel()
            raise
    return tuple(_merge(s, [done[_Job(s, p)] for p in config.profiles]) for s in config.scenarios)


async def _relay(
    progress: Queue[Progress | None],
    futures: list[Future[ScenarioRun]],
    on_progress: OnProgress | None,
) -> None:
    """Pass the workers' progress on (from a thread blocked on the queue) until every job
    ended or one failed. No timer is involved, so this also works on a virtual loop."""
    loop = asyncio.get_running_loop()

    def forward() -> None:
        while (report := progress.get()) is not None:
            if on_progress is not None:
                loop.call_soon_threadsafe(on_progress, report)

    forwarding = loop.run_in_executor(None, forward)
    try:
        await asyncio.gather(*(asyncio.wrap_future(f) for f in futures))
    finally:
        progress.put(None)
        await forwarding


def _merge(scenario: Scenario, runs: list[ScenarioRun]) -> ScenarioRun:
    """One scenario's lanes, each run alone, as one ``ScenarioRun``."""
    errors: dict[str, int] = {}
    for run in runs:
        for name, count in run.orphans.errors.items():
            errors[name] = errors.get(name, 0) + count
    return ScenarioRun(
        scenario,
        runs[0].trace_bound,
        runs[0].allowed_during_arrivals,
        tuple(result for run in runs for result in run.results),
        {},
        Orphans(sum(run.orphans.tasks for run in runs), errors),
        {name: s for run in runs for name, s in run.lane_wall_s.items()},
    )


# --- in the worker ---------------------------------------------------------------------------


@dataclass
class _Worker:
    config: BenchConfig
    trace: Trace
    catalog: Catalog
    progress: Queue[Progress | None]


_worker: _Worker | None = None


def _start_worker(config: BenchConfig, trace: Trace, progress: Queue[Progress | None]) -> None:
    global _worker
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    catalog = Catalog.build(catalog_spec(config))
    _worker = _Worker(config, trace, catalog, progress)
    calm_collector()


def _run_job(
    scenario: Scenario, profile: BenchProfile, bound: LowerBound, ttls: BoundTTLs
) -> ScenarioRun:
    assert _worker is not None, "the worker was not started"
    worker = _worker
    config = replace(worker.config, profiles=(profile,), scenarios=(scenario,))
    send: Callable[[Progress], None] = worker.progress.put
    started = time.perf_counter()
    with virtual_runner() as runner:
        run = runner.run(_lane(config, scenario, worker, bound, ttls, send))
    return replace(run, lane_wall_s={profile: round(time.perf_counter() - started, 1)})


async def _lane(
    config: BenchConfig,
    scenario: Scenario,
    worker: _Worker,
    bound: LowerBound,
    ttls: BoundTTLs,
    send: Callable[[Progress], None],
) -> ScenarioRun:
    sim = in_process_simulator(config, worker.catalog)
    sims: dict[BenchProfile, Simulator] = {config.profiles[0]: sim}
    try:
        return await run_scenario(
            scenario, worker.trace, bound, sims, config, bound_ttls=ttls, on_progress=send
        )
    finally:
        await sim.stop()
