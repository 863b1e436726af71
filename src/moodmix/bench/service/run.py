"""``moodmix bench --workload service``: the HTTP service as a real process, under load from
another process, against a simulator process.

::

    run = asyncio.run(run_service_bench(ServiceBenchConfig().quick()))
    run.warm["rps"], run.warm["latency_ms"]["p95"], run.cold["upstream_429"]
    print(table(run)); run.as_json()

Three processes: the simulator (``simulators.SimulatorProcess``), the service (``uvicorn
--factory moodmix.service.app:create_app``, configured through ``MOODMIX_*`` like any
deployment, a fresh SQLite store and cache in a temporary folder) and the load generator
(``load``, HTTP clients only). Two phases, each on a fresh service:

1. **warm**: every prompt is made once (``prepare``), then ``warm_clients`` clients post
   ``/v1/playlists?wait=true`` with those prompts back to back for ``warm_duration_s``:
   requests per second, latency percentiles, errors, and answers that were not the playlist
   already made. Results keep their real-world freshness (15 minutes) here, so none expires
   during the phase.
2. **cold**: ``cold_clients`` clients, each with its own API key and a distinct prompt, post
   at once and follow their job's events to the end: who saw progress and a ``waiting`` event
   with its ``wait_s``, completion times, and the simulator's count of upstream requests and
   429s. The service runs ``MOODMIX_MAX_RUNNING_JOBS`` = ``cold_clients``, so every job is
   running and the gateway's scheduler (not the job queue) decides who waits.

Rates are real-world ones run ``time_scale`` times faster (``scaling.TimeScale``): the
simulator's limit and the profile's rate x K, TTLs and the quota window / K.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from moodmix.bench.playlists import PROMPTS
from moodmix.bench.prepare import machine
from moodmix.bench.scaling import TimeScale
from moodmix.bench.service.plan import Json, ServiceBenchConfig, cold_prompts
from moodmix.bench.service.process import ServiceProcess, run_load, service_env, tree_cpu_s
from moodmix.bench.simulators import (
    SimulatorProcess,
)
from moodmix.settings import Settings


@dataclass(frozen=True)
class ServiceRun:
    config: ServiceBenchConfig
    warm: Json
    cold: Json
    machine: Json
    wall_s: float

    def targets(self) -> list[Json]:
        """The issue's targets, met or missed, with the figure that decides."""
        warm, cold = self.warm, self.cold
        return [
            _target(
                f"warm: >= 300 requests/s at {self.config.warm_clients} clients",
                warm["rps"] >= 300,
                f"{warm['rps']:,.0f}/s",
            ),
            _target(
                "warm: p95 < 50 ms",
                warm["latency_ms"]["p95"] < 50,
                f"{warm['latency_ms']['p95']:.1f} ms",
            ),
            _target(
                "warm: no errors, every answer the playlist already made",
                warm["errors"] == 0 and warm["not_cached"] == 0,
                f"{warm['errors']} errors, {warm['not_cached']} made again",
            ),
            _target(
                f"cold: {cold['clients']} clients done without a single upstream 429",
                cold["upstream_429"] == 0 and cold["done"] == cold["clients"],
                f"{cold['done']}/{cold['clients']} done, {cold['upstream_429']} 429s",
            ),
            _target(
                "cold: every client saw its progress and its waiting time",
                cold["saw_progress"] == cold["clients"] and cold["saw_wait"] == cold["clients"],
                f"progress {cold['saw_progress']}, waiting {cold['saw_wait']} of {cold['clients']}",
            ),
        ]

    def as_json(self) -> Json:
        return {
            "workload": "service",
            "config": asdict(self.config),
            "machine": self.machine,
            "wall_s": round(self.wall_s, 2),
            "warm": self.warm,
            "cold": self.cold,
            "targets": self.targets(),
        }


def _target(name: str, met: bool, figure: str) -> Json:
    return {"target": name, "met": met, "figure": figure}


async def _warm(config: ServiceBenchConfig, sim: SimulatorProcess, tmp: Path, say: Any) -> Json:
    scale = TimeScale(config.time_scale)
    settings = scale.settings(config.profile, url=sim.url, cache_path=tmp / "warm-cache.sqlite3")
    env = service_env(
        settings,
        scale,
        {
            "MOODMIX_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'warm.db'}",
            # Real-world freshness: no result expires during the phase.
            "MOODMIX_TTL_RECOMMENDATIONS_S": str(
                Settings(profile=config.profile).ttl_recommendations_s
            ),
        },
    )
    asks = [{"prompt": p, "size": config.size} for p in PROMPTS[: config.warm_prompts]]
    async with await ServiceProcess.start(env, workers=config.workers) as service:
        say(f"warm: making {len(asks)} playlists once")
        started = time.perf_counter()
        ids: list[str] = []
        for ask in asks:
            r = await service.http.post("/v1/playlists?wait=true", json=ask)
            if r.status_code != 200:
                raise RuntimeError(
                    f"preparing {ask['prompt']!r} answered {r.status_code}: {r.text}"
                )
            ids.append(r.json()["id"])
        prepare_s = time.perf_counter() - started
        say(
            f"warm: {config.warm_clients} clients for {config.warm_duration_s:g} s "
            f"(prepared in {prepare_s:.1f} s)"
        )
        cpu_before = tree_cpu_s(service.pid)
        result = await run_load(
            {
                "phase": "warm",
                "url": service.url,
                "clients": config.warm_clients,
                "duration_s": config.warm_duration_s,
                "asks": asks,
                "expect_ids": ids,
            }
        )
        cpu_after = tree_cpu_s(service.pid)
        status = await service.status()
    result["prepare_s"] = round(prepare_s, 2)
    result["service_cpu_s"] = (
        round(cpu_after - cpu_before, 2)
        if cpu_before is not None and cpu_after is not None
        else None
    )
    result["results_cache"] = status.get("jobs", {}).get("results")
    return result


