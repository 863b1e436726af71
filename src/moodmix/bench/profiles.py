"""The bench's profiles: which settings each one caches and batches with, and how it paces.

::

    gateway = open_gateway("legacy", scale, url=sim.url, cache_path=tmp / "legacy.db")
    check_available(("seed", "peer-botocore"))     # MissingExtra if the bench extra is absent

``legacy`` and ``seed`` pace as the earlier backend did (``docs/BENCHMARKS.md`` sources each
number): a window per tool reset at each clock minute and a lock-free interval between a
tool's requests (``KeyedWindows``), under a global cap on requests in flight (the gateway's
scheduler, left unpaced). ``legacy-bucket`` and ``seed-bucket`` are the earlier single-bucket
approximations. ``adaptive`` is moodmix as configured. The peers (``peers.py``) keep the
``adaptive`` profile's cache, batching and cap and replace only the rate control.

The windows run on real-world time: the bench's clock times the time scale, so a minute
window and a 1 s interval mean what they meant to the earlier code.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from moodmix.bench.scaling import TimeScale
from moodmix.clock import Clock
from moodmix.reccobeats import ReccoBeats
from moodmix.reccobeats._gated import SendGate
from moodmix.resilience.tokenbucket import TokenBucket
from moodmix.resilience.windows import KeyedWindows, Window
from moodmix.settings import Profile

T = TypeVar("T")

BenchProfile = Literal[
    "legacy",
    "seed",
    "adaptive",
    "peer-aiolimiter",
    "peer-botocore",
    "legacy-bucket",
    "seed-bucket",
]

BENCH_PROFILES: tuple[BenchProfile, ...] = get_args(BenchProfile)
DEFAULT_PROFILES: tuple[BenchProfile, ...] = ("legacy", "seed", "adaptive")
"""What runs unless ``--profiles`` says otherwise (the peers need the bench extra)."""
ALL_PROFILES: tuple[BenchProfile, ...] = (
    "legacy",
    "seed",
    "adaptive",
    "peer-aiolimiter",
    "peer-botocore",
)
"""``--profiles all``: the baselines, moodmix and the peers side by side."""

PEERS: tuple[BenchProfile, ...] = ("peer-aiolimiter", "peer-botocore")
_EXTRA_MODULES = ("aiolimiter", "tenacity", "botocore")

TOOLS: dict[str, str] = {
    "/v1/track/recommendation": "recommendations",
    "/v1/track": "track details",
    "/v1/track/{id}": "track details",
    "/v1/audio-features": "audio features",
    "/v1/track/{id}/audio-features": "audio features",
    "/v1/analysis/audio-features": "audio features",
    "/v1/artist": "artist details",
    "/v1/artist/{id}": "artist details",
    "/v1/artist/search": "artist details",
    "/v1/artist/{id}/album": "artist details",
    "/v1/artist/{id}/track": "artist details",
    "/v1/album": "artist details",
    "/v1/album/{id}": "artist details",
    "/v1/album/search": "artist details",
    "/v1/album/{id}/track": "artist details",
}
"""The earlier backend's tool for each route (one limiter per tool)."""

LEGACY_WINDOWS: dict[str, Window] = {
    "recommendations": Window(120, 1.0),
    "track details": Window(120, 1.0),
    "audio features": Window(120, 1.0),
    "artist details": Window(60, 1.0),
}
"""Before the seed: 120/min per tool (60 for the artist tools), 1.0 s between a tool's
requests (sources: docs/BENCHMARKS.md, "Baselines and peers")."""

SEED_WINDOWS: dict[str, Window] = {**LEGACY_WINDOWS, "recommendations": Window(80, 0.75)}
"""The seed: the recommendations tool at 80/min and 0.75 s; the other tools unchanged."""

_SETTINGS: dict[BenchProfile, Profile] = {
    "legacy": "legacy",
    "seed": "seed",
    "adaptive": "adaptive",
    "peer-aiolimiter": "adaptive",
    "peer-botocore": "adaptive",
    "legacy-bucket": "legacy",
    "seed-bucket": "seed",
}
_WINDOWS: dict[BenchProfile, dict[str, Window]] = {
    "legacy": LEGACY_WINDOWS,
    "seed": SEED_WINDOWS,
}


