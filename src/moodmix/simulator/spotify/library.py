"""The stand-in's listeners and their playlists: test users with top artists and tracks over
three time ranges, and playlists that change with snapshot ids.

::

    library = Library(SpotifyWire(catalog), users=5, seed=0)
    library.top("listener-1", "tracks", "short_term")        # [track json, ...] (50)
    playlist = library.create("listener-1", "Rainy Sunday", "", public=False)
    library.add(playlist.id, ["spotify:track:6mMR4XfAqs96VNh8OcDmrF"], None)  # new snapshot id

Playlists hold track URIs in order (duplicates allowed, as on Spotify); every change makes a
new snapshot id; a cover is kept as the JPEG bytes it was sent as.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from typing import Any, Final

from moodmix.simulator.spotify.wire import SpotifyWire

Json = dict[str, Any]
TIME_RANGES: Final = ("short_term", "medium_term", "long_term")
TOP_SIZE: Final = 50
_BASE62: Final = string.digits + string.ascii_letters


@dataclass
class StoredPlaylist:
    id: str
    owner: str
    name: str
    description: str
    public: bool
    uris: list[str] = field(default_factory=list)
    version: int = 1
    cover: bytes | None = None

    @property
    def snapshot_id(self) -> str:
        return f"{self.id[:8]}-v{self.version}"

    def changed(self) -> str:
        self.version += 1
        return self.snapshot_id

    def wire(self) -> Json:
        return {
            "id": self.id,
            "uri": f"spotify:playlist:{self.id}",
            "name": self.name,
            "description": self.description,
            "public": self.public,
            "snapshot_id": self.snapshot_id,
            "external_urls": {"spotify": f"https://open.spotify.com/playlist/{self.id}"},
            "owner": {"id": self.owner, "display_name": self.owner},
            "tracks": {"total": len(self.uris)},
            "images": [{"url": f"/images/{self.id}.jpg"}] if self.cover else [],
        }


class Library:
    """Users ``listener-1`` … ``listener-N`` and every playlist made in the stand-in."""

    def __init__(self, wire: SpotifyWire, *, users: int = 5, seed: int = 0) -> None:
        self.wire = wire
        self.users = {f"listener-{n}": f"Listener {n}" for n in range(1, users + 1)}
        self.playlists: dict[str, StoredPlaylist] = {}
        self._rng = random.Random(seed)
        self._seed = seed
        self._tops: dict[tuple[str, str, str], list[str]] = {}

    def profile(self, user: str) -> Json:
        return {"id": user, "display_name": self.users[user], "images": [], "product": "premium"}

    def top(self, user: str, kind: str, time_range: str) -> list[Json]:
        """The user's ``TOP_SIZE`` most played ``tracks`` or ``artists`` over ``time_range``:
        drawn once per user and range; the ranges overlap as listening habits do."""
        key = (user, kind, time_range)
        if key not in self._tops:
            self._tops[key] = self._draw(user, kind, time_range)
        look = self.wire.track if kind == "tracks" else self.wire.artist
        return [item for sid in self._tops[key] if (item := look(sid)) is not None]

    def _draw(self, user: str, kind: str, time_range: str) -> list[str]:
        base = random.Random(f"{self._seed}:{user}:{kind}")  # the user's taste
        pool = self.wire.track_ids if kind == "tracks" else self.wire.artist_ids
        taste = base.sample(pool, min(len(pool), 3 * TOP_SIZE))
        now = random.Random(f"{self._seed}:{user}:{kind}:{time_range}")
        shift = TIME_RANGES.index(time_range) * TOP_SIZE // 2
        window = taste[shift : shift + TOP_SIZE + TOP_SIZE // 2]
        return now.sample(window, min(TOP_SIZE, len(window)))

    def create(self, owner: str, name: str, description: str, *, public: bool) -> StoredPlaylist:
        pid = "".join(self._rng.choice(_BASE62) for _ in range(22))
        playlist = StoredPlaylist(pid, owner, name, description, public)
        self.playlists[pid] = playlist
        return playlist

    def of(self, owner: str) -> list[StoredPlaylist]:
        return [p for p in self.playlists.values() if p.owner == owner]

    def add(self, playlist: StoredPlaylist, uris: list[str], position: int | None) -> str:
        at = len(playlist.uris) if position is None else min(position, len(playlist.uris))
        playlist.uris[at:at] = uris
        return playlist.changed()

    def replace(self, playlist: StoredPlaylist, uris: list[str]) -> str:
        playlist.uris[:] = uris
        return playlist.changed()

    def reorder(self, playlist: StoredPlaylist, start: int, before: int, length: int) -> str:
        moved = playlist.uris[start : start + length]
        rest = playlist.uris[:start] + playlist.uris[start + length :]
        at = before if before <= start else before - len(moved)
        playlist.uris[:] = rest[:at] + moved + rest[at:]
        return playlist.changed()

    def remove(self, playlist: StoredPlaylist, uris: set[str]) -> str:
        playlist.uris[:] = [u for u in playlist.uris if u not in uris]
        return playlist.changed()
