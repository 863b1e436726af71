"""Seeds: the tracks recommendations start from.

From ids the user gave (any form: Spotify ids, ``spotify:track:`` URIs, links, ReccoBeats
UUIDs), from artists the prompt names, and, when there are neither, from anchor artists for
the mood (``anchors.py``). An artist's tracks are ranked by how well they fit the profile and
the best become seeds; all of them join the candidates, since their features are already known::

    chosen = await choose_seeds(gateway, profile, ["spotify:track:00aqkszH1FdUiJJWvX6iEl"])
    chosen.seeds        # SeedTrack, ..., in the order they go to recommendations
    chosen.pool         # Candidate, ...: the seed artists' tracks, with features
    chosen.skipped      # SkippedSeed("6rqhFgbbKwnb9MLmUQDhG6", "ReccoBeats does not know ..."), ...

A malformed seed raises ``SeedError`` naming it and why; an unknown one is skipped while others
remain, and raises ``SeedError`` when none do. Cost, cold: one request for explicit ids; per
artist one search and one page of tracks, plus one batch of audio features for all of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from moodmix.engine.anchors import anchor_artists
from moodmix.engine.candidates import fetch_features
from moodmix.engine.folding import fold
from moodmix.engine.playlist import SeedSource, SeedTrack, SkippedSeed
from moodmix.engine.profile import MoodProfile
from moodmix.engine.scored import Candidate, Scored
from moodmix.engine.scoring import Scorer
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.reccobeats.ids import ParsedId, parse_id
from moodmix.reccobeats.models import Artist, Track
from moodmix.resilience.together import together

MAX_SEED_ARTISTS: Final = 3
"""Artists searched for seeds (named or anchors): each costs a search and a page of tracks."""
MAX_ARTIST_SEEDS: Final = 10
"""Seeds taken from artists' tracks: two recommendation calls of five."""
EXTRA_ANCHOR_SEARCHES: Final = 3
"""Further anchor names tried when some of the first are not found upstream."""
TRACKS_PER_BATCH: Final = 40
SEARCH_SIZE: Final = 5


class SeedError(ValueError):
    """A seed that cannot be used; ``seed`` is what was given, ``why`` says what is wrong."""

    def __init__(self, seed: str, why: str) -> None:
        super().__init__(f"seed {seed!r} cannot be used: {why}")
        self.seed = seed
        self.why = why


class NoSeedsFound(LookupError):
    """Nothing to seed recommendations from: no seed ids, no artist found upstream."""


@dataclass(frozen=True)
class SeedSet:
    """The seeds chosen, the tracks fetched on the way, and what was left out."""

    seeds: tuple[SeedTrack, ...]
    pool: tuple[Candidate, ...] = ()
    skipped: tuple[SkippedSeed, ...] = ()
    notes: tuple[str, ...] = ()


async def choose_seeds(
    gateway: ReccoBeats, profile: MoodProfile, explicit: Sequence[str] = ()
) -> SeedSet:
    """Seeds for ``profile``: explicit ids and named artists, else anchor artists."""
    given, skipped = await explicit_seeds(gateway, explicit) if explicit else ([], [])
    notes: list[str] = []
    named = list(dict.fromkeys(profile.recognised.artists))
    if len(named) > MAX_SEED_ARTISTS:
        notes.append(f"seeded from the first {MAX_SEED_ARTISTS} artists named")
    found = SeedSet(())
    if named:
        found = await artist_seeds(
            gateway,
            named[:MAX_SEED_ARTISTS],
            profile,
            source="artist",
            max_seeds=max(MAX_SEED_ARTISTS, MAX_ARTIST_SEEDS - len(given)),
        )
        notes.extend(found.notes)
    if not given and not found.seeds:
        if skipped:
            unknown = ", ".join(repr(s.seed) for s in skipped)
            raise SeedError(
                skipped[0].seed, f"ReccoBeats knows none of the seeds given ({unknown})"
            )
        found = await artist_seeds(
            gateway, anchor_artists(profile), profile, source="anchor", max_seeds=MAX_ARTIST_SEEDS
        )
        if not found.seeds:
            raise NoSeedsFound(
                "found no anchor artist for this mood upstream; give a seed track or an artist"
            )
    return SeedSet((*given, *found.seeds), found.pool, tuple(skipped), tuple(notes))


