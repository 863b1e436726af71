"""The gateway's parts, made from its settings in one place: scheduler, breaker, upstream,
cache, registry, shared mode, the chains and the warmer.

    layers = wire(client, settings, storage, GatewayMetrics(), Injected(), on_breaker)
    layers.lookups.tracks, layers.scheduler.stats, layers.warmer   # what the gateway uses
    await layers.aclose()          # background work, fetches in flight, learned rate, shared mode

``Injected`` holds what tests and benchmarks put in place of the defaults: the clocks, the
retry jitter's random source, a limiter that replaces the settings' rate, a shared budget.
``_builder`` composes each chain; this module makes what the chains share.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from moodmix.clock import Clock, monotonic, wall
from moodmix.coordination import Budget
from moodmix.reccobeats._background import BackgroundTasks
from moodmix.reccobeats._builder import Lookups, Parts, build_lookups
from moodmix.reccobeats._metrics import GatewayMetrics
from moodmix.reccobeats._remembered import RememberedRate
from moodmix.reccobeats._setup import build_cache, build_registry, build_scheduler, remembered_rate
from moodmix.reccobeats._shared import SharedMode
from moodmix.reccobeats._upstream import Upstream, UpstreamPolicy, is_breaker_failure
from moodmix.reccobeats._warming import Warmer
from moodmix.reccobeats.client import ReccoBeatsClient
from moodmix.resilience.breaker import CircuitBreaker, State
from moodmix.resilience.limiter import Limiter
from moodmix.resilience.retry import RetryBudget, RetryPolicy
from moodmix.resilience.scheduler import Scheduler
from moodmix.resilience.sharedlimit import SharedBucket
from moodmix.settings import Settings
from moodmix.store import IdRegistry, Storage, TieredCache

OnBreaker = Callable[[State, State], None]


@dataclass(frozen=True)
class Injected:
    """What replaces a default: ``clock`` paces requests, ``wall_clock`` dates cache entries,
    ``rng`` draws retry jitter, ``limiter`` replaces the settings' rate (fixed), ``budget``
    shares the rate with other gateways drawing from it."""

    clock: Clock = monotonic
    wall_clock: Clock = wall
    rng: random.Random | None = None
    limiter: Limiter | None = None
    budget: Budget | None = None


@dataclass(frozen=True)
class Layers:
    """Everything one gateway is made of."""

    scheduler: Scheduler
    breaker: CircuitBreaker | None
    upstream: Upstream
    cache: TieredCache
    registry: IdRegistry
    shared: SharedMode | None
    """Shared mode's Redis parts (``None`` unless ``redis_url`` is set)."""
    remembered: RememberedRate | None
    """The learned rate kept across restarts (``None`` in fixed mode or when turned off)."""
    lookups: Lookups
    warmer: Warmer | None
    background: BackgroundTasks

    async def aclose(self) -> None:
        """Stop background work and fetches in flight; keep what was learned; leave shared
        mode. The client and the storage are the gateway's to close."""
        await self.background.aclose()
        await self.lookups.aclose()
        if self.remembered is not None:
            await self.remembered.aclose()
        if self.shared is not None:
            await self.shared.aclose()


def wire(
    client: ReccoBeatsClient,
    settings: Settings,
    storage: Storage | None,
    metrics: GatewayMetrics,
    injected: Injected,
    on_breaker: OnBreaker,
) -> Layers:
    """The parts ``settings`` ask for, around ``client`` and over ``storage``."""
    clock, budget = injected.clock, injected.budget
    background = BackgroundTasks()
    shared = SharedMode.open(settings, storage)
    if shared is not None:
        budget = shared.budget
    scheduler = build_scheduler(settings, clock=clock, budget=budget, limiter=injected.limiter)
    if shared is not None and isinstance(scheduler.limiter, SharedBucket):
        shared.bucket = scheduler.limiter
    remembered = remembered_rate(
        settings, storage, scheduler, wall_clock=injected.wall_clock, budget=budget
    )
    breaker = (
        CircuitBreaker(is_failure=is_breaker_failure, on_state_change=on_breaker, clock=clock)
        if settings.breaker
        else None
    )
    upstream = Upstream(
        client,
        scheduler,
        policy=UpstreamPolicy(
            RetryPolicy(settings.retry_attempts, 0.25, 8.0, rng=injected.rng or random.Random()),
            budget=RetryBudget(clock=clock) if settings.breaker else None,
            breaker=breaker,
            pause="lane" if settings.lane_pause else "request",
        ),
        metrics=metrics,
        clock=clock,
        ready=remembered.ready if remembered else None,
    )
    cache = build_cache(settings, storage, clock=injected.wall_clock)
    registry = build_registry(settings, storage, clock=injected.wall_clock)
    lookups = build_lookups(Parts(settings, upstream, cache, registry, metrics, background, shared))
    warmer = (
        Warmer(
            cache,
            scheduler,
            items=lookups.items,
            requests=lookups.requests,
            metrics=metrics,
            background=background,
            interval=settings.warm_interval_s,
        )
        if settings.prefetch
        else None
    )
    return Layers(
        scheduler=scheduler,
        breaker=breaker,
        upstream=upstream,
        cache=cache,
        registry=registry,
        shared=shared,
        remembered=remembered,
        lookups=lookups,
        warmer=warmer,
        background=background,
    )
