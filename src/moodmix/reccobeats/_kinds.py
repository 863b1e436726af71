"""What the gateway looks up, as one table: each kind's model, TTL and, for items, how a batch
of them is fetched.

    KINDS["features"].ttl(settings)         # settings.ttl_features_s
    KINDS["track"].codec                    # ModelCodec(Track): how L2 stores it
    KINDS["artist"].items.id_kind           # "artist": the ids it is asked by
    [k.name for k in KINDS.values() if k.items is None]   # whole requests: recommendations, ...

The cache policies and codecs (``_setup``) and the chains (``_builder``) are read from it, and
through them the warmer and closing; a new kind is one row here and a method on the gateway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from moodmix.reccobeats._calls import BatchFetch
from moodmix.reccobeats.ids import Kind
from moodmix.reccobeats.models import Album, Artist, AudioFeatures, Page, Track
from moodmix.settings import Settings
from moodmix.store import Codec, ListCodec, ModelCodec


@dataclass(frozen=True)
class Items:
    """How one kind of item is fetched: by which ids, in batches of how many at once."""

    id_kind: Kind
    fetch: BatchFetch[Any]
    concurrency: Callable[[Settings], int]


@dataclass(frozen=True)
class CacheKind:
    """One kind the gateway caches: an item (``items`` set) or a whole request's answer."""

    name: str
    codec: Codec
    ttl: Callable[[Settings], float]
    items: Items | None = None


TRACKS: Final = ModelCodec(Track, remember=4_096)
"""Tracks are written again as the same objects: a recommendation's tracks are cached one by
one after the list, and again each time the list is answered from L1 (half a day's track
writes, each within a few thousand writes of the last). Their bytes are kept for that."""


def _batches(settings: Settings) -> int:
    return settings.id_batch_concurrency


KINDS: Final[dict[str, CacheKind]] = {
    kind.name: kind
    for kind in (
        CacheKind(
            "track",
            TRACKS,
            lambda s: s.ttl_tracks_s,
            Items("track", lambda c, ids: c.get_tracks(ids), _batches),
        ),
        CacheKind(
            "features",
            ModelCodec(AudioFeatures),
            lambda s: s.ttl_features_s,
            Items(
                "track", lambda c, ids: c.get_audio_features(ids), lambda s: s.features_concurrency
            ),
        ),
        CacheKind(
            "artist",
            ModelCodec(Artist),
            lambda s: s.ttl_artists_s,
            Items("artist", lambda c, ids: c.get_artists(ids), _batches),
        ),
        CacheKind(
            "album",
            ModelCodec(Album),
            lambda s: s.ttl_artists_s,
            Items("album", lambda c, ids: c.get_albums(ids), _batches),
        ),
        CacheKind("recommendations", ListCodec(TRACKS), lambda s: s.ttl_recommendations_s),
        CacheKind("artist_search", ModelCodec(Page[Artist]), lambda s: s.ttl_search_s),
        CacheKind("album_search", ModelCodec(Page[Album]), lambda s: s.ttl_search_s),
        CacheKind("track_page", ModelCodec(Page[Track]), lambda s: s.ttl_search_s),
        CacheKind("album_page", ModelCodec(Page[Album]), lambda s: s.ttl_search_s),
    )
}
"""Every kind, items first."""
