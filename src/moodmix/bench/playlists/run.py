"""``moodmix bench --workload playlists``: many users asking the engine for playlists, per profile.

Each profile gets its own simulator subprocess (``simulators.py``) and runs two phases, one
profile after the other::

    run = asyncio.run(run_playlists(PlaylistBenchConfig(profiles=("adaptive",)).quick()))
    run.results[0].cold_requests.p50, run.results[0].fit_mean

1. **Probe** (one playlist at a time, fresh cache): every distinct prompt once cold, then
   ``warm_repeats`` times again. One at a time, so the engine's own count of upstream requests
   per playlist is exact: the cold cost, the warm repeat cost and the warm engine time. Then the
   fit of every cold playlist against the upstream's plain recommendations for its seeds, and
   the most it could be (``fit_bound``: the catalog's nearest tracks to the mood). Each cold
   playlist is also refined "more upbeat", "less vocals" and "slower" right after its repeats
   (``refine``: whether it moved so, and the upstream requests per warm refine).
2. **Load** (fresh cache, simulator counters reset): ``users`` virtual users, each asking for
   ``playlists_per_user`` playlists back to back, prompts drawn with Zipf popularity. Reports
   playlists made and failed, the simulator's upstream requests and 429s, latency.

Rates are real-world ones, run ``time_scale`` times faster (``scaling.TimeScale``).
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table

from moodmix.bench.playlists.fit_bound import FitBound
from moodmix.bench.playlists.plan import Ask, PlaylistBenchConfig, asks, schedule
from moodmix.bench.playlists.reader import ReaderFigures, ReaderStandIn, TimedReader
from moodmix.bench.playlists.refine import RefineFigures, refine_each, refine_figures
from moodmix.bench.prepare import machine
from moodmix.bench.results import Latency, percentiles
from moodmix.bench.scaling import TimeScale
from moodmix.bench.simulators import SimulatorProcess
from moodmix.engine import make_playlist, measure_fit
from moodmix.reccobeats import ReccoBeats
from moodmix.settings import Profile
from moodmix.simulator.catalog import Catalog, CatalogSpec


@dataclass(frozen=True)
class Spread:
    p50: float
    max: float


def _spread(values: Sequence[float]) -> Spread:
    lat = percentiles(values)
    return Spread(lat.p50, lat.max)


@dataclass(frozen=True)
class PlaylistResult:
    profile: str
    upstream_rate_per_min: float
    users: int
    prompts: int
    playlists: int
    made: int
    failed: int
    errors: dict[str, int]
    upstream_requests: int
    """Load phase, counted by the simulator."""
    upstream_429: int
    latency_ms: Latency
    """Load phase, per playlist, wall time of ``make_playlist``."""
    run_s: float
    cold_requests: Spread
    """Probe: upstream requests of each prompt's first playlist."""
    cold_tracks_min: int
    warm_requests: Spread
    """Probe: upstream requests of each repeat of an already made prompt (must be 0)."""
    warm_engine_ms: Latency
    fit_mean: float
    fit_min: float
    fit_share_30: float
    """Share of the cold playlists at least 30% closer to the mood than the raw answer."""
    fit: list[dict[str, Any]] = field(default_factory=list)
    """Per prompt: the fit report, the catalog's best distance and the ceiling it sets."""
    probe_upstream_requests: int = 0
    fit_possible_30: float = 0.0
    """Share of the prompts for which the catalog allows a playlist 30% closer at all."""
    fit_overall: float = 0.0
    """1 - (sum of the playlists' mean distances) / (sum of the raw answers' ones)."""
    refine: RefineFigures | None = None
    """Probe: each cold playlist refined three ways (``refine.REFINEMENTS``)."""
    reader_probe: ReaderFigures | None = None
    """``--mood-reader llm``: what the model reader added in the probe (cold, then warm)."""
    reader_load: ReaderFigures | None = None
    """``--mood-reader llm``: what the model reader added under load."""

    def as_json(self) -> dict[str, Any]:
        body = asdict(self)
        return {"workload": "playlists", **body}


@dataclass(frozen=True)
class PlaylistRun:
    config: PlaylistBenchConfig
    asks: tuple[Ask, ...]
    results: tuple[PlaylistResult, ...]
    machine: dict[str, Any]
    wall_s: float

    def as_json(self) -> dict[str, Any]:
        return {
            "workload": "playlists",
            "config": asdict(self.config),
            "prompts": [asdict(a) for a in self.asks],
            "machine": self.machine,
            "wall_s": round(self.wall_s, 2),
            "results": [r.as_json() for r in self.results],
        }


