"""``moodmix bench --instances N``: N real processes against one simulator and one Redis.

Each scenario runs on the same trace, against the same simulator (reset in between): first
one instance alone (no Redis, its own SQLite L2: what a single process costs), then N
instances in shared mode on a throwaway ``redis-server``, each replaying its share of the
sessions (``moodmix.bench.instances.worker``). With ``redis_outage`` a third run follows, the
N instances again, with the Redis killed a third of the way into the arrivals and restarted
(empty) at two thirds::

    run = await run_instances(config, instances=3, redis_outage=True)
    for phase in run.phases:
        print(phase.instances, phase.upstream_requests, phase.rate_429, phase.failed_requests)

Upstream requests and 429s are the simulator's counts (ground truth); the rest is summed
over the instances' own reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

from moodmix.bench.config import BenchConfig, Scenario
from moodmix.bench.instances.results import InstancesRun, Outage, PhaseResult
from moodmix.bench.prepare import machine, prepare
from moodmix.bench.redisproc import RedisProcess
from moodmix.bench.results import percentiles
from moodmix.bench.scaling import TimeScale
from moodmix.bench.simulators import SimulatorProcess, UpstreamCounts
from moodmix.bench.workload import Trace
from moodmix.settings import Profile

START_DELAY_S = 6.0
"""Wall seconds between spawning the instances and the trace's time 0 (imports, connections)."""


_WORKER_SLACK_S = 30.0
"""How long after its deadline an instance may take to write its report before it is killed."""


_DUMP_WAIT_S = 3.0
"""How long a late instance gets to print where its tasks wait (SIGUSR1) before it is killed."""


_LOG_TAIL_BYTES = 8_000
"""How much of a late instance's output its error quotes."""


Say = Callable[[str], None]


async def run_instances(
    config: BenchConfig,
    *,
    instances: int,
    profile: Profile = "adaptive",
    redis_outage: bool = False,
    say: Say | None = None,
    start_delay_s: float = START_DELAY_S,
) -> InstancesRun:
    """Every scenario of ``config``: one instance alone, then ``instances`` sharing Redis."""
    if instances < 1:
        raise ValueError(f"instances must be at least 1, got {instances}")
    started = time.perf_counter()
    host = machine()
    tell = say or (lambda _: None)
    prepared = asyncio.create_task(asyncio.to_thread(prepare, config))
    sim = await SimulatorProcess.start(
        seed=config.seed, tracks=config.catalog_tracks, latency_ms=config.simulator_latency_ms
    )
    redis: RedisProcess | None = None
    phases: list[PhaseResult] = []
    try:
        redis = await RedisProcess.start()
        _, trace = await prepared
        with tempfile.TemporaryDirectory(prefix="moodmix-instances-") as tmp:
            trace_path = Path(tmp) / "trace.pickle"
            trace_path.write_bytes(pickle.dumps(trace))
            runs = [(1, False), (instances, False)] + ([(instances, True)] if redis_outage else [])
            for scenario in config.scenarios:
                for n, outage in runs:
                    tell(f"[{scenario.name}] {n} instance{'s' if n > 1 else ''}, ")
                    phases.append(
                        await _phase(
                            scenario,
                            trace,
                            trace_path,
                            config,
                            profile=profile,
                            instances=n,
                            shared=n > 1,
                            sim=sim,
                            redis=redis,
                            outage=outage,
                            work_dir=Path(tmp),
                            say=tell,
                            start_delay_s=start_delay_s,
                        )
                    )
    finally:
        prepared.cancel()
        with contextlib.suppress(BaseException):
            await prepared
        await sim.stop()
        if redis is not None:
            await redis.stop()
    return InstancesRun(
        config,
        profile,
        instances,
        redis_outage,
        tuple(phases),
        host,
        wall_s=time.perf_counter() - started,
    )


async def _phase(
    scenario: Scenario,
    trace: Trace,
    trace_path: Path,
    config: BenchConfig,
    *,
    profile: Profile,
    instances: int,
    shared: bool,
    sim: SimulatorProcess,
    redis: RedisProcess,
    outage: bool,
    work_dir: Path,
    say: Say,
    start_delay_s: float,
) -> PhaseResult:
    scale = TimeScale(config.time_scale)
    await sim.configure(
        rate_per_min=scale.rate(scenario.rate_per_min),
        burst=config.upstream_burst,
        retry_after_resolution=scale.retry_after_resolution(),
    )
    await sim.reset()
    run_dir = work_dir / uuid.uuid4().hex
    run_dir.mkdir()
    start_at = time.time() + start_delay_s
    prefix = f"moodmix-bench:{uuid.uuid4().hex}:"
    jobs = [
        {
            "trace_path": str(trace_path),
            "index": i,
            "instances": instances,
            "url": sim.url,
            "redis_url": redis.url if shared else None,
            "redis_prefix": prefix,
            "profile": profile,
            "time_scale": config.time_scale,
            "duration_s": config.duration_s,
            "warm_after_s": config.warm_after_s,
            "grace_s": config.grace,
            "start_at": start_at,
            "cache_dir": str(run_dir),
            "result_path": str(run_dir / f"result-{i}.json"),
        }
        for i in range(instances)
    ]
    processes = []
    for job in jobs:
        path = run_dir / f"job-{job['index']}.json"
        path.write_bytes(orjson.dumps(job))
        log = (run_dir / f"log-{job['index']}.txt").open("wb")
        processes.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "moodmix.bench.instances.worker",
                str(path),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        )
        log.close()
    outage_result: Outage | None = None
    try:
        if outage:
            outage_result = await _drill(redis, sim, start_at, config.duration_s, say)
        limit = config.duration_s + config.grace + start_delay_s + _WORKER_SLACK_S
        await asyncio.wait_for(asyncio.gather(*(p.wait() for p in processes)), limit)
    except TimeoutError:
        late = [i for i, p in enumerate(processes) if p.returncode is None]
        for index in late:
            processes[index].send_signal(signal.SIGUSR1)  # it prints what it is doing
        await asyncio.sleep(_DUMP_WAIT_S)
        raise RuntimeError(
            f"instances {late} did not finish {_WORKER_SLACK_S:g} s after their deadline; "
            + "; ".join(_keep_log(run_dir, i) for i in late)
        ) from None
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
    reports = _read_reports(run_dir, [p.returncode for p in processes])
    counts = await sim.stats()
    result = _combine(scenario, config, profile, instances, shared, reports, counts)
    say(
        f"{result.upstream_requests:,} upstream requests ({result.upstream_429:,} 429), "
        f"{result.failed_requests} failed client requests\n"
    )
    return replace(result, outage=outage_result)


