"""A real-clock saturate cell's instances as processes of their own, sharing one Redis.

::

    run = CellRun(cell, "adaptive", config, ids, sim, scale, loop.time() + START_DELAY_S)
    counted = await run_processes(run, redis.url, tmp, say=print)

Each instance is ``python -m moodmix.bench.saturate.worker`` (``worker``), with its own event
loop and heap, as in a deployment: three gateways in one process pause together when that
process does (a garbage collection, a slow callback), and that is not how instances behave.
The instances start together at ``started`` (this loop's time; ``START_DELAY_S`` after the
spawn leaves time for their imports), share a Redis prefix of their own, and hand back their
counts when the run ends. Progress is the simulator's count, every tenth of the run.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import sys
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from moodmix.bench.saturate.results import Counted
from moodmix.bench.saturate.worker import WorkerJob
from moodmix.bench.simulators import Simulator, stop_process

if TYPE_CHECKING:
    from moodmix.bench.saturate.cell import CellRun

__all__ = ["START_DELAY_S", "run_processes"]

START_DELAY_S = 6.0
"""Wall seconds between spawning the instances and the run's time 0 (imports, connections)."""
_SLACK_S = 60.0
"""How long after the run's end an instance may take to close its gateway and report."""
_LOG_TAIL = 4_000


async def run_processes(
    run: CellRun, redis_url: str, work_dir: Path, *, say: Callable[[str], None] | None = None
) -> list[Counted]:
    """Run ``run.config.instances`` worker processes on ``run``'s cell; their counts, by
    instance. A ``RuntimeError`` quoting the end of its output if one fails or does not
    finish."""
    loop = asyncio.get_running_loop()
    config, scale, started = run.config, run.scale, run.started
    start_at = time.time() + (started - loop.time())
    prefix = f"saturate:{run.profile}:{uuid.uuid4().hex}:"
    processes = []
    for i in range(config.instances):
        job = WorkerJob(
            cell=run.cell,
            profile=run.profile,
            config=config,
            track_ids=run.track_ids,
            index=i,
            url=run.sim.url,
            redis_url=redis_url,
            redis_prefix=prefix,
            start_at=start_at,
            cache_dir=str(work_dir),
            result_path=str(work_dir / f"result-{i}.json"),
        )
        path = work_dir / f"job-{i}.pickle"
        path.write_bytes(pickle.dumps(job))
        with (work_dir / f"log-{i}.txt").open("wb") as log:
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    *("-m", "moodmix.bench.saturate.worker", str(path)),
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    env={**os.environ, "PYTHONUNBUFFERED": "1"},
                )
            )
    report = None
    if say is not None:
        report = loop.create_task(run.report(say, partial(_counted_upstream, run.sim)))
    limit = started + scale.wall(config.duration_s) + _SLACK_S - loop.time()
    try:
        await asyncio.wait_for(asyncio.gather(*(p.wait() for p in processes)), limit)
    except TimeoutError:
        late = [i for i, p in enumerate(processes) if p.returncode is None]
        raise RuntimeError(
            f"instances {late} did not finish {_SLACK_S:g} s after the run's end; "
            + "; ".join(_tail(work_dir, i) for i in late)
        ) from None
    finally:
        if report is not None:
            report.cancel()
            await asyncio.gather(report, return_exceptions=True)
        for process in processes:
            await stop_process(process, 1.0)
    failed = [i for i, p in enumerate(processes) if p.returncode != 0]
    if failed:
        raise RuntimeError(
            f"instances {failed} failed; " + "; ".join(_tail(work_dir, i) for i in failed)
        )
    return [
        Counted.from_json(orjson.loads((work_dir / f"result-{i}.json").read_bytes()), run.now)
        for i in range(config.instances)
    ]


async def _counted_upstream(sim: Simulator) -> str:
    counts = await sim.stats()
    return (
        f"{counts.requests:,} requests, {counts.accepted:,} accepted, "
        f"{counts.rate_limited:,} 429 (simulator's count)"
    )


def _tail(work_dir: Path, index: int) -> str:
    text = (work_dir / f"log-{index}.txt").read_bytes().decode(errors="replace").strip()
    return f"instance {index} printed: {text[-_LOG_TAIL:] or '(nothing)'}"