def _gateway(profile: Profile, sim: SimulatorProcess, scale: TimeScale, path: Path) -> ReccoBeats:
    return ReccoBeats.from_settings(scale.settings(profile, url=sim.url, cache_path=path))


async def _close(gateway: ReccoBeats) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(gateway.aclose(), 10.0)
    await gateway.close_storage()


async def _probe(
    gateway: ReccoBeats,
    config: PlaylistBenchConfig,
    distinct: Sequence[Ask],
    bound: FitBound,
    reader: TimedReader | None = None,
) -> dict[str, Any]:
    cold: list[float] = []
    tracks: list[int] = []
    warm: list[float] = []
    warm_ms: list[float] = []
    made = []
    refined = []
    for ask in distinct:
        request = ask.request(config.size)
        playlist = await make_playlist(gateway, request, reader=reader)
        cold.append(playlist.upstream_requests)
        tracks.append(len(playlist.tracks))
        made.append((request, playlist))
        for _ in range(config.warm_repeats):
            started = time.perf_counter()
            again = await make_playlist(gateway, request, reader=reader)
            warm_ms.append((time.perf_counter() - started) * 1_000)
            warm.append(again.upstream_requests)
        refined.append(await refine_each(gateway, request, playlist))
    reports = [await measure_fit(gateway, r, p, baseline="plain") for r, p in made]
    gains = [r.improvement for r in reports]
    fit = []
    for (request, playlist), report in zip(made, reports, strict=True):
        best = bound.best_distance(
            playlist.profile, size=len(playlist.tracks), artist_cap=request.artist_cap
        )
        ceiling = 1.0 - best / report.raw_distance if report.raw_distance > 0 else 0.0
        fit.append(
            {
                **report.to_json(),
                "catalog_best_distance": round(best, 4),
                "ceiling": round(ceiling, 4),
            }
        )
    return {
        "cold_requests": _spread(cold),
        "cold_tracks_min": min(tracks),
        "warm_requests": _spread(warm),
        "warm_engine_ms": percentiles(warm_ms),
        "fit_mean": sum(gains) / len(gains),
        "fit_min": min(gains),
        "fit_share_30": sum(g >= 0.30 for g in gains) / len(gains),
        "fit": fit,
        "fit_possible_30": sum(f["ceiling"] >= 0.30 for f in fit) / len(fit),
        "fit_overall": 1.0
        - sum(r.playlist_distance for r in reports) / sum(r.raw_distance for r in reports),
        "refine": refine_figures(refined),
    }


async def _load(
    gateway: ReccoBeats,
    config: PlaylistBenchConfig,
    plan: list[list[Ask]],
    reader: TimedReader | None = None,
) -> tuple[list[float], Counter[str], float]:
    latencies: list[float] = []
    errors: Counter[str] = Counter()

    async def user(asks_: list[Ask]) -> None:
        for ask in asks_:
            started = time.perf_counter()
            try:
                await make_playlist(gateway, ask.request(config.size), reader=reader)
            except Exception as exc:
                errors[type(exc).__name__] += 1
            else:
                latencies.append((time.perf_counter() - started) * 1_000)

    started = time.perf_counter()
    await asyncio.gather(*(user(u) for u in plan))
    return latencies, errors, time.perf_counter() - started


async def _profile(
    profile: Profile,
    sim: SimulatorProcess,
    config: PlaylistBenchConfig,
    distinct: Sequence[Ask],
    plan: list[list[Ask]],
    tmp: Path,
    bound: FitBound,
    stand_in: ReaderStandIn | None = None,
) -> PlaylistResult:
    scale = TimeScale(config.time_scale)
    await sim.configure(
        rate_per_min=scale.rate(config.upstream_rate_per_min),
        burst=config.upstream_burst,
        retry_after_resolution=scale.retry_after_resolution(),
    )
    await sim.reset()
    gateway = _gateway(profile, sim, scale, tmp / f"{profile}-probe.sqlite3")
    reader = stand_in.reader(gateway) if stand_in else None
    try:
        probe = await _probe(gateway, config, distinct, bound, reader)
    finally:
        if reader is not None:
            await reader.aclose()
        await _close(gateway)
    reader_probe = reader.figures() if reader else None
    probe_requests = (await sim.stats()).requests
    await sim.reset()
    gateway = _gateway(profile, sim, scale, tmp / f"{profile}-load.sqlite3")
    reader = stand_in.reader(gateway) if stand_in else None
    try:
        latencies, errors, run_s = await _load(gateway, config, plan, reader)
        counts = await sim.stats()
    finally:
        if reader is not None:
            await reader.aclose()
        await _close(gateway)
    playlists = sum(len(u) for u in plan)
    return PlaylistResult(
        profile=profile,
        upstream_rate_per_min=config.upstream_rate_per_min,
        users=config.users,
        prompts=len(distinct),
        playlists=playlists,
        made=len(latencies),
        failed=sum(errors.values()),
        errors=dict(errors),
        upstream_requests=counts.requests,
        upstream_429=counts.rate_limited,
        latency_ms=percentiles(latencies),
        run_s=run_s,
        probe_upstream_requests=probe_requests,
        reader_probe=reader_probe,
        reader_load=reader.figures() if reader else None,
        **probe,
    )