class MissingExtra(RuntimeError):
    """A peer profile was asked for without the libraries it runs."""


def settings_profile(profile: BenchProfile) -> Profile:
    """The settings profile whose cache, batching and concurrency ``profile`` uses."""
    return _SETTINGS[profile]


def check_available(profiles: tuple[str, ...]) -> None:
    """``MissingExtra`` naming what to install if a peer is asked for without the extra."""
    peers = [p for p in profiles if p in PEERS]
    missing = [m for m in _EXTRA_MODULES if importlib.util.find_spec(m) is None]
    if peers and missing:
        raise MissingExtra(
            f"{', '.join(peers)} need{'s' if len(peers) == 1 else ''} {', '.join(missing)}, "
            "from the bench extra: pip install 'moodmix[bench]' (or leave the peers out of "
            "--profiles)"
        )


def unpaced(max_concurrency: int) -> TokenBucket:
    """A bucket that never makes anyone wait: the scheduler then only caps requests in
    flight (the earlier backend's global semaphore), and the gate does the pacing."""
    return TokenBucket(rate=1e9, burst=max(1_000, max_concurrency))


class ToolGate:
    """``SendGate`` pacing each route by its tool's window (``TOOLS``, ``KeyedWindows``)."""

    def __init__(self, windows: KeyedWindows) -> None:
        self.windows = windows

    async def send(self, endpoint: str, request: Callable[[], Awaitable[T]]) -> T:
        return await self.windows.call(TOOLS[endpoint], request)


def real_world(scale: TimeScale, clock: Clock) -> tuple[Clock, Callable[[float], Awaitable[Any]]]:
    """A clock in real-world seconds and a sleep taking real-world seconds, on ``clock``."""

    def now() -> float:
        return scale.real(clock())

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(scale.wall(seconds))

    return now, sleep


def tool_gate(windows: dict[str, Window], scale: TimeScale, clock: Clock) -> ToolGate:
    now, sleep = real_world(scale, clock)
    return ToolGate(KeyedWindows(windows, clock=now, sleep=sleep))


@dataclass(frozen=True)
class _Control:
    gate: SendGate | None = None
    unpaced: bool = False
    overrides: tuple[tuple[str, Any], ...] = ()


def paced_by_gateway(profile: BenchProfile) -> bool:
    """Whether the gateway's own limiter sets the profile's pace (else a gate does, and the
    limiter is an unpaced cap on requests in flight)."""
    return profile not in _WINDOWS and profile not in PEERS


def _control(profile: BenchProfile, scale: TimeScale, clock: Clock) -> _Control:
    if profile in _WINDOWS:
        return _Control(tool_gate(_WINDOWS[profile], scale, clock), unpaced=True)
    if profile in PEERS:
        check_available((profile,))
        from moodmix.bench import peers

        gate: SendGate = (
            peers.aiolimiter_gate(scale)
            if profile == "peer-aiolimiter"
            else peers.BotocoreGate(scale=scale, clock=clock)
        )
        return _Control(gate, unpaced=True, overrides=peers.GATEWAY_OVERRIDES)
    return _Control()


def open_gateway(
    profile: BenchProfile,
    scale: TimeScale,
    *,
    url: str,
    cache_path: Path,
    cache_backend: Literal["sqlite", "memory"] = "sqlite",
    overrides: Mapping[str, Any] | None = None,
    **gateway_args: Any,
) -> ReccoBeats:
    """The gateway ``profile`` runs, scaled, pointed at ``url``. Its rate control follows the
    running loop's clock (whatever time the loop keeps); ``gateway_args`` go to
    ``ReccoBeats.from_settings`` (a transport, and the loop's clock and a seeded rng on
    virtual time). ``overrides`` change settings after the profile's own (a workload's
    batch size, say)."""
    control = _control(profile, scale, asyncio.get_running_loop().time)
    settings = scale.settings(
        settings_profile(profile), url=url, cache_path=cache_path, cache_backend=cache_backend
    )
    if control.overrides:
        settings = settings.model_copy(update=dict(control.overrides))
    if overrides:
        settings = settings.model_copy(update=dict(overrides))
    return ReccoBeats.from_settings(
        settings,
        limiter=unpaced(settings.max_concurrency) if control.unpaced else None,
        gate=control.gate,
        **gateway_args,
    )
