"""One instance of the several-instances benchmark: a process of its own with one gateway.

Started by ``moodmix.bench.instances.run`` as ``python -m moodmix.bench.instances.worker JOB``,
where ``JOB`` is a JSON file (``WorkerJob``). It replays the sessions of the trace that are
its share (session index modulo the number of instances), at their times from the common
start, then writes what it saw to ``job.result_path`` as JSON (``WorkerReport``)::

    job = WorkerJob(trace_path=..., index=0, instances=3, url=sim.url, redis_url=redis.url, ...)
    report = WorkerReport.from_json(orjson.loads(Path(job.result_path).read_bytes()))

SIGUSR1 prints on stderr where its tasks wait, grouped by place, and its scheduler's state:
the bench asks for it before it kills an instance that did not finish in time.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import signal
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson
import structlog

from moodmix.bench.looplag import LoopLag
from moodmix.bench.replay import Replay
from moodmix.bench.scaling import TimeScale
from moodmix.bench.workload import Trace
from moodmix.reccobeats import ReccoBeats
from moodmix.settings import Profile


@dataclass(frozen=True)
class WorkerJob:
    trace_path: str
    index: int
    instances: int
    url: str
    redis_url: str | None
    redis_prefix: str
    profile: Profile
    time_scale: float
    duration_s: float
    warm_after_s: float
    """Wall seconds of the cold phase (``BenchConfig.warm_after_s``, as the one-process bench)."""
    grace_s: float
    start_at: float
    """Wall-clock (epoch) second at which the trace's time 0 falls, the same for every worker."""
    cache_dir: str
    result_path: str


@dataclass
class WorkerReport:
    index: int
    sessions: int = 0
    sessions_unfinished: int = 0
    operations: int = 0
    logical_lookups: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    trace_mismatches: int = 0
    cache_hits: float = 0.0
    cache_lookups: int = 0
    warm_hits: float = 0.0
    warm_lookups: int = 0
    dedup_joins: int = 0
    shared_joins: int = 0
    gateway_requests: int = 0
    gateway_429: int = 0
    learned_rate_per_min: float = 0.0
    shared_mode: str = "off"
    shared_outages: int = 0
    registry_answered: int = 0
    registry_requested: int = 0
    run_s: float = 0.0
    late_start_s: float = 0.0
    """How late this instance was ready for the common start (0: in time)."""
    loop_lag_p99_ms: float = 0.0
    """How late this instance's event loop woke up (99th percentile): a busy process falls
    behind its own pacing by about this much."""
    rate_probes: int = 0
    """Rates the adaptive controller tried above its floor (in shared mode, all processes')."""
    batches: int = 0
    batched_ids: int = 0
    handovers: int = 0
    """Ids this instance's batch calls carried for other instances."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WorkerReport:
        return cls(**data)


def _dump(rb: ReccoBeats) -> None:
    """Where this instance's tasks wait, grouped by their innermost two frames (one full
    stack per place), and its scheduler's state, on stderr."""
    places: Counter[str] = Counter()
    examples: dict[str, asyncio.Task[Any]] = {}
    for task in asyncio.all_tasks():
        frames = task.get_stack()[-2:]
        place = " <- ".join(
            f"{Path(f.f_code.co_filename).name}:{f.f_lineno} {f.f_code.co_name}"
            for f in reversed(frames)
        )
        places[place] += 1
        examples.setdefault(place, task)
    print(f"late instance: {rb.quota()}, {rb.health()}", file=sys.stderr)
    for place, count in places.most_common(20):
        task = examples[place]
        print(f"--- {count} task(s) at {place}: {task!r}", file=sys.stderr)
        for line in _awaiting(task.get_coro()):
            print(f"    {line}", file=sys.stderr)
    sys.stderr.flush()