async def _cold(config: ServiceBenchConfig, sim: SimulatorProcess, tmp: Path, say: Any) -> Json:
    scale = TimeScale(config.time_scale)
    settings = scale.settings(config.profile, url=sim.url, cache_path=tmp / "cold-cache.sqlite3")
    keys = [secrets.token_urlsafe(12) for _ in range(config.cold_clients)]
    env = service_env(
        settings,
        scale,
        {
            "MOODMIX_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'cold.db'}",
            "MOODMIX_API_KEYS": ",".join(keys),
            "MOODMIX_MAX_RUNNING_JOBS": str(config.cold_clients),
        },
    )
    asks = [
        {"prompt": p, "size": config.size} for p in cold_prompts(config.cold_clients, config.seed)
    ]
    async with await ServiceProcess.start(env, workers=config.workers) as service:
        service.use_key(keys[0])
        await sim.reset()
        say(f"cold: {config.cold_clients} clients, each a distinct prompt, all at once")
        result = await run_load({"phase": "cold", "url": service.url, "asks": asks, "keys": keys})
        counts = await sim.stats()
        status = await service.status()
    result["upstream_requests"] = counts.requests
    result["upstream_429"] = counts.rate_limited
    rate = status.get("upstream", {}).get("rate_per_min")
    result["learned_rate_per_min"] = (
        round(rate / config.time_scale, 1) if isinstance(rate, int | float) else None
    )
    return result


async def run_service_bench(config: ServiceBenchConfig, *, say: Any = lambda _: None) -> ServiceRun:
    """Both phases against one simulator process (counters reset before the cold phase)."""
    started = time.perf_counter()
    host = machine()
    scale = TimeScale(config.time_scale)
    async with await SimulatorProcess.start(
        seed=config.seed, tracks=config.catalog_tracks, latency_ms=config.simulator_latency_ms
    ) as sim:
        await sim.configure(
            rate_per_min=scale.rate(config.upstream_rate_per_min),
            burst=config.upstream_burst,
            retry_after_resolution=scale.retry_after_resolution(),
        )
        with tempfile.TemporaryDirectory(prefix="moodmix-bench-service-") as folder:
            tmp = Path(folder)
            warm = await _warm(config, sim, tmp, say)
            cold = await _cold(config, sim, tmp, say)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    host["load_average_1m_at_end"] = round(load[0], 2)
    return ServiceRun(config, warm, cold, host, time.perf_counter() - started)


def table(run: ServiceRun) -> Table:
    """The two phases, then the targets."""
    config, warm, cold = run.config, run.warm, run.cold
    out = Table(
        title=(
            f"service ({config.profile}, {config.workers} worker"
            f"{'s' if config.workers != 1 else ''}): upstream "
            f"{config.upstream_rate_per_min:g}/min at x{config.time_scale:g}; "
            f"load {run.machine.get('load_average_1m_at_start')} -> "
            f"{run.machine.get('load_average_1m_at_end')}"
        )
    )
    out.add_column("phase")
    out.add_column("figure")
    out.add_column("value", justify="right")
    lat = warm["latency_ms"]
    rows = [
        ("warm", "clients x seconds", f"{warm['clients']} x {warm['duration_s']:g}"),
        ("warm", "requests/s (200s)", f"{warm['rps']:,.1f}"),
        ("warm", "p50 / p95 / p99 ms", f"{lat['p50']:.1f} / {lat['p95']:.1f} / {lat['p99']:.1f}"),
        ("warm", "errors / made again", f"{warm['errors']} / {warm['not_cached']}"),
        (
            "warm",
            "CPU s: service / load",
            f"{warm['service_cpu_s']} / {warm['load_cpu_s']}",
        ),
        (
            "cold",
            "clients done / failed",
            f"{cold['done']} / {cold['failed']} of {cold['clients']}",
        ),
        ("cold", "saw progress / waiting", f"{cold['saw_progress']} / {cold['saw_wait']}"),
        (
            "cold",
            "wait_s shown: first p50 / largest",
            f"{cold['first_wait_s']['p50']:g} / {cold['max_wait_s']['max']:g}",
        ),
        (
            "cold",
            "completion s p50 / p95 / max",
            f"{cold['completion_s']['p50']:.1f} / {cold['completion_s']['p95']:.1f} / "
            f"{cold['completion_s']['max']:.1f}",
        ),
        (
            "cold",
            "upstream requests / 429",
            f"{cold['upstream_requests']} / {cold['upstream_429']}",
        ),
        ("cold", "learned rate /min", f"{cold['learned_rate_per_min']}"),
    ]
    for target in run.targets():
        rows.append(
            (
                "target",
                target["target"],
                ("met " if target["met"] else "MISSED ") + target["figure"],
            )
        )
    for row in rows:
        out.add_row(*row)
    return out
