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

**Instances.** Arrival ``n`` goes to instance ``n % instances``. On virtual time the
instances share this event loop and one ``MemoryBudget``; on the real clock each is a
process of its own (``processes``) on a throwaway Redis, so one instance's pauses do not
stop the others, as in a deployment.

**Checked counts.** The client's own count (``counting.CountingTransport``, below every
layer) is held against the simulator's counters and the gateways' metrics; if they disagree
beyond the requests cancelled in flight, the run fails with ``CountsDisagree``.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moodmix.bench.inprocess import InProcessSimulator
from moodmix.bench.profiles import BenchProfile
from moodmix.bench.saturate.arrivals import arrive
from moodmix.bench.saturate.config import Cell, SaturateConfig
from moodmix.bench.saturate.counting import Tally
from moodmix.bench.saturate.instance import Instance, Upstream, restart_at
from moodmix.bench.saturate.processes import START_DELAY_S, run_processes
from moodmix.bench.saturate.results import Counted, CountsDisagree, figures
from moodmix.bench.scaling import TimeScale
from moodmix.bench.simulators import Simulator
from moodmix.coordination import Budget, MemoryBudget

__all__ = ["CellRun", "catalog_tracks", "run_cell"]

_MIN_CATALOG = 20_000


def catalog_tracks(config: SaturateConfig) -> int:
    """A catalog big enough that every caller of the largest cell gets an id of its own."""
    most = max(
        config.demand_factor * cell.allowed(0.0, config.duration_s) for cell in config.cells()
    )
    return max(_MIN_CATALOG, int(most * 1.2) + 1_000)


@dataclass(frozen=True)
class CellRun:
    """One profile on one cell as it runs: the simulator, the ids its callers ask for (one
    each, in order) and when the run's time 0 falls (``started``, this loop's time)."""

    cell: Cell
    profile: BenchProfile
    config: SaturateConfig
    track_ids: Sequence[str]
    sim: Simulator
    scale: TimeScale
    started: float

    def now(self) -> float:
        """Real-world seconds since the run's time 0."""
        return self.scale.real(asyncio.get_running_loop().time() - self.started)

    async def report(self, say: Callable[[str], None], line: Callable[[], Awaitable[str]]) -> None:
        """``say`` how the run goes (``line()``) every tenth of it, from time 0 until cancelled."""
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, self.started - loop.time()))
        while True:
            await asyncio.sleep(self.scale.wall(self.config.duration_s / 10))
            say(f"{self.now():,.0f} s: {await line()}")


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
    for several instances, each a process of its own (virtual time shares a
    ``MemoryBudget`` in this process instead).

    An in-process simulator follows the cell's rate schedule itself
    (``SimulatorConfig.rate_schedule``, its time started here, when the run starts); a
    simulator process, whose schedule would count from its own start, is moved by the bench
    at each change instead (``PATCH /_admin/config``)."""
    loop = asyncio.get_running_loop()
    wall_started = time.perf_counter()
    own_schedule = isinstance(sim, InProcessSimulator)
    if isinstance(sim, InProcessSimulator):
        sim.follow(cell.schedule)
    await sim.configure(
        rate_per_min=scale.rate(cell.rate_per_min if own_schedule else cell.limit_at(0.0)),
        burst=cell.burst,
        retry_after_resolution=scale.retry_after_resolution(),
    )
    await sim.reset()
    apart = config.clock == "real" and config.instances > 1
    if apart and redis_url is None:
        raise ValueError("several instances on the real clock need a Redis")
    started = loop.time() + (START_DELAY_S if apart else 0.0)
    run = CellRun(cell, profile, config, track_ids, sim, scale, started)
    with tempfile.TemporaryDirectory(prefix="moodmix-saturate-") as tmp:
        helpers = [] if own_schedule else [loop.create_task(_schedule(cell, sim, scale, started))]
        try:
            if apart:
                assert redis_url is not None
                counted = await run_processes(run, redis_url, Path(tmp), say=on_progress)
            else:
                counted = await _run_here(run, Path(tmp), on_progress)
        finally:
            for helper in helpers:
                helper.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)
        counts = await sim.stats()
    return figures(cell, profile, config, counted, counts, time.perf_counter() - wall_started)


async def _run_here(
    run: CellRun, cache_dir: Path, on_progress: Callable[[str], None] | None
) -> list[Counted]:
    """Every instance in this process and event loop (several share a ``MemoryBudget`` on
    virtual time); their counts once each has finished."""
    loop = asyncio.get_running_loop()
    config, scale, started = run.config, run.scale, run.started
    counted = [Counted(i, Tally(run.now)) for i in range(config.instances)]
    shared = config.instances > 1
    budget: Budget | None = MemoryBudget(clock=loop.time) if shared else None
    upstream = Upstream(run.sim.url, run.sim.transport)
    instances = [
        Instance(i, run.profile, config, upstream, scale, counted[i], budget, cache_dir, {})
        for i in range(config.instances)
    ]
    helpers = []
    if config.restart_after_s is not None:
        at = started + scale.wall(config.restart_after_s)
        helpers.append(loop.create_task(restart_at(instances, at)))
    if on_progress is not None:
        helpers.append(loop.create_task(run.report(on_progress, _progress(instances))))
    try:
        await arrive(
            run.cell,
            config,
            run.track_ids,
            scale,
            started,
            lambda n, track_id: instances[n % len(instances)].spawn(track_id),
        )
        if isinstance(run.sim, InProcessSimulator):
            _check_limit(run.cell, run.sim, scale, config.duration_s)
    finally:
        for helper in helpers:
            helper.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)
        for instance in instances:
            await instance.finish()
    return counted


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


def _progress(instances: list[Instance]) -> Callable[[], Awaitable[str]]:
    async def line() -> str:
        arrived = sum(i.callers.arrived for i in instances)
        served = sum(i.callers.served for i in instances)
        accepted = sum(i.tally.accepted for i in instances)
        throttled = sum(i.tally.throttled for i in instances)
        return f"{arrived:,} callers, {served:,} served, {accepted:,} accepted, {throttled:,} 429"

    return line


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
