"""From ``Settings`` to the layers' building blocks: L2 storage, scheduler, cache policies.

storage = open_storage(settings)        # SQLite file, memory or Redis
scheduler = build_scheduler(settings)   # fixed or adaptive rate, burst, concurrency cap
policies = cache_policies(settings)     # TTL and stale windows per kind
"""

from __future__ import annotations

from moodmix.clock import Clock, monotonic
from moodmix.resilience.adaptive import AdaptiveRate
from moodmix.resilience.ratelimit import TokenBucket
from moodmix.resilience.scheduler import Scheduler
from moodmix.settings import Settings
from moodmix.store import CachePolicy, MemoryStorage, RedisStorage, SQLiteStorage, Storage


def open_storage(settings: Settings) -> Storage:
    """The L2 storage the settings ask for."""
    if settings.cache_backend == "memory":
        return MemoryStorage(max_entries=max(50_000, settings.l1_max_entries * 10))
    if settings.cache_backend == "redis":
        return RedisStorage(settings.redis_url)
    return SQLiteStorage(settings.cache_path.expanduser())


def build_scheduler(settings: Settings, *, clock: Clock = monotonic) -> Scheduler:
    """Layer 5 as the settings ask: a fixed or adaptive rate, the burst and the concurrency cap."""
    rate = settings.rate_per_min / 60
    controller = AdaptiveRate(rate, clock=clock) if settings.rate_mode == "adaptive" else None
    bucket = TokenBucket(rate, settings.burst, clock=clock)
    return Scheduler(bucket, settings.max_concurrency, clock=clock, controller=controller)


def cache_policies(settings: Settings) -> dict[str, CachePolicy]:
    """TTLs by kind, with stale windows as the profile allows."""
    sie = settings.stale_if_error_s if settings.stale_if_error else 0.0

    def policy(ttl: float) -> CachePolicy:
        return CachePolicy(
            ttl, stale_while_revalidate=ttl * settings.swr_fraction, stale_if_error=sie
        )

    return {
        "track": policy(settings.ttl_tracks_s),
        "features": policy(settings.ttl_features_s),
        "artist": policy(settings.ttl_artists_s),
        "album": policy(settings.ttl_artists_s),
        "recommendations": policy(settings.ttl_recommendations_s),
        "artist_search": policy(settings.ttl_search_s),
        "album_search": policy(settings.ttl_search_s),
        "track_page": policy(settings.ttl_search_s),
        "album_page": policy(settings.ttl_search_s),
    }