async def run_playlists(config: PlaylistBenchConfig) -> PlaylistRun:
    """Both phases for every profile, one profile after the other (so engine times are not
    shared with another profile's work on the same loop), each on its own simulator."""
    started = time.perf_counter()
    host = machine()
    spec = CatalogSpec(
        seed=config.seed,
        tracks=config.catalog_tracks,
        artists=min(5_000, max(1, config.catalog_tracks // 10)),
    )
    catalog_task = asyncio.create_task(asyncio.to_thread(Catalog.build, spec))
    sims: list[SimulatorProcess] = []
    try:
        for _ in config.profiles:
            sims.append(
                await SimulatorProcess.start(
                    seed=config.seed,
                    tracks=config.catalog_tracks,
                    latency_ms=config.simulator_latency_ms,
                )
            )
        catalog = await catalog_task
        distinct = asks(config, catalog)
        bound = await asyncio.to_thread(FitBound.of, catalog)
        plan = schedule(config, distinct)
        with tempfile.TemporaryDirectory(prefix="moodmix-bench-playlists-") as tmp:
            async with _stand_in(config) as stand_in:
                results = [
                    await _profile(p, sim, config, distinct, plan, Path(tmp), bound, stand_in)
                    for p, sim in zip(config.profiles, sims, strict=True)
                ]
    finally:
        catalog_task.cancel()
        await asyncio.gather(*(sim.stop() for sim in sims), return_exceptions=True)
    return PlaylistRun(config, distinct, tuple(results), host, time.perf_counter() - started)


def _stand_in(
    config: PlaylistBenchConfig,
) -> contextlib.AbstractAsyncContextManager[ReaderStandIn | None]:
    if config.mood_reader != "llm":
        return contextlib.nullcontext()
    return ReaderStandIn(
        latency_ms=config.llm_latency_ms,
        fault_share=config.llm_fault_share,
        seed=config.seed,
        time_scale=config.time_scale,
    )


COLUMNS = (
    "profile",
    "made",
    "failed",
    "upstream",
    "429",
    "cold req p50/max",
    "warm req max",
    "warm ms p50/p95",
    "fit mean",
    "fit min",
    "fit all",
    "fit >= 30%",
    "possible",
    "p50 ms",
    "p95 ms",
    "refine up/vox/slow",
    "refine req p50/max",
)


def table(run: PlaylistRun) -> Table:
    """A row per profile; load figures, then the probe's cold, warm and fit figures."""
    config = run.config
    table = Table(
        title=(
            f"playlists: {config.users} users x {config.playlists_per_user}, "
            f"{config.prompts} prompts, upstream {config.upstream_rate_per_min:g}/min"
        )
    )
    for name in COLUMNS:
        table.add_column(name, justify="left" if name == "profile" else "right")
    for r in run.results:
        table.add_row(
            r.profile,
            f"{r.made:,}/{r.playlists:,}",
            f"{r.failed:,}",
            f"{r.upstream_requests:,}",
            f"{r.upstream_429:,}",
            f"{r.cold_requests.p50:g}/{r.cold_requests.max:g}",
            f"{r.warm_requests.max:g}",
            f"{r.warm_engine_ms.p50:,.1f}/{r.warm_engine_ms.p95:,.1f}",
            f"{r.fit_mean:.0%}",
            f"{r.fit_min:.0%}",
            f"{r.fit_overall:.0%}",
            f"{r.fit_share_30:.0%}",
            f"{r.fit_possible_30:.0%}",
            f"{r.latency_ms.p50:,.0f}",
            f"{r.latency_ms.p95:,.0f}",
            _refine_shares(r.refine),
            _refine_requests(r.refine),
        )
    return table


def _refine_shares(figures: RefineFigures | None) -> str:
    if figures is None:
        return "-"
    return f"{figures.upbeat:.0%}/{figures.fewer_vocals:.0%}/{figures.slower:.0%}"


def _refine_requests(figures: RefineFigures | None) -> str:
    if figures is None:
        return "-"
    return f"{figures.warm_requests_p50:g}/{figures.warm_requests_max:g}"
