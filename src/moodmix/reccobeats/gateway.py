"""``ReccoBeats``: the gateway every part of moodmix uses to talk to the upstream.

It answers like the client, but through the layers of ``docs/ARCHITECTURE.md`` in order:
id registry, tiered cache, single-flight, batcher, scheduler (priority, rate limiter,
concurrency cap), breaker and retry, and only then the client. Each kind of lookup is one
chain of those layers, composed in ``_builder``::

    async with ReccoBeats.from_settings(Settings()) as rb:
        tracks = await rb.get_tracks(["00aqkszH1FdUiJJWvX6iEl"])
        recs = await rb.get_recommendations([tracks[0].id], size=20, energy=0.3)
        print(rb.stats().cache_hit_rate)

The profile in ``Settings`` decides which layers exist; a layer that is off is not built.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Self, TypeVar

import httpx
import structlog

from moodmix.clock import Clock, monotonic, wall
from moodmix.closing import Closing
from moodmix.coordination import Budget
from moodmix.reccobeats._gated import GatedClient, SendGate
from moodmix.reccobeats._lookups import (
    id_list,
    normalised,
    one,
    ordered,
    recommendation,
    request_key,
)
from moodmix.reccobeats._metrics import GatewayMetrics
from moodmix.reccobeats._params import UNIT_TARGETS
from moodmix.reccobeats._setup import open_storage
from moodmix.reccobeats._stats import GatewayHealth, GatewayStats, counted
from moodmix.reccobeats._wiring import Injected, wire
from moodmix.reccobeats.client import ReccoBeatsClient, ResponseHook
from moodmix.reccobeats.ids import parse_id, parse_ids
from moodmix.reccobeats.models import Album, Artist, AudioFeatures, Page, Track
from moodmix.resilience.breaker import State
from moodmix.resilience.limiter import Limiter
from moodmix.resilience.scheduler import Priority, SchedulerStats
from moodmix.settings import Settings
from moodmix.store import CacheStats, RegistryStats, Storage

T = TypeVar("T")

TARGETS = (*UNIT_TARGETS, "tempo", "loudness", "key", "mode", "popularity")
"""Feature targets ``get_recommendations`` accepts."""

log = structlog.get_logger("moodmix.gateway")

_BREAKER_GAUGE = {State.CLOSED: 0, State.HALF_OPEN: 1, State.OPEN: 2}


class ReccoBeats(Closing):
    """The ReccoBeats gateway. Build it with ``from_settings``; close it with ``aclose``."""

    def __init__(
        self,
        client: ReccoBeatsClient,
        settings: Settings,
        *,
        storage: Storage | None,
        metrics: GatewayMetrics | None = None,
        injected: Injected | None = None,
    ) -> None:
        self._settings = settings
        self._metrics = metrics = metrics or GatewayMetrics()
        self._client = client
        self._storage = storage
        layers = self._layers = wire(
            client, settings, storage, metrics, injected or Injected(), self._breaker_changed
        )
        self._scheduler = layers.scheduler
        self._breaker = layers.breaker
        self._upstream = layers.upstream
        self._cache = layers.cache
        self._registry = layers.registry
        self._shared = layers.shared
        self._lookups = layers.lookups
        self._warmer = layers.warmer
        self._export_gauges()

    @classmethod
    def from_settings(
        cls,
        settings: Settings | None = None,
        *,
        client: ReccoBeatsClient | None = None,
        storage: Storage | None = None,
        clock: Clock = monotonic,
        wall_clock: Clock = wall,
        on_response: ResponseHook | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
        limiter: Limiter | None = None,
        gate: SendGate | None = None,
        budget: Budget | None = None,
    ) -> Self:
        """A gateway for ``settings``: its own client and L2 storage unless given.

        ``clock`` paces requests; ``wall_clock`` dates cache entries (both injectable for
        tests). ``on_response`` also hears of every upstream response (endpoint, status,
        seconds), after the gateway's own metrics; it and ``transport`` (how the client
        reaches ReccoBeats) are ignored when ``client`` is given. ``rng`` draws retry jitter.
        ``limiter`` replaces the rate the settings ask for; ``gate`` sees every request just
        before it is sent (``SendGate``): both let a benchmark pace as other code would.
        ``budget`` shares the rate (and what the adaptive controller learns) with the other
        gateways drawing from it, as Redis does between processes; a ``MemoryBudget`` lets
        gateways in one process (a benchmark on virtual time) act as one client. Shared
        mode's own Redis budget takes precedence when ``redis_url`` is set.
        """
        settings = settings or Settings()
        metrics = GatewayMetrics()
        observe = metrics.observer(on_response)
        client = client or ReccoBeatsClient.from_settings(
            settings, transport=transport, on_response=observe
        )
        if gate is not None:
            client = GatedClient(client, gate)
        storage = storage if storage is not None else open_storage(settings)
        injected = Injected(clock, wall_clock, rng, limiter, budget)
        return cls(client, settings, storage=storage, metrics=metrics, injected=injected)

    @property
    def storage(self) -> Storage | None:
        """The L2 storage under the cache (``None``: memory only); others may keep their own
        namespaced entries in it (the model reader's answers), the gateway closes it."""
        return self._storage

    async def aclose(self) -> None:
        """Stop background work and fetches in flight, then close the client and the storage."""
        await self._layers.aclose()
        await self._client.aclose()
        await self.close_storage()

    # --- tracks and audio features ------------------------------------------------------------

    async def get_tracks(
        self, ids: Sequence[str], *, priority: Priority = Priority.INTERACTIVE
    ) -> list[Track]:
        """Tracks for ``ids`` (any id form, any number), in order; unknown ids left out."""
        self.start_warming()
        found = await self._lookups.tracks.get_many(id_list(ids, "ids"), priority=priority)
        return ordered(ids, found)

    async def get_track(self, id: str) -> Track:
        """One track; ``NotFound`` if ReccoBeats does not know it."""
        return one(await self.get_tracks([id]), id, "track")

    async def get_audio_features(
        self, ids: Sequence[str], *, priority: Priority = Priority.INTERACTIVE
    ) -> list[AudioFeatures]:
        """Audio features for ``ids``, in order; unknown ids left out."""
        self.start_warming()
        found = await self._lookups.features.get_many(id_list(ids, "ids"), priority=priority)
        return ordered(ids, found)

    async def get_track_audio_features(self, id: str) -> AudioFeatures:
        return one(await self.get_audio_features([id]), id, "audio features")

    async def get_recommendations(
        self,
        seeds: Sequence[str],
        *,
        size: int = 10,
        negative_seeds: Sequence[str] | None = None,
        feature_weight: float | None = None,
        targets: Mapping[str, float] | None = None,
        priority: Priority = Priority.INTERACTIVE,
        **target_kwargs: float | None,
    ) -> list[Track]:
        """Recommendations; the tracks are also cached one by one, so later lookups are free.

        Feature targets come as ``targets={"energy": 0.3}`` or as keywords (``energy=0.3``).
        """
        targets = {**(targets or {}), **{k: v for k, v in target_kwargs.items() if v is not None}}
        unknown = sorted(set(targets) - set(TARGETS))
        if unknown:
            raise ValueError(f"unknown feature targets {unknown}; allowed: {', '.join(TARGETS)}")
        seed_ids = sorted({p.value for p in parse_ids(seeds)})
        negative = sorted({p.value for p in parse_ids(negative_seeds or [])}) or None
        key = request_key(
            seeds=seed_ids, size=size, negative=negative, weight=feature_weight, **targets
        )

        fetch = recommendation(seed_ids, size, negative, feature_weight, targets)
        self.start_warming()
        tracks = await self._lookups.recommendations.get(key, fetch, priority=priority)
        await self._remember_tracks(tracks)
        if self._warmer is not None:
            # What a playlist asks for next: the candidates' audio features.
            self._warmer.prefetch("features", [t.id for t in tracks])
        return tracks

    # --- artists and albums ---------------------------------------------------------------------

    async def get_artists(self, ids: Sequence[str]) -> list[Artist]:
        return ordered(ids, await self._lookups.artists.get_many(id_list(ids, "ids")))

    async def get_artist(self, id: str) -> Artist:
        return one(await self.get_artists([id]), id, "artist")

    async def get_albums(self, ids: Sequence[str]) -> list[Album]:
        return ordered(ids, await self._lookups.albums.get_many(id_list(ids, "ids")))

    async def get_album(self, id: str) -> Album:
        return one(await self.get_albums([id]), id, "album")

    async def search_artists(self, text: str, *, page: int = 0, size: int = 20) -> Page[Artist]:
        key = request_key(text=normalised(text), page=page, size=size)
        return await self._lookups.artist_search.get(
            key, lambda c: c.search_artists(text, page=page, size=size)
        )

    async def search_albums(self, text: str, *, page: int = 0, size: int = 20) -> Page[Album]:
        key = request_key(text=normalised(text), page=page, size=size)
        return await self._lookups.album_search.get(
            key, lambda c: c.search_albums(text, page=page, size=size)
        )

    async def get_artist_tracks(self, id: str, *, page: int = 0, size: int = 20) -> Page[Track]:
        key = request_key(of="artist", id=parse_id(id).value, page=page, size=size)
        result = await self._lookups.track_pages.get(
            key, lambda c: c.get_artist_tracks(id, page=page, size=size)
        )
        await self._remember_tracks(result.content)
        return result

    async def get_album_tracks(self, id: str, *, page: int = 0, size: int = 20) -> Page[Track]:
        key = request_key(of="album", id=parse_id(id).value, page=page, size=size)
        result = await self._lookups.track_pages.get(
            key, lambda c: c.get_album_tracks(id, page=page, size=size)
        )
        await self._remember_tracks(result.content)
        return result

    async def get_artist_albums(self, id: str, *, page: int = 0, size: int = 20) -> Page[Album]:
        key = request_key(of="artist", id=parse_id(id).value, page=page, size=size)
        return await self._lookups.album_pages.get(
            key, lambda c: c.get_artist_albums(id, page=page, size=size)
        )

    async def analyze_audio(self, data: bytes, *, filename: str = "audio.mp3") -> AudioFeatures:
        """Features of an uploaded file (not cached: uploads are one-off)."""
        return await self._upstream.call(lambda c: c.analyze_audio(data, filename=filename))

    # --- how it stands -------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The settings it was built with (read them; changing them changes nothing)."""
        return self._settings

    @property
    def metrics(self) -> GatewayMetrics:
        """Its Prometheus metrics (``metrics.registry`` is what ``/metrics`` exposes)."""
        return self._metrics

    def stats(self) -> GatewayStats:
        """A snapshot of counters from every layer."""
        cache, registry, health = self._cache.stats(), self._registry.stats(), self.health()
        metrics = self._metrics
        return GatewayStats(
            profile=self._settings.profile,
            upstream_requests=counted(metrics.upstream_requests),
            upstream_429=counted(metrics.rate_limited),
            retries=counted(metrics.retries),
            cache_hit_rate=cache.hit_rate,
            cache_lookups=sum(k.lookups for k in cache.kinds.values()),
            dedup_joins=counted(metrics.dedup_joins),
            coalesced_items=counted(metrics.coalesced),
            batches=counted(metrics.batch_size, "_count"),
            registry_validated=registry.validated,
            registry_missing=registry.missing,
            registry_efficiency=registry.efficiency,
            rate_per_min=self._scheduler.stats.rate * 60,
            breaker_state=health.breaker,
            l1_entries=cache.l1_entries,
            shared_mode=health.shared_mode,
            instances=health.instances,
            shared_joins=counted(metrics.shared_joins),
            shared_handovers=counted(metrics.shared_handovers),
            batched_ids=counted(metrics.batch_size, "_sum"),
            rate_probes=controller.probes if (controller := self._scheduler.controller) else 0,
            shared_outages=shared.bucket.lost if (shared := self._shared) and shared.bucket else 0,
        )

    def quota(self) -> SchedulerStats:
        """The scheduler now: its rate (per second), who waits at which priority, in flight."""
        return self._scheduler.stats

    def expected_wait(self) -> float:
        """Seconds a new interactive request would wait for its token now."""
        return self._scheduler.expected_wait()

    def health(self) -> GatewayHealth:
        """What readiness needs: the breaker, L2 and shared mode, as they stand."""
        breaker, shared = self._breaker, self._shared
        return GatewayHealth(
            breaker=breaker.state.name.lower() if breaker else "off",
            breaker_retry_after_s=breaker.retry_after() if breaker else 0.0,
            l2_available=self._cache.stats().l2_available,
            shared_mode=shared.mode if shared else "off",
            instances=shared.live if shared else 1,
        )

    def cache_stats(self) -> CacheStats:
        """Hits, misses and L1/L2 state of the cache, by kind."""
        return self._cache.stats()

    def registry_stats(self) -> RegistryStats:
        """The id registry's mappings and how many lookups it answered."""
        return self._registry.stats()

    @property
    def cache_kinds(self) -> tuple[str, ...]:
        """The kinds ``invalidate`` takes, sorted."""
        return tuple(sorted(self._cache.policies))

    async def invalidate(self, kind: str | None = None) -> None:
        """Drop every cached entry of ``kind`` (all kinds with ``None``), memory and L2."""
        await self._cache.invalidate(kind)

    def start_warming(self) -> None:
        """Start refreshing popular entries before they expire (when the profile prefetches);
        lookups start it too."""
        if self._warmer is not None:
            self._warmer.start()

    async def close_storage(self) -> None:
        """Close the cache's and registry's storage, again if need be: after ``aclose``, a task
        that outlived it may have reopened a file."""
        await self._cache.close()
        await self._registry.close()

    # --- internals ------------------------------------------------------------------------------

    async def _remember_tracks(self, tracks: Sequence[Track]) -> None:
        """Cache tracks that came inside a list response, and learn their Spotify ids."""
        if not tracks:
            return
        await self._cache.put_many("track", {t.id: t for t in tracks})
        await self._registry.learn_many({sid: t.id for t in tracks if (sid := t.spotify_id)})

    def _export_gauges(self) -> None:
        """Gauges read at scrape time from the layers that own the numbers."""
        self._metrics.rate.set_function(lambda: self._scheduler.stats.rate * 60)
        shared = self._shared
        if shared is not None:
            mode, instances = self._metrics.add_shared_gauges()
            mode.set_function(lambda: 1 if shared.mode == "shared" else 0)
            instances.set_function(lambda: shared.live)
        validated = self._metrics.registry_ids.labels(state="validated")
        validated.set_function(lambda: self._registry.stats().validated)
        missing = self._metrics.registry_ids.labels(state="missing")
        missing.set_function(lambda: self._registry.stats().missing)

    def _breaker_changed(self, old: State, new: State) -> None:
        self._metrics.breaker_state.set(_BREAKER_GAUGE[new])
        log.warning("breaker_state_changed", old=old.name.lower(), new=new.name.lower())
