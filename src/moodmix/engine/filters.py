"""Filters over ranked candidates: duplicates out, versions the mood does not want out.

A duplicate has the same id, the same ISRC, or the same title and lead artist once both are
normalised (case, accents, punctuation, "(Remastered 2011)" and "feat." tails ignored); the
first, best-ranked one stays. A version is recognised by a word in the title's version part
(in brackets or after " - "), or anywhere for unmistakable words like "karaoke"::

    dedupe(ranked)                                     # keeps order
    unwanted_version("Halo (Live at Wembley)", ("live",))   # 'live'
    drop_versions(ranked, ("live", "remix"))
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from moodmix.engine.folding import fold
from moodmix.engine.scored import Scored
from moodmix.reccobeats.models import Track

VERSION_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "live": ("live", "unplugged", "in concert", "live session"),
    "remix": ("remix", "remixed", "rmx", "club mix", "dub mix", "vip mix", "rework", "bootleg"),
    "karaoke": ("karaoke", "backing track", "originally performed by", "made famous by"),
    "acoustic": ("acoustic", "unplugged", "stripped"),
    "instrumental": ("instrumental",),
    "cover": ("cover", "tribute"),
    "demo": ("demo",),
    "sped up": ("sped up", "speed up", "nightcore"),
    "slowed": ("slowed", "reverb"),
    "radio edit": ("radio edit",),
    "extended": ("extended", "extended mix"),
    "remaster": ("remaster", "remastered"),
}
"""A version name -> the words that mark it in a title (folded)."""

ANYWHERE: Final = frozenset({"karaoke", "remix", "remixed", "nightcore", "sped up"})
"""Words that mark a version wherever they appear in the title."""

_VERSION_PART = re.compile(r"\(([^)]*)\)|\[([^\]]*)\]|\s[-–—]\s(.*)$")
_FEAT = re.compile(r"\b(feat|ft|featuring)\b.*$")


def version_part(title: str) -> str:
    """The folded text of the title's version parts: brackets and what follows " - "."""
    parts = (next(g for g in m.groups() if g is not None) for m in _VERSION_PART.finditer(title))
    return " ".join(fold(part) for part in parts)


def base_title(title: str) -> str:
    """The title without version parts and "feat." tails, folded."""
    return _FEAT.sub("", fold(_VERSION_PART.sub(" ", title))).strip()


def unwanted_version(title: str, unwanted: Iterable[str]) -> str | None:
    """Which of the ``unwanted`` versions ``title`` is, or ``None``."""
    part = f" {version_part(title)} "
    whole = f" {fold(title)} "
    for version in unwanted:
        for word in VERSION_WORDS.get(fold(version), (fold(version),)):
            if f" {word} " in part or (word in ANYWHERE and f" {word} " in whole):
                return version
    return None


def identity(track: Track) -> tuple[str, str]:
    """Normalised (title, lead artist): the same song for the purpose of duplicates."""
    lead = fold(track.artists[0].name) if track.artists else ""
    return base_title(track.track_title), lead


def dedupe(ranked: Sequence[Scored]) -> list[Scored]:
    """``ranked`` without duplicates (same id, ISRC, or title and lead artist), first kept."""
    ids: set[str] = set()
    isrcs: set[str] = set()
    songs: set[tuple[str, str]] = set()
    kept: list[Scored] = []
    for item in ranked:
        track = item.track
        isrc = (track.isrc or "").strip().upper()
        song = identity(track)
        if track.id in ids or (isrc and isrc in isrcs) or (song[0] and song in songs):
            continue
        ids.add(track.id)
        if isrc:
            isrcs.add(isrc)
        songs.add(song)
        kept.append(item)
    return kept


def drop_versions(ranked: Sequence[Scored], unwanted: Iterable[str]) -> list[Scored]:
    """``ranked`` without the tracks whose title marks an unwanted version."""
    versions = tuple(unwanted)
    return [item for item in ranked if unwanted_version(item.track.track_title, versions) is None]
