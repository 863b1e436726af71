"""A playlist read back from its JSON: what a store kept becomes a ``Playlist`` again.

::

    data = playlist.to_json()               # stored somewhere
    again = playlist_from_json(data)        # the same playlist, ready to be revised
    again.tracks[0].features, again.profile.targets["energy"]

``ValueError`` (saying which part) when the JSON is not a playlist. Fields the JSON carries
beside the ones read here are passed on when ``Playlist`` has a text field of that name
(``name``, ``description``), so a newer playlist reads back whole.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, cast

from moodmix.engine.playlist import (
    ORDERS,
    Order,
    Playlist,
    PlaylistTrack,
    Quality,
    SeedSource,
    SeedTrack,
    SkippedSeed,
)
from moodmix.engine.profile import MoodProfile, Recognised

Json = dict[str, Any]

_READ = frozenset(
    {
        "tracks",
        "profile",
        "seeds",
        "skipped_seeds",
        "quality",
        "upstream_requests",
        "order",
        "notes",
    }
)


def playlist_from_json(data: Json) -> Playlist:
    """The ``Playlist`` whose ``to_json()`` gave ``data``."""
    try:
        order = data.get("order") or "arc"
        if order not in ORDERS:
            raise ValueError(f"order {order!r}")
        extra = {
            f.name: data[f.name]
            for f in fields(Playlist)
            if f.name not in _READ and isinstance(data.get(f.name), str)
        }
        return Playlist(
            tracks=tuple(track_from_json(t) for t in data["tracks"]),
            profile=profile_from_json(data["profile"]),
            seeds=tuple(_seed(s) for s in data.get("seeds") or ()),
            quality=_quality(data["quality"]),
            upstream_requests=int(data.get("upstream_requests") or 0),
            order=cast(Order, order),
            skipped_seeds=tuple(
                SkippedSeed(str(s["seed"]), str(s["why"])) for s in data.get("skipped_seeds") or ()
            ),
            notes=tuple(str(n) for n in data.get("notes") or ()),
            **extra,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a stored playlist: {type(exc).__name__}: {exc}") from None


def track_from_json(data: Json) -> PlaylistTrack:
    return PlaylistTrack(
        id=str(data["id"]),
        spotify_id=data.get("spotify_id"),
        title=str(data["title"]),
        artists=tuple(str(a) for a in data.get("artists") or ()),
        duration_ms=data.get("duration_ms"),
        features={str(k): float(v) for k, v in (data.get("features") or {}).items()},
        score=float(data.get("score") or 0.0),
        distance=float(data.get("distance") or 0.0),
        reason=str(data.get("reason") or ""),
        pinned=bool(data.get("pinned", False)),
    )


def profile_from_json(data: Json) -> MoodProfile:
    """The ``MoodProfile`` whose ``to_json()`` gave ``data``."""
    seen = data.get("recognised") or {}
    recognised = Recognised(
        moods=tuple(seen.get("moods") or ()),
        activities=tuple(seen.get("activities") or ()),
        settings=tuple(seen.get("settings") or ()),
        genres=tuple(seen.get("genres") or ()),
        eras=tuple(seen.get("eras") or ()),
        artists=tuple(seen.get("artists") or ()),
        negations=tuple(seen.get("negations") or ()),
        vocals=seen.get("vocals"),
        live=seen.get("live"),
        tempo_bpm=seen.get("tempo_bpm"),
    )
    return MoodProfile(
        text=str(data["text"]),
        targets={str(k): float(v) for k, v in data["targets"].items()},
        ranges={str(k): (float(lo), float(hi)) for k, (lo, hi) in data["ranges"].items()},
        weights={str(k): float(v) for k, v in data["weights"].items()},
        recognised=recognised,
        unwanted_versions=tuple(data.get("unwanted_versions") or ()),
        understood=bool(data.get("understood", True)),
        explanation=str(data.get("explanation") or ""),
        suggested_name=data.get("suggested_name"),
        suggested_description=data.get("suggested_description"),
    )


def _seed(data: Json) -> SeedTrack:
    return SeedTrack(
        id=str(data["id"]),
        spotify_id=data.get("spotify_id"),
        title=str(data["title"]),
        artists=tuple(str(a) for a in data.get("artists") or ()),
        source=cast(SeedSource, data["source"]),
        given=str(data.get("given") or ""),
    )


def _quality(data: Json) -> Quality:
    return Quality(
        mean_distance=float(data["mean_distance"]),
        artist_diversity=float(data["artist_diversity"]),
        seed_coverage=float(data["seed_coverage"]),
        candidates=int(data["candidates"]),
        duration_ms=int(data["duration_ms"]),
    )
