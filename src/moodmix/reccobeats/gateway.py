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
from types import TracebackType
from typing import Self, TypeVar

import httpx
import structlog
from prometheus_client import Counter, Histogram

from moodmix.clock import Clock, monotonic, wall
from moodmix.reccobeats._background import BackgroundTasks
from moodmix.reccobeats._builder import Parts, item_lookup, request_lookup
from moodmix.reccobeats._gated import GatedClient, SendGate
from moodmix.reccobeats._lookups import ItemLookup, RequestLookup, request_key
from moodmix.reccobeats._metrics import GatewayMetrics
from moodmix.reccobeats._params import UNIT_TARGETS
from moodmix.reccobeats._setup import build_scheduler, cache_policies, open_storage
from moodmix.reccobeats._shared import SharedMode
from moodmix.reccobeats._stats import GatewayStats, counted
from moodmix.reccobeats._upstream import Upstream, is_breaker_failure
from moodmix.reccobeats._warming import Warmer
from moodmix.reccobeats.client import ReccoBeatsClient, ResponseHook
from moodmix.reccobeats.errors import NotFound
from moodmix.reccobeats.ids import parse_id, parse_ids
from moodmix.reccobeats.models import Album, Artist, AudioFeatures, Page, Track
from moodmix.resilience.breaker import CircuitBreaker, State
from moodmix.resilience.limiter import Limiter
from moodmix.resilience.retry import RetryBudget, RetryPolicy
from moodmix.resilience.scheduler import Priority
from moodmix.resilience.sharedlimit import SharedBucket
from moodmix.settings import Settings
from moodmix.store import (
    IdRegistry,
    ModelCodec,
    Storage,
    TieredCache,
)

T = TypeVar("T")

TARGETS = (*UNIT_TARGETS, "tempo", "loudness", "key", "mode", "popularity")
"""Feature targets ``get_recommendations`` accepts."""

log = structlog.get_logger("moodmix.gateway")

_BREAKER_GAUGE = {State.CLOSED: 0, State.HALF_OPEN: 1, State.OPEN: 2}


