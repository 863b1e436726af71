"""Track, artist and album ids as people paste them, and as ReccoBeats answers them.

ReccoBeats accepts its own UUIDs and Spotify's 22-character base-62 ids. People paste
Spotify ids bare, as ``spotify:track:<id>`` URIs, or as ``open.spotify.com`` links with
``?si=`` tails and locale prefixes. Everything here is pure and offline::

    parse_id("https://open.spotify.com/intl-de/track/00aqkszH1FdUiJJWvX6iEl?si=x")
    # ParsedId(value='00aqkszH1FdUiJJWvX6iEl', scheme='spotify', kind='track')
    spotify_id_from_href("https://open.spotify.com/track/00aqkszH1FdUiJJWvX6iEl")
    by_spotify_id(tracks)  # {spotify id: item} for a batch response
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar
from urllib.parse import urlsplit

Kind = Literal["track", "artist", "album"]
Scheme = Literal["spotify", "reccobeats"]

MAX_BATCH_IDS = 40
"""The most ids ReccoBeats accepts in one batch request."""

_BASE62 = re.compile(r"[0-9A-Za-z]{22}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_KINDS: tuple[Kind, ...] = ("track", "artist", "album")
_SPOTIFY_HOSTS = {"open.spotify.com", "play.spotify.com"}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_PLAIN_HREFS = frozenset(f"https://open.spotify.com/{kind}" for kind in _KINDS)


@dataclass(frozen=True, slots=True)
class ParsedId:
    """An id in the form ReccoBeats accepts, with where it came from."""

    value: str
    scheme: Scheme
    kind: Kind | None = None


def is_spotify_id(text: str) -> bool:
    """True for exactly 22 base-62 characters."""
    return _BASE62.fullmatch(text) is not None


def is_reccobeats_id(text: str) -> bool:
    """True for a UUID in its canonical 8-4-4-4-12 hex form."""
    return _UUID.fullmatch(text) is not None


def parse_id(text: str, *, expect: Kind | None = None) -> ParsedId:
    """Parse a bare Spotify id, a ``spotify:`` URI, an ``open.spotify.com`` link or a UUID.

    ``expect`` rejects URIs and links of another kind (an artist link where a track is
    wanted). Raises ``ValueError`` saying what was wrong.
    """
    if not isinstance(text, str):
        raise ValueError(f"an id must be a string, not {type(text).__name__}")
    raw = text.strip()
    if not raw:
        raise ValueError("an id must not be empty")
    if is_spotify_id(raw):
        return ParsedId(raw, "spotify", expect)
    if is_reccobeats_id(raw):
        return ParsedId(raw.lower(), "reccobeats", expect)  # the canonical form of a UUID
    if raw.lower().startswith("spotify:"):
        return _check_kind(_parse_uri(raw), expect, text)
    if "spotify.com" in raw.lower():
        return _check_kind(_parse_link(raw), expect, text)
    raise ValueError(
        f"{_shorten(text)!r} is not a Spotify id (22 letters and digits), a spotify: URI, "
        "an open.spotify.com link or a ReccoBeats UUID"
    )


def parse_ids(texts: Iterable[str], *, expect: Kind | None = None) -> list[ParsedId]:
    """``parse_id`` for each, naming the position of the first bad one."""
    parsed = []
    for position, text in enumerate(texts):
        try:
            parsed.append(parse_id(text, expect=expect))
        except ValueError as exc:
            raise ValueError(f"id #{position + 1}: {exc}") from None
    return parsed


def spotify_id_from_href(href: str) -> str | None:
    """The Spotify id at the end of an item's ``href``, or ``None`` if it carries none."""
    head, _, tail = href.rpartition("/")
    if head in _PLAIN_HREFS and is_spotify_id(tail):
        return tail  # the form ReccoBeats answers with, without parsing the URL
    try:
        return _parse_link(href).value
    except ValueError:
        return None


def check_batch(ids: Sequence[str], *, limit: int = MAX_BATCH_IDS, name: str = "ids") -> list[str]:
    """Validate a batch of ids before it is sent: 1 to ``limit`` ids, each well formed.

    Returns the ids in ReccoBeats' accepted form (links and URIs reduced to bare ids).
    """
    if isinstance(ids, str):
        raise ValueError(f"{name} must be a list of ids, not one string")
    if len(ids) == 0:
        raise ValueError(f"{name} must not be empty")
    if len(ids) > limit:
        raise ValueError(f"{name} holds {len(ids)} ids; ReccoBeats accepts at most {limit}")
    try:
        return [parsed.value for parsed in parse_ids(ids)]
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


class _Linked(Protocol):
    @property
    def spotify_id(self) -> str | None: ...


LinkedT = TypeVar("LinkedT", bound=_Linked)


def by_spotify_id(items: Iterable[LinkedT]) -> dict[str, LinkedT]:
    """Map batch response items back to the Spotify id in their ``href``."""
    return {sid: item for item in items if (sid := item.spotify_id) is not None}


def _parse_uri(raw: str) -> ParsedId:
    parts = raw.split(":")
    if len(parts) == 3 and parts[1] in _KINDS and is_spotify_id(parts[2]):
        return ParsedId(parts[2], "spotify", parts[1])
    raise ValueError(f"{_shorten(raw)!r} is not a spotify:track|artist|album:<22-char id> URI")


def _parse_link(raw: str) -> ParsedId:
    candidate = raw if _SCHEME.match(raw) else "https://" + raw
    parts = urlsplit(candidate)
    if (parts.hostname or "").lower() not in _SPOTIFY_HOSTS:
        raise ValueError(f"{_shorten(raw)!r} is not an open.spotify.com link")
    segments = [s for s in parts.path.split("/") if s]
    # Locale prefixes look like "intl-de" or "intl-pt"; "embed" appears in embed links.
    while segments and (segments[0].startswith("intl-") or segments[0] == "embed"):
        segments.pop(0)
    if len(segments) >= 2 and segments[0] in _KINDS and is_spotify_id(segments[1]):
        return ParsedId(segments[1], "spotify", segments[0])
    raise ValueError(f"{_shorten(raw)!r} is not a link to a Spotify track, artist or album")


def _check_kind(parsed: ParsedId, expect: Kind | None, original: str) -> ParsedId:
    if expect is not None and parsed.kind is not None and parsed.kind != expect:
        raise ValueError(f"{_shorten(original)!r} is a Spotify {parsed.kind}, not a {expect}")
    return parsed


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