def _awaiting(coro: object) -> list[str]:
    """Where a coroutine waits, outermost first: each frame down its chain of ``await``s
    (``Task.print_stack`` shows only the outermost one)."""
    lines = []
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
        if frame is None:
            lines.append(f"awaiting {coro!r}")
            break
        lines.append(
            f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno} {frame.f_code.co_name}"
        )
        coro = getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None)
    return lines


def _hits(rb: ReccoBeats) -> tuple[float, int]:
    stats = rb.stats()
    return stats.cache_hit_rate * stats.cache_lookups, stats.cache_lookups


async def run(job: WorkerJob, trace: Trace) -> WorkerReport:
    scale = TimeScale(job.time_scale)
    settings = scale.settings(
        job.profile, url=job.url, cache_path=Path(job.cache_dir) / f"instance-{job.index}.db"
    ).model_copy(update={"redis_url": job.redis_url, "redis_prefix": job.redis_prefix})
    mine = [s for s in trace.sessions if s.index % job.instances == job.index]
    report = WorkerReport(job.index, sessions=len(mine))
    loop = asyncio.get_running_loop()
    report.late_start_s = round(max(0.0, time.time() - job.start_at), 3)
    started = loop.time() + (job.start_at - time.time())
    async with ReccoBeats.from_settings(settings) as rb, LoopLag() as lag:
        loop.add_signal_handler(signal.SIGUSR1, _dump, rb)
        replay = Replay(rb, scale)
        tasks: set[asyncio.Task[None]] = set()
        warm: tuple[float, int] | None = None
        for session in mine:
            at = started + scale.wall(session.start_s)
            if warm is None and at >= started + job.warm_after_s:
                await asyncio.sleep(max(0.0, started + job.warm_after_s - loop.time()))
                warm = _hits(rb)
            await asyncio.sleep(max(0.0, at - loop.time()))
            tasks.add(loop.create_task(replay.session(session)))
        if warm is None:
            await asyncio.sleep(max(0.0, started + job.warm_after_s - loop.time()))
            warm = _hits(rb)
        await asyncio.sleep(max(0.0, started + job.duration_s - loop.time()))
        deadline = started + job.duration_s + job.grace_s
        pending = {t for t in tasks if not t.done()}
        if pending:
            _, pending = await asyncio.wait(pending, timeout=max(0.0, deadline - loop.time()))
        report.run_s = loop.time() - started
        for task in pending:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        stats = rb.stats()
        hits, lookups = _hits(rb)
        report.sessions_unfinished = len(pending)
        report.operations = len(replay.latencies_ms)
        report.logical_lookups = replay.lookups
        report.latencies_ms = [round(v, 3) for v in replay.latencies_ms]
        report.errors = dict(replay.errors)
        report.trace_mismatches = replay.mismatches
        report.cache_hits, report.cache_lookups = hits, lookups
        report.warm_hits, report.warm_lookups = hits - warm[0], lookups - warm[1]
        report.dedup_joins = stats.dedup_joins
        report.shared_joins = stats.shared_joins
        report.batches, report.batched_ids = stats.batches, stats.batched_ids
        report.handovers = stats.shared_handovers
        report.gateway_requests = stats.upstream_requests
        report.gateway_429 = stats.upstream_429
        report.learned_rate_per_min = stats.rate_per_min / scale.factor
        report.shared_mode = stats.shared_mode
        report.shared_outages = stats.shared_outages
        report.loop_lag_p99_ms = lag.summary()["p99"]
        report.rate_probes = stats.rate_probes
        registry = rb.registry_stats()
        report.registry_answered = registry.answered
        report.registry_requested = registry.requested
    return report


def main(job_path: str) -> None:
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )
    job = WorkerJob(**orjson.loads(Path(job_path).read_bytes()))
    trace: Trace = pickle.loads(Path(job.trace_path).read_bytes())
    report = asyncio.run(run(job, trace))
    Path(job.result_path).write_bytes(orjson.dumps(asdict(report)))


if __name__ == "__main__":
    main(sys.argv[1])