class ReccoBeats:
    """The ReccoBeats gateway. Build it with ``from_settings``; close it with ``aclose``."""

    def __init__(
        self,
        client: ReccoBeatsClient,
        settings: Settings,
        *,
        storage: Storage | None,
        clock: Clock = monotonic,
        wall_clock: Clock = wall,
        metrics: GatewayMetrics | None = None,
        rng: random.Random | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics or GatewayMetrics()
        self._client = client
        self._storage = storage
        self._background = BackgroundTasks()
        self.shared = SharedMode.open(settings, storage)
        """Shared mode's Redis parts (``None`` unless ``redis_url`` is set)."""
        self.scheduler = build_scheduler(
            settings,
            clock=clock,
            budget=self.shared.budget if self.shared else None,
            limiter=limiter,
        )
        if self.shared is not None and isinstance(self.scheduler.limiter, SharedBucket):
            self.shared.bucket = self.scheduler.limiter
        self.breaker = (
            CircuitBreaker(
                is_failure=is_breaker_failure,
                on_state_change=self._breaker_changed,
                clock=clock,
            )
            if settings.breaker
            else None
        )
        self.upstream = Upstream(
            client,
            self.scheduler,
            policy=RetryPolicy(settings.retry_attempts, 0.25, 8.0, rng=rng or random.Random()),
            budget=RetryBudget(clock=clock) if settings.breaker else None,
            breaker=self.breaker,
            metrics=self.metrics,
            lane_pause=settings.lane_pause,
            clock=clock,
        )
        self.cache = TieredCache(
            settings.l1_max_entries,
            storage,
            cache_policies(settings),
            clock=wall_clock,
            codecs={
                "track": ModelCodec(Track),
                "features": ModelCodec(AudioFeatures),
                "artist": ModelCodec(Artist),
                "album": ModelCodec(Album),
                "recommendations": ModelCodec(list[Track]),
                "artist_search": ModelCodec(Page[Artist]),
                "album_search": ModelCodec(Page[Album]),
                "track_page": ModelCodec(Page[Track]),
                "album_page": ModelCodec(Page[Album]),
            },
        )
        self.registry = IdRegistry(
            storage,
            clock=wall_clock,
            valid_ttl=settings.ttl_registry_valid_s,
            missing_ttl=settings.ttl_registry_missing_s,
        )
        parts = Parts(
            settings,
            self.upstream,
            self.cache,
            self.registry,
            self.metrics,
            self._background,
            self.shared,
        )
        batches, features = settings.id_batch_concurrency, settings.features_concurrency
        self.tracks: ItemLookup[Track] = item_lookup(
            parts, "track", "track", lambda c, ids: c.get_tracks(ids), batches
        )
        self.features: ItemLookup[AudioFeatures] = item_lookup(
            parts, "features", "track", lambda c, ids: c.get_audio_features(ids), features
        )
        self.artists: ItemLookup[Artist] = item_lookup(
            parts, "artist", "artist", lambda c, ids: c.get_artists(ids), batches
        )
        self.albums: ItemLookup[Album] = item_lookup(
            parts, "album", "album", lambda c, ids: c.get_albums(ids), batches
        )
        self._recommendations: RequestLookup[list[Track]] = request_lookup(parts, "recommendations")
        self._artist_search: RequestLookup[Page[Artist]] = request_lookup(parts, "artist_search")
        self._album_search: RequestLookup[Page[Album]] = request_lookup(parts, "album_search")
        self._track_pages: RequestLookup[Page[Track]] = request_lookup(parts, "track_page")
        self._album_pages: RequestLookup[Page[Album]] = request_lookup(parts, "album_page")
        self.warmer = (
            Warmer(
                self.cache,
                self.scheduler,
                items={
                    "track": self.tracks,
                    "features": self.features,
                    "artist": self.artists,
                    "album": self.albums,
                },
                requests={
                    "recommendations": self._recommendations,
                    "artist_search": self._artist_search,
                    "album_search": self._album_search,
                    "track_page": self._track_pages,
                    "album_page": self._album_pages,
                },
                metrics=self.metrics,
                background=self._background,
                interval=settings.warm_interval_s,
            )
            if settings.prefetch
            else None
        )

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
    ) -> Self:
        """A gateway for ``settings``: its own client and L2 storage unless given.

        ``clock`` paces requests; ``wall_clock`` dates cache entries (both injectable for
        tests). ``on_response`` also hears of every upstream response (endpoint, status,
        seconds), after the gateway's own metrics; it and ``transport`` (how the client
        reaches ReccoBeats) are ignored when ``client`` is given. ``rng`` draws retry jitter.
        ``limiter`` replaces the rate the settings ask for; ``gate`` sees every request just
        before it is sent (``SendGate``): both let a benchmark pace as other code would.
        """
        settings = settings or Settings()
        metrics = GatewayMetrics()

        # A metric's children by label, looked up once: ``labels()`` validates and locks on
        # every call, and this runs for every upstream response.
        counted: dict[tuple[str, int], Counter] = {}
        timed: dict[str, Histogram] = {}

        def observe(endpoint: str, status: int, elapsed: float) -> None:
            if (counter := counted.get((endpoint, status))) is None:
                counter = counted[endpoint, status] = metrics.upstream_requests.labels(
                    endpoint=endpoint, status=str(status)
                )
            counter.inc()
            if (histogram := timed.get(endpoint)) is None:
                histogram = timed[endpoint] = metrics.upstream_seconds.labels(endpoint=endpoint)
            histogram.observe(elapsed)
            if on_response is not None:
                on_response(endpoint, status, elapsed)

        client = client or ReccoBeatsClient.from_settings(
            settings, transport=transport, on_response=observe
        )
        if gate is not None:
            client = GatedClient(client, gate)
        storage = storage if storage is not None else open_storage(settings)
        return cls(
            client,
            settings,
            storage=storage,
            clock=clock,
            wall_clock=wall_clock,
            metrics=metrics,
            rng=rng,
            limiter=limiter,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop background work and fetches in flight, then close the client and the storage."""
        await self._background.aclose()
        for lookup in (self.tracks, self.features, self.artists, self.albums):
            await lookup.aclose()
        for request in (
            self._recommendations,
            self._artist_search,
            self._album_search,
            self._track_pages,
            self._album_pages,
        ):
            await request.aclose()
        if self.shared is not None:
            await self.shared.aclose()
        await self._client.aclose()
        await self.cache.close()
        await self.registry.close()

    # --- tracks and audio features ------------------------------------------------------------

    async def get_tracks(
        self, ids: Sequence[str], *, priority: Priority = Priority.INTERACTIVE
    ) -> list[Track]:
        """Tracks for ``ids`` (any id form, any number), in order; unknown ids left out."""
        self._start_warming()
        found = await self.tracks.get_many(_ids(ids, "ids"), priority=priority)
        return _ordered(ids, found)

    async def get_track(self, id: str) -> Track:
        """One track; ``NotFound`` if ReccoBeats does not know it."""
        return _one(await self.get_tracks([id]), id, "track")

    async def get_audio_features(
        self, ids: Sequence[str], *, priority: Priority = Priority.INTERACTIVE
    ) -> list[AudioFeatures]:
        """Audio features for ``ids``, in order; unknown ids left out."""
        self._start_warming()
        found = await self.features.get_many(_ids(ids, "ids"), priority=priority)
        return _ordered(ids, found)

    async def get_track_audio_features(self, id: str) -> AudioFeatures:
        return _one(await self.get_audio_features([id]), id, "audio features")

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

        async def fetch(client: ReccoBeatsClient) -> list[Track]:
            t = targets
            return await client.get_recommendations(
                seed_ids,
                size=size,
                negative_seeds=negative,
                feature_weight=feature_weight,
                acousticness=t.get("acousticness"),
                danceability=t.get("danceability"),
                energy=t.get("energy"),
                instrumentalness=t.get("instrumentalness"),
                liveness=t.get("liveness"),
                loudness=t.get("loudness"),
                speechiness=t.get("speechiness"),
                tempo=t.get("tempo"),
                valence=t.get("valence"),
                popularity=t.get("popularity"),
                key=None if "key" not in t else round(t["key"]),
                mode=None if "mode" not in t else round(t["mode"]),
            )

        self._start_warming()
        tracks = await self._recommendations.get(key, fetch, priority=priority)
        await self._remember_tracks(tracks)
        if self.warmer is not None:
            # What a playlist asks for next: the candidates' audio features.
            self.warmer.prefetch("features", [t.id for t in tracks])
        return tracks

    # --- artists and albums ---------------------------------------------------------------------

    async def get_artists(self, ids: Sequence[str]) -> list[Artist]:
        return _ordered(ids, await self.artists.get_many(_ids(ids, "ids")))

    async def get_artist(self, id: str) -> Artist:
        return _one(await self.get_artists([id]), id, "artist")

    async def get_albums(self, ids: Sequence[str]) -> list[Album]:
        return _ordered(ids, await self.albums.get_many(_ids(ids, "ids")))

    async def get_album(self, id: str) -> Album:
        return _one(await self.get_albums([id]), id, "album")

    async def search_artists(self, text: str, *, page: int = 0, size: int = 20) -> Page[Artist]:
        key = request_key(text=_normalised(text), page=page, size=size)
        return await self._artist_search.get(
            key, lambda c: c.search_artists(text, page=page, size=size)
        )

    async def search_albums(self, text: str, *, page: int = 0, size: int = 20) -> Page[Album]:
        key = request_key(text=_normalised(text), page=page, size=size)
        return await self._album_search.get(
            key, lambda c: c.search_albums(text, page=page, size=size)
        )

    async def get_artist_tracks(self, id: str, *, page: int = 0, size: int = 20) -> Page[Track]:
        key = request_key(of="artist", id=parse_id(id).value, page=page, size=size)
        result = await self._track_pages.get(
            key, lambda c: c.get_artist_tracks(id, page=page, size=size)
        )
        await self._remember_tracks(result.content)
        return result

    async def get_album_tracks(self, id: str, *, page: int = 0, size: int = 20) -> Page[Track]:
        key = request_key(of="album", id=parse_id(id).value, page=page, size=size)
        result = await self._track_pages.get(
            key, lambda c: c.get_album_tracks(id, page=page, size=size)
        )
        await self._remember_tracks(result.content)
        return result

    async def get_artist_albums(self, id: str, *, page: int = 0, size: int = 20) -> Page[Album]:
        key = request_key(of="artist", id=parse_id(id).value, page=page, size=size)
        return await self._album_pages.get(
            key, lambda c: c.get_artist_albums(id, page=page, size=size)
        )

    async def analyze_audio(self, data: bytes, *, filename: str = "audio.mp3") -> AudioFeatures:
        """Features of an uploaded file (not cached: uploads are one-off)."""
        return await self.upstream.call(lambda c: c.analyze_audio(data, filename=filename))

    # --- introspection --------------------------------------------------------------------------

    def stats(self) -> GatewayStats:
        """A snapshot of counters from every layer."""
        cache = self.cache.stats()
        registry = self.registry.stats()
        metrics = self.metrics
        return GatewayStats(
            profile=self.settings.profile,
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
            rate_per_min=self.scheduler.stats.rate * 60,
            breaker_state=self.breaker.state.name.lower() if self.breaker else "off",
            l1_entries=cache.l1_entries,
            shared_mode=self.shared.mode if self.shared else "off",
            instances=self.shared.live if self.shared else 1,
            shared_joins=counted(metrics.shared_joins),
            shared_handovers=counted(metrics.shared_handovers),
            batched_ids=counted(metrics.batch_size, "_sum"),
        )

    # --- internals ------------------------------------------------------------------------------

    async def _remember_tracks(self, tracks: Sequence[Track]) -> None:
        """Cache tracks that came inside a list response, and learn their Spotify ids."""
        if not tracks:
            return
        await self.cache.put_many("track", {t.id: t for t in tracks})
        await self.registry.learn_many({sid: t.id for t in tracks if (sid := t.spotify_id)})

    def _export_gauges(self) -> None:
        """Gauges read at scrape time from the layers that own the numbers."""
        self.metrics.rate.set_function(lambda: self.scheduler.stats.rate * 60)
        shared = self.shared
        if shared is not None:
            mode, instances = self.metrics.add_shared_gauges()
            mode.set_function(lambda: 1 if shared.mode == "shared" else 0)
            instances.set_function(lambda: shared.live)
        validated = self.metrics.registry_ids.labels(state="validated")
        validated.set_function(lambda: self.registry.stats().validated)
        missing = self.metrics.registry_ids.labels(state="missing")
        missing.set_function(lambda: self.registry.stats().missing)

    def _start_warming(self) -> None:
        if self.warmer is not None:
            self.warmer.start()

    def _breaker_changed(self, old: State, new: State) -> None:
        self.metrics.breaker_state.set(_BREAKER_GAUGE[new])
        log.warning("breaker_state_changed", old=old.name.lower(), new=new.name.lower())


def _ids(ids: Sequence[str], name: str) -> Sequence[str]:
    if isinstance(ids, str):
        raise ValueError(f"{name} must be a list of ids, not one string")
    if not ids:
        raise ValueError(f"{name} must not be empty")
    return ids


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def _ordered(ids: Sequence[str], found: dict[str, T]) -> list[T]:
    seen: set[int] = set()
    out: list[T] = []
    for text in ids:
        item = found.get(text)
        if item is not None and id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _one(items: list[T], id: str, what: str) -> T:
    if not items:
        raise NotFound(f"ReccoBeats does not know the {what} {id!r}")
    return items[0]
