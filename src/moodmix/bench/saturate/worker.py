"""One instance of a real-clock saturate run with several instances: a process of its own.

Started by ``saturate.processes`` as ``python -m moodmix.bench.saturate.worker JOB``, where
``JOB`` is a pickled ``WorkerJob``. It opens one gateway (``Instance``) on the shared Redis,
spawns the callers that are its share of the cell's arrivals (arrival ``n`` goes to instance
``n % instances``, as when every instance shares one process), restarts its gateway if the
run asks, and writes its counts (``Counted.as_json``) to ``job.result_path``::

    job = WorkerJob(cell, "adaptive", config, ids, index=0, url=sim.url, ...)
    counted = Counted.from_json(orjson.loads(Path(job.result_path).read_bytes()), now)

Its own process, so its event loop and heap are its own: a pause in one instance (a garbage
collection, a slow callback) does not stop the others, as in a deployment of several
processes. Times in its tally are real-world seconds from the common start ``start_at``.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson
import structlog

from moodmix.bench.profiles import BenchProfile
from moodmix.bench.saturate.arrivals import arrive
from moodmix.bench.saturate.config import Cell, SaturateConfig
from moodmix.bench.saturate.counting import Tally
from moodmix.bench.saturate.instance import Instance, Upstream, restart_at
from moodmix.bench.saturate.results import Counted
from moodmix.bench.scaling import TimeScale

__all__ = ["WorkerJob", "run"]


@dataclass(frozen=True)
class WorkerJob:
    cell: Cell
    profile: BenchProfile
    config: SaturateConfig
    track_ids: Sequence[str]
    index: int
    url: str
    redis_url: str
    redis_prefix: str
    start_at: float
    """Wall-clock (epoch) second at which the run's time 0 falls, the same for every worker."""
    cache_dir: str
    result_path: str


async def run(job: WorkerJob) -> Counted:
    """Run this instance's share of the cell; its counts once its gateway has closed."""
    config, scale = job.config, TimeScale(job.config.time_scale)
    loop = asyncio.get_running_loop()
    started = loop.time() + (job.start_at - time.time())
    counted = Counted(job.index, Tally(lambda: scale.real(loop.time() - started)))
    redis = {"redis_url": job.redis_url, "redis_prefix": job.redis_prefix}
    instance = Instance(
        job.index,
        job.profile,
        config,
        Upstream(job.url),
        scale,
        counted,
        None,
        Path(job.cache_dir),
        redis,
    )
    restart = None
    if config.restart_after_s is not None:
        at = started + scale.wall(config.restart_after_s)
        restart = loop.create_task(restart_at([instance], at))
    try:
        await arrive(
            job.cell,
            config,
            job.track_ids,
            scale,
            started,
            lambda _, track_id: instance.spawn(track_id),
            share=job.index,
        )
    finally:
        if restart is not None:
            restart.cancel()
            await asyncio.gather(restart, return_exceptions=True)
        await instance.finish()
    return counted


def main(job_path: str) -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    job: WorkerJob = pickle.loads(Path(job_path).read_bytes())
    counted = asyncio.run(run(job))
    Path(job.result_path).write_bytes(orjson.dumps(counted.as_json()))


if __name__ == "__main__":
    main(sys.argv[1])
