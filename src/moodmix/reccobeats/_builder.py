"""The one place the gateway's chain is composed: read top to bottom, it is the order a
lookup goes down (and its answer comes back up), with only the layers the profile enables.

    parts = Parts(settings, upstream, cache, registry, metrics, background, shared)
    lookups = build_lookups(parts)          # every kind the gateway answers, each its chain
    found = await lookups.tracks.get_many(["00aqkszH1FdUiJJWvX6iEl"])

An item lookup goes: ``Resolve`` (id registry) -> ``Cached`` -> ``StaleOnError`` ->
``Flight`` (this process) -> ``CrossFlight`` (all processes) -> ``Offer`` + ``Batched`` +
``Traded`` (late batching, with the handover) or ``Chunked`` -> ``StoredItems`` ->
``ItemCall`` -> ``Upstream`` (retry, scheduler slot, breaker) -> the client. A whole request
goes the same way without the registry and the batcher. Each layer is a private module of
this package named for it; none knows which others exist, and every call goes down (the
batcher holds its slot through the layers below before it chooses the keys).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from moodmix.reccobeats._background import BackgroundTasks
from moodmix.reccobeats._batched import Batched
from moodmix.reccobeats._cached import Cached, idle
from moodmix.reccobeats._calls import ItemCall, RequestCall
from moodmix.reccobeats._chain import Fetcher, Sender
from moodmix.reccobeats._chunked import Capped, Chunked
from moodmix.reccobeats._crossflight import CrossFlight
from moodmix.reccobeats._flight import Flight
from moodmix.reccobeats._handover import Traded
from moodmix.reccobeats._kinds import KINDS, CacheKind
from moodmix.reccobeats._lookups import ItemLookup, RequestLookup
from moodmix.reccobeats._metrics import GatewayMetrics
from moodmix.reccobeats._offer import Offer
from moodmix.reccobeats._resolve import Resolve
from moodmix.reccobeats._shared import SharedMode
from moodmix.reccobeats._stale import StaleOnError
from moodmix.reccobeats._stored import StoredItems, StoredRequests
from moodmix.reccobeats._upstream import Upstream
from moodmix.reccobeats.ids import MAX_BATCH_IDS, is_spotify_id
from moodmix.reccobeats.models import Album, ApiModel, Artist, AudioFeatures, Page, Track
from moodmix.resilience.handover import Handover
from moodmix.resilience.sharedflight import SharedFlight
from moodmix.settings import Settings
from moodmix.store.cache import TieredCache
from moodmix.store.registry import IdRegistry

M = TypeVar("M", bound=ApiModel)
V = TypeVar("V")


@dataclass(frozen=True)
class Lookups:
    """One chain per kind the gateway answers."""

    tracks: ItemLookup[Track]
    features: ItemLookup[AudioFeatures]
    artists: ItemLookup[Artist]
    albums: ItemLookup[Album]
    recommendations: RequestLookup[list[Track]]
    artist_search: RequestLookup[Page[Artist]]
    album_search: RequestLookup[Page[Album]]
    track_pages: RequestLookup[Page[Track]]
    album_pages: RequestLookup[Page[Album]]

    @property
    def items(self) -> dict[str, ItemLookup[Any]]:
        """The item lookups by cache kind."""
        return {i.kind: i for i in (self.tracks, self.features, self.artists, self.albums)}

    @property
    def requests(self) -> dict[str, RequestLookup[Any]]:
        """The whole-request lookups by cache kind."""
        return {
            r.kind: r
            for r in (
                self.recommendations,
                self.artist_search,
                self.album_search,
                self.track_pages,
                self.album_pages,
            )
        }

    async def aclose(self) -> None:
        """Cancel every chain's fetches in flight."""
        for item in self.items.values():
            await item.aclose()
        for request in self.requests.values():
            await request.aclose()


@dataclass(frozen=True)
class Parts:
    """What every chain of one gateway shares."""

    settings: Settings
    upstream: Upstream
    cache: TieredCache
    registry: IdRegistry
    metrics: GatewayMetrics
    background: BackgroundTasks
    shared: SharedMode | None


def build_lookups(parts: Parts) -> Lookups:
    """Every kind's chain (``_kinds.KINDS``), as the profile in ``parts.settings`` asks."""
    return Lookups(
        tracks=item_lookup(parts, KINDS["track"]),
        features=item_lookup(parts, KINDS["features"]),
        artists=item_lookup(parts, KINDS["artist"]),
        albums=item_lookup(parts, KINDS["album"]),
        recommendations=request_lookup(parts, "recommendations"),
        artist_search=request_lookup(parts, "artist_search"),
        album_search=request_lookup(parts, "album_search"),
        track_pages=request_lookup(parts, "track_page"),
        album_pages=request_lookup(parts, "album_page"),
    )