async def _drill(
    redis: RedisProcess, sim: SimulatorProcess, start_at: float, duration: float, say: Say
) -> Outage:
    """Kill Redis a third of the way into the arrivals, restart it at two thirds."""
    await asyncio.sleep(max(0.0, start_at + duration / 3 - time.time()))
    before = await sim.stats()
    killed = time.time() - start_at
    await redis.kill()
    say("Redis killed, ")
    await asyncio.sleep(max(0.0, start_at + 2 * duration / 3 - time.time()))
    during = await sim.stats()
    await redis.restart()
    say("restarted, ")
    return Outage(
        killed_at_s=round(killed, 3),
        restarted_at_s=round(time.time() - start_at, 3),
        upstream_requests=during.requests - before.requests,
        upstream_429=during.rate_limited - before.rate_limited,
    )


def _keep_log(run_dir: Path, index: int) -> str:
    """Copy instance ``index``'s output out of the run's temporary directory; say where, and
    quote its end (where its tasks waited), since a temporary file may not outlive the run."""
    output = (run_dir / f"log-{index}.txt").read_bytes()
    fd, kept = tempfile.mkstemp(prefix=f"moodmix-instance-{index}-", suffix=".log")
    with os.fdopen(fd, "wb") as out:
        out.write(output)
    tail = output[-_LOG_TAIL_BYTES:].decode(errors="replace")
    return f"instance {index}'s output is in {kept}; it ends:\n{tail}"


def _read_reports(run_dir: Path, codes: list[int | None]) -> list[dict[str, Any]]:
    """The instances' reports; ``RuntimeError`` with its output if one did not write one."""
    reports = []
    for index, code in enumerate(codes):
        result = run_dir / f"result-{index}.json"
        if code != 0 or not result.exists():
            output = (run_dir / f"log-{index}.txt").read_text(errors="replace")[-2_000:]
            raise RuntimeError(f"instance {index} exited with code {code}: {output}")
        reports.append(orjson.loads(result.read_bytes()))
    return reports


def _combine(
    scenario: Scenario,
    config: BenchConfig,
    profile: Profile,
    instances: int,
    shared: bool,
    reports: list[dict[str, Any]],
    counts: UpstreamCounts,
) -> PhaseResult:
    def total(name: str) -> Any:
        return sum(r[name] for r in reports)

    errors: dict[str, int] = {}
    for report in reports:
        for name, count in report["errors"].items():
            errors[name] = errors.get(name, 0) + count
    lookups, warm_lookups = total("cache_lookups"), total("warm_lookups")
    answered, requested = total("registry_answered"), total("registry_requested")
    return PhaseResult(
        scenario=scenario.name,
        profile=profile,
        instances=instances,
        shared=shared,
        upstream_rate_per_min=scenario.rate_per_min,
        upstream_burst=config.upstream_burst,
        time_scale=config.time_scale,
        arrivals_s=config.duration_s,
        run_s=max(r["run_s"] for r in reports),
        sessions=total("sessions"),
        sessions_unfinished=total("sessions_unfinished"),
        operations=total("operations"),
        logical_lookups=total("logical_lookups"),
        failed_requests=sum(errors.values()),
        errors=errors,
        upstream_requests=counts.requests,
        upstream_429=counts.rate_limited,
        cache_hit_rate=total("cache_hits") / lookups if lookups else 0.0,
        cache_hit_rate_warm=total("warm_hits") / warm_lookups if warm_lookups else 0.0,
        dedup_joins=total("dedup_joins"),
        shared_joins=total("shared_joins"),
        registry_efficiency=answered / (answered + requested) if answered + requested else 0.0,
        learned_rate_per_min=[r["learned_rate_per_min"] for r in reports],
        latency_ms=percentiles([v for r in reports for v in r["latencies_ms"]]),
        trace_mismatches=total("trace_mismatches"),
        shared_outages_seen=total("shared_outages"),
        late_start_s=max(r["late_start_s"] for r in reports),
        loop_lag_p99_ms=max(r["loop_lag_p99_ms"] for r in reports),
        rate_probes=max(r["rate_probes"] for r in reports) if shared else total("rate_probes"),
        batches=total("batches"),
        batched_ids=total("batched_ids"),
        handovers=total("handovers"),
        upstream_by_endpoint=counts.by_endpoint,
    )
