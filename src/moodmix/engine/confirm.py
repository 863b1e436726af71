"""Confirming names a language model gave: only what ReccoBeats knows becomes a seed.

::

    found = await confirm_names(gateway, ["Bon Iver", "The Velvet Lanterns"], tracks)
    found.artists        # ('Bon Iver',): as ReccoBeats spells them
    found.track_ids      # ReccoBeats ids of named tracks found under their artist
    found.unknown        # ('The Velvet Lanterns',): never seeds

An artist is confirmed only by an exact (folded) name match in a ReccoBeats artist search,
the same search ``seeds.choose_seeds`` makes (so it is cached for it); a track only when its
artist is confirmed and one of that artist's tracks has its title. Cost, cold: one search
per name and one page of tracks per named track's artist; warm: none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from moodmix.engine.folding import fold
from moodmix.engine.seeds import MAX_SEED_ARTISTS, SEARCH_SIZE, pick_artist
from moodmix.reccobeats.errors import ReccoBeatsError
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.reccobeats.models import Artist
from moodmix.resilience.together import together

MAX_TRACKS: Final = 3
"""Tracks named by a model that are looked up at most."""
TRACK_PAGE: Final = 50


class NamedTrack(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def artist(self) -> str: ...


@dataclass(frozen=True)
class Confirmed:
    """What ReccoBeats knows of the names given, and what it does not."""

    artists: tuple[str, ...] = ()
    track_ids: tuple[str, ...] = ()
    tracks: tuple[str, ...] = ()
    """The confirmed tracks as "title by artist"."""
    unknown: tuple[str, ...] = ()


async def confirm_names(
    gateway: ReccoBeats, artists: Sequence[str], tracks: Sequence[NamedTrack] = ()
) -> Confirmed:
    """The artists (up to ``MAX_SEED_ARTISTS``) and tracks (``MAX_TRACKS``) ReccoBeats knows."""
    wanted_tracks = list(tracks)[:MAX_TRACKS]
    names = list(dict.fromkeys([*artists[:MAX_SEED_ARTISTS], *(t.artist for t in wanted_tracks)]))
    found = await _exact_artists(gateway, names)
    confirmed = tuple(found[n].name for n in artists[:MAX_SEED_ARTISTS] if n in found)
    unknown = [n for n in artists[:MAX_SEED_ARTISTS] if n not in found]
    track_ids: list[str] = []
    track_names: list[str] = []
    for track in wanted_tracks:
        artist = found.get(track.artist)
        hit = await _track_of(gateway, artist, track.title) if artist is not None else None
        if hit is None:
            unknown.append(f"{track.title} by {track.artist}")
        elif hit not in track_ids:
            track_ids.append(hit)
            track_names.append(f"{track.title} by {artist.name if artist else track.artist}")
    return Confirmed(
        tuple(dict.fromkeys(confirmed)), tuple(track_ids), tuple(track_names), tuple(unknown)
    )


async def _exact_artists(gateway: ReccoBeats, names: Sequence[str]) -> dict[str, Artist]:
    if not names:
        return {}
    try:
        pages = await together(gateway.search_artists(name, size=SEARCH_SIZE) for name in names)
    except ReccoBeatsError:
        return {}
    found: dict[str, Artist] = {}
    for name, page in zip(names, pages, strict=True):
        artist = pick_artist(page.content, name, exact=True)
        if artist is not None:
            found[name] = artist
    return found


async def _track_of(gateway: ReccoBeats, artist: Artist, title: str) -> str | None:
    try:
        page = await gateway.get_artist_tracks(artist.id, size=TRACK_PAGE)
    except ReccoBeatsError:
        return None
    wanted = fold(title)
    return next((t.id for t in page.content if fold(t.track_title) == wanted), None)
