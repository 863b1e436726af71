"""What a listener leaves out: artists, tracks, explicit content, long tracks, other years.

Artists match by ReccoBeats or Spotify id, or by name once folded (case, accents and
punctuation ignored); tracks by id, Spotify id or link, or by title (folded, version tails
ignored). Explicitness and release year are read where the data has them: an ``explicit``
flag or a ``releaseDate`` on the track when the upstream sends one, else the year in the
track's ISRC (the year its recording was registered). A track whose year or explicitness is
unknown stays, and the playlist's notes say so::

    rules = Exclusions.of(request)
    rules.negative_seeds          # ids sent as ReccoBeats negativeSeeds (at most five)
    rules.why_out(track)          # 'by an excluded artist', ... or None
    kept, notes = rules.apply(ranked)

``apply`` raises ``NothingLeft`` (a ``ValueError``) when the rules leave no candidate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from moodmix.engine.filters import base_title
from moodmix.engine.folding import fold
from moodmix.engine.playlist import PlaylistRequest
from moodmix.engine.scored import Scored
from moodmix.reccobeats.ids import parse_id
from moodmix.reccobeats.models import Track

MAX_NEGATIVE_SEEDS: Final = 5
"""The most ``negativeSeeds`` one recommendation call takes (the API's limit)."""
_ISRC: Final = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}(\d{2})\d{5}$")
_DATE_YEAR: Final = re.compile(r"^(\d{4})")


class NothingLeft(ValueError):
    """The exclusions leave no track to make a playlist from."""


@dataclass(frozen=True)
class Exclusions:
    """The request's exclusions, normalised for matching."""

    artists: frozenset[str] = frozenset()
    tracks: frozenset[str] = frozenset()
    explicit: bool = True
    max_ms: int | None = None
    years: tuple[int, int] | None = None
    negative_seeds: tuple[str, ...] = ()

    @classmethod
    def of(cls, request: PlaylistRequest) -> Exclusions:
        artists, artist_ids = _keys(request.exclude_artists, "artist")
        tracks, track_ids = _keys(request.exclude_tracks, "track")
        return cls(
            artists=artists,
            tracks=tracks,
            explicit=request.explicit,
            max_ms=None if request.max_track_s is None else round(request.max_track_s * 1000),
            years=request.years,
            negative_seeds=(*track_ids, *artist_ids)[:MAX_NEGATIVE_SEEDS],
        )

    @property
    def active(self) -> bool:
        """Whether anything is excluded at all."""
        return bool(
            self.artists
            or self.tracks
            or not self.explicit
            or self.max_ms is not None
            or self.years is not None
        )

    def why_out(self, track: Track) -> str | None:
        """Why ``track`` is left out, or ``None`` when it stays (unknown data keeps it)."""
        if any(_artist_keys(a.id, a.spotify_id, a.name) & self.artists for a in track.artists):
            return "by an excluded artist"
        if {track.id, track.spotify_id or "", base_title(track.track_title)} & self.tracks:
            return "an excluded track"
        if not self.explicit and explicit_flag(track) is True:
            return "explicit"
        if self.max_ms is not None and (track.duration_ms or 0) > self.max_ms:
            return "too long"
        if self.years is not None and (year := release_year(track)) is not None:
            first, last = self.years
            if not first <= year <= last:
                return f"from {year}"
        return None

    def apply(self, ranked: Sequence[Scored]) -> tuple[list[Scored], tuple[str, ...]]:
        """``ranked`` without what is excluded, and notes on what could not be checked."""
        if not self.active or not ranked:
            return list(ranked), ()
        kept = [item for item in ranked if self.why_out(item.track) is None]
        if not kept:
            raise NothingLeft(
                f"the exclusions leave none of the {len(ranked)} candidate tracks: "
                "exclude fewer artists or tracks, or widen the years or the longest track"
            )
        return kept, self._notes(ranked)

    def _notes(self, ranked: Sequence[Scored]) -> tuple[str, ...]:
        notes: list[str] = []
        tracks = [item.track for item in ranked]
        if not self.explicit:
            unknown = sum(explicit_flag(t) is None for t in tracks)
            if unknown == len(tracks):
                notes.append(
                    "explicit content could not be left out: ReccoBeats does not say which "
                    "tracks are explicit"
                )
            elif unknown:
                notes.append(f"{unknown} tracks not known to be explicit or not were kept")
        if self.years is not None:
            unknown = sum(release_year(t) is None for t in tracks)
            if unknown == len(tracks):
                notes.append("the years could not be applied: no track has a release year")
            elif unknown:
                notes.append(f"{unknown} tracks of unknown year were kept")
        return tuple(notes)


def explicit_flag(track: Track) -> bool | None:
    """Whether the upstream marks ``track`` explicit; ``None`` when it does not say."""
    flag = (track.model_extra or {}).get("explicit")
    return flag if isinstance(flag, bool) else None


def release_year(track: Track, *, now: datetime | None = None) -> int | None:
    """The year ``track`` came out: its ``releaseDate`` when sent, else its ISRC's year."""
    extra = track.model_extra or {}
    date = extra.get("releaseDate", extra.get("release_date"))
    if isinstance(date, str) and (found := _DATE_YEAR.match(date.strip())):
        return int(found.group(1))
    isrc = (track.isrc or "").strip().upper().replace("-", "")
    if not (found := _ISRC.match(isrc)):
        return None
    two = int(found.group(1))
    this_year = (now or datetime.now(UTC)).year
    year = this_year - this_year % 100 + two
    return year - 100 if year > this_year else year


def _keys(values: Sequence[str], kind: str) -> tuple[frozenset[str], list[str]]:
    """Matching keys of ``values`` (ids and folded names), and the ids among them."""
    keys: set[str] = set()
    ids: list[str] = []
    for value in values:
        try:
            parsed = parse_id(value, expect="artist" if kind == "artist" else "track")
        except ValueError:
            folded = fold(value) if kind == "artist" else base_title(value)
            if folded:
                keys.add(folded)
            continue
        keys.add(parsed.value)
        ids.append(parsed.value)
    return frozenset(keys), ids


def _artist_keys(id: str | None, spotify_id: str | None, name: str) -> set[str]:
    return {key for key in (id, spotify_id, fold(name)) if key}
