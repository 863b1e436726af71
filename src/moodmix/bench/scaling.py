"""Time scaling: K minutes of real-world traffic in one minute of wall time.

Every rate (the simulator's and each profile's) is multiplied by K; every TTL, stale window,
stagger and Retry-After is divided by K, and so are the trace's arrival and think times::

    scale = TimeScale(30)
    scale.wall(1_200.0)                    # 40.0: twenty real minutes take forty seconds
    scale.rate(80)                         # 2400.0 requests per wall minute
    settings = scale.settings("adaptive", url="http://127.0.0.1:8765", cache_path=tmp / "a.db")
    settings.ttl_recommendations_s         # 30.0 (15 real minutes)

Counts (bursts, batch sizes, concurrency caps, cache sizes) are not scaled, and neither are the
gateway's own retry backoff, coalescing window and timeouts: they are fixed in wall time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from moodmix.settings import Profile, Settings

SCALED_DURATIONS = (
    "ttl_recommendations_s",
    "ttl_tracks_s",
    "ttl_features_s",
    "ttl_artists_s",
    "ttl_search_s",
    "ttl_registry_valid_s",
    "ttl_registry_missing_s",
    "stale_if_error_s",
    "seed_stagger_s",
)
"""Settings that are durations in the real world, divided by K."""


@dataclass(frozen=True)
class TimeScale:
    factor: float

    def __post_init__(self) -> None:
        if not self.factor > 0:
            raise ValueError(f"the time scale must be more than 0, got {self.factor!r}")

    def wall(self, real_s: float) -> float:
        """Wall seconds for ``real_s`` real-world seconds."""
        return real_s / self.factor

    def real(self, wall_s: float) -> float:
        return wall_s * self.factor

    def rate(self, per_min: float) -> float:
        """A real-world rate as a wall-time rate (same unit)."""
        return per_min * self.factor

    def retry_after_resolution(self) -> float:
        """The simulator rounds Retry-After to a real-world second, scaled."""
        return min(60.0, 1.0 / self.factor)

    def settings(
        self,
        profile: Profile,
        *,
        url: str,
        cache_path: Path,
        cache_backend: Literal["sqlite", "memory"] = "sqlite",
    ) -> Settings:
        """The profile's settings (environment included), scaled, pointed at ``url`` and an
        SQLite cache at ``cache_path`` (or memory storage)."""
        base = Settings(profile=profile)
        scaled: dict[str, float] = {
            name: getattr(base, name) / self.factor for name in SCALED_DURATIONS
        }
        return Settings(
            profile=profile,
            reccobeats_url=url,
            cache_backend=cache_backend,
            cache_path=cache_path,
            rate_per_min=self.rate(base.rate_per_min),
            **scaled,  # type: ignore[arg-type]
        )
