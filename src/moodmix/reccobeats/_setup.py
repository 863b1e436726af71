"""From ``Settings`` to the layers' building blocks: L2 storage, scheduler, cache policies.

storage = open_storage(settings)        # SQLite file, memory or Redis (always, in shared mode)
scheduler = build_scheduler(settings)   # fixed or adaptive rate, burst, concurrency cap
scheduler = build_scheduler(settings, budget=RedisBudget(redis))   # one rate for all processes
scheduler = build_scheduler(settings, limiter=TokenBucket(5.0, 5))  # this pacing instead
policies = cache_policies(settings)     # TTL and stale windows per kind
cache = build_cache(settings, storage)  # L1 + L2 with a codec per kind
registry = build_registry(settings, storage)
remembered = remembered_rate(settings, storage, scheduler)   # None in fixed mode
"""

from __future__ import annotations

from moodmix.clock import Clock, monotonic, wall
from moodmix.coordination import Budget
from moodmix.reccobeats._kinds import KINDS
from moodmix.reccobeats._remembered import RememberedRate
from moodmix.resilience.adaptive import AdaptiveRate, Tuning
from moodmix.resilience.limiter import Limiter
from moodmix.resilience.scheduler import Scheduler
from moodmix.resilience.sharedlimit import SharedBucket
from moodmix.resilience.tokenbucket import TokenBucket
from moodmix.settings import Settings
from moodmix.store import (
    CachePolicy,
    IdRegistry,
    MemoryStorage,
    RedisStorage,
    SQLiteStorage,
    Storage,
    TieredCache,
)

UPSTREAM_BURST = 10
"""The burst ReccoBeats is assumed to let through above its limit (429s were seen after
bursts of 10-20): the adaptive rate confirms a probe only once such a burst would be spent."""


def open_storage(settings: Settings) -> Storage:
    """The L2 storage the settings ask for: Redis whenever ``redis_url`` is set (shared mode)."""
    if settings.redis_url is not None:
        return RedisStorage(settings.redis_url, prefix=settings.redis_prefix)
    if settings.cache_backend == "memory":
        return MemoryStorage(max_entries=max(50_000, settings.l1_max_entries * 10))
    return SQLiteStorage(settings.cache_path.expanduser())


def build_scheduler(
    settings: Settings,
    *,
    clock: Clock = monotonic,
    budget: Budget | None = None,
    limiter: Limiter | None = None,
) -> Scheduler:
    """Layer 5 as the settings ask: a fixed or adaptive rate, the burst and the concurrency cap.

    With a shared ``budget`` the rate (and what the adaptive controller learns) is for all
    processes drawing from it; the concurrency cap stays this process's own. A ``limiter``
    replaces the settings' rate altogether (fixed: no controller adjusts it).
    """
    if limiter is not None:
        return Scheduler(limiter, settings.max_concurrency, clock=clock)
    rate = settings.rate_per_min / 60
    adaptive = settings.rate_mode == "adaptive"
    controller = (
        AdaptiveRate(rate, clock=clock, tuning=Tuning(hidden_burst=UPSTREAM_BURST))
        if adaptive
        else None
    )
    bucket: Limiter = (
        TokenBucket(rate, settings.burst, clock=clock)
        if budget is None
        else SharedBucket(budget, rate, settings.burst, controller=controller, clock=clock)
    )
    return Scheduler(bucket, settings.max_concurrency, clock=clock, controller=controller)


def cache_policies(settings: Settings) -> dict[str, CachePolicy]:
    """TTLs by kind, with stale windows as the profile allows."""
    sie = settings.stale_if_error_s if settings.stale_if_error else 0.0

    def policy(ttl: float) -> CachePolicy:
        return CachePolicy(
            ttl, stale_while_revalidate=ttl * settings.swr_fraction, stale_if_error=sie
        )

    return {name: policy(kind.ttl(settings)) for name, kind in KINDS.items()}


def build_cache(settings: Settings, storage: Storage | None, *, clock: Clock = wall) -> TieredCache:
    """Layer 2's store: L1 in memory over ``storage``, with the profile's TTLs per kind."""
    return TieredCache(
        settings.l1_max_entries,
        storage,
        cache_policies(settings),
        clock=clock,
        codecs={name: kind.codec for name, kind in KINDS.items()},
    )


def build_registry(
    settings: Settings, storage: Storage | None, *, clock: Clock = wall
) -> IdRegistry:
    """Layer 1's store: the id registry over ``storage``, with the profile's TTLs."""
    return IdRegistry(
        storage,
        clock=clock,
        valid_ttl=settings.ttl_registry_valid_s,
        missing_ttl=settings.ttl_registry_missing_s,
    )


def remembered_rate(
    settings: Settings,
    storage: Storage | None,
    scheduler: Scheduler,
    *,
    wall_clock: Clock = wall,
    budget: Budget | None = None,
) -> RememberedRate | None:
    """The adaptive rate's learned state kept in ``storage`` for the next start, per upstream;
    ``None`` without a controller (fixed mode), without storage or with ``remember_rate`` off."""
    controller = scheduler.controller
    if controller is None or storage is None or not settings.remember_rate:
        return None
    return RememberedRate(
        storage,
        controller,
        upstream=settings.reccobeats_url,
        apply=scheduler.limiter.set_rate,
        wall_clock=wall_clock,
        budget=budget,
    )