def item_lookup(parts: Parts, of: CacheKind) -> ItemLookup[Any]:
    """The chain for one kind of item, its batch calls at most its concurrency at once."""
    assert of.items is not None, f"{of.name} is not an item kind"
    kind, id_kind, fetch = of.name, of.items.id_kind, of.items.fetch
    s, cache, metrics = parts.settings, parts.cache, parts.metrics
    concurrency = of.items.concurrency(s)
    max_batch = min(s.batch_size, MAX_BATCH_IDS)
    call = ItemCall(parts.upstream, fetch, kind, metrics)
    shared: SharedFlight[Any] | None = _shared_flight(parts, kind, _item_ref)
    below: Fetcher[Any]
    if s.coalesce:
        sender: Sender[Any] = StoredItems(call, cache, parts.registry, kind)
        handover: Handover[Any] | None = _handover(parts, kind) if shared is not None else None
        if handover is not None and shared is not None:
            direct = _chunked(parts, call, kind, max_batch, concurrency)
            sender = Traded(sender, handover, shared, direct, cache, kind, max_batch)
        below = Batched(
            sender, max_batch=max_batch, max_senders=concurrency, window=s.coalesce_window_s
        )
        if handover is not None:
            below = Offer(below, handover)
    else:
        below = _chunked(parts, call, kind, max_batch, concurrency)
    if shared is not None:
        below = CrossFlight(below, shared, cache, kind)
    busy = idle
    if s.dedup:
        below = flight = Flight(below, kind, metrics)
        busy = flight.busy
    if s.stale_if_error:
        below = StaleOnError(below, cache, kind)
    top = Resolve(
        Cached(below, cache, kind, metrics, parts.background, is_key=_is_cache_key, busy=busy),
        parts.registry,
        metrics,
    )
    return ItemLookup(kind, id_kind, top, below, metrics)


def request_lookup(parts: Parts, kind: str) -> RequestLookup[V]:
    """The chain for one kind of whole request (recommendations, a search, a page)."""
    s, cache, metrics = parts.settings, parts.cache, parts.metrics
    calls: RequestCall[V] = RequestCall(parts.upstream)
    below: Fetcher[V] = StoredRequests(calls, cache, kind)
    shared: SharedFlight[V] | None = _shared_flight(parts, kind, _own_key)
    if shared is not None:
        below = CrossFlight(below, shared, cache, kind)
    busy = idle
    if s.dedup:
        below = flight = Flight(below, kind, metrics)
        busy = flight.busy
    # A request's refresh (revalidation, warming) fails rather than serve the stale answer.
    fresh = below
    if s.stale_if_error:
        below = StaleOnError(below, cache, kind)
    top = Cached(below, cache, kind, metrics, parts.background, revalidate=fresh, busy=busy)
    return RequestLookup(kind, top, fresh, calls, metrics)


def _chunked(
    parts: Parts, call: ItemCall[M], kind: str, max_batch: int, concurrency: int
) -> Chunked[M]:
    """Batch calls of each caller's own misses, at most ``concurrency`` interactive at once."""
    stored = StoredItems(Capped(call, limit=concurrency), parts.cache, parts.registry, kind)
    return Chunked(stored, max_batch=max_batch)


def _shared_flight(parts: Parts, kind: str, ref: Callable[[str, V], str]) -> SharedFlight[V] | None:
    """Cross-process single-flight for ``kind`` in shared mode (with dedup on)."""
    if parts.shared is None or not parts.settings.dedup:
        return None
    joins = parts.metrics.shared_joins.labels(kind=kind)
    return parts.shared.flight(kind, ref=ref, on_join=joins.inc)


def _handover(parts: Parts, kind: str) -> Handover[M] | None:
    """Batch calls carrying other processes' ids (shared mode, dedup and coalescing on)."""
    if parts.shared is None or not parts.settings.shared_handover:
        return None
    carried = parts.metrics.shared_handovers.labels(kind=kind)
    return parts.shared.handover(kind, ref=_item_ref, on_claim=carried.inc)


def _item_ref(key: str, item: M) -> str:
    """An item is cached under its ReccoBeats id, whichever id it was asked by."""
    return str(getattr(item, "id", key))


def _own_key(key: str, value: V) -> str:
    """A whole request's answer is cached under the request's key."""
    return key


def _is_cache_key(key: str) -> bool:
    """Items are cached by ReccoBeats id; a Spotify id the registry could not place is not."""
    return not is_spotify_id(key)