async def explicit_seeds(
    gateway: ReccoBeats, texts: Sequence[str]
) -> tuple[list[SeedTrack], list[SkippedSeed]]:
    """The tracks of ``texts`` (one request, cold), and the ones ReccoBeats does not know.

    Raises ``SeedError`` for the first malformed one.
    """
    parsed = parse_seeds(texts)
    tracks = await gateway.get_tracks([p.value for _, p in parsed])
    by_id = {t.id.lower(): t for t in tracks}
    by_spotify = {t.spotify_id: t for t in tracks if t.spotify_id}
    seeds: dict[str, SeedTrack] = {}
    skipped: list[SkippedSeed] = []
    for text, p in parsed:
        track = by_id.get(p.value.lower()) if p.scheme == "reccobeats" else by_spotify.get(p.value)
        if track is None:
            skipped.append(SkippedSeed(text, "ReccoBeats does not know this track"))
        else:
            seeds.setdefault(track.id, seed_track(track, "explicit", text))
    return list(seeds.values()), skipped


def parse_seeds(texts: Sequence[str]) -> list[tuple[str, ParsedId]]:
    """Each seed with its parsed id; ``SeedError`` for the first malformed one (offline)."""
    parsed: list[tuple[str, ParsedId]] = []
    for text in texts:
        try:
            parsed.append((text, parse_id(text, expect="track")))
        except ValueError as exc:
            raise SeedError(str(text), str(exc)) from None
    return parsed


async def artist_seeds(
    gateway: ReccoBeats,
    names: Sequence[str],
    profile: MoodProfile,
    *,
    source: SeedSource,
    max_seeds: int = MAX_ARTIST_SEEDS,
) -> SeedSet:
    """Seeds from the best-fitting tracks of up to ``MAX_SEED_ARTISTS`` of ``names``.

    Named artists (``source="artist"``) take the best search match; anchors take only an exact
    name match, and further names are tried (a few) when some are not found.
    """
    exact = source == "anchor"
    extra = EXTRA_ANCHOR_SEARCHES if exact else 0
    artists = await _find_artists(gateway, names, exact=exact, extra=extra)
    notes = [] if exact else [f"no artist found for {n!r}" for n in names if n not in artists]
    if not artists:
        return SeedSet((), notes=tuple(notes))
    page = min(50, max(5, TRACKS_PER_BATCH // len(artists)))
    pages = await together(gateway.get_artist_tracks(a.id, size=page) for a in artists.values())
    ranked = await _rank(gateway, [p.content for p in pages], profile)
    per_artist = math.ceil(max_seeds / len(artists))
    chosen: dict[str, SeedTrack] = {}
    for row in range(per_artist):
        for name, tracks in zip(artists, ranked, strict=True):
            if row < len(tracks) and len(chosen) < max_seeds:
                track = tracks[row].track
                chosen.setdefault(track.id, seed_track(track, source, name))
    pool = {item.track.id: item.candidate for tracks in ranked for item in tracks}
    return SeedSet(tuple(chosen.values()), tuple(pool.values()), notes=tuple(notes))


def seed_track(track: Track, source: SeedSource, given: str) -> SeedTrack:
    return SeedTrack(
        id=track.id,
        spotify_id=track.spotify_id,
        title=track.track_title,
        artists=tuple(a.name for a in track.artists),
        source=source,
        given=given,
    )


def pick_artist(found: Sequence[Artist], name: str, *, exact: bool) -> Artist | None:
    """The search result that is ``name`` (folded), else the first one unless ``exact``."""
    wanted = fold(name)
    match = next((a for a in found if fold(a.name) == wanted), None)
    if match is None and not exact and found:
        return found[0]
    return match


async def _find_artists(
    gateway: ReccoBeats, names: Sequence[str], *, exact: bool, extra: int
) -> dict[str, Artist]:
    """Up to ``MAX_SEED_ARTISTS`` of ``names`` found upstream, in order, with fallbacks."""
    queue = list(dict.fromkeys(names))
    found: dict[str, Artist] = {}
    budget = MAX_SEED_ARTISTS + extra
    while queue and budget > 0 and len(found) < MAX_SEED_ARTISTS:
        batch = queue[: min(MAX_SEED_ARTISTS - len(found), budget)]
        del queue[: len(batch)]
        budget -= len(batch)
        pages = await together(gateway.search_artists(name, size=SEARCH_SIZE) for name in batch)
        for name, page in zip(batch, pages, strict=True):
            artist = pick_artist(page.content, name, exact=exact)
            if artist is not None and artist.id not in {a.id for a in found.values()}:
                found[name] = artist
    return found


async def _rank(
    gateway: ReccoBeats, lists: Sequence[Sequence[Track]], profile: MoodProfile
) -> list[list[Scored]]:
    """Each list's tracks that have features, best fit first."""
    features = await fetch_features(gateway, (t.id for tracks in lists for t in tracks))
    scorer = Scorer(profile)
    ranked = []
    for tracks in lists:
        scored = [
            Scored.of(Candidate(t, features[t.id], origin="artist"), scorer)
            for t in tracks
            if t.id in features
        ]
        scored.sort(key=lambda s: (-s.fit.score, s.fit.distance, s.track.id))
        ranked.append(scored)
    return ranked
